import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNpy, serializeNpy } from '@pinnate/core';
import { describe, expect, it } from 'vitest';
import { oneCycle, predictDarcy, runDarcy } from '../src/darcy.ts';

describe('darcy demo', { timeout: 120_000 }, () => {
  it('oneCycle rises from lr/2 to lr at 20 % and falls to lr/200', () => {
    expect(oneCycle(1, 0)).toBeCloseTo(0.5, 12);
    expect(oneCycle(1, 0.2)).toBeCloseTo(1, 12);
    expect(oneCycle(1, 1)).toBeCloseTo(0.005, 12);
    expect(oneCycle(1, 0.1)).toBeGreaterThan(0.5);
    expect(oneCycle(1, 0.6)).toBeLessThan(1);
  });

  it('trains both models in lockstep on an odd grid, reports, evaluates at another resolution, predicts', async () => {
    const out = await mkdtemp(join(tmpdir(), 'darcy-'));
    try {
      const r = await runDarcy({
        res: 11,
        train: 8,
        test: 3,
        epochs: 2,
        batchSize: 4,
        evalEvery: 1,
        evalRes: 14,
        out,
        backend: 'wasm',
        mgno: { channels: 4, layers: 1, smoothing: [1, 1] },
        fno: { width: 4, modes: 3, layers: 1, projection: 8 },
        log: () => {},
      });
      expect(r.finished).toBe(true);
      expect(r.models.map((m) => m.name)).toEqual(['mgno', 'fno']);
      for (const m of r.models) {
        expect(m.epochs).toBe(2);
        expect(m.testCurve.map(([e]) => e)).toEqual([1, 2]);
        expect(Number.isFinite(m.testRelL2) && m.testRelL2 > 0).toBe(true);
        expect(m.evalRes?.res).toBe(14);
        expect(Number.isFinite(m.evalRes?.relL2)).toBe(true);
        expect(m.trainCpuSeconds).toBeGreaterThan(0);
      }
      const report = await readFile(join(out, 'report.md'), 'utf8');
      expect(report).toContain('relL2 at 14²');
      expect(report).not.toContain('partial');
      const progress = (await readFile(join(out, 'progress.jsonl'), 'utf8')).trim().split('\n');
      expect(progress).toHaveLength(2);
      // A saved model predicts on fields of yet another size (even), from a user's .npy.
      const a = new Float64Array(2 * 10 * 10).map((_, i) => (i % 3 === 0 ? 12 : 3));
      await import('node:fs/promises').then((fs) =>
        fs.writeFile(
          join(out, 'in.npy'),
          serializeNpy({ dtype: 'float64', shape: [2, 10, 10], data: a, order: 'C' }),
        ),
      );
      const shape = await predictDarcy(join(out, 'mgno'), join(out, 'in.npy'), join(out, 'pred.npy'), 'wasm');
      expect(shape).toEqual([2, 10, 10]);
      const pred = parseNpy(await readFile(join(out, 'pred.npy')));
      expect(Array.from(pred.data as ArrayLike<number>).every(Number.isFinite)).toBe(true);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
