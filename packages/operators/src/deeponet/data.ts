/**
 * Operator data in the Cartesian layout, and what DeepONet training and evaluation do with it:
 * statistics for normalization, minibatches (functions × points), the (masked) MSE loss, chunked
 * prediction and the relative L2 error.
 *
 *   u     [F, m]             branch inputs (sensor values, task features, mask values)
 *   y     [P, d]             query points, shared by all functions
 *   s     [F, P, outputs]    targets
 *   mask  [F, P] (optional)  1 where a point counts (inside the function's geometry), else 0
 */

import type { LossFunction, Rng } from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';
import { checkInt } from './checks.ts';
import type { DeepONet, Normalization } from './deeponet.ts';

export interface OperatorData {
  readonly functions: number;
  readonly sensors: number;
  readonly points: number;
  readonly coords: number;
  readonly outputs: number;
  readonly u: Float32Array;
  readonly y: Float32Array;
  readonly s: Float32Array;
  readonly mask?: Float32Array;
}

/** Build and check an OperatorData (`outputs` default 1). */
export function operatorData(d: {
  u: ArrayLike<number>;
  y: ArrayLike<number>;
  s: ArrayLike<number>;
  functions: number;
  points: number;
  coords: number;
  outputs?: number;
  mask?: ArrayLike<number>;
}): OperatorData {
  const OP = 'operatorData';
  const F = checkInt(d.functions, 'functions', OP);
  const P = checkInt(d.points, 'points', OP);
  const dim = checkInt(d.coords, 'coords', OP);
  const out = checkInt(d.outputs ?? 1, 'outputs', OP);
  if (d.u.length % F !== 0 || d.u.length === 0) {
    throw new Error(`${OP}: 'u' has ${d.u.length} values, not a multiple of functions (=${F})`);
  }
  if (d.y.length !== P * dim) {
    throw new Error(`${OP}: 'y' must have points·coords = ${P * dim} values, got ${d.y.length}`);
  }
  if (d.s.length !== F * P * out) {
    throw new Error(
      `${OP}: 's' must have functions·points·outputs = ${F * P * out} values, got ${d.s.length}`,
    );
  }
  if (d.mask && d.mask.length !== F * P) {
    throw new Error(`${OP}: 'mask' must have functions·points = ${F * P} values, got ${d.mask.length}`);
  }
  const f32 = (a: ArrayLike<number>) => (a instanceof Float32Array ? a : Float32Array.from(a));
  for (const [name, a] of [
    ['u', d.u],
    ['y', d.y],
    ['s', d.s],
  ] as const) {
    for (let i = 0; i < a.length; i++) {
      if (!Number.isFinite(a[i])) throw new Error(`${OP}: '${name}[${i}]' is ${a[i]}; data must be finite`);
    }
  }
  return {
    functions: F,
    sensors: d.u.length / F,
    points: P,
    coords: dim,
    outputs: out,
    u: f32(d.u),
    y: f32(d.y),
    s: f32(d.s),
    ...(d.mask ? { mask: f32(d.mask) } : {}),
  };
}

/** Rows [from, to) of the functions (a view: no copy of y). */
export function sliceFunctions(d: OperatorData, from: number, to: number): OperatorData {
  if (!(Number.isInteger(from) && Number.isInteger(to) && 0 <= from && from < to && to <= d.functions)) {
    throw new Error(`sliceFunctions: need 0 ≤ from < to ≤ ${d.functions}, got from=${from}, to=${to}`);
  }
  const m = d.sensors;
  const q = d.points * d.outputs;
  return {
    ...d,
    functions: to - from,
    u: d.u.subarray(from * m, to * m),
    s: d.s.subarray(from * q, to * q),
    ...(d.mask ? { mask: d.mask.subarray(from * d.points, to * d.points) } : {}),
  };
}

