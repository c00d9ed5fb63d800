import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS, useBackend } from '../../test/setup-backend.ts';
import { Mlp } from '../nn/mlp.ts';
import { ModifiedMlp } from '../nn/modified_mlp.ts';
import type { Module } from '../nn/module.ts';
import { Rng } from '../rng.ts';
import { Derivatives } from './derivatives.ts';

/**
 * Parameter gradients of a PDE-style loss (through jets, custom-gradient matMuls and broadcast
 * ops) against central finite differences. float32 limits FD accuracy, so the check is on the
 * projection of the gradient onto random directions with a step where truncation and rounding
 * balance.
 */
function lossOf(model: Module, d: Derivatives, x: tf.Tensor2D): tf.Scalar {
  const r = d.evaluate(model, x);
  const res = tf.add(tf.add(r.u_t, tf.mul(r.u, r.u_x)), tf.mul(r.u_xx, tf.scalar(-0.1)));
  return tf.add(tf.mean(tf.square(res)), tf.mean(tf.square(r.u_xxxx ?? tf.zeros([1])))) as tf.Scalar;
}

describe.each(TEST_BACKENDS)('parameter gradients on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  const cases: [string, () => Module][] = [
    ['MLP tanh', () => new Mlp({ sizes: [2, 12, 12, 1], activation: 'tanh' }, new Rng(1))],
    [
      'MLP sin with RWF',
      () => new Mlp({ sizes: [2, 10, 10, 1], activation: 'sin', factorization: {} }, new Rng(2)),
    ],
    ['modified MLP', () => new ModifiedMlp({ inSize: 2, hidden: 10, depth: 2, outSize: 1 }, new Rng(3))],
  ];
  it.each(cases)('%s: directional derivatives match central differences', (_, make) => {
    const model = make();
    const d = new Derivatives({
      inputs: ['x', 't'],
      outputs: ['u'],
      requests: ['u', 'u_t', 'u_x', 'u_xx', 'u_xxxx'],
    });
    const rng = new Rng(7);
    const x = tf.tensor2d(
      Float32Array.from({ length: 64 }, () => rng.uniformIn(-1, 1)),
      [32, 2],
    );
    const vars = model.parameters().map((p) => p.variable);
    const { grads } = tf.variableGrads(() => lossOf(model, d, x), vars);
    for (let trial = 0; trial < 3; trial++) {
      const dirs = vars.map((v) =>
        tf.tensor(
          Float32Array.from({ length: v.size }, () => rng.normal()),
          v.shape,
        ),
      );
      const analytic = vars.reduce((s, v, i) => s + tf.sum(tf.mul(grads[v.name], dirs[i])).dataSync()[0], 0);
      const orig = vars.map((v) => v.clone());
      const at = (eps: number) => {
        vars.forEach((v, i) => v.assign(tf.add(orig[i], tf.mul(dirs[i], tf.scalar(eps)))));
        return tf.tidy(() => lossOf(model, d, x).dataSync()[0]);
      };
      const h = 2e-3;
      // Fourth-order central difference keeps truncation error small at a step float32 resolves.
      const fd = (8 * (at(h) - at(-h)) - (at(2 * h) - at(-2 * h))) / (12 * h);
      vars.forEach((v, i) => v.assign(orig[i]));
      expect(Math.abs(fd - analytic)).toBeLessThan(5e-4 * Math.max(1, Math.abs(analytic)));
      tf.dispose([...dirs, ...orig]);
    }
    tf.dispose(Object.values(grads));
    x.dispose();
  });
});
