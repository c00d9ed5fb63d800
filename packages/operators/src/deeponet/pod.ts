/**
 * POD trunk (POD-DeepONet, Lu et al. 2022 "A comprehensive and fair comparison of two neural
 * operators"): the trunk functions are fixed — the mean of the training outputs and their
 * leading proper orthogonal (principal) modes — and only the branch learns, as the coefficients
 * of the output in that basis.
 *
 *   fitPod(data, modes)   basis [P, outputs·modes]: per output c, column c·modes + 0 is the mean
 *                         field, columns 1..modes−1 the leading POD modes φ_k of the centred
 *                         outputs. Scaled for an output normalized by its RMS σ (what
 *                         `trainDeepONet` does with a POD trunk): mean/σ, and φ_k·√(λ_k/F)/σ
 *                         (‖φ_k‖ = 1), so every coefficient the branch must produce has mean
 *                         ~1 (mean field) or variance 1 over the training set, and a freshly
 *                         initialized branch starts at the outputs' scale.
 *   PodTrunk              a Module on the stored points: y [N, d] -> basis rows [N, outputs·modes],
 *                         found by exact coordinate lookup (the basis exists only at the points
 *                         it was fitted on; other points throw). Values only: no jets.
 *
 * The modes come from a seeded randomized subspace iteration (the big products as tf matMuls,
 * orthonormalization and the small eigenproblem in float64 JS): no dense P×P eigenproblem.
 */
import {
  inputJet,
  type Jet,
  JetPlan,
  type Module,
  type ModuleConfig,
  type NamedVariable,
  Rng,
} from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';
import { checkInt } from './checks.ts';
import type { OperatorData } from './data.ts';

export interface PodTrunkConfig {
  /** Number of points P the basis is defined at. */
  readonly points: number;
  /** Coordinates per point d. */
  readonly coords: number;
  /** Basis functions per output, mean included (the DeepONet latent size). */
  readonly modes: number;
  /** Default 1. */
  readonly outputs?: number;
}

export interface PodFit {
  /** [P, outputs·modes], row-major. */
  readonly basis: Float32Array;
  /** Per output: eigenvalues of the centred covariance (Σ over functions, per mode, descending). */
  readonly eigenvalues: Float64Array[];
  /** Per output: fraction of the centred energy (Σ‖s − mean‖²) the modes keep. */
  readonly energy: number[];
}

export interface PodOptions {
  /** Seed of the random start (default 0). */
  readonly seed?: number;
  /** Subspace (power) iterations (default 4). */
  readonly iterations?: number;
  /** Extra columns carried in the subspace (default 10). */
  readonly oversampling?: number;
}

const OP = 'PodTrunk';

/** Orthonormalize the columns of q [n, r] (row-major) in place: modified Gram–Schmidt, twice. */
function orthonormalize(q: Float64Array, n: number, r: number): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < r; j++) {
      for (let k = 0; k < j; k++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += q[i * r + j] * q[i * r + k];
        for (let i = 0; i < n; i++) q[i * r + j] -= dot * q[i * r + k];
      }
      let nrm = 0;
      for (let i = 0; i < n; i++) nrm += q[i * r + j] ** 2;
      nrm = Math.sqrt(nrm);
      // A (numerically) dependent column is replaced by zeros; it then carries no energy.
      const inv = nrm > 1e-12 ? 1 / nrm : 0;
      for (let i = 0; i < n; i++) q[i * r + j] *= inv;
    }
  }
}