/** Concatenate datasets with the same points and sizes (e.g. several tasks or geometries). */
export function concatFunctions(parts: readonly OperatorData[]): OperatorData {
  if (parts.length === 0) throw new Error("concatFunctions: 'parts' is empty");
  const a = parts[0];
  for (const [i, p] of parts.entries()) {
    if (
      p.sensors !== a.sensors ||
      p.points !== a.points ||
      p.coords !== a.coords ||
      p.outputs !== a.outputs
    ) {
      throw new Error(
        `concatFunctions: 'parts[${i}]' differs in sensors, points, coords or outputs from parts[0]`,
      );
    }
    if (!!p.mask !== !!a.mask)
      throw new Error(`concatFunctions: 'parts[${i}]' has a mask where parts[0] has not, or the reverse`);
  }
  const cat = (get: (p: OperatorData) => Float32Array) => {
    const out = new Float32Array(parts.reduce((n, p) => n + get(p).length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(get(p), o);
      o += get(p).length;
    }
    return out;
  };
  return {
    ...a,
    functions: parts.reduce((n, p) => n + p.functions, 0),
    u: cat((p) => p.u),
    s: cat((p) => p.s),
    ...(a.mask ? { mask: cat((p) => p.mask as Float32Array) } : {}),
  };
}

function meanStd(get: (i: number) => number, n: number, w?: (i: number) => number): [number, number] {
  let sw = 0;
  let s1 = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? w(i) : 1;
    sw += wi;
    s1 += wi * get(i);
  }
  const mean = sw > 0 ? s1 / sw : 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? w(i) : 1;
    s2 += wi * (get(i) - mean) ** 2;
  }
  return [mean, sw > 0 ? Math.sqrt(s2 / sw) : 1];
}

/**
 * Per-sensor mean/std of u, per-coordinate mean/std of y, per-output mean/std of s (inside the
 * mask). With `zeroOutputMean` (use it with a boundary factor) the output mean is 0 and the
 * scale is the RMS.
 */
export function fitNormalization(d: OperatorData, options: { zeroOutputMean?: boolean } = {}): Normalization {
  const { functions: F, sensors: m, points: P, coords: dim, outputs: no } = d;
  const branchMean: number[] = [];
  const branchStd: number[] = [];
  for (let j = 0; j < m; j++) {
    const [mu, sd] = meanStd((i) => d.u[i * m + j], F);
    branchMean.push(mu);
    branchStd.push(sd > 1e-6 * (Math.abs(mu) + 1) ? sd : 1);
  }
  const trunkMean: number[] = [];
  const trunkStd: number[] = [];
  for (let j = 0; j < dim; j++) {
    const [mu, sd] = meanStd((i) => d.y[i * dim + j], P);
    trunkMean.push(mu);
    trunkStd.push(sd > 0 ? sd : 1);
  }
  const outputMean: number[] = [];
  const outputStd: number[] = [];
  const w = d.mask ? (i: number) => (d.mask as Float32Array)[i] : undefined;
  for (let c = 0; c < no; c++) {
    const get = (i: number) => d.s[i * no + c];
    if (options.zeroOutputMean) {
      let s2 = 0;
      let sw = 0;
      for (let i = 0; i < F * P; i++) {
        const wi = w ? w(i) : 1;
        s2 += wi * get(i) ** 2;
        sw += wi;
      }
      outputMean.push(0);
      outputStd.push(sw > 0 && s2 > 0 ? Math.sqrt(s2 / sw) : 1);
    } else {
      const [mu, sd] = meanStd(get, F * P, w);
      outputMean.push(mu);
      outputStd.push(sd > 0 ? sd : 1);
    }
  }
  return { branchMean, branchStd, trunkMean, trunkStd, outputMean, outputStd };
}

export interface Batch {
  /** [b, m] */
  readonly u: tf.Tensor2D;
  /** [p, d] */
  readonly y: tf.Tensor2D;
  /** [p, outputs·b], column c·b + j (the layout of `DeepONet.cartesian`). */
  readonly target: tf.Tensor2D;
  /** Same layout as target, or null. */
  readonly mask: tf.Tensor2D | null;
}

/** Tensors for functions `fns` × points `pts` (null = all points). */
export function makeBatch(d: OperatorData, fns: ArrayLike<number>, pts: ArrayLike<number> | null): Batch {
  const b = fns.length;
  const p = pts ? pts.length : d.points;
  const { sensors: m, coords: dim, outputs: no, points: P } = d;
  const u = new Float32Array(b * m);
  for (let j = 0; j < b; j++) u.set(d.u.subarray(fns[j] * m, (fns[j] + 1) * m), j * m);
  let y: Float32Array;
  if (pts) {
    y = new Float32Array(p * dim);
    for (let i = 0; i < p; i++) y.set(d.y.subarray(pts[i] * dim, (pts[i] + 1) * dim), i * dim);
  } else {
    y = d.y;
  }
  const w = no * b;
  const target = new Float32Array(p * w);
  const mask = d.mask ? new Float32Array(p * w) : null;
  for (let j = 0; j < b; j++) {
    const f = fns[j];
    for (let i = 0; i < p; i++) {
      const q = pts ? pts[i] : i;
      const src = (f * P + q) * no;
      for (let c = 0; c < no; c++) target[i * w + c * b + j] = d.s[src + c];
      if (mask && d.mask) {
        const mv = d.mask[f * P + q];
        for (let c = 0; c < no; c++) mask[i * w + c * b + j] = mv;
      }
    }
  }
  return {
    u: tf.tensor2d(u, [b, m]),
    y: tf.tensor2d(y, [p, dim]),
    target: tf.tensor2d(target, [p, w]),
    mask: mask ? tf.tensor2d(mask, [p, w]) : null,
  };
}

