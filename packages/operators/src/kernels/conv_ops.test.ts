import { initBackend } from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  addChannelBias,
  conv2d,
  conv2dTranspose,
  dilate2d,
  im2colT,
  im2colTOps,
  padCircular,
  subsample2d,
} from './conv_ops.ts';
import { PINNATE_IM2COL_T } from './names.ts';

type Case = { H: number; W: number; k: number; stride: number; pad: number };
// Odd and even sizes, strides 1 and 2, padded and valid; the last two are MgNO's restriction.
const CASES: Case[] = [
  { H: 9, W: 8, k: 3, stride: 1, pad: 1 },
  { H: 9, W: 8, k: 3, stride: 2, pad: 1 },
  { H: 7, W: 10, k: 3, stride: 2, pad: 0 },
  { H: 6, W: 5, k: 2, stride: 1, pad: 0 },
  { H: 11, W: 11, k: 3, stride: 2, pad: 1 },
  { H: 12, W: 12, k: 4, stride: 2, pad: 1 },
];

const tfPad = (p: number): [[number, number], [number, number], [number, number], [number, number]] => [
  [0, 0],
  [p, p],
  [p, p],
  [0, 0],
];

function inputs(c: Case) {
  const x = tf.randomNormal([2, c.H, c.W, 3], 0, 1, 'float32', 11) as tf.Tensor4D;
  const w = tf.randomNormal([c.k, c.k, 3, 4], 0, 1, 'float32', 12) as tf.Tensor4D;
  const y = tf.conv2d(x, w, c.stride, tfPad(c.pad));
  const r = tf.randomNormal(y.shape, 0, 1, 'float32', 13) as tf.Tensor4D;
  y.dispose();
  return { x, w, r };
}

/** Values, x-gradient and w-gradient of <conv(x, w), r>, as plain arrays. */
function convResults(c: Case, ours: boolean) {
  return tf
    .tidy(() => {
      const { x, w, r } = inputs(c);
      const f = (a: tf.Tensor, b: tf.Tensor) =>
        ours
          ? conv2d(a as tf.Tensor4D, b as tf.Tensor4D, { stride: c.stride, pad: c.pad })
          : tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, tfPad(c.pad));
      const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), r)))([x, w]);
      return [f(x, w), gx, gw];
    })
    .map((t) => {
      const d = t.dataSync();
      t.dispose();
      return Float32Array.from(d);
    });
}

/** Transposed conv (tfjs' own, on cpu) vs ours: value, y-gradient, w-gradient. */
function transposeResults(c: Case, ours: boolean) {
  return tf
    .tidy(() => {
      const { x, w, r } = inputs(c);
      const f = (a: tf.Tensor, b: tf.Tensor) =>
        ours
          ? conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [c.H, c.W], { stride: c.stride, pad: c.pad })
          : tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [2, c.H, c.W, 3], c.stride, c.pad);
      const [gy, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), x)))([r, w]);
      return [f(r, w), gy, gw];
    })
    .map((t) => {
      const d = t.dataSync();
      t.dispose();
      return Float32Array.from(d);
    });
}

function relErr(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / den;
}

describe('conv2d and conv2dTranspose gradients match the cpu backend', { timeout: 60_000 }, () => {
  it('on cpu and wasm, for odd/even sizes, strides 1 and 2, padded and valid', async () => {
    await initBackend({ backend: 'cpu' });
    const refConv = CASES.map((c) => convResults(c, false));
    const refT = CASES.filter((c) => c.pad === 0 || c.k !== 4).map((c) => transposeResults(c, false));
    for (const backend of ['cpu', 'wasm'] as const) {
      await initBackend({ backend });
      CASES.forEach((c, i) => {
        const got = convResults(c, true);
        for (let j = 0; j < 3; j++)
          expect(relErr(got[j], refConv[i][j]), `${backend} ${JSON.stringify(c)} #${j}`).toBeLessThan(1e-5);
      });
      CASES.filter((c) => c.pad === 0 || c.k !== 4).forEach((c, i) => {
        const got = transposeResults(c, true);
        for (let j = 0; j < 3; j++)
          expect(relErr(got[j], refT[i][j]), `${backend} T ${JSON.stringify(c)} #${j}`).toBeLessThan(1e-5);
      });
    }
  });

  it('a training step through conv2d leaves the tensor count unchanged (wasm)', async () => {
    await initBackend({ backend: 'wasm' });
    const w = tf.variable(tf.randomNormal([3, 3, 2, 2], 0, 0.3, 'float32', 1));
    const x = tf.randomNormal([1, 9, 9, 2], 0, 1, 'float32', 2) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    for (let s = 0; s < 3; s++) {
      const { value, grads } = tf.variableGrads(() =>
        tf.sum(
          tf.square(
            conv2d(
              conv2d(x, w as unknown as tf.Tensor4D, { stride: 2, pad: 1 }),
              w as unknown as tf.Tensor4D,
              { pad: 1 },
            ),
          ),
        ),
      );
      tf.tidy(() => w.assign(tf.sub(w, tf.mul(0.01, grads[w.name]))));
      value.dispose();
      tf.dispose(grads);
    }
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    w.dispose();
  });
});

