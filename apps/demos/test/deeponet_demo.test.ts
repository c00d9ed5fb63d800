import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDataset } from '@pinnate/operators';
import { afterAll, describe, expect, it } from 'vitest';
import { setupCase } from '../src/deeponet.ts';

describe('deeponet demo: darcy on a given dataset (--data)', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('trains on the first `train` samples and tests on the next `test`, at the dataset grid', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pinnate-don-data-'));
    dirs.push(dir);
    const ds = await generateDataset('darcy', { n: 10, res: 9, seed: 4, out: dir });
    const a = ds.arrays.a.data as Float32Array;
    const u = ds.arrays.u.data as Float32Array;
    const setup = await setupCase('darcy', 0, { train: 6, test: 4, data: dir }, 'mlp');
    expect(setup.outputShape).toEqual([9, 9]);
    expect(setup.train.functions).toBe(6);
    expect(setup.test.functions).toBe(4);
    expect(Array.from(setup.train.u)).toEqual(Array.from(a.subarray(0, 6 * 81)));
    expect(Array.from(setup.train.s)).toEqual(Array.from(u.subarray(0, 6 * 81)));
    expect(Array.from(setup.test.u)).toEqual(Array.from(a.subarray(6 * 81, 10 * 81)));
    expect(Array.from(setup.test.s)).toEqual(Array.from(u.subarray(6 * 81, 10 * 81)));
    expect(setup.sensors).toMatch(/9 × 9 vertices.*samples 0–5 train, 6–9 test/);
    await expect(setupCase('darcy', 0, { train: 8, test: 4, data: dir }, 'mlp')).rejects.toThrow(
      /'data' .* holds 10 samples, fewer than train \+ test = 12/,
    );
    await expect(setupCase('antiderivative', 0, { data: dir })).rejects.toThrow(
      /'data' applies to the darcy case only/,
    );
    await expect(setupCase('darcy', 0, { data: join(dir, 'nope') }, 'mlp')).rejects.toThrow(
      /'data' must be a dataset directory/,
    );
  });
});
