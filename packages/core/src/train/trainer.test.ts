import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS, useBackend } from '../../test/setup-backend.ts';
import { Derivatives } from '../jets/derivatives.ts';
import { Mlp } from '../nn/mlp.ts';
import { apply } from '../nn/module.ts';
import { Rng } from '../rng.ts';
import { type LossFunction, Trainer, TrainingDivergedError } from './trainer.ts';

/** u' = cos x on [0, π], u(0) = 0 (solution sin x), with points resampled from the trainer's RNG. */
function odeLoss(model: Mlp, resample = true): LossFunction {
  const d = new Derivatives({ inputs: ['x'], outputs: ['u'], requests: ['u_x'] });
  const fixed = tf.keep(tf.linspace(0, Math.PI, 64).reshape([64, 1]) as tf.Tensor2D);
  const origin = tf.keep(tf.zeros([1, 1]) as tf.Tensor2D);
  return ({ rng }) => {
    const x = resample
      ? tf.tensor2d(
          Float32Array.from({ length: 64 }, () => rng.uniformIn(0, Math.PI)),
          [64, 1],
        )
      : fixed;
    const { u_x } = d.evaluate(model, x);
    return {
      residual: tf.mean(tf.square(tf.sub(u_x, tf.cos(x)))) as tf.Scalar,
      ic: tf.mean(tf.square(apply(model, origin))) as tf.Scalar,
    };
  };
}

async function paramsOf(model: Mlp): Promise<number[]> {
  const out: number[] = [];
  for (const p of model.parameters()) out.push(...((await p.variable.data()) as Float32Array));
  return out;
}

