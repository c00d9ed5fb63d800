import { initBackend, Rng } from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { constLeftMul } from './const_left_mul.ts';
import { Conv2d } from './conv2d.ts';
import { MgConv } from './multigrid.ts';
import { SpectralConv2d } from './spectral_conv.ts';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

const maxAbs = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
const maxOf = (a: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(a)).dataSync()[0]);

describe('constLeftMul', () => {
  it('is F · x with dx = Fᵀ dy, and names bad shapes', () => {
    const F = tf.randomNormal([1, 4, 3], 0, 1, 'float32', 1) as tf.Tensor3D;
    const FT = tf.transpose(F, [0, 2, 1]) as tf.Tensor3D;
    const x = tf.randomNormal([2, 3, 5], 0, 1, 'float32', 2) as tf.Tensor3D;
    const w = tf.randomNormal([2, 4, 5], 0, 1, 'float32', 3);
    const loss = (f: (x: tf.Tensor3D) => tf.Tensor) => (xs: tf.Tensor) =>
      tf.sum(tf.mul(f(xs as tf.Tensor3D), w)) as tf.Scalar;
    const ours = (xs: tf.Tensor3D) => constLeftMul(F, FT, xs);
    const plain = (xs: tf.Tensor3D) => tf.matMul(tf.tile(F, [2, 1, 1]), xs);
    expect(maxAbs(ours(x), plain(x))).toBeLessThan(1e-5);
    expect(maxAbs(tf.grad(loss(ours))(x), tf.grad(loss(plain))(x))).toBeLessThan(1e-5);
    expect(() => constLeftMul(F, F, x)).toThrow(/'F' must be \[1, M, N\] and 'FT' \[1, N, M\]/);
    expect(() => constLeftMul(F, FT, tf.zeros([2, 4, 5]) as tf.Tensor3D)).toThrow(
      /'x' must be \[batch, 3, P\], got \[2,4,5\]/,
    );
  });
});

describe('MgConv', { timeout: 60_000 }, () => {
  it('keeps odd and even grid sizes through the V-cycle and is linear in f', () => {
    for (const n of [13, 12, 85 % 20]) {
      const mg = new MgConv({ uChannels: 3, fChannels: 2, smoothing: [1, 2, 0, 1] }, new Rng(n));
      const f = tf.randomNormal([2, n, n + 1, 2], 0, 1, 'float32', n) as tf.Tensor4D;
      const g = tf.randomNormal([2, n, n + 1, 2], 0, 1, 'float32', n + 1) as tf.Tensor4D;
      const u = mg.apply(f);
      expect(u.shape).toEqual([2, n, n + 1, 3]);
      // No activation inside a V-cycle: MgConv(2f − g) = 2 MgConv(f) − MgConv(g).
      const lhs = mg.apply(tf.sub(tf.mul(2, f), g) as tf.Tensor4D);
      const rhs = tf.sub(tf.mul(2, u), mg.apply(g));
      expect(maxAbs(lhs, rhs) / maxOf(rhs)).toBeLessThan(1e-5);
    }
  });

  it('has unshared A and S per smoothing step, R/Π/A per restriction, a prolongation per level', () => {
    const mg = new MgConv({ uChannels: 4, fChannels: 4, smoothing: [2, 1, 3] }, new Rng(1));
    const names = mg.parameters().map((p) => p.name);
    // Level 0: S, then A+S; level 1: A+S; level 2: 3×(A+S); 2 restrictions × 3; 2 prolongations.
    expect(names.length).toBe(1 + 2 + 2 + 6 + 6 + 2);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(mg.parameters().map((p) => p.variable.id)).size).toBe(names.length);
    // Every parameter receives a gradient.
    const f = tf.randomNormal([1, 11, 11, 4], 0, 1, 'float32', 2) as tf.Tensor4D;
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(mg.apply(f))) as tf.Scalar);
    for (const p of mg.parameters()) expect(maxOf(grads[p.variable.name]), p.name).toBeGreaterThan(0);
    tf.dispose([value, ...Object.values(grads)]);
  });

  it('rejects bad configs naming the argument', () => {
    expect(() => new MgConv({ uChannels: 2, fChannels: 2, smoothing: [] }, new Rng(0))).toThrow(
      /'smoothing'/,
    );
    expect(() => new MgConv({ uChannels: 2, fChannels: 2, smoothing: [0, 1] }, new Rng(0))).toThrow(
      /'smoothing\[0\]'/,
    );
    const mg = new MgConv({ uChannels: 2, fChannels: 3, smoothing: [1] }, new Rng(0));
    expect(() => mg.apply(tf.zeros([1, 5, 5, 2]) as tf.Tensor4D)).toThrow(/'x' must have 3 channels/);
  });
});

describe('Conv2d', { timeout: 60_000 }, () => {
  it('with circular padding commutes with periodic shifts', () => {
    const c = new Conv2d({ inChannels: 2, outChannels: 3, padding: 'circular', bias: true }, new Rng(3));
    const x = tf.randomNormal([1, 7, 6, 2], 0, 1, 'float32', 4) as tf.Tensor4D;
    const roll = (t: tf.Tensor4D) =>
      tf.concat(
        [tf.slice(t, [0, 2, 0, 0], [-1, -1, -1, -1]), tf.slice(t, [0, 0, 0, 0], [-1, 2, -1, -1])],
        1,
      ) as tf.Tensor4D;
    expect(maxAbs(c.apply(roll(x)), roll(c.apply(x)))).toBeLessThan(1e-5);
    const z = new Conv2d({ inChannels: 2, outChannels: 3 }, new Rng(3));
    expect(maxAbs(z.apply(roll(x)), roll(z.apply(x)))).toBeGreaterThan(1e-3); // zero padding does not
  });
});

