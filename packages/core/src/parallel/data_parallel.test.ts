import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../test/setup-backend.ts';
import { Rng } from '../rng.ts';
import { Trainer } from '../train/trainer.ts';
import { DataParallel, shardRange } from './data_parallel.ts';
import { createTask } from './test_task.ts';

describe('DataParallel (worker_threads)', () => {
  let dp: DataParallel;
  const config = { n: 101, seed: 3 };
  beforeAll(async () => {
    await useBackend('wasm');
    dp = await DataParallel.start({ module: new URL('./test_task.ts', import.meta.url), config, shards: 2 });
  }, 60_000);
  afterAll(async () => {
    await dp?.close();
  });

  it('splits ranges evenly and completely', () => {
    const parts = [0, 1, 2].map((index) => shardRange(10, { index, count: 3 }));
    expect(parts).toEqual([
      [0, 3],
      [3, 6],
      [6, 10],
    ]);
  });

  it('two shards give the full-batch loss and gradients of one process', async () => {
    const single = createTask(config, { index: 0, count: 1 });
    // Same seed: identical initial parameters.
    const vars = single.model.parameters().map((p) => p.variable);
    const { value, grads } = tf.variableGrads(() => {
      const t = single.loss({ step: 0, phase: 'adam', rng: new Rng(0) });
      return tf.add(t.data, tf.mul(t.smooth, tf.scalar(0.5))) as tf.Scalar;
    }, vars);
    const weights: Record<string, number> = { data: 1, smooth: 0.5 };
    const par = dp.lossAndGrads(0, new Rng(0), (n) => weights[n]);
    expect(dp.termNames).toEqual(['data', 'smooth']);
    const loss = par.terms[0] + 0.5 * par.terms[1];
    // Shards of 50 and 51 points: the average of shard means differs from the full mean by
    // O(1/n²) of the spread; here both are far inside 1e-3 relative.
    expect(Math.abs(loss - value.dataSync()[0]) / value.dataSync()[0]).toBeLessThan(2e-3);
    vars.forEach((v, i) => {
      const a = grads[v.name].dataSync();
      const b = par.grads[i].dataSync();
      const scale = Math.max(...Array.from(a, Math.abs));
      for (let j = 0; j < a.length; j++) expect(Math.abs(a[j] - b[j])).toBeLessThan(2e-2 * scale + 1e-6);
    });
    tf.dispose([...Object.values(grads), ...par.grads, value]);
  });

  it('every shard sees the step and phase and runs prepare before the loss', async () => {
    const echo = await DataParallel.start({
      module: new URL('./test_task.ts', import.meta.url),
      config: { ...config, echo: true },
      shards: 2,
    });
    try {
      for (const [step, phase] of [
        [7, 'lbfgs'],
        [12, 'adam'],
      ] as const) {
        const r = echo.lossAndGrads(step, new Rng(0), () => 1, phase);
        const term = (n: string) => r.terms[echo.termNames.indexOf(n)];
        // Terms are shard averages: a worker that saw another step or skipped prepare shows.
        expect(term('step')).toBe(step);
        expect(term('phase')).toBe(phase === 'lbfgs' ? 1 : 0);
        expect(term('prepared')).toBe(1);
        tf.dispose(r.grads);
      }
    } finally {
      await echo.close();
    }
  }, 60_000);

  it('a worker that exits mid-run makes lossAndGrads throw instead of hanging', async () => {
    const dying = await DataParallel.start({
      module: new URL('./test_task.ts', import.meta.url),
      config: { ...config, exitAtStep: 2 },
      shards: 2,
    });
    try {
      tf.dispose(dying.lossAndGrads(1, new Rng(0)).grads);
      expect(() => dying.lossAndGrads(2, new Rng(0))).toThrow(/worker exited \(code 7\)/);
    } finally {
      await dying.close();
    }
  }, 60_000);

  it('drives the Trainer through Adam and L-BFGS: loss falls, no tensors leak', async () => {
    const trainer = new Trainer(dp.model, () => ({ data: tf.scalar(0) }), {
      steps: 40,
      adam: { lr: 1e-2 },
      lbfgs: { maxIter: 30 },
      progress: 'none',
      parallel: dp,
    });
    await trainer.adamStep();
    const before = tf.memory().numTensors;
    const r = await trainer.fit();
    expect(tf.memory().numTensors).toBe(before);
    expect(r.history.loss[39]).toBeLessThan(r.history.loss[0] / 2);
    expect(r.lbfgsIterations).toBeGreaterThan(5);
    expect(r.loss).toBeLessThan(r.history.loss[39] / 2);
  });
});
