/**
 * Gaussian feature layer of PIG (Kang et al., ICLR 2025): k feature channels from G learnable
 * Gaussians,
 *   feat_c(x) = Σ_i w_ic exp(−½ ‖A_i (x − μ_i)‖²),   x: [N, d] -> feat: [N, k],
 * with A_i = diag(1/σ_i) (default) or, with `covariance: 'full'`, a lower-triangular factor of
 * the precision (diagonal 1/σ_i, free strictly-lower entries, initialized to 0).
 *
 * Two evaluation paths give the same jets:
 * - 'fused' (diagonal covariance, fed with the raw input points): the closed-form Hermite jets
 *   of `kernel.ts` in one JS pass with a hand-written reverse pass, skipping pairs beyond
 *   `cutoff` standard deviations (locality);
 * - 'tensor': generic composition with core jet ops — z = x·M + b ([N, G·d]), q = Σ z²
 *   ([N, G]), exp(−q/2), then a matMul with w [G, k]. Used for full covariances, for inputs
 *   that are not the raw points (e.g. after an embedding), and as a cross-check.
 * Known limit of 'fused': it returns no gradient with respect to the input points (zero), which
 * only matters if the points themselves depend on trainable parameters; such inputs are not
 * raw input jets and take the 'tensor' path automatically unless 'fused' is forced.
 */
import {
  derivativeTable,
  Jet,
  type JetPlan,
  jetLinear,
  jetMul,
  jetUnary,
  type Module,
  type ModuleConfig,
  type NamedVariable,
  type Rng,
} from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';
import { gaussianStreams, gaussianStreamsBackward, type KernelInputs, type KernelStream } from './kernel.ts';

export type GaussianKernel = 'auto' | 'fused' | 'tensor';

export interface GaussianFeaturesConfig {
  /** Input dimension d. */
  readonly inSize: number;
  /** Number of Gaussians G. */
  readonly gaussians: number;
  /** Feature channels k (default 4). */
  readonly channels?: number;
  /** Lower corner of the box the means are drawn from (default −1 per dimension). */
  readonly lo?: readonly number[];
  /** Upper corner (default +1 per dimension). */
  readonly hi?: readonly number[];
  /** Initial σ, one value or one per dimension (default 0.1, the paper's value on [−1, 1]²). */
  readonly sigma?: number | readonly number[];
  /** Standard deviation of the initial weights (default 0.01). */
  readonly weightStd?: number;
  /** Train the means (default true; false is the paper's fixed-means ablation). */
  readonly learnMeans?: boolean;
  /** Train the scales (default true). */
  readonly learnSigma?: boolean;
  /** Default 'diagonal'. */
  readonly covariance?: 'diagonal' | 'full';
  /**
   * Pairs with ‖A_i (x − μ_i)‖ > cutoff are treated as zero in the fused path (default 7:
   * exp(−24.5) ≈ 2e-11, far below float32 resolution even after the z⁴ factors of 4th-order
   * derivatives). Infinity disables the locality skip.
   */
  readonly cutoff?: number;
  /** Default 'auto' (fused when possible). */
  readonly kernel?: GaussianKernel;
  /**
   * Threads for the fused kernel (default 1): the calling thread plus `threads − 1`
   * `worker_threads`, bit-identical results. Pays on large calls (G = 800, N = 10 000: see
   * docs/pig.md); a no-op where workers are unavailable.
   */
  readonly threads?: number;
}

const OP = 'GaussianFeatures';

function checkPositiveInt(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new Error(`${OP}: '${name}' must be a positive integer, got ${String(value)}`);
  }
  return value;
}

function perDim(v: number | readonly number[] | undefined, d: number, dflt: number, name: string): number[] {
  const arr =
    v === undefined ? new Array(d).fill(dflt) : typeof v === 'number' ? new Array(d).fill(v) : [...v];
  if (arr.length !== d || arr.some((a) => typeof a !== 'number' || !Number.isFinite(a))) {
    throw new Error(
      `${OP}: '${name}' must be a finite number or ${d} finite numbers, got ${JSON.stringify(v)}`,
    );
  }
  return arr;
}