/** Reference: truncated rfft2 → per-mode complex mixing → irfft2, in float64 with explicit sums. */
function naiveSpectral(
  x: number[][][],
  wr: Float32Array,
  wi: Float32Array,
  m1: number,
  m2: number,
  O: number,
): number[][][] {
  const H = x.length;
  const W = x[0].length;
  const C = x[0][0].length;
  const K = 2 * m1;
  const y = Array.from({ length: H }, () => Array.from({ length: W }, () => new Array(O).fill(0)));
  for (let r = 0; r < K; r++) {
    const kx = r < m1 ? r : r - K;
    for (let ky = 0; ky < m2; ky++) {
      const mode = r * m2 + ky;
      const Xr = new Array(C).fill(0);
      const Xi = new Array(C).fill(0);
      for (let h = 0; h < H; h++)
        for (let w = 0; w < W; w++) {
          const t = -2 * Math.PI * ((kx * h) / H + (ky * w) / W);
          for (let c = 0; c < C; c++) {
            Xr[c] += x[h][w][c] * Math.cos(t);
            Xi[c] += x[h][w][c] * Math.sin(t);
          }
        }
      const cw = ky === 0 || 2 * ky === W ? 1 : 2;
      for (let o = 0; o < O; o++) {
        let Yr = 0;
        let Yi = 0;
        for (let c = 0; c < C; c++) {
          const a = wr[(mode * C + c) * O + o];
          const b = wi[(mode * C + c) * O + o];
          Yr += Xr[c] * a - Xi[c] * b;
          Yi += Xr[c] * b + Xi[c] * a;
        }
        for (let h = 0; h < H; h++)
          for (let w = 0; w < W; w++) {
            const t = 2 * Math.PI * ((kx * h) / H + (ky * w) / W);
            y[h][w][o] += (cw * (Yr * Math.cos(t) - Yi * Math.sin(t))) / (H * W);
          }
      }
    }
  }
  return y;
}

describe('SpectralConv2d', { timeout: 60_000 }, () => {
  it('equals irfft2(R · rfft2(x)[modes]) computed by explicit sums (odd × even grid)', () => {
    const s = new SpectralConv2d({ inChannels: 2, outChannels: 3, modes1: 2, modes2: 3 }, new Rng(5));
    const x = tf.randomNormal([1, 7, 6, 2], 0, 1, 'float32', 6) as tf.Tensor4D;
    const ref = naiveSpectral(
      (x.arraySync() as number[][][][])[0],
      s.wr.dataSync() as Float32Array,
      s.wi.dataSync() as Float32Array,
      2,
      3,
      3,
    );
    const got = tf.tensor4d([ref]);
    expect(maxAbs(s.apply(x), got) / maxOf(got)).toBeLessThan(1e-5);
  });

  it('gives the same function at two resolutions for a band-limited input', () => {
    const s = new SpectralConv2d({ inChannels: 1, outChannels: 2, modes1: 3, modes2: 3 }, new Rng(7));
    const field = (n: number) => {
      const d = new Float32Array(n * n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++)
          d[i * n + j] = Math.cos((2 * Math.PI * i) / n) + 0.5 * Math.sin((2 * Math.PI * 2 * j) / n + 0.3);
      return tf.tensor4d(d, [1, n, n, 1]);
    };
    const coarse = s.apply(field(12));
    const fine = s.apply(field(24));
    const sub = tf.stridedSlice(fine, [0, 0, 0, 0], [1, 24, 24, 2], [1, 2, 2, 1]);
    expect(maxAbs(coarse, sub) / maxOf(coarse)).toBeLessThan(1e-4);
    expect(() => s.apply(field(5))).toThrow(/too coarse/);
  });

  it('trains: gradients match finite differences on a weight', () => {
    const s = new SpectralConv2d({ inChannels: 2, outChannels: 2, modes1: 1, modes2: 2 }, new Rng(8));
    const x = tf.randomNormal([2, 5, 6, 2], 0, 1, 'float32', 9) as tf.Tensor4D;
    const r = tf.randomNormal([2, 5, 6, 2], 0, 1, 'float32', 10);
    const f = () => tf.sum(tf.mul(s.apply(x), r)) as tf.Scalar;
    const { value, grads } = tf.variableGrads(f, [s.wr, s.wi]);
    const g = grads[s.wi.name].dataSync()[3];
    const w0 = s.wi.dataSync().slice();
    const eps = 1e-2;
    const at = (d: number) => {
      const w = w0.slice();
      w[3] += d;
      s.wi.assign(tf.tensor(w, s.wi.shape));
      return f().dataSync()[0];
    };
    const fd = (at(eps) - at(-eps)) / (2 * eps);
    expect(Math.abs(fd - g)).toBeLessThan(1e-3 * Math.max(1, Math.abs(g)));
    tf.dispose([value, ...Object.values(grads)]);
  });
});
