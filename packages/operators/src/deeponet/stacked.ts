/**
 * Stacked branch of a DeepONet (Lu et al. 2021, Fig. 1c): `stacks` independent MLPs
 * [in, h1, ..., hk, 1], one per latent component, evaluated together.
 *
 * The first layer of every stack reads the same input, so the stacks' first layers are one
 * dense layer [in, stacks·h1]. Later layers are block-diagonal: a dense layer whose weight is
 * multiplied by a fixed 0/1 mask, so stack s only sees its own h_{i-1} units. Masked entries get
 * zero gradients and never influence the output. Shapes: x [N, in] -> [N, stacks].
 */

import {
  type ActivationName,
  type Initializer,
  initWeights,
  type Jet,
  jetActivation,
  jetLinear,
  type Module,
  type ModuleConfig,
  mulFast,
  type NamedVariable,
  type Rng,
} from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';
import { checkInt } from './checks.ts';

export interface StackedMlpConfig {
  readonly inSize: number;
  /** Number of independent nets (the latent size of the DeepONet). */
  readonly stacks: number;
  /** Hidden widths of each single net (at least one). */
  readonly hidden: readonly number[];
  /** Default 'tanh'. */
  readonly activation?: ActivationName;
  /** Default 'glorotNormal' (fan-in/fan-out of the single nets). */
  readonly init?: Initializer;
}

interface Layer {
  readonly w: tf.Variable;
  readonly b: tf.Variable;
  readonly mask: tf.Tensor2D | null;
}

export class StackedMlp implements Module {
  readonly inSize: number;
  readonly outSize: number;
  readonly activation: ActivationName;
  private readonly layers: readonly Layer[];
  private readonly cfg: StackedMlpConfig;

  constructor(config: StackedMlpConfig, rng: Rng) {
    const OP = 'StackedMlp';
    this.inSize = checkInt(config.inSize, 'inSize', OP);
    const s = checkInt(config.stacks, 'stacks', OP);
    if (!Array.isArray(config.hidden) || config.hidden.length === 0) {
      throw new Error(`${OP}: 'hidden' must list at least one width, got ${JSON.stringify(config.hidden)}`);
    }
    config.hidden.forEach((h, i) => checkInt(h, `hidden[${i}]`, OP));
    this.cfg = { activation: 'tanh', init: 'glorotNormal', ...config };
    this.activation = this.cfg.activation ?? 'tanh';
    this.outSize = s;
    const widths = [...config.hidden, 1];
    const layers: Layer[] = [];
    let prev = this.inSize;
    widths.forEach((h, li) => {
      const init = this.cfg.init ?? 'glorotNormal';
      const inTotal = li === 0 ? prev : s * prev;
      const w = new Float32Array(inTotal * s * h);
      const lr = rng.split();
      if (li === 0) {
        // Each stack's block of columns is an independent [in, h] initialization.
        for (let k = 0; k < s; k++) {
          const blk = initWeights(init, prev, h, lr);
          for (let i = 0; i < prev; i++)
            for (let j = 0; j < h; j++) w[i * s * h + k * h + j] = blk[i * h + j];
        }
        layers.push({
          w: tf.tidy(() => tf.variable(tf.tensor2d(w, [inTotal, s * h]))),
          b: tf.tidy(() => tf.variable(tf.zeros([1, s * h]))),
          mask: null,
        });
      } else {
        const m = new Float32Array(inTotal * s * h);
        for (let k = 0; k < s; k++) {
          const blk = initWeights(init, prev, h, lr);
          for (let i = 0; i < prev; i++) {
            for (let j = 0; j < h; j++) {
              const at = (k * prev + i) * s * h + k * h + j;
              w[at] = blk[i * h + j];
              m[at] = 1;
            }
          }
        }
        layers.push({
          w: tf.tidy(() => tf.variable(tf.tensor2d(w, [inTotal, s * h]))),
          b: tf.tidy(() => tf.variable(tf.zeros([1, s * h]))),
          mask: tf.tensor2d(m, [inTotal, s * h]),
        });
      }
      prev = h;
    });
    this.layers = layers;
  }

  parameters(): NamedVariable[] {
    return this.layers.flatMap((l, i) => [
      { name: `layers.${i}.w`, variable: l.w },
      { name: `layers.${i}.b`, variable: l.b },
    ]);
  }

  forward(x: Jet): Jet {
    if (x.width !== this.inSize) {
      throw new Error(`StackedMlp: input width must be ${this.inSize}, got ${x.width}`);
    }
    let h = x;
    this.layers.forEach((l, i) => {
      const w = l.mask ? (mulFast(l.w, l.mask) as tf.Tensor2D) : (l.w as tf.Tensor2D);
      h = jetLinear(h, w, l.b);
      if (i + 1 < this.layers.length) h = jetActivation(h, this.activation);
    });
    return h;
  }

  config(): ModuleConfig {
    return { type: 'StackedMlp', ...this.cfg };
  }

  /** Frees the fixed masks (`disposeModule` calls it after freeing the parameters). */
  disposeConstants(): void {
    for (const l of this.layers) l.mask?.dispose();
  }
}
