import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('checkpoints every shard (task state and worker RNG): a resumed run equals the uninterrupted one', async () => {
    const jitter = { ...config, jitterEvery: 3 };
    const start = () =>
      DataParallel.start({ module: new URL('./test_task.ts', import.meta.url), config: jitter, shards: 2 });
    const cfg = (dir: string, steps: number) => ({
      steps,
      adam: { lr: 1e-2 },
      progress: 'none' as const,
      seed: 5,
      checkpoint: { dir, every: 4 },
    });
    const params = (m: DataParallel) => m.variables.map((v) => Array.from(v.dataSync()));
    const root = mkdtempSync(join(tmpdir(), 'dp-resume-'));
    const noop = () => ({ data: tf.scalar(0) });
    try {
      const a = await start();
      await new Trainer(a.model, noop, { ...cfg(join(root, 'a'), 14), parallel: a }).fit();
      const straight = params(a);
      await a.close();
      // Cut at step 8 (a checkpoint), then resumed by fresh workers.
      const b = await start();
      await new Trainer(b.model, noop, { ...cfg(join(root, 'b'), 8), parallel: b }).fit();
      await b.close();
      // A copy for the control below (the resumed run writes newer checkpoints into 'b').
      cpSync(join(root, 'b'), join(root, 'b2'), { recursive: true });
      const c = await start();
      await (
        await Trainer.resume(join(root, 'b'), c.model, noop, { ...cfg(join(root, 'b'), 14), parallel: c })
      ).fit();
      expect(params(c)).toEqual(straight);
      await c.close();
      // Control: the same resume without the shards' state drifts (the test can fail).
      const d = await start();
      d.restoreState = async () => {};
      await (
        await Trainer.resume(join(root, 'b2'), d.model, noop, { ...cfg(join(root, 'b2'), 14), parallel: d })
      ).fit();
      expect(params(d)).not.toEqual(straight);
      await d.close();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);

  it('refuses a checkpoint written with another shard count', async () => {
    await expect(dp.restoreState({ json: { shards: 3 }, arrays: {} })).rejects.toThrow(
      /written with 3 shards, this run has 2/,
    );
  });
});