/** Plans compiled to kernel streams, per input dimension. */
const compiledPlans = new WeakMap<JetPlan, Map<number, KernelStream[]>>();

function compilePlan(plan: JetPlan, d: number): KernelStream[] {
  let byDim = compiledPlans.get(plan);
  if (!byDim) {
    byDim = new Map();
    compiledPlans.set(plan, byDim);
  }
  const hit = byDim.get(d);
  if (hit) return hit;
  const codes = '0123456789abcdefghijklmnopqrstuvwxyz';
  const streams = plan.streams.map((spec): KernelStream => {
    const coefs = new Float64Array(spec.terms.length);
    const alphas = new Int32Array(spec.terms.length * d);
    spec.terms.forEach((t, i) => {
      coefs[i] = t.coef;
      for (const ch of t.key) alphas[i * d + codes.indexOf(ch)]++;
    });
    return { coefs, alphas };
  });
  byDim.set(d, streams);
  return streams;
}

/**
 * True when `x` is an input jet of the points themselves: first-order streams are the constant
 * rows of `inputJet` (one-hot, or the coefficients of a collapsed stream), higher orders zero.
 */
export function isRawInputJet(x: Jet): boolean {
  const d = x.width;
  const codes = '0123456789abcdefghijklmnopqrstuvwxyz';
  for (let i = 1; i < x.plan.streams.length; i++) {
    const spec = x.plan.streams[i];
    const s = x.streams[i];
    if (spec.order >= 2) {
      if (s !== null) return false;
      continue;
    }
    if (s === null || s.rank !== 2 || s.shape[0] !== 1 || s.shape[1] !== d) return false;
    const want = new Float64Array(d);
    for (const t of spec.terms) want[codes.indexOf(t.key)] += t.coef;
    const got = s.dataSync();
    for (let j = 0; j < d; j++) if (got[j] !== Math.fround(want[j])) return false;
  }
  return true;
}

export class GaussianFeatures implements Module {
  readonly inSize: number;
  readonly outSize: number;
  readonly gaussians: number;
  readonly mu: tf.Variable; // [G, d]
  readonly logSigma: tf.Variable; // [G, d]
  readonly offDiag: tf.Variable | null; // [G, d(d−1)/2], full covariance only
  readonly w: tf.Variable; // [G, k]
  readonly cutoff: number;
  readonly kernel: GaussianKernel;
  readonly threads: number;
  /** Point–Gaussian pairs inside the cutoff at the last fused forward pass (locality statistic). */
  lastPairs = 0;
  private readonly cfg: GaussianFeaturesConfig;

