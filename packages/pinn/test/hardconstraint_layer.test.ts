/**
 * Hard-constraint layer: the implicit-function-theorem gradient against central finite
 * differences of re-solved problems (float64, then through the tfjs custom gradient), the
 * residual at the constraint points after the solve, and tensor bookkeeping over training steps.
 */
import { Rng } from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  adjointProblem,
  type BlockData,
  HardConstraint,
  LINEAR_RESIDUAL,
  type ProblemData,
  solveProblem,
} from '../src/index.ts';
import { TOY_RESIDUAL } from './hardconstraint_residual.ts';
import { useWasm } from './setup.ts';

beforeAll(useWasm);

const TIGHT = { gtol: 1e-14, xtol: 1e-15, maxIter: 200 };

/** n = 3 basis functions, a 3-channel nonlinear block of m points and a 2-point linear block. */
function tinyProblem(seed: number, m = 6, consistent = false): ProblemData {
  const rng = new Rng(seed);
  const n = 3;
  const basis0 = Float64Array.from({ length: 3 * m * n }, () => rng.uniformIn(-1, 1));
  const basis1 = Float64Array.from({ length: 2 * n }, () => rng.uniformIn(-1, 1));
  let aux0 = Float64Array.from({ length: m }, () => rng.uniformIn(-0.5, 0.5));
  const params0 = Float64Array.of(0.7);
  const block0: BlockData = {
    residual: TOY_RESIDUAL,
    basis: basis0,
    channels: 3,
    points: m,
    aux: aux0,
    params: params0,
    weight: 1,
  };
  if (consistent) {
    // Targets made from a known w so that a zero residual is attainable.
    const wTrue = [0.3, -0.8, 1.1];
    const v = new Float64Array(3);
    const g = new Float64Array(3);
    aux0 = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      for (let c = 0; c < 3; c++) {
        v[c] = 0;
        for (let k = 0; k < n; k++) v[c] += basis0[(c * m + i) * n + k] * wTrue[k];
      }
      aux0[i] = TOY_RESIDUAL.evaluate(v, params0, new Float64Array(1), 0, g, null);
    }
  }
  return {
    n,
    ridge: consistent ? 0 : 1e-2,
    w0: new Float64Array(n).fill(1),
    blocks: [
      { ...block0, aux: aux0 },
      {
        residual: LINEAR_RESIDUAL,
        basis: basis1,
        channels: 1,
        points: 2,
        aux: Float64Array.of(0.4, -0.2),
        params: Float64Array.of(1),
        weight: 2,
      },
    ],
  };
}

/** L(w) = Σ c_k w_k + ½ w_0²: a loss with a non-trivial gradient. */
const C = [0.9, -1.3, 0.4];
const lossOf = (w: Float64Array) => C.reduce((s, c, k) => s + c * w[k], 0) + 0.5 * w[0] * w[0];
const lossGrad = (w: Float64Array) => Float64Array.from(C, (c, k) => c + (k === 0 ? w[0] : 0));

function withBasis(p: ProblemData, b: number, idx: number, delta: number): ProblemData {
  const blocks = p.blocks.map((blk, j) => {
    if (j !== b) return blk;
    const basis = Float64Array.from(blk.basis);
    basis[idx] += delta;
    return { ...blk, basis };
  });
  return { ...p, blocks };
}

