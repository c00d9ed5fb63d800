/**
 * Mixture of experts and the solver pool: the grid split, point sampling, assembly, K = 1 equal
 * to the plain constraint, and K = 4 experts giving the same weights and gradients in-process
 * and on 2 lanes (main thread + 1 worker_thread).
 */
import { Rng } from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assembleExperts,
  gatherPoints,
  gridExperts,
  HardConstraint,
  LINEAR_RESIDUAL,
  MixtureOfExperts,
  mixExperts,
  partitionTasks,
  SolverPool,
  sampleExpertPoints,
} from '../src/index.ts';
import { TOY_RESIDUAL } from './hardconstraint_residual.ts';
import { useWasm } from './setup.ts';

beforeAll(useWasm);

describe('expert split', () => {
  it('splits a 4 × 8 grid into 1 × 4 slabs and samples distinct points in each', () => {
    const owner = gridExperts([4, 8], [1, 4]);
    expect(Array.from(owner.subarray(0, 8))).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    expect(Array.from(owner.subarray(24, 32))).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    const two = gridExperts([4, 4], [2, 2]);
    expect(Array.from(two)).toEqual([0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3]);
    const pts = sampleExpertPoints(owner, 4, 5, new Rng(1), (g) => g >= 8);
    pts.forEach((p, k) => {
      expect(new Set(p).size).toBe(5);
      for (const g of p) {
        expect(owner[g]).toBe(k);
        expect(g).toBeGreaterThanOrEqual(8);
      }
    });
    expect(() => sampleExpertPoints(owner, 4, 9, new Rng(1))).toThrow(/'perExpert'/);
    expect(() => gridExperts([4, 8], [1, 9])).toThrow(/experts\[1\]/);
  });

  it('partitions tasks into contiguous shares of similar cost', () => {
    const task = (points: number) =>
      ({
        kind: 'solve',
        lm: {},
        problem: {
          n: 2,
          ridge: 0,
          w0: new Float64Array(2),
          blocks: [{ points, channels: 1 }],
        },
      }) as never;
    const shares = partitionTasks([task(10), task(10), task(10), task(10)], 2);
    expect(shares).toEqual([
      [0, 2],
      [2, 4],
    ]);
    const one = partitionTasks([task(10)], 3);
    expect(one.map(([s, e]) => e - s).reduce((a, b) => a + b, 0)).toBe(1);
    expect(one[2][1]).toBe(1);
  });
});

/** A 2-trajectory problem on a 6 × 8 grid with n = 3 basis functions. */
function setup(seed: number) {
  const rng = new Rng(seed);
  const B = 2;
  const G = 6 * 8;
  const n = 3;
  const local = tf.tensor4d(
    Float32Array.from({ length: B * 3 * G * n }, () => rng.uniformIn(-1, 1)),
    [B, 3, G, n],
  );
  const localAux = Float64Array.from({ length: B * G }, () => rng.uniformIn(-0.3, 0.3));
  const ic = tf.tensor4d(
    Float32Array.from({ length: B * 8 * n }, () => rng.uniformIn(-1, 1)),
    [B, 1, 8, n],
  );
  const icAux = Float64Array.from({ length: B * 8 }, () => rng.uniformIn(0, 0.2));
  const basisGrid = tf.tensor3d(
    Float32Array.from({ length: B * G * n }, () => rng.uniformIn(-1, 1)),
    [B, G, n],
  );
  return { B, G, n, local, localAux, ic, icAux, basisGrid };
}

const BLOCKS = [
  { residual: TOY_RESIDUAL, params: [0.6] },
  { residual: LINEAR_RESIDUAL, params: [1] },
];

