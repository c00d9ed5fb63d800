import { initBackend } from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { squaredNorm } from './quadrature.ts';
import { relativeH1, relativeL2 } from './relative.ts';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

function field(n: number, f: (x: number, y: number) => number): tf.Tensor4D {
  const d = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) d[i * n + j] = f(j / (n - 1), i / (n - 1));
  return tf.tensor4d(d, [1, n, n, 1]);
}

describe('relative losses', { timeout: 60_000 }, () => {
  it('are ε for a prediction (1 + ε)·u, per sample, with reductions', () => {
    const u = tf.concat([
      field(9, (x, y) => x * (1 - y)),
      field(9, (x, y) => Math.sin(3 * x + y)),
    ]) as tf.Tensor4D;
    const p = tf.mul(u, tf.tensor4d([1.1, 0.97], [2, 1, 1, 1])) as tf.Tensor4D;
    const none = relativeL2(p, u, { reduction: 'none' }).dataSync();
    expect(none[0]).toBeCloseTo(0.1, 5);
    expect(none[1]).toBeCloseTo(0.03, 5);
    expect(relativeL2(p, u).dataSync()[0]).toBeCloseTo(0.065, 5);
    expect(relativeH1(p, u, { reduction: 'sum' }).dataSync()[0]).toBeCloseTo(0.13, 5);
  });

  it('H1 weighs derivatives: matches the analytic ratio for a high-frequency error', () => {
    // u = sin(πx) sin(πy), e = δ sin(4πx) sin(4πy): ‖e‖/‖u‖ = δ, ‖e‖_H1/‖u‖_H1 = δ √((1 + 32π²)/(1 + 2π²)).
    const n = 129;
    const d = 0.01;
    const u = field(n, (x, y) => Math.sin(Math.PI * x) * Math.sin(Math.PI * y));
    const p = tf.add(
      u,
      field(n, (x, y) => d * Math.sin(4 * Math.PI * x) * Math.sin(4 * Math.PI * y)),
    ) as tf.Tensor4D;
    expect(relativeL2(p, u).dataSync()[0]).toBeCloseTo(d, 4);
    const h1 = d * Math.sqrt((1 + 32 * Math.PI ** 2) / (1 + 2 * Math.PI ** 2));
    expect(Math.abs(relativeH1(p, u).dataSync()[0] - h1) / h1).toBeLessThan(0.02);
  });

  it('squaredNorm is resolution independent (uniform quadrature)', () => {
    const a = squaredNorm(field(33, (x) => x)).dataSync()[0];
    const b = squaredNorm(field(65, (x) => x)).dataSync()[0];
    expect(Math.abs(a - 1 / 3)).toBeLessThan(0.02);
    expect(Math.abs(a - b)).toBeLessThan(0.01);
  });

  it('errors name the argument', () => {
    const u = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
    expect(() => relativeL2(u, tf.zeros([1, 4, 5, 1]) as tf.Tensor4D)).toThrow(/'truth'/);
    expect(() => relativeL2(u, u, { reduction: 'max' as never })).toThrow(/'reduction'/);
    expect(() => relativeH1(u, u, { spacing: [0, 1] })).toThrow(/'spacing'/);
  });
});