  constructor(config: GaussianFeaturesConfig, rng: Rng) {
    const d = checkPositiveInt(config.inSize, 'inSize');
    const g = checkPositiveInt(config.gaussians, 'gaussians');
    const k = checkPositiveInt(config.channels ?? 4, 'channels');
    const lo = perDim(config.lo, d, -1, 'lo');
    const hi = perDim(config.hi, d, 1, 'hi');
    lo.forEach((l, j) => {
      if (!(hi[j] > l)) throw new Error(`${OP}: 'hi[${j}]' (=${hi[j]}) must exceed 'lo[${j}]' (=${l})`);
    });
    const sigma = perDim(config.sigma, d, 0.1, 'sigma');
    if (sigma.some((s) => !(s > 0)))
      throw new Error(`${OP}: 'sigma' must be > 0, got ${JSON.stringify(config.sigma)}`);
    const weightStd = config.weightStd ?? 0.01;
    if (!(weightStd >= 0 && Number.isFinite(weightStd)))
      throw new Error(`${OP}: 'weightStd' must be a finite number ≥ 0, got ${config.weightStd}`);
    const covariance = config.covariance ?? 'diagonal';
    if (covariance !== 'diagonal' && covariance !== 'full')
      throw new Error(`${OP}: 'covariance' must be 'diagonal' or 'full', got '${String(covariance)}'`);
    const cutoff = config.cutoff ?? 7;
    if (!(cutoff > 0))
      throw new Error(`${OP}: 'cutoff' must be > 0 (Infinity allowed), got ${config.cutoff}`);
    const kernel = config.kernel ?? 'auto';
    if (!['auto', 'fused', 'tensor'].includes(kernel))
      throw new Error(`${OP}: 'kernel' must be 'auto', 'fused' or 'tensor', got '${String(kernel)}'`);
    if (kernel === 'fused' && covariance === 'full')
      throw new Error(
        `${OP}: kernel 'fused' needs a diagonal covariance; use 'auto' or 'tensor' with 'full'`,
      );

    const threads = config.threads ?? 1;
    if (!Number.isInteger(threads) || threads < 1)
      throw new Error(`${OP}: 'threads' must be an integer ≥ 1, got ${config.threads}`);

    this.inSize = d;
    this.outSize = k;
    this.gaussians = g;
    this.cutoff = cutoff;
    this.kernel = kernel;
    this.threads = threads;
    this.cfg = { ...config, channels: k, lo, hi, sigma, weightStd, covariance, cutoff, kernel, threads };
    const muRng = rng.split();
    const wRng = rng.split();
    const mu = new Float32Array(g * d);
    for (let i = 0; i < g; i++) for (let j = 0; j < d; j++) mu[i * d + j] = muRng.uniformIn(lo[j], hi[j]);
    const ls = new Float32Array(g * d);
    for (let i = 0; i < g; i++) for (let j = 0; j < d; j++) ls[i * d + j] = Math.log(sigma[j]);
    const w = new Float32Array(g * k);
    wRng.fillNormal(w, 0, weightStd);
    // Fixed parts are non-trainable variables: saved and loaded with the rest, skipped by optimizers.
    // tidy: tf.variable copies its initial tensor, which would otherwise stay allocated.
    this.mu = tf.tidy(() => tf.variable(tf.tensor2d(mu, [g, d]), config.learnMeans ?? true));
    this.logSigma = tf.tidy(() => tf.variable(tf.tensor2d(ls, [g, d]), config.learnSigma ?? true));
    this.offDiag =
      covariance === 'full' && d > 1 ? tf.tidy(() => tf.variable(tf.zeros([g, (d * (d - 1)) / 2]))) : null;
    this.w = tf.tidy(() => tf.variable(tf.tensor2d(w, [g, k])));
  }

  parameters(): NamedVariable[] {
    const p: NamedVariable[] = [
      { name: 'mu', variable: this.mu },
      { name: 'logSigma', variable: this.logSigma },
    ];
    if (this.offDiag) p.push({ name: 'offDiag', variable: this.offDiag });
    p.push({ name: 'w', variable: this.w });
    return p;
  }

  config(): ModuleConfig {
    return { type: 'GaussianFeatures', ...this.cfg };
  }

  /** Which path `forward` takes for this jet. */
  pathFor(x: Jet): 'fused' | 'tensor' {
    if (this.kernel === 'tensor' || this.offDiag !== null || this.cfg.covariance === 'full') return 'tensor';
    if (this.kernel === 'fused') return 'fused';
    return isRawInputJet(x) ? 'fused' : 'tensor';
  }

  forward(x: Jet): Jet {
    if (x.width !== this.inSize) throw new Error(`${OP}: input width must be ${this.inSize}, got ${x.width}`);
    return this.pathFor(x) === 'fused' ? this.forwardFused(x) : this.forwardTensor(x);
  }

