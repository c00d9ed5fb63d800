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

export function setupBurgers(nInterior: number, seed = 0, nIc = 256, nBc = 256): BurgersSetup {
  const rng = new Rng(seed);
  const model = new Mlp({ sizes: [2, 64, 64, 64, 1], activation: 'tanh' }, rng.split());
  const pts = new Float32Array(nInterior * 2);
  for (let i = 0; i < nInterior; i++) {
    pts[2 * i] = rng.uniformIn(-1, 1);
    pts[2 * i + 1] = rng.uniform();
  }
  const nb = nIc + nBc;
  const bnd = new Float32Array(nb * 2);
  const tgt = new Float32Array(nb);
  const groups = new Float32Array(2 * nb);
  for (let i = 0; i < nIc; i++) {
    const x = rng.uniformIn(-1, 1);
    bnd[2 * i] = x;
    bnd[2 * i + 1] = 0;
    tgt[i] = -Math.sin(Math.PI * x);
    groups[i] = 1 / nIc;
  }
  for (let i = nIc; i < nb; i++) {
    bnd[2 * i] = rng.uniform() < 0.5 ? -1 : 1;
    bnd[2 * i + 1] = rng.uniform();
    groups[nb + i] = 1 / nBc;
  }
  const deriv = new Derivatives({
    inputs: ['x', 't'],
    outputs: ['u'],
    requests: ['u', 'u_t', 'u_x', 'u_xx'],
  });
  const optimizer = new AdamOptimizer(variablesOf(model), { lr: 1e-3 });
  const interior = tf.tensor2d(pts, [nInterior, 2]);
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