describe('kernels', { timeout: 60_000 }, () => {
  it('im2colT kernel equals the tf-op formulation on wasm and cpu', async () => {
    for (const backend of ['wasm', 'cpu'] as const) {
      await initBackend({ backend });
      expect(tf.getKernel(PINNATE_IM2COL_T, backend)).toBeDefined();
      const x = tf.randomNormal([2, 7, 6, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
      for (const g of [
        { kh: 3, kw: 3, stride: 1, pad: [1, 1, 1, 1] as const },
        { kh: 3, kw: 2, stride: 2, pad: [1, 2, 0, 1] as const },
      ]) {
        const a = im2colT(x, g);
        const b = im2colTOps(x, g);
        expect(a.shape).toEqual(b.shape);
        expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
      }
    }
  });

  it('dilate2d and subsample2d are adjoint and invert each other', async () => {
    await initBackend({ backend: 'wasm' });
    const x = tf.randomNormal([2, 4, 3, 2], 0, 1, 'float32', 4) as tf.Tensor4D;
    const d = dilate2d(x, 2, 8, 6); // odd/even: 4 -> 8 rows (last row zero), 3 -> 6 cols
    expect(d.shape).toEqual([2, 8, 6, 2]);
    expect(Array.from(subsample2d(d, 2, 4, 3).dataSync())).toEqual(Array.from(x.dataSync()));
    const z = tf.randomNormal([2, 8, 6, 2], 0, 1, 'float32', 5) as tf.Tensor4D;
    const lhs = tf.sum(tf.mul(d, z)).dataSync()[0];
    const rhs = tf.sum(tf.mul(x, subsample2d(z, 2, 4, 3))).dataSync()[0];
    expect(lhs).toBeCloseTo(rhs, 4);
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(dilate2d(a as tf.Tensor4D, 2, 8, 6), z)))(x);
    expect(
      relErr(Float32Array.from(g.dataSync()), Float32Array.from(subsample2d(z, 2, 4, 3).dataSync())),
    ).toBe(0);
  });

  it('addChannelBias and padCircular have the right values and gradients', async () => {
    await initBackend({ backend: 'wasm' });
    const x = tf.randomNormal([2, 3, 4, 5], 0, 1, 'float32', 6) as tf.Tensor4D;
    const b = tf.randomNormal([5], 0, 1, 'float32', 7) as tf.Tensor1D;
    const r = tf.randomNormal([2, 3, 4, 5], 0, 1, 'float32', 8);
    expect(
      relErr(Float32Array.from(addChannelBias(x, b).dataSync()), Float32Array.from(tf.add(x, b).dataSync())),
    ).toBe(0);
    const gb = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(addChannelBias(x, v as tf.Tensor1D), r)))(b);
    expect(
      relErr(Float32Array.from(gb.dataSync()), Float32Array.from(tf.sum(r, [0, 1, 2]).dataSync())),
    ).toBeLessThan(1e-6);
    const p = padCircular(x, [1, 2, 0, 1]);
    expect(p.shape).toEqual([2, 6, 5, 5]);
    const pd = p.arraySync() as number[][][][];
    const xd = x.arraySync() as number[][][][];
    expect(pd[1][0][2][3]).toBe(xd[1][2][2][3]); // top row wraps from the last row
    expect(pd[0][5][4][1]).toBe(xd[0][1][0][1]); // bottom-right wraps to row 1, column 0
  });

  it('errors name the argument', async () => {
    await initBackend({ backend: 'wasm' });
    const x = tf.zeros([1, 5, 5, 2]) as tf.Tensor4D;
    expect(() => conv2d(x, tf.zeros([3, 3, 3, 1]) as tf.Tensor4D)).toThrow(/'x' has 2 channels/);
    expect(() => conv2d(x, tf.zeros([3, 3, 2, 1]) as tf.Tensor4D, { stride: 0 })).toThrow(/'stride'/);
    expect(() => conv2d(x, tf.zeros([3, 3, 2, 1]) as tf.Tensor4D, { pad: 3 })).toThrow(/'pad'/);
    expect(() =>
      conv2d(tf.zeros([5, 5, 2]) as unknown as tf.Tensor4D, tf.zeros([3, 3, 2, 1]) as tf.Tensor4D),
    ).toThrow(/'x' must be \[batch/);
    expect(() =>
      conv2dTranspose(tf.zeros([1, 3, 3, 1]) as tf.Tensor4D, tf.zeros([3, 3, 2, 1]) as tf.Tensor4D, [9, 9], {
        stride: 2,
        pad: 1,
      }),
    ).toThrow(/'outSize'/);
  });
});
