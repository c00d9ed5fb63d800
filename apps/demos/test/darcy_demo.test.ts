import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNpy, serializeNpy } from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { type DarcyOptions, oneCycle, predictDarcy, runDarcy } from '../src/darcy.ts';
import { addL2, ModelTrainer } from '../src/darcy_model.ts';

// A tiny odd grid: seconds per run, both models, every code path.
const tiny: DarcyOptions = {
  res: 11,
  train: 8,
  test: 3,
  epochs: 2,
  batchSize: 4,
  evalEvery: 1,
  backend: 'wasm',
  mgno: { channels: 4, layers: 1, smoothing: [1, 1] },
  fno: { width: 4, modes: 3, layers: 1, projection: 8 },
  log: () => {},
};

// One tiny MgNO trainer on a 9² grid, 2 samples: for per-step checks.
const stepSetup = {
  name: 'mgno' as const,
  res: 9,
  nTrain: 2,
  epochs: 1,
  batchSize: 2,
  lr: 1e-3,
  seed: 3,
  capSeconds: Number.POSITIVE_INFINITY,
  scaling: { inputShift: 0, inputScale: 1, outputScale: 1 },
  mgno: { channels: 2, layers: 1, smoothing: [1, 1] },
};
const stepData = () => [
  new Float32Array(2 * 81).map((_, i) => (i % 5 < 2 ? 12 : 3)),
  new Float32Array(2 * 81).map((_, i) => Math.sin(i)),
];

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
      const r = await runDarcy({ ...tiny, evalRes: 14, out, parallel: false });
      expect(r.finished).toBe(true);
      expect(r.parallel).toBe(false);
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

  it('trains each model in its own worker by default, with the same numbers as training it alone', async () => {
    const out = await mkdtemp(join(tmpdir(), 'darcy-par-'));
    try {
      const lines: string[] = [];
      const r = await runDarcy({ ...tiny, evalRes: 14, out: join(out, 'both'), log: (l) => lines.push(l) });
      expect(r.parallel).toBe(true);
      expect(lines.some((l) => l.includes('own worker thread'))).toBe(true);
      // Each model alone, in this thread, same seed: the workers must reproduce it exactly.
      for (const name of ['mgno', 'fno'] as const) {
        const alone = await runDarcy({ ...tiny, evalRes: 14, out: join(out, name), models: [name] });
        expect(alone.parallel).toBe(false);
        const [a] = alone.models;
        const p = r.models.find((m) => m.name === name);
        expect(p?.params).toBe(a.params);
        expect(p?.trainLoss).toEqual(a.trainLoss);
        expect(p?.testCurve).toEqual(a.testCurve);
        expect(p?.testRelH1).toBe(a.testRelH1);
        expect(p?.evalRes).toEqual(a.evalRes);
        expect(p?.trainCpuSeconds).toBeGreaterThanOrEqual(0);
      }
      // The main thread wrote one progress line per epoch with both models, the report and the
      // workers' files.
      const progress = (await readFile(join(out, 'both', 'progress.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(progress.map((l) => l.epoch)).toEqual([1, 2]);
      for (const l of progress) {
        expect(Number.isFinite(l.mgnoTestRelL2) && Number.isFinite(l.fnoTestRelL2)).toBe(true);
      }
      expect(await readFile(join(out, 'both', 'report.md'), 'utf8')).toContain('own worker thread');
      const pred = parseNpy(await readFile(join(out, 'both', 'fno_test_pred.npy')));
      expect(pred.shape).toEqual([3, 11, 11]);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('a training step leaves the tensor count unchanged', () => {
    const t = new ModelTrainer(stepSetup);
    const [x, y] = stepData();
    const n0 = tf.memory().numTensors;
    for (let k = 0; k < 3; k++) {
      expect(Number.isFinite(t.step(x, y, 2))).toBe(true);
      expect(tf.memory().numTensors).toBe(n0);
    }
    t.dispose();
  });

  it('L2 weight decay adds l2·p to each gradient (PyTorch Adam weight_decay), and changes training', () => {
    const p = [tf.variable(tf.tensor1d([1, -2, 0.5])), tf.variable(tf.tensor2d([[4, 0]]))];
    const g = [tf.tensor1d([0.1, 0.2, -0.3]), tf.tensor2d([[-1, 2]])];
    const out = addL2(g, p, 0.01);
    // By hand: g + 0.01 p.
    const want = [
      [0.11, 0.18, -0.295],
      [-0.96, 2],
    ];
    want.forEach((w, i) => {
      const got = out[i].dataSync();
      w.forEach((v, j) => expect(got[j]).toBeCloseTo(v, 6));
    });
    expect(out[1].shape).toEqual([1, 2]);
    expect(() => addL2(g, p.slice(0, 1), 0.01)).toThrow(/'grads'/);
    tf.dispose([...p, ...g, ...out]);

    const setup = stepSetup;
    const [x, y] = stepData();
    const weights = (l2: number) => {
      const t = new ModelTrainer({ ...setup, l2 });
      const n0 = tf.memory().numTensors;
      for (let k = 0; k < 3; k++) t.step(x, y, 2);
      expect(tf.memory().numTensors).toBe(n0);
      const w = t.op.parameters().flatMap((q) => Array.from(q.variable.dataSync()));
      t.dispose();
      return w;
    };
    const plain = weights(0);
    const decayed = weights(10);
    expect(decayed).not.toEqual(plain);
    // A strong L2 pulls the weights towards zero.
    const norm = (w: number[]) => Math.hypot(...w);
    expect(norm(decayed)).toBeLessThan(norm(plain));
    expect(() => new ModelTrainer({ ...setup, l2: -1 })).toThrow(/'l2'/);
  });

  it('rejects bad options by name', async () => {
    await expect(runDarcy({ ...tiny, models: ['mgno', 'mgno'] })).rejects.toThrow(/'models'/);
    await expect(runDarcy({ ...tiny, minutes: 0 })).rejects.toThrow(/'minutes'/);
    await expect(runDarcy({ ...tiny, l2: -1 })).rejects.toThrow(/'l2'/);
  });
});