/** Mean squared error, over the mask when there is one (Σ mask·e² / Σ mask). */
export function maskedMse(pred: tf.Tensor, target: tf.Tensor, mask: tf.Tensor | null): tf.Scalar {
  const e = tf.square(tf.sub(pred, target));
  if (!mask) return tf.mean(e) as tf.Scalar;
  return tf.div(tf.sum(tf.mul(e, mask)), tf.maximum(tf.sum(mask), tf.scalar(1))) as tf.Scalar;
}

export interface CartesianLossOptions {
  /**
   * Functions per Adam step (default min(F, 64)), drawn with replacement by the trainer's rng;
   * ≥ F means all functions every step. L-BFGS evaluations always use all functions and points.
   */
  readonly functionBatch?: number;
  /** Points per step (default all points). */
  readonly pointBatch?: number;
  /** Name of the loss term (default 'data'). */
  readonly term?: string;
  /**
   * 'mse' (default): mean squared error over all (function, point) pairs. 'relative': mean over
   * functions of ‖pred − s‖² / ‖s‖² (the squared relative L2 error the benchmarks report; FNO
   * trains on the same kind of loss), so functions with small norms are not drowned out.
   */
  readonly loss?: 'mse' | 'relative';
}

/** Mean over columns of Σ_rows mask·e² / Σ_rows mask·s² (column sums as ones·x matMuls). */
export function relativeSquaredError(
  pred: tf.Tensor2D,
  target: tf.Tensor2D,
  mask: tf.Tensor2D | null,
): tf.Scalar {
  const ones = tf.ones([1, pred.shape[0]]);
  const w = (x: tf.Tensor) => (mask ? tf.mul(x, mask) : x) as tf.Tensor2D;
  const num = tf.matMul(ones, w(tf.square(tf.sub(pred, target))));
  const den = tf.matMul(ones, w(tf.square(target)));
  return tf.mean(tf.div(num, tf.maximum(den, tf.scalar(1e-12)))) as tf.Scalar;
}

/** Data loss for the Trainer: MSE of the Cartesian prediction on a random minibatch. */
export function cartesianLoss(
  model: DeepONet,
  d: OperatorData,
  options: CartesianLossOptions = {},
): LossFunction {
  const OP = 'cartesianLoss';
  if (d.sensors !== model.sensors || d.coords !== model.coords || d.outputs !== model.outputs) {
    throw new Error(
      `${OP}: data has sensors/coords/outputs ${d.sensors}/${d.coords}/${d.outputs}, the model ${model.sensors}/${model.coords}/${model.outputs}`,
    );
  }
  const fb = checkInt(options.functionBatch ?? Math.min(d.functions, 64), 'functionBatch', OP);
  const pb = options.pointBatch === undefined ? d.points : checkInt(options.pointBatch, 'pointBatch', OP);
  const term = options.term ?? 'data';
  const kind = options.loss ?? 'mse';
  if (kind !== 'mse' && kind !== 'relative') {
    throw new Error(`${OP}: 'loss' must be 'mse' or 'relative', got ${JSON.stringify(kind)}`);
  }
  const relative = kind === 'relative';
  const fns = new Int32Array(fb);
  const pts = pb < d.points ? new Int32Array(pb) : null;
  const all = Int32Array.from({ length: d.functions }, (_, i) => i);
  return ({ rng, phase }) => {
    // L-BFGS needs the same function at every evaluation: it sees the full data set.
    const full = phase === 'lbfgs' || fb >= d.functions;
    if (!full) drawIndices(rng, d.functions, fns);
    if (pts && phase !== 'lbfgs') drawIndices(rng, d.points, pts);
    const batch = makeBatch(d, full ? all : fns, phase === 'lbfgs' ? null : pts);
    const pred = model.cartesian(batch.u, batch.y);
    return {
      [term]: relative
        ? relativeSquaredError(pred, batch.target, batch.mask)
        : maskedMse(pred, batch.target, batch.mask),
    };
  };
}