describe('hard constraint: implicit gradient', () => {
  it('adjointProblem matches central differences of re-solved problems (float64)', () => {
    const p = tinyProblem(3);
    const sol = solveProblem(p, TIGHT);
    expect(sol.gradNorm).toBeLessThan(1e-11);
    const grads = adjointProblem(p, sol.w, lossGrad(sol.w));
    const h = 1e-4;
    let maxErr = 0;
    let maxRef = 0;
    p.blocks.forEach((blk, b) => {
      for (let idx = 0; idx < blk.basis.length; idx++) {
        const up = lossOf(solveProblem(withBasis(p, b, idx, h), TIGHT).w);
        const dn = lossOf(solveProblem(withBasis(p, b, idx, -h), TIGHT).w);
        const fd = (up - dn) / (2 * h);
        maxErr = Math.max(maxErr, Math.abs(fd - grads[b][idx]));
        maxRef = Math.max(maxRef, Math.abs(fd));
      }
    });
    expect(maxRef).toBeGreaterThan(1e-2);
    expect(maxErr / maxRef).toBeLessThan(1e-6);
  });

  it('the Gauss–Newton Hessian alone would be wrong here (the test can fail)', () => {
    // The nonlinear residual stays non-zero at the optimum, so the second-order term matters:
    // dropping the residual's Hessian changes the gradient measurably.
    const p = tinyProblem(3);
    const sol = solveProblem(p, TIGHT);
    expect(sol.blocks[0].rms).toBeGreaterThan(1e-3);
    const flat: typeof TOY_RESIDUAL = {
      ...TOY_RESIDUAL,
      evaluate: (v, pr, a, o, g, hs) => {
        const r = TOY_RESIDUAL.evaluate(v, pr, a, o, g, hs);
        hs?.fill(0);
        return r;
      },
    };
    const pGn = { ...p, blocks: [{ ...p.blocks[0], residual: flat }, p.blocks[1]] };
    const exact = adjointProblem(p, sol.w, lossGrad(sol.w))[0];
    const gn = adjointProblem(pGn, sol.w, lossGrad(sol.w))[0];
    let diff = 0;
    for (let i = 0; i < exact.length; i++) diff = Math.max(diff, Math.abs(exact[i] - gn[i]));
    expect(diff).toBeGreaterThan(1e-3);
  });

  it('the tfjs layer returns w and its custom gradient equals the float64 adjoint and finite differences', () => {
    const p = tinyProblem(5);
    const [b0, b1] = p.blocks;
    // Round the basis to float32 so both paths solve the same problem.
    const f32 = p.blocks.map((b) => Float64Array.from(new Float32Array(b.basis)));
    const p32: ProblemData = { ...p, blocks: p.blocks.map((b, j) => ({ ...b, basis: f32[j] })) };
    const layer = new HardConstraint({
      blocks: [
        { residual: TOY_RESIDUAL, params: [0.7] },
        { residual: LINEAR_RESIDUAL, params: [1], weight: 2 },
      ],
      ridge: p.ridge,
      lm: TIGHT,
    });
    const t0 = tf.tensor4d(new Float32Array(b0.basis), [1, 3, b0.points, 3]);
    const t1 = tf.tensor4d(new Float32Array(b1.basis), [1, 1, 2, 3]);
    const cT = tf.tensor2d(C, [1, 3]);
    const lossT = (a: tf.Tensor, b: tf.Tensor) => {
      const w = layer.apply([a as tf.Tensor4D, b as tf.Tensor4D], [b0.aux, b1.aux]);
      return tf.add(tf.sum(tf.mul(w, cT)), tf.mul(0.5, tf.square(w.slice([0, 0], [1, 1]).sum())));
    };
    const [g0, g1] = tf.grads(lossT)([t0, t1]);
    const sol = solveProblem(p32, TIGHT);
    const ref = adjointProblem(p32, sol.w, lossGrad(sol.w));
    const close = (a: Float32Array | Float64Array, b: Float64Array, tol: number) => {
      let scale = 0;
      let err = 0;
      for (let i = 0; i < b.length; i++) {
        scale = Math.max(scale, Math.abs(b[i]));
        err = Math.max(err, Math.abs(a[i] - b[i]));
      }
      return err / scale < tol;
    };
    expect(close(g0.dataSync() as Float32Array, ref[0], 1e-5)).toBe(true);
    expect(close(g1.dataSync() as Float32Array, ref[1], 1e-5)).toBe(true);
    // Finite differences through the layer itself (float32 in and out: a coarse step).
    const h = 1e-2;
    const base = t0.dataSync() as Float32Array;
    const fdAt = (idx: number) => {
      const up = Float32Array.from(base);
      const dn = Float32Array.from(base);
      up[idx] += h;
      dn[idx] -= h;
      const lu = tf.tidy(() => lossT(tf.tensor4d(up, t0.shape), t1).dataSync()[0]);
      const ld = tf.tidy(() => lossT(tf.tensor4d(dn, t0.shape), t1).dataSync()[0]);
      return (lu - ld) / (2 * h);
    };
    const g0d = g0.dataSync();
    for (const idx of [0, 4, 7, 11, 20, 33, 50]) {
      expect(Math.abs(fdAt(idx) - g0d[idx])).toBeLessThan(2e-3 * (1 + Math.abs(g0d[idx])));
    }
    tf.dispose([t0, t1, cT, g0, g1]);
  });
});

describe('hard constraint: solve', () => {
  it('drives the residual at the constraint points to ≤ 1e-6 when the constraints are attainable', () => {
    const p = tinyProblem(7, 12, true);
    const sol = solveProblem(p, { maxIter: 200 });
    // Block 0 (nonlinear) is consistent; block 1 (2 linear rows) competes with it, so allow the
    // block-0 value from the run with the linear block dropped too.
    const pOnly = { ...p, blocks: [p.blocks[0]] };
    const solOnly = solveProblem(pOnly, { maxIter: 200 });
    expect(solOnly.blocks[0].maxAbs).toBeLessThanOrEqual(1e-6);
    expect(sol.iterations).toBeGreaterThan(0);
    for (const k of [0, 1, 2]) expect(solOnly.w[k]).toBeCloseTo([0.3, -0.8, 1.1][k], 6);
  });

  it('keeps tf.memory().numTensors unchanged across training steps', () => {
    const rng = new Rng(11);
    const n = 4;
    const m = 16;
    const layer = new HardConstraint({
      blocks: [{ residual: TOY_RESIDUAL, params: [0.5] }],
      ridge: 1e-3,
    });
    const v = tf.variable(
      tf.tensor2d(
        Float32Array.from({ length: 3 * m * n }, () => rng.uniformIn(-1, 1)),
        [1, 3 * m * n],
      ),
    );
    const aux = Float64Array.from({ length: m }, () => rng.uniformIn(-0.2, 0.2));
    const opt = tf.train.adam(1e-2);
    const step = () =>
      opt.minimize(() => {
        const w = layer.apply([tf.reshape(v, [1, 3, m, n]) as tf.Tensor4D], [aux]);
        return tf.sum(tf.square(tf.sub(w, 0.5)));
      }, true);
    tf.dispose(step() as tf.Scalar);
    const before = tf.memory().numTensors;
    const losses: number[] = [];
    for (let s = 0; s < 4; s++) {
      const l = step() as tf.Scalar;
      losses.push(l.dataSync()[0]);
      l.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(losses.every(Number.isFinite)).toBe(true);
    opt.dispose();
    v.dispose();
  });

  it('names bad arguments', () => {
    const layer = new HardConstraint({ blocks: [{ residual: TOY_RESIDUAL, params: [0.5] }] });
    const t = tf.zeros([1, 3, 4, 2]) as tf.Tensor4D;
    expect(() => layer.apply([t], [new Float64Array(3)])).toThrow(/aux\[0\]/);
    expect(() => layer.apply([t, t], [null, null])).toThrow(/'basis'/);
    expect(() => new HardConstraint({ blocks: [] })).toThrow(/'blocks'/);
    t.dispose();
  });
});