describe('MixtureOfExperts', () => {
  let pool2: SolverPool;
  beforeAll(async () => {
    pool2 = await SolverPool.start({ workers: 2 });
  });
  afterAll(async () => {
    await pool2.close();
  });

  it('with K = 1 equals the plain hard constraint on the same points', () => {
    const s = setup(1);
    const owner = gridExperts([6, 8], [1, 1]);
    const pts = sampleExpertPoints(owner, 1, 10, new Rng(2));
    const moe = new MixtureOfExperts({ blocks: BLOCKS, experts: 1, ridge: 1e-3 });
    const w1 = moe.apply(s.local, pts, s.localAux, [s.ic], [s.icAux]);
    const hc = new HardConstraint({ blocks: BLOCKS, ridge: 1e-3 });
    const gathered = tf.gather(s.local, pts[0], 2) as tf.Tensor4D;
    const aux = new Float64Array(s.B * 10);
    for (let b = 0; b < s.B; b++)
      for (let i = 0; i < 10; i++) aux[b * 10 + i] = s.localAux[b * s.G + pts[0][i]];
    const w2 = hc.apply([gathered, s.ic], [aux, s.icAux]);
    expect(Array.from(w1.dataSync())).toEqual(Array.from(w2.dataSync()));
    tf.dispose([w1, w2, gathered, s.local, s.ic, s.basisGrid]);
  });

  it('K = 4 experts: same weights and gradients in-process and with 2 workers', () => {
    const s = setup(3);
    const owner = gridExperts([6, 8], [1, 4]);
    const pts = sampleExpertPoints(owner, 4, 6, new Rng(4));
    const run = (pool: SolverPool) => {
      const moe = new MixtureOfExperts({ blocks: BLOCKS, experts: 4, ridge: 1e-3, pool });
      const f = (local: tf.Tensor, basis: tf.Tensor) => {
        const w = moe.apply(local as tf.Tensor4D, pts, s.localAux, [s.ic], [s.icAux]);
        const u = assembleExperts(basis as tf.Tensor3D, w, owner);
        return tf.sum(tf.square(u));
      };
      const { value, grads } = tf.valueAndGrads(f)([s.local, s.basisGrid]);
      const w = moe.apply(s.local, pts, s.localAux, [s.ic], [s.icAux]);
      const out = {
        loss: value.dataSync()[0],
        w: Array.from(w.dataSync()),
        g0: Array.from(grads[0].dataSync()),
        g1: Array.from(grads[1].dataSync()),
        stats: moe.constraint.lastSolve.length,
      };
      tf.dispose([value, ...grads, w]);
      return out;
    };
    const a = run(SolverPool.inProcess());
    const b = run(pool2);
    expect(a.stats).toBe(s.B * 4);
    expect(b.w).toEqual(a.w);
    expect(b.g0).toEqual(a.g0);
    expect(b.g1).toEqual(a.g1);
    expect(b.loss).toBe(a.loss);
    // Experts differ (each solves on its own points) and the gradient reaches every expert.
    expect(a.w.slice(0, 3)).not.toEqual(a.w.slice(3, 6));
    const gAbs = a.g0.reduce((t, x) => t + Math.abs(x), 0);
    expect(gAbs).toBeGreaterThan(0);
    tf.dispose([s.local, s.ic, s.basisGrid]);
  });

  it('sharedMask: each expert solves only its kept shared rows (weights and gradients)', () => {
    const s = setup(6);
    const K = 4;
    const owner = gridExperts([6, 8], [1, K]);
    const pts = sampleExpertPoints(owner, K, 5, new Rng(8));
    // Expert k keeps the IC cells of its own slab (cells 2k, 2k + 1 of 8).
    const mask = new Float32Array(K * 8);
    const kept = Array.from({ length: K }, (_, k) => Int32Array.of(2 * k, 2 * k + 1));
    kept.forEach((idx, k) => {
      for (const j of idx) mask[k * 8 + j] = 1;
    });
    const coef = tf.tensor3d(
      Float32Array.from({ length: s.B * K * s.n }, (_, i) => Math.sin(i + 1)),
      [s.B, K, s.n],
    );
    const moe = new MixtureOfExperts({ blocks: BLOCKS, experts: K, ridge: 1e-3 });
    const masked = tf.valueAndGrads((local: tf.Tensor, ic: tf.Tensor) =>
      tf.sum(
        tf.mul(
          moe.apply(local as tf.Tensor4D, pts, s.localAux, [ic as tf.Tensor4D], [s.icAux], [mask]),
          coef,
        ),
      ),
    )([s.local, s.ic]);
    const wMasked = moe.apply(s.local, pts, s.localAux, [s.ic], [s.icAux], [mask]);
    // Reference: K plain hard constraints, each on its own points and only its kept IC rows.
    const hc = new HardConstraint({ blocks: BLOCKS, ridge: 1e-3 });
    const wRef: number[][] = [];
    let loss = 0;
    const gLocal = new Float64Array(s.local.size);
    const gIc = new Float64Array(s.ic.size);
    kept.forEach((idx, k) => {
      const auxL = new Float64Array(s.B * 5);
      const auxI = new Float64Array(s.B * 2);
      for (let b = 0; b < s.B; b++) {
        for (let i = 0; i < 5; i++) auxL[b * 5 + i] = s.localAux[b * s.G + pts[k][i]];
        for (let i = 0; i < 2; i++) auxI[b * 2 + i] = s.icAux[b * 8 + idx[i]];
      }
      const ck = coef.slice([0, k, 0], [s.B, 1, s.n]).reshape([s.B, s.n]);
      const { value, grads } = tf.valueAndGrads((local: tf.Tensor, ic: tf.Tensor) =>
        tf.sum(
          tf.mul(
            hc.apply(
              [gatherPoints(local as tf.Tensor4D, pts[k]), gatherPoints(ic as tf.Tensor4D, idx)],
              [auxL, auxI],
            ),
            ck,
          ),
        ),
      )([s.local, s.ic]);
      const w = hc.apply([gatherPoints(s.local, pts[k]), gatherPoints(s.ic, idx)], [auxL, auxI]);
      wRef.push(Array.from(w.dataSync()));
      loss += value.dataSync()[0];
      grads[0].dataSync().forEach((g, i) => {
        gLocal[i] += g;
      });
      grads[1].dataSync().forEach((g, i) => {
        gIc[i] += g;
      });
      tf.dispose([ck, value, ...grads, w]);
    });
    const wm = wMasked.dataSync();
    for (let b = 0; b < s.B; b++)
      for (let k = 0; k < K; k++)
        for (let i = 0; i < s.n; i++) expect(wm[(b * K + k) * s.n + i]).toBeCloseTo(wRef[k][b * s.n + i], 5);
    expect(masked.value.dataSync()[0]).toBeCloseTo(loss, 4);
    const close = (a: ArrayLike<number>, b: ArrayLike<number>) => {
      let num = 0;
      let den = 0;
      for (let i = 0; i < a.length; i++) {
        num += (a[i] - b[i]) ** 2;
        den += b[i] ** 2;
      }
      return Math.sqrt(num / den);
    };
    expect(close(masked.grads[0].dataSync(), gLocal)).toBeLessThan(1e-4);
    expect(close(masked.grads[1].dataSync(), gIc)).toBeLessThan(1e-4);
    // Rows no expert keeps get no gradient; here every IC row is kept by exactly one expert.
    expect(Array.from(gIc).every((g) => g !== 0)).toBe(true);
    // A residual that is not zero at zero input cannot have rows dropped by zeroing.
    const offset = { ...LINEAR_RESIDUAL, name: 'OFFSET', evaluate: () => 1 };
    const bad = new MixtureOfExperts({ blocks: [BLOCKS[0], { residual: offset }], experts: K });
    expect(() => bad.apply(s.local, pts, s.localAux, [s.ic], [s.icAux], [mask])).toThrow(/sharedMask\[0\]/);
    expect(() => moe.apply(s.local, pts, s.localAux, [s.ic], [s.icAux], [mask.subarray(1)])).toThrow(/K·m/);
    tf.dispose([coef, masked.value, ...masked.grads, wMasked, s.local, s.ic, s.basisGrid]);
  });

  it('gatherPoints: values of tf.gather, gradient scattered back (with repeats)', () => {
    const x = tf.tensor4d(
      Array.from({ length: 2 * 2 * 5 * 3 }, (_, i) => i),
      [2, 2, 5, 3],
    );
    const idx = Int32Array.of(4, 1, 4);
    const y = gatherPoints(x, idx);
    const ref = tf.gather(x, idx, 2);
    expect(Array.from(y.dataSync())).toEqual(Array.from(ref.dataSync()));
    const wts = tf.tensor4d(
      Array.from({ length: 2 * 2 * 3 * 3 }, (_, i) => (i % 7) - 3),
      [2, 2, 3, 3],
    );
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gatherPoints(t as tf.Tensor4D, idx), wts)))(x);
    const gd = g.dataSync();
    const wd = wts.dataSync();
    for (let bc = 0; bc < 4; bc++) {
      for (let p = 0; p < 5; p++) {
        for (let k = 0; k < 3; k++) {
          let want = 0;
          idx.forEach((q, i) => {
            if (q === p) want += wd[(bc * 3 + i) * 3 + k];
          });
          expect(gd[(bc * 5 + p) * 3 + k]).toBe(want);
        }
      }
    }
    tf.dispose([x, y, ref, wts, g]);
  });

  it('assembleExperts picks each point’s expert', () => {
    const basis = tf.tensor3d([1, 2, 3, 4, 5, 6], [1, 3, 2]);
    const w = tf.tensor3d([1, 0, 0, 1], [1, 2, 2]);
    const u = assembleExperts(basis, w, Int32Array.of(0, 1, 0));
    expect(Array.from(u.dataSync())).toEqual([1, 4, 5]);
    tf.dispose([basis, w, u]);
  });

  it('mixExperts weights each expert per point; one-hot rows are assembleExperts', () => {
    const basis = tf.tensor3d([1, 2, 3, 4, 5, 6], [1, 3, 2]);
    const w = tf.tensor3d([1, 0, 0, 1], [1, 2, 2]); // expert 0 reads channel 0, expert 1 channel 1
    // Point 0: expert 0; point 1: half each; point 2: a quarter / three quarters.
    const u = mixExperts(basis, w, Float32Array.of(1, 0, 0.5, 0.5, 0.25, 0.75));
    expect(Array.from(u.dataSync())).toEqual([1, 3.5, 5.75]);
    expect(() => mixExperts(basis, w, new Float32Array(5))).toThrow(/'mix' has 5 values, expected G·K = 3·2/);
    tf.dispose([basis, w, u]);
  });

  it('a worker reports a residual it cannot load', () => {
    const bad = { ...TOY_RESIDUAL, name: 'NOT_EXPORTED' };
    const s = setup(5);
    const owner = gridExperts([6, 8], [1, 2]);
    const pts = sampleExpertPoints(owner, 2, 4, new Rng(4));
    const moe = new MixtureOfExperts({
      blocks: [{ residual: bad, params: [0.6] }, BLOCKS[1]],
      experts: 2,
      pool: pool2,
    });
    expect(() => moe.apply(s.local, pts, s.localAux, [s.ic], [s.icAux])).toThrow(/NOT_EXPORTED/);
    tf.dispose([s.local, s.ic, s.basisGrid]);
  });
});