/** Fill `out` with uniform draws from [0, n). */
export function drawIndices(rng: Rng, n: number, out: Int32Array): Int32Array {
  for (let i = 0; i < out.length; i++) out[i] = Math.min(n - 1, Math.floor(rng.uniform() * n));
  return out;
}

/**
 * Predictions at every point for every function: [F, P, outputs] (the layout of `s`), computed
 * `chunk` functions at a time outside any gradient tape.
 */
export function predictCartesian(
  model: DeepONet,
  u: Float32Array,
  y: Float32Array,
  options: { chunk?: number } = {},
): Float32Array {
  const OP = 'predictCartesian';
  const m = model.sensors;
  const dim = model.coords;
  const no = model.outputs;
  if (u.length === 0 || u.length % m !== 0) {
    throw new Error(`${OP}: 'u' must hold F rows of ${m} sensor values, got ${u.length} values`);
  }
  if (y.length === 0 || y.length % dim !== 0) {
    throw new Error(`${OP}: 'y' must hold P points of ${dim} coordinates, got ${y.length} values`);
  }
  const F = u.length / m;
  const P = y.length / dim;
  const chunk = checkInt(options.chunk ?? Math.max(1, Math.floor(262144 / P)), 'chunk', OP);
  const out = new Float32Array(F * P * no);
  const yt = tf.tensor2d(y, [P, dim]);
  try {
    for (let f0 = 0; f0 < F; f0 += chunk) {
      const b = Math.min(chunk, F - f0);
      const g = tf.tidy(() => model.cartesian(tf.tensor2d(u.subarray(f0 * m, (f0 + b) * m), [b, m]), yt));
      const v = g.dataSync();
      g.dispose();
      const w = no * b;
      for (let j = 0; j < b; j++) {
        for (let i = 0; i < P; i++) {
          for (let c = 0; c < no; c++) out[((f0 + j) * P + i) * no + c] = v[i * w + c * b + j];
        }
      }
    }
  } finally {
    yt.dispose();
  }
  return out;
}

export interface RelL2 {
  /** Mean over functions of ‖pred − truth‖₂ / ‖truth‖₂ (inside the mask). */
  readonly mean: number;
  readonly perFunction: Float64Array;
}

/** Relative L2 error per function; arrays [F, Q] (Q = points·outputs), mask [F, P]. */
export function relativeL2(
  pred: ArrayLike<number>,
  truth: ArrayLike<number>,
  functions: number,
  mask?: ArrayLike<number>,
): RelL2 {
  const OP = 'relativeL2';
  const F = checkInt(functions, 'functions', OP);
  if (pred.length !== truth.length || pred.length % F !== 0) {
    throw new Error(
      `${OP}: 'pred' (${pred.length}) and 'truth' (${truth.length}) must have equal length divisible by functions (=${F})`,
    );
  }
  const Q = pred.length / F;
  const P = mask ? mask.length / F : Q;
  const no = Q / P;
  if (mask && (!Number.isInteger(P) || !Number.isInteger(no))) {
    throw new Error(`${OP}: 'mask' length ${mask.length} does not fit ${F} functions of ${Q} values`);
  }
  const per = new Float64Array(F);
  for (let f = 0; f < F; f++) {
    let num = 0;
    let den = 0;
    for (let q = 0; q < Q; q++) {
      const w = mask ? mask[f * P + Math.floor(q / no)] : 1;
      const t = truth[f * Q + q];
      num += w * (pred[f * Q + q] - t) ** 2;
      den += w * t * t;
    }
    per[f] = Math.sqrt(num / (den > 0 ? den : 1));
  }
  return { mean: per.reduce((a, b) => a + b, 0) / F, perFunction: per };
}

/** Relative L2 of the model on a dataset (mean over functions). */
export function evaluateRelL2(model: DeepONet, d: OperatorData): RelL2 & { prediction: Float32Array } {
  const prediction = predictCartesian(model, d.u, d.y);
  return { ...relativeL2(prediction, d.s, d.functions, d.mask), prediction };
}