  /** Closed-form jets, one fused JS pass; see kernel.ts. */
  private forwardFused(x: Jet): Jet {
    const plan = x.plan;
    const d = this.inSize;
    const g = this.gaussians;
    const k = this.outSize;
    const n = x.batch;
    const streams = compilePlan(plan, d);
    const S = streams.length;
    const cutoff = this.cutoff;
    const op = tf.customGrad(((
      xv: tf.Tensor,
      mu: tf.Tensor,
      ls: tf.Tensor,
      w: tf.Tensor,
      save: tf.GradSaveFunc,
    ) => {
      // Copies: the kernel's reverse pass must see the values of this forward pass.
      const inputs: KernelInputs = {
        n,
        g,
        d,
        k,
        x: Float64Array.from(xv.dataSync()),
        mu: Float64Array.from(mu.dataSync()),
        logSigma: Float64Array.from(ls.dataSync()),
        w: Float64Array.from(w.dataSync()),
        streams,
        cutoff,
        threads: this.threads,
      };
      const { out, pairs } = gaussianStreams(inputs);
      this.lastPairs = pairs;
      save([]);
      return {
        value: tf.tensor3d(out, [S, n, k]), // [streams, N, k]
        gradFunc: (dy: tf.Tensor) => {
          const gr = gaussianStreamsBackward(inputs, dy.dataSync());
          return [
            tf.zeros([n, d]),
            tf.tensor2d(gr.mu, [g, d]),
            tf.tensor2d(gr.logSigma, [g, d]),
            tf.tensor2d(gr.w, [g, k]),
          ];
        },
      };
    }) as never) as unknown as (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, e: tf.Tensor) => tf.Tensor3D;
    const all = op(x.value, this.mu, this.logSigma, this.w);
    const parts = S === 1 ? [tf.reshape(all, [n, k])] : tf.unstack(all, 0); // each [N, k]
    return new Jet(plan, parts);
  }

  /** A_i as rows [G, d·d] (A_i[j, l] at j·d + l). */
  private precisionFactors(): tf.Tensor2D {
    const d = this.inSize;
    const inv = tf.exp(tf.neg(this.logSigma)) as tf.Tensor2D; // [G, d]
    const diagSel = new Float32Array(d * d * d);
    for (let j = 0; j < d; j++) diagSel[j * d * d + j * d + j] = 1;
    let a = tf.matMul(inv, tf.tensor2d(diagSel, [d, d * d]));
    if (this.offDiag) {
      const p = (d * (d - 1)) / 2;
      const offSel = new Float32Array(p * d * d);
      let c = 0;
      for (let j = 0; j < d; j++) for (let l = 0; l < j; l++) offSel[c++ * d * d + j * d + l] = 1;
      a = tf.add(a, tf.matMul(this.offDiag as tf.Tensor2D, tf.tensor2d(offSel, [p, d * d])));
    }
    return a as tf.Tensor2D;
  }

  /** Generic jet composition (any input jet, any covariance). */
  private forwardTensor(x: Jet): Jet {
    const d = this.inSize;
    const g = this.gaussians;
    const a3 = tf.reshape(this.precisionFactors(), [g, d, d]); // [G, j, l]
    const m = tf.reshape(tf.transpose(a3, [2, 0, 1]), [d, g * d]) as tf.Tensor2D; // M[l, i·d + j] = A_i[j, l]
    const b = tf.reshape(tf.neg(tf.sum(tf.mul(a3, tf.reshape(this.mu, [g, 1, d])), 2)), [1, g * d]); // −A_i μ_i
    const z = jetLinear(x, m, b); // [N, G·d]
    const sel = new Float32Array(g * d * g);
    for (let i = 0; i < g; i++) for (let j = 0; j < d; j++) sel[(i * d + j) * g + i] = -0.5;
    const h = jetLinear(jetMul(z, z), tf.tensor2d(sel, [g * d, g])); // −q/2, [N, G]
    const gauss = jetUnary(h, derivativeTable('exp')); // [N, G]
    return jetLinear(gauss, this.w as tf.Tensor2D); // [N, k]
  }
}