/** Eigen-decomposition of a symmetric a [r, r] by cyclic Jacobi: values and vectors (columns). */
export function symmetricEigen(a: Float64Array, r: number): { values: Float64Array; vectors: Float64Array } {
  const m = Float64Array.from(a);
  const v = new Float64Array(r * r);
  for (let i = 0; i < r; i++) v[i * r + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < r; i++) {
      diag += m[i * r + i] ** 2;
      for (let j = i + 1; j < r; j++) off += m[i * r + j] ** 2;
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let p = 0; p < r; p++) {
      for (let q = p + 1; q < r; q++) {
        const apq = m[p * r + q];
        if (apq === 0) continue;
        const theta = (m[q * r + q] - m[p * r + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < r; k++) {
          const mkp = m[k * r + p];
          const mkq = m[k * r + q];
          m[k * r + p] = c * mkp - s * mkq;
          m[k * r + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < r; k++) {
          const mpk = m[p * r + k];
          const mqk = m[q * r + k];
          m[p * r + k] = c * mpk - s * mqk;
          m[q * r + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < r; k++) {
          const vkp = v[k * r + p];
          const vkq = v[k * r + q];
          v[k * r + p] = c * vkp - s * vkq;
          v[k * r + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(r);
  for (let i = 0; i < r; i++) values[i] = m[i * r + i];
  return { values, vectors: v };
}

/** x [F, P] (float32 tensor) times q [P, r] (float64 JS) -> [F, r] float64. */
function times(x: tf.Tensor2D, q: Float64Array, r: number): Float64Array {
  const p = x.shape[1];
  const out = tf.tidy(() => tf.matMul(x, tf.tensor2d(Float32Array.from(q), [p, r])));
  const d = Float64Array.from(out.dataSync());
  out.dispose();
  return d;
}

/** The POD basis of the training outputs (mean field first), per output. */
export function fitPod(data: OperatorData, modes: number, options: PodOptions = {}): PodFit {
  const op = 'fitPod';
  const k = checkInt(modes, 'modes', op, 1);
  const { functions: F, points: P, outputs: no } = data;
  if (k > Math.min(F, P)) {
    throw new Error(`${op}: 'modes' (=${k}) must be ≤ min(functions, points) = ${Math.min(F, P)}`);
  }
  const iterations = checkInt(options.iterations ?? 4, 'iterations', op, 0);
  const over = checkInt(options.oversampling ?? 10, 'oversampling', op, 0);
  const rng = new Rng(options.seed ?? 0);
  const basis = new Float32Array(P * no * k);
  const width = no * k;
  const eigenvalues: Float64Array[] = [];
  const energy: number[] = [];
  for (let c = 0; c < no; c++) {
    // Centred outputs X [F, P] (masked points count as zero).
    const mean = new Float64Array(P);
    const x = new Float32Array(F * P);
    for (let f = 0; f < F; f++) {
      for (let i = 0; i < P; i++) {
        const w = data.mask ? data.mask[f * P + i] : 1;
        const v = w * data.s[(f * P + i) * no + c];
        x[f * P + i] = v;
        mean[i] += v / F;
      }
    }
    let total = 0;
    for (let f = 0; f < F; f++) {
      for (let i = 0; i < P; i++) {
        x[f * P + i] -= mean[i];
        total += x[f * P + i] ** 2;
      }
    }
    // RMS of the raw outputs = the model's output scale under zero-mean normalization.
    let sq = 0;
    let cnt = 0;
    for (let f = 0; f < F; f++) {
      for (let i = 0; i < P; i++) {
        const w = data.mask ? data.mask[f * P + i] : 1;
        sq += w * data.s[(f * P + i) * no + c] ** 2;
        cnt += w;
      }
    }
    const sigma = cnt > 0 && sq > 0 ? Math.sqrt(sq / cnt) : 1;
    for (let i = 0; i < P; i++) basis[i * width + c * k] = mean[i] / sigma;
    const nm = k - 1;
    if (nm === 0) {
      eigenvalues.push(new Float64Array(0));
      energy.push(0);
      continue;
    }
    const r = Math.min(nm + over, F, P);
    const xt = tf.tensor2d(x, [F, P]);
    const xtt = tf.transpose(xt) as tf.Tensor2D; // [P, F]
    try {
      let q: Float64Array = new Float64Array(P * r);
      for (let i = 0; i < q.length; i++) q[i] = rng.normal();
      orthonormalize(q, P, r);
      for (let it = 0; it < iterations; it++) {
        q = times(xtt, times(xt, q, r), r); // Xᵀ X q
        orthonormalize(q, P, r);
      }
      // Rayleigh–Ritz: C = (X Q)ᵀ (X Q) [r, r], eigenvectors rotate Q into the modes.
      const z = times(xt, q, r);
      const cm = new Float64Array(r * r);
      for (let a = 0; a < r; a++) {
        for (let b = a; b < r; b++) {
          let s = 0;
          for (let f = 0; f < F; f++) s += z[f * r + a] * z[f * r + b];
          cm[a * r + b] = s;
          cm[b * r + a] = s;
        }
      }
      const { values, vectors } = symmetricEigen(cm, r);
      const order = Array.from({ length: r }, (_, i) => i).sort((a, b) => values[b] - values[a]);
      const ev = new Float64Array(nm);
      let kept = 0;
      for (let j = 0; j < nm; j++) {
        const e = order[j];
        ev[j] = Math.max(0, values[e]);
        kept += ev[j];
        const scale = Math.sqrt(ev[j] / F) / sigma;
        // Sign convention (largest-magnitude entry positive) makes the basis reproducible.
        let big = 0;
        for (let i = 0; i < P; i++) {
          let s = 0;
          for (let a = 0; a < r; a++) s += q[i * r + a] * vectors[a * r + e];
          basis[i * width + c * k + 1 + j] = s * scale;
          if (Math.abs(s) > Math.abs(big)) big = s;
        }
        if (big < 0) for (let i = 0; i < P; i++) basis[i * width + c * k + 1 + j] *= -1;
      }
      eigenvalues.push(ev);
      energy.push(total > 0 ? kept / total : 1);
    } finally {
      xt.dispose();
      xtt.dispose();
    }
  }
  return { basis, eigenvalues, energy };
}

/** Fixed POD basis on stored points: y [N, d] -> [N, outputs·modes] (values only). */
export class PodTrunk implements Module {
  readonly inSize: number;
  readonly outSize: number;
  readonly points: number;
  readonly modes: number;
  readonly outputs: number;
  /** [P, d] the points the basis lives on (non-trainable, saved with the weights). */
  readonly pointsVar: tf.Variable;
  /** [P, outputs·modes] (non-trainable, saved with the weights). */
  readonly basisVar: tf.Variable;
  private lookup: Map<string, number> | null = null;
  private lookupOf: Float32Array | null = null;
  private readonly cfg: PodTrunkConfig;

  constructor(config: PodTrunkConfig) {
    this.points = checkInt(config.points, 'points', OP);
    this.inSize = checkInt(config.coords, 'coords', OP);
    this.modes = checkInt(config.modes, 'modes', OP);
    this.outputs = checkInt(config.outputs ?? 1, 'outputs', OP);
    this.outSize = this.modes * this.outputs;
    this.cfg = { outputs: 1, ...config };
    this.pointsVar = tf.tidy(() => tf.variable(tf.zeros([this.points, this.inSize]), false));
    this.basisVar = tf.tidy(() => tf.variable(tf.zeros([this.points, this.outSize]), false));
  }

  parameters(): NamedVariable[] {
    return [
      { name: 'points', variable: this.pointsVar },
      { name: 'basis', variable: this.basisVar },
    ];
  }

  config(): ModuleConfig {
    return { type: 'PodTrunk', ...this.cfg };
  }

  /** Store the points [P·d] and the basis [P·outputs·modes] (e.g. from `fitPod`). */
  setBasis(points: ArrayLike<number>, basis: ArrayLike<number>): void {
    const op = `${OP}.setBasis`;
    if (points.length !== this.points * this.inSize) {
      throw new Error(
        `${op}: 'points' must have P·d = ${this.points * this.inSize} values, got ${points.length}`,
      );
    }
    if (basis.length !== this.points * this.outSize) {
      throw new Error(
        `${op}: 'basis' must have P·outputs·modes = ${this.points * this.outSize} values, got ${basis.length}`,
      );
    }
    tf.tidy(() => {
      this.pointsVar.assign(tf.tensor2d(Float32Array.from(points), [this.points, this.inSize]));
      this.basisVar.assign(tf.tensor2d(Float32Array.from(basis), [this.points, this.outSize]));
    });
    this.lookup = null;
  }

  /** Row of each query point in the stored points (exact float32 match). */
  indices(y: Float32Array): Int32Array {
    const d = this.inSize;
    // The stored points may have been replaced by loading weights: rebuild when they change.
    const pts = this.pointsVar.dataSync() as Float32Array;
    const same = this.lookupOf?.every((v, i) => v === pts[i]) ?? false;
    if (!this.lookup || !same) {
      this.lookup = new Map();
      for (let i = 0; i < this.points; i++) this.lookup.set(pts.subarray(i * d, (i + 1) * d).join(','), i);
      this.lookupOf = pts;
    }
    const n = y.length / d;
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const key = y.subarray(i * d, (i + 1) * d).join(',');
      const row = this.lookup.get(key);
      if (row === undefined) {
        throw new Error(
          `${OP}: query point ${i} (${key}) is not one of the ${this.points} points the POD basis was fitted on`,
        );
      }
      idx[i] = row;
    }
    return idx;
  }

  forward(y: Jet): Jet {
    if (y.width !== this.inSize) {
      throw new Error(`${OP}: points must be [N, ${this.inSize}], got width ${y.width}`);
    }
    if (y.plan.streams.length > 1) {
      throw new Error(
        `${OP}: the POD basis is tabulated on points and has no derivatives; use an Mlp trunk for jets`,
      );
    }
    const idx = this.indices(y.value.dataSync() as Float32Array);
    const value = tf.tidy(() => tf.gather(this.basisVar, tf.tensor1d(idx, 'int32'))) as tf.Tensor2D;
    return inputJet(value, JetPlan.VALUE);
  }
}

/**
 * Relative L2 error of the best approximation of each output of `data` in the span of the
 * basis (least squares; the floor a POD-DeepONet with this basis can reach): mean over
 * functions, per output block. basis [P, outputs·modes] as from `fitPod`.
 */
export function podProjectionError(basis: Float32Array, modes: number, data: OperatorData): number {
  const op = 'podProjectionError';
  const { functions: F, points: P, outputs: no } = data;
  const width = no * checkInt(modes, 'modes', op);
  if (basis.length !== P * width) {
    throw new Error(
      `${op}: 'basis' must have points·outputs·modes = ${P * width} values, got ${basis.length}`,
    );
  }
  let total = 0;
  for (let c = 0; c < no; c++) {
    // Gram matrix of the block and its pseudo-inverse through the eigen-decomposition.
    const k = modes;
    const col = (i: number, a: number) => basis[i * width + c * k + a];
    const g = new Float64Array(k * k);
    for (let i = 0; i < P; i++) {
      for (let a = 0; a < k; a++) {
        const va = col(i, a);
        if (va === 0) continue;
        for (let b = a; b < k; b++) g[a * k + b] += va * col(i, b);
      }
    }
    for (let a = 0; a < k; a++) for (let b = 0; b < a; b++) g[a * k + b] = g[b * k + a];
    const { values, vectors } = symmetricEigen(g, k);
    const vmax = Math.max(...values);
    const rhs = new Float64Array(k);
    const coef = new Float64Array(k);
    for (let f = 0; f < F; f++) {
      rhs.fill(0);
      coef.fill(0);
      const sv = (i: number) => (data.mask ? data.mask[f * P + i] : 1) * data.s[(f * P + i) * no + c];
      for (let i = 0; i < P; i++) {
        const v = sv(i);
        for (let a = 0; a < k; a++) rhs[a] += col(i, a) * v;
      }
      for (let e = 0; e < k; e++) {
        if (values[e] <= 1e-10 * vmax) continue;
        let proj = 0;
        for (let a = 0; a < k; a++) proj += vectors[a * k + e] * rhs[a];
        for (let a = 0; a < k; a++) coef[a] += (vectors[a * k + e] * proj) / values[e];
      }
      let num = 0;
      let den = 0;
      for (let i = 0; i < P; i++) {
        let v = 0;
        for (let a = 0; a < k; a++) v += col(i, a) * coef[a];
        const t = sv(i);
        num += (v - t) ** 2;
        den += t * t;
      }
      total += Math.sqrt(num / (den > 0 ? den : 1));
    }
  }
  return total / (F * no);
}
