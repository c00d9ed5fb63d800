import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../test/setup-backend.ts';
import { matMulFast } from './fast.ts';
import { PINNATE_TRANSPOSE_2D, transpose2d } from './kernels.ts';

describe('PinnateTranspose2D on wasm', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('is registered by initBackend and equals tf.transpose for odd shapes', () => {
    expect(tf.getKernel(PINNATE_TRANSPOSE_2D, 'wasm')).toBeDefined();
    for (const [r, c] of [
      [1, 1],
      [3, 70],
      [130, 5],
      [4097, 65],
    ]) {
      const x = tf.randomNormal([r, c]) as tf.Tensor2D;
      const ours = transpose2d(x);
      expect(ours.shape).toEqual([c, r]);
      expect(Array.from(ours.dataSync())).toEqual(Array.from(tf.transpose(x).dataSync()));
    }
  });

  it('gives matMulFast the same weight gradient as tf.matMul', () => {
    const h = tf.randomNormal([300, 17]) as tf.Tensor2D;
    const w = tf.randomNormal([17, 9]) as tf.Tensor2D;
    const f1 = (a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.square(matMulFast(a as tf.Tensor2D, b as tf.Tensor2D)));
    const f2 = (a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.square(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D)));
    const [dh1, dw1] = tf.grads(f1)([h, w]);
    const [dh2, dw2] = tf.grads(f2)([h, w]);
    // Same math, different summation order: agreement to float32 rounding relative to the scale.
    const rel = (a: tf.Tensor, b: tf.Tensor) =>
      tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] / tf.max(tf.abs(b)).dataSync()[0];
    expect(rel(dw1, dw2)).toBeLessThan(1e-5);
    expect(rel(dh1, dh2)).toBeLessThan(1e-5);
  });
});
