/**
 * Dense layer: y = x W + b, W: [in, out], b: [1, out].
 *
 * With `factorization` it is a random-weight-factorized layer (Wang et al. 2022,
 * "Random weight factorization improves the training of continuous neural
 * representations"): W = V · diag(exp(s)), s ~ N(mean, std²) per output unit, V = W₀ / exp(s).
 */
import * as tf from '@tensorflow/tfjs';
import { type Jet, jetLinear } from '../jets/jet.ts';
import { mul } from '../ops/fast.ts';
import type { Rng } from '../rng.ts';
import { type Initializer, initWeights } from './init.ts';
import { checkPositiveInt, type Module, type ModuleConfig, type NamedVariable } from './module.ts';

export interface FactorizationConfig {
  /** Mean of the log-scale s. Default 1.0 (the paper's recommendation 0.5–1). */
  readonly mean?: number;
  /** Standard deviation of s. Default 0.1. */
  readonly std?: number;
}

export interface DenseConfig {
  readonly inSize: number;
  readonly outSize: number;
  /** Default 'glorotNormal'. */
  readonly init?: Initializer;
  /** Default true. */
  readonly bias?: boolean;
  readonly factorization?: FactorizationConfig;
}

export class Dense implements Module {
  readonly inSize: number;
  readonly outSize: number;
  readonly w: tf.Variable; // [in, out]; V when factorized
  readonly b: tf.Variable | null; // [1, out]
  readonly s: tf.Variable | null; // [1, out] log-scales when factorized
  private readonly cfg: DenseConfig;

  constructor(config: DenseConfig, rng: Rng) {
    this.inSize = checkPositiveInt(config.inSize, 'inSize', 'Dense');
    this.outSize = checkPositiveInt(config.outSize, 'outSize', 'Dense');
    this.cfg = { init: 'glorotNormal', bias: true, ...config };
    const w0 = initWeights(this.cfg.init ?? 'glorotNormal', this.inSize, this.outSize, rng);
    if (config.factorization) {
      const mean = config.factorization.mean ?? 1.0;
      const std = config.factorization.std ?? 0.1;
      const s = new Float32Array(this.outSize);
      for (let j = 0; j < this.outSize; j++) s[j] = mean + std * rng.normal();
      for (let i = 0; i < this.inSize; i++) {
        for (let j = 0; j < this.outSize; j++) w0[i * this.outSize + j] /= Math.exp(s[j]);
      }
      this.s = tf.tidy(() => tf.variable(tf.tensor2d(s, [1, this.outSize])));
    } else {
      this.s = null;
    }
    // tidy frees the initial tensors: a variable keeps its own reference to the data.
    this.w = tf.tidy(() => tf.variable(tf.tensor2d(w0, [this.inSize, this.outSize])));
    this.b = this.cfg.bias ? tf.tidy(() => tf.variable(tf.zeros([1, this.outSize]))) : null;
  }

  /** The effective weight matrix [in, out]. */
  weight(): tf.Tensor2D {
    return this.s ? (mul(this.w, tf.exp(this.s)) as tf.Tensor2D) : (this.w as tf.Tensor2D);
  }

  parameters(): NamedVariable[] {
    const p: NamedVariable[] = [{ name: 'w', variable: this.w }];
    if (this.s) p.push({ name: 's', variable: this.s });
    if (this.b) p.push({ name: 'b', variable: this.b });
    return p;
  }

  forward(x: Jet): Jet {
    if (x.width !== this.inSize) {
      throw new Error(`Dense: input width must be ${this.inSize}, got ${x.width}`);
    }
    return jetLinear(x, this.weight(), this.b ?? undefined);
  }

  config(): ModuleConfig {
    return { type: 'Dense', ...this.cfg };
  }
}