describe.each(TEST_BACKENDS)('Trainer on %s', (backend) => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), 'pinnate-trainer-'));
    dirs.push(d);
    return d;
  };
  beforeAll(async () => {
    await useBackend(backend);
  });
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('lowers the loss and leaves tf.memory().numTensors unchanged over many steps', async () => {
    const model = new Mlp({ sizes: [1, 16, 16, 1] }, new Rng(1));
    const trainer = new Trainer(model, odeLoss(model), { steps: 200, adam: { lr: 3e-3 }, progress: 'none' });
    await trainer.adamStep(); // creates the optimizer's slots
    const before = tf.memory().numTensors;
    const first = trainer.lossHistory.loss[0];
    for (let i = 0; i < 20; i++) {
      await trainer.adamStep();
      expect(tf.memory().numTensors).toBe(before);
    }
    const result = await trainer.fit();
    expect(tf.memory().numTensors).toBe(before);
    expect(result.steps).toBe(200);
    expect(result.loss).toBeLessThan(first / 20);
    trainer.dispose();
  });

  it('resumes from a checkpoint bit-identically (params, Adam state, RNG, history)', async () => {
    const dirA = tmp();
    const a = new Mlp({ sizes: [1, 8, 1] }, new Rng(4));
    const full = new Trainer(a, odeLoss(a), {
      steps: 30,
      progress: 'none',
      checkpoint: { dir: dirA, every: 10 },
    });
    const rFull = await full.fit();

    const dirB = tmp();
    const b = new Mlp({ sizes: [1, 8, 1] }, new Rng(4));
    const half = new Trainer(b, odeLoss(b), {
      steps: 15,
      progress: 'none',
      checkpoint: { dir: dirB, every: 5 },
    });
    await half.fit();
    // A different initialization: everything must come from the checkpoint.
    const c = new Mlp({ sizes: [1, 8, 1] }, new Rng(99));
    const resumed = await Trainer.resume(dirB, c, odeLoss(c), { steps: 30, progress: 'none' });
    expect(resumed.step).toBe(15);
    const rResumed = await resumed.fit();
    expect(await paramsOf(c)).toEqual(await paramsOf(a));
    expect(rResumed.history.loss).toEqual(rFull.history.loss);
  });

  it('runs L-BFGS after Adam and gets far below the Adam loss, without leaking tensors', async () => {
    const model = new Mlp({ sizes: [1, 12, 1] }, new Rng(6));
    const trainer = new Trainer(model, odeLoss(model, false), {
      steps: 50,
      adam: { lr: 1e-2 },
      lbfgs: { maxIter: 150 },
      progress: 'none',
    });
    await trainer.adamStep();
    const before = tf.memory().numTensors;
    const result = await trainer.fit();
    expect(tf.memory().numTensors).toBe(before);
    const adamLoss = result.history.loss[49];
    expect(result.lbfgsIterations).toBeGreaterThan(10);
    expect(result.loss).toBeLessThan(adamLoss / 100);
  });

  it('checkpoints inside L-BFGS; a run cut mid-phase resumes to the uninterrupted result', async () => {
    const lbfgsRun = (model: Mlp, maxIter: number, dir?: string) =>
      new Trainer(model, odeLoss(model, false), {
        steps: 20,
        adam: { lr: 1e-2 },
        lbfgs: { maxIter, m: 8, gradTol: 0 },
        progress: 'none',
        checkpoint: dir ? { dir, every: 10 } : undefined,
      });
    // Uninterrupted, no checkpoints: one L-BFGS run of 40 iterations.
    const a = new Mlp({ sizes: [1, 10, 1] }, new Rng(8));
    const ra = await lbfgsRun(a, 40).fit();
    expect(ra.lbfgsIterations).toBe(40);
    // Cut after 20 L-BFGS iterations (two checkpointed chunks), then resumed on another init.
    const dir = tmp();
    const b = new Mlp({ sizes: [1, 10, 1] }, new Rng(8));
    await lbfgsRun(b, 20, dir).fit();
    expect(
      readdirSync(dir)
        .filter((f) => f.startsWith('ckpt-'))
        .sort(),
    ).toEqual(['ckpt-000020-l000010', 'ckpt-000020-l000020']);
    const c = new Mlp({ sizes: [1, 10, 1] }, new Rng(77));
    const resumed = await Trainer.resume(dir, c, odeLoss(c, false), {
      steps: 20,
      adam: { lr: 1e-2 },
      lbfgs: { maxIter: 40, m: 8, gradTol: 0 },
      progress: 'none',
    });
    const before = tf.memory().numTensors;
    const rc = await resumed.fit();
    expect(tf.memory().numTensors).toBe(before);
    expect(rc.lbfgsIterations).toBe(40);
    // Chunks sharing the restored pairs retrace the single run exactly.
    expect(await paramsOf(c)).toEqual(await paramsOf(a));
  });

  it('stops with a message naming the loss term that became NaN', async () => {
    const model = new Mlp({ sizes: [1, 4, 1] }, new Rng(2));
    let n = 0;
    const trainer = new Trainer(
      model,
      () => {
        n++;
        const u = apply(model, tf.ones([2, 1]) as tf.Tensor2D);
        return {
          data: tf.mean(tf.square(u)) as tf.Scalar,
          pde: n > 3 ? (tf.scalar(Number.NaN) as tf.Scalar) : tf.scalar(0),
        };
      },
      { steps: 10, progress: 'none' },
    );
    const err = await trainer.fit().catch((e) => e);
    expect(err).toBeInstanceOf(TrainingDivergedError);
    expect(String(err.message)).toMatch(/'pde' became NaN at step 3/);
    expect(trainer.step).toBe(3);
  });

  it('rejects bad configs with named arguments', () => {
    const model = new Mlp({ sizes: [1, 4, 1] }, new Rng(2));
    const f = odeLoss(model);
    expect(() => new Trainer(model, f, { steps: -1 })).toThrow(/'steps'/);
    expect(() => new Trainer(model, f, { steps: 1, weights: { ic: Number.NaN } })).toThrow(/weight of 'ic'/);
    expect(() => new Trainer(model, f, { steps: 1, checkpoint: { dir: '/tmp/x', every: 0 } })).toThrow(
      /checkpoint.every/,
    );
  });
});
