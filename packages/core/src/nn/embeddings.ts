/**
 * Input embeddings. Both are a fixed linear map followed by cos/sin, so their jets come from
 * the generic linear + elementwise rules.
 */
import * as tf from '@tensorflow/tfjs';
import { type Jet, jetActivation, jetConcat, jetLinear } from '../jets/jet.ts';
import type { Rng } from '../rng.ts';
import { checkPositiveInt, type Module, type ModuleConfig, type NamedVariable } from './module.ts';

export interface FourierFeaturesConfig {
  readonly inSize: number;
  /** Number of random frequencies m; the output has 2m features [cos, sin]. */
  readonly features: number;
  /** Standard deviation of the frequencies B ~ N(0, σ²). Default 1. */
  readonly sigma?: number;
  /** Learn B (default false: fixed, as in Tancik et al. 2020). */
  readonly trainable?: boolean;
}

/** γ(x) = [cos(2π x B), sin(2π x B)], B: [in, m]. */
export class FourierFeatures implements Module {
  readonly inSize: number;
  readonly outSize: number;
  readonly b: tf.Variable; // [in, m]
  private readonly cfg: FourierFeaturesConfig;

  constructor(config: FourierFeaturesConfig, rng: Rng) {
    this.inSize = checkPositiveInt(config.inSize, 'inSize', 'FourierFeatures');
    const m = checkPositiveInt(config.features, 'features', 'FourierFeatures');
    const sigma = config.sigma ?? 1;
    if (!(sigma > 0)) throw new Error(`FourierFeatures: 'sigma' must be > 0, got ${sigma}`);
    this.cfg = { sigma: 1, trainable: false, ...config };
    this.outSize = 2 * m;
    const b = new Float32Array(this.inSize * m);
    for (let i = 0; i < b.length; i++) b[i] = sigma * rng.normal();
    this.b = tf.tidy(() => tf.variable(tf.tensor2d(b, [this.inSize, m]), this.cfg.trainable ?? false));
  }

  parameters(): NamedVariable[] {
    return [{ name: 'b', variable: this.b }];
  }

  forward(x: Jet): Jet {
    const z = jetLinear(x, tf.mul(this.b, tf.scalar(2 * Math.PI)) as tf.Tensor2D);
    return jetConcat([jetActivation(z, 'cos'), jetActivation(z, 'sin')]);
  }

  config(): ModuleConfig {
    return { type: 'FourierFeatures', ...this.cfg };
  }
}

export interface PeriodicEmbeddingConfig {
  /** One entry per input: the period, or null to pass the input through unchanged. */
  readonly periods: readonly (number | null)[];
  /** Harmonics k = 1..K per periodic input. Default 1. */
  readonly harmonics?: number;
}

/**
 * Exact periodicity: each periodic input x (period P) becomes cos(2πk x / P), sin(2πk x / P)
 * for k = 1..K, so any network on top is P-periodic in x with all derivatives matching.
 * Output order: passthrough inputs, then all cosines, then all sines.
 */
export class PeriodicEmbedding implements Module {
  readonly inSize: number;
  readonly outSize: number;
  // Constants kept as arrays and uploaded in `forward`, so they live and die with the forward
  // pass's other intermediates: a module holds no tensors but its parameters, and
  // `disposeModule` frees everything it owns.
  private readonly freq: { data: Float32Array; shape: [number, number] }; // [in, nPeriodic·K]
  private readonly pass: { data: Float32Array; shape: [number, number] } | null; // [in, nPass] selection
  private readonly cfg: PeriodicEmbeddingConfig;

  constructor(config: PeriodicEmbeddingConfig) {
    const periods = config.periods;
    if (!Array.isArray(periods) || periods.length === 0) {
      throw new Error(
        `PeriodicEmbedding: 'periods' must be a non-empty array, got ${JSON.stringify(periods)}`,
      );
    }
    const k = checkPositiveInt(config.harmonics ?? 1, 'harmonics', 'PeriodicEmbedding');
    periods.forEach((p, i) => {
      if (p !== null && !(typeof p === 'number' && p > 0 && Number.isFinite(p))) {
        throw new Error(`PeriodicEmbedding: 'periods[${i}]' must be a positive number or null, got ${p}`);
      }
    });
    if (periods.every((p) => p === null)) {
      throw new Error("PeriodicEmbedding: 'periods' has no periodic input (all null)");
    }
    this.cfg = { harmonics: k, ...config };
    this.inSize = periods.length;
    const periodic = periods.flatMap((p, i) => (p === null ? [] : [[i, p] as const]));
    const passIdx = periods.flatMap((p, i) => (p === null ? [i] : []));
    const nf = periodic.length * k;
    const freq = new Float32Array(this.inSize * nf);
    periodic.forEach(([i, p], j) => {
      for (let h = 1; h <= k; h++) freq[i * nf + j * k + (h - 1)] = (2 * Math.PI * h) / p;
    });
    this.freq = { data: freq, shape: [this.inSize, nf] };
    if (passIdx.length) {
      const sel = new Float32Array(this.inSize * passIdx.length);
      passIdx.forEach((i, j) => {
        sel[i * passIdx.length + j] = 1;
      });
      this.pass = { data: sel, shape: [this.inSize, passIdx.length] };
    } else {
      this.pass = null;
    }
    this.outSize = passIdx.length + 2 * nf;
  }

  parameters(): NamedVariable[] {
    return [];
  }

  forward(x: Jet): Jet {
    const z = jetLinear(x, tf.tensor2d(this.freq.data, this.freq.shape));
    const parts = [jetActivation(z, 'cos'), jetActivation(z, 'sin')];
    if (this.pass) parts.unshift(jetLinear(x, tf.tensor2d(this.pass.data, this.pass.shape)));
    return jetConcat(parts);
  }

  config(): ModuleConfig {
    return { type: 'PeriodicEmbedding', ...this.cfg };
  }
}
