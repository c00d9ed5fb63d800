import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from './main.ts';

describe('pinnate data', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinnate-data-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const quiet = { write: () => true };

  it('writes a dataset with its manifest', async () => {
    const out = join(dir, 'anti');
    const code = await run(
      ['data', 'antiderivative', '--n', '3', '--res', '32', '--seed', '1', '--out', out],
      {
        stdout: quiet,
        stderr: quiet,
      },
    );
    expect(code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.seed).toBe(1);
    expect(Object.keys(manifest.arrays).length).toBeGreaterThan(0);
    for (const a of Object.values(manifest.arrays) as { file: string }[])
      expect(existsSync(join(out, a.file))).toBe(true);
  });

  it('names a missing option', async () => {
    let text = '';
    const code = await run(['data', 'darcy', '--n', '2'], {
      stdout: quiet,
      stderr: {
        write: (s: string) => {
          text += s;
          return true;
        },
      },
    });
    expect(code).not.toBe(0);
    expect(text).toMatch(/--res is required/);
  });
});
