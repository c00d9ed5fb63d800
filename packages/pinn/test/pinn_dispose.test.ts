/** `Pinn.dispose`: what it frees, and `keepNetwork` for a network the caller still uses. */
import { Mlp, Rng } from '@pinnate/core';
import { Rectangle } from '@pinnate/geometry';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { dirichlet, Pig, Pinn, Problem } from '../src/index.ts';
import { useWasm } from './setup.ts';

beforeAll(useWasm);

const problem = () =>
  new Problem({
    domain: new Rectangle([0, 0], [1, 1]),
    pde: { expression: 'lap(u) - k*u' },
    parameters: { k: { init: 2, positive: true } },
    conditions: [dirichlet({ value: '0' })],
  });

describe('Pinn.dispose', () => {
  it('frees every tensor it made, the network included by default', () => {
    const before = tf.memory().numTensors;
    const pinn = new Pinn(problem(), { hidden: [8], points: { domain: 32, boundary: 16 }, seed: 1 });
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    pinn.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keepNetwork leaves a passed network usable and frees the rest', () => {
    const net = new Mlp({ sizes: [2, 8, 1] }, new Rng(4));
    const withNet = tf.memory().numTensors;
    const pinn = new Pinn(problem(), { network: net, points: { domain: 32, boundary: 16 }, seed: 1 });
    const x = { data: Float64Array.of(0.3, 0.7), n: 1, dim: 2 };
    const u = pinn.predict(x).u[0];
    pinn.dispose({ keepNetwork: true });
    expect(tf.memory().numTensors).toBe(withNet);
    for (const p of net.parameters()) expect(p.variable.isDisposed).toBe(false);
    // The same network serves a second Pinn unchanged.
    const again = new Pinn(problem(), { network: net, points: { domain: 32, boundary: 16 }, seed: 2 });
    expect(again.predict(x).u[0]).toBe(u);
    again.dispose();
    for (const p of net.parameters()) expect(p.variable.isDisposed).toBe(true);
  });

  it('frees a PIG network (diagonal and full covariance) completely', () => {
    for (const covariance of ['diagonal', 'full'] as const) {
      const before = tf.memory().numTensors;
      const pig = new Pig(
        {
          inSize: 2,
          gaussians: 12,
          channels: 2,
          lo: [0, 0],
          hi: [1, 1],
          sigma: [0.2, 0.2],
          hidden: [4],
          covariance,
        },
        new Rng(5),
      );
      const pinn = new Pinn(problem(), { network: pig, points: { domain: 16, boundary: 8 }, seed: 1 });
      pinn.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
  });
});
