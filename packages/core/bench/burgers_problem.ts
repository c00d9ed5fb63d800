/**
 * The Burgers benchmark problem of the core issue, shared by the bench and its tests:
 * u_t + u u_x − (0.01/π) u_xx = 0 on x ∈ [−1, 1], t ∈ [0, 1], u(x, 0) = −sin(πx), u(±1, t) = 0,
 * MLP 2-64-64-64-1 (tanh), loss = mean squared residual + mean squared IC and BC errors.
 */
import * as tf from '@tensorflow/tfjs';
import { Derivatives } from '../src/jets/derivatives.ts';
import { Mlp } from '../src/nn/mlp.ts';
import { apply, variablesOf } from '../src/nn/module.ts';
import { AdamOptimizer } from '../src/optim/adam.ts';
import { type Shard, shardRange } from '../src/parallel/data_parallel.ts';
import { Rng } from '../src/rng.ts';

export const NU = 0.01 / Math.PI;

export interface BurgersSetup {
  readonly model: Mlp;
  readonly interior: tf.Tensor2D; // [N, 2] (x, t)
  readonly boundary: tf.Tensor2D; // [nIc + nBc, 2]
  readonly target: tf.Tensor2D; // [nIc + nBc, 1]
  readonly groups: tf.Tensor2D; // [2, nIc + nBc] row-averaging matrix (IC row, BC row)
  readonly deriv: Derivatives;
  readonly optimizer: AdamOptimizer;
  dispose(): void;
}

export function setupBurgers(
  nInterior: number,
  seed = 0,
  nIc = 256,
  nBc = 256,
  shard: Shard = { index: 0, count: 1 },
): BurgersSetup {
  const rng = new Rng(seed);
  const model = new Mlp({ sizes: [2, 64, 64, 64, 1], activation: 'tanh' }, rng.split());
  // Draw the full point sets, then keep this shard's part of each (same fraction of every set).
  const all = new Float32Array(nInterior * 2);
  for (let i = 0; i < nInterior; i++) {
    all[2 * i] = rng.uniformIn(-1, 1);
    all[2 * i + 1] = rng.uniform();
  }
  const ic = Array.from({ length: nIc }, () => rng.uniformIn(-1, 1));
  const bc = Array.from({ length: nBc }, () => [rng.uniform() < 0.5 ? -1 : 1, rng.uniform()]);
  const [i0, i1] = shardRange(nInterior, shard);
  const [c0, c1] = shardRange(nIc, shard);
  const [b0, b1] = shardRange(nBc, shard);
  const pts = all.subarray(2 * i0, 2 * i1);
  const mIc = c1 - c0;
  const mBc = b1 - b0;
  const nb = mIc + mBc;
  const bnd = new Float32Array(nb * 2);
  const tgt = new Float32Array(nb);
  const groups = new Float32Array(2 * nb);
  for (let i = 0; i < mIc; i++) {
    const x = ic[c0 + i];
    bnd[2 * i] = x;
    tgt[i] = -Math.sin(Math.PI * x);
    groups[i] = 1 / mIc;
  }
  for (let i = 0; i < mBc; i++) {
    bnd[2 * (mIc + i)] = bc[b0 + i][0];
    bnd[2 * (mIc + i) + 1] = bc[b0 + i][1];
    groups[nb + mIc + i] = 1 / mBc;
  }
  const deriv = new Derivatives({
    inputs: ['x', 't'],
    outputs: ['u'],
    requests: ['u', 'u_t', 'u_x', 'u_xx'],
  });
  const optimizer = new AdamOptimizer(variablesOf(model), { lr: 1e-3 });
  const interior = tf.tensor2d(pts, [i1 - i0, 2]);
  const boundary = tf.tensor2d(bnd, [nb, 2]);
  const target = tf.tensor2d(tgt, [nb, 1]);
  const groupsT = tf.tensor2d(groups, [2, nb]);
  return {
    model,
    interior,
    boundary,
    target,
    groups: groupsT,
    deriv,
    optimizer,
    dispose() {
      for (const t of [interior, boundary, target, groupsT]) t.dispose();
      optimizer.dispose();
      for (const v of variablesOf(model)) v.dispose();
    },
  };
}

/** Loss terms as named scalars. */
export function burgersTerms(s: BurgersSetup): Record<string, tf.Scalar> {
  const { u, u_t, u_x, u_xx } = s.deriv.evaluate(s.model, s.interior);
  const r = tf.sub(tf.add(u_t, tf.mul(u, u_x)), tf.mul(u_xx, tf.scalar(NU)));
  const residual = tf.div(tf.sum(tf.square(r)), tf.scalar(s.interior.shape[0])) as tf.Scalar;
  const e = tf.sub(apply(s.model, s.boundary), s.target);
  const [ic, bc] = tf.unstack(tf.reshape(tf.matMul(s.groups, tf.square(e)), [2])) as tf.Scalar[];
  return { residual, ic, bc };
}

/** Loss terms [residual, ic, bc] as a [3] tensor and their sum. */
export function burgersLoss(s: BurgersSetup): { total: tf.Scalar; terms: tf.Tensor1D } {
  const { u, u_t, u_x, u_xx } = s.deriv.evaluate(s.model, s.interior);
  const r = tf.sub(tf.add(u_t, tf.mul(u, u_x)), tf.mul(u_xx, tf.scalar(NU)));
  const n = s.interior.shape[0];
  // Means as matMuls against constant rows: avoids the slow axis-0 reduction on wasm.
  const res = tf.div(tf.sum(tf.square(r)), tf.scalar(n));
  const e = tf.sub(apply(s.model, s.boundary), s.target);
  const bc = tf.reshape(tf.matMul(s.groups, tf.square(e)), [2]);
  const terms = tf.concat([tf.reshape(res, [1]), bc]) as tf.Tensor1D;
  return { total: tf.sum(terms), terms };
}

/** One Adam step; returns the loss before the update (as a tensor the caller disposes). */
export function burgersStep(s: BurgersSetup): tf.Scalar {
  const vars = s.optimizer.params as tf.Variable[];
  const { value, grads } = tf.variableGrads(() => burgersLoss(s).total, vars);
  s.optimizer.applyGradients(vars.map((v) => grads[v.name]));
  for (const g of Object.values(grads)) g.dispose();
  return value;
}
