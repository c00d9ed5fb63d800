/**
 * Checkpoints carry the PINN's own state (point sets after resampling and RAD, their generators,
 * adaptive weights): a run cut at a checkpoint and resumed equals the uninterrupted run.
 */
import { cpSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rectangle } from '@pinnate/geometry';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { dirichlet, Pinn, Problem } from '../src/index.ts';
import { useWasm } from './setup.ts';

beforeAll(useWasm);

const problem = () =>
  new Problem({
    domain: new Rectangle([-1, -1], [1, 1]),
    pde: { expression: 'lap(u)', forcing: '-2*pi^2*sin(pi*x)*sin(pi*y)' },
    conditions: [dirichlet({ value: 0, name: 'bc' })],
  });

// Every kind of state at once: uniform redraws of domain and boundary points every 2 steps, RAD
// every 3, adaptive weights every 4.
const make = () =>
  new Pinn(problem(), {
    hidden: [8, 8],
    points: { domain: 64, boundary: 24 },
    seed: 2,
    resampleEvery: 2,
    resampleConditions: true,
    adaptiveSampling: { method: 'rad', every: 3, pool: 128 },
    adaptiveWeights: { every: 4 },
  });

const params = (p: Pinn) => p.model.parameters().map((v) => Array.from(v.variable.dataSync()));
const cfg = (dir: string, steps: number) => ({
  steps,
  adam: { lr: 5e-3 },
  progress: 'none' as const,
  checkpoint: { dir, every: 5 },
});

describe('Pinn checkpoints', () => {
  it('a run cut at step 5 and resumed equals the uninterrupted one; without the state it drifts', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pinn-resume-'));
    try {
      const straight = make();
      await straight.train(cfg(join(root, 'a'), 11));
      const want = params(straight);
      const wantPoints = Array.from(straight.domainPoints.data);
      straight.dispose();

      const first = make();
      await first.train(cfg(join(root, 'b'), 5));
      first.dispose();
      cpSync(join(root, 'b'), join(root, 'b2'), { recursive: true });

      const resumed = make();
      const before = tf.memory().numTensors;
      const t = await resumed.resumeTrainer(join(root, 'b'), cfg(join(root, 'b'), 11));
      await t.fit();
      t.dispose();
      // Restored point sets replace the first draw's tensors; nothing else stays behind.
      expect(tf.memory().numTensors).toBe(before);
      expect(params(resumed)).toEqual(want);
      expect(Array.from(resumed.domainPoints.data)).toEqual(wantPoints);
      resumed.dispose();

      // Control: the same resume without the PINN's state (the test can fail).
      const control = make();
      control.restoreState = () => {};
      const tc = await control.resumeTrainer(join(root, 'b2'), cfg(join(root, 'b2'), 11));
      await tc.fit();
      tc.dispose();
      expect(params(control)).not.toEqual(want);
      control.dispose();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('refuses the state of a PINN with other point groups', () => {
    const a = make();
    const other = new Pinn(
      new Problem({
        domain: new Rectangle([-1, -1], [1, 1]),
        pde: { expression: 'lap(u)' },
        conditions: [
          dirichlet({ value: 0, name: 'left', where: (p) => p[0] < -0.99 }),
          dirichlet({ value: 0, name: 'rest' }),
        ],
      }),
      { hidden: [8, 8], points: { domain: 64, boundary: 24 }, seed: 2 },
    );
    expect(() => other.restoreState(a.captureState())).toThrow(/point groups \[domain,bc\], this PINN has/);
    a.dispose();
    other.dispose();
  });
});
