/**
 * Pointwise (1×1) convolution: y[b, i, j, :] = x[b, i, j, :] W + b, as one matMul over all
 * pixels with core's `matMulFast` (explicit-transpose gradient) and a matMul bias gradient.
 * x [B, H, W, inChannels] -> [B, H, W, outChannels], any H, W.
 */
import { addFast, matMulFast, type NamedVariable, type Rng } from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';
import { checkGrid, checkInt, uniformFanIn } from './init.ts';

export interface PointwiseConfig {
  readonly inChannels: number;
  readonly outChannels: number;
  /** Default true. */
  readonly bias?: boolean;
}

export class Pointwise {
  readonly w: tf.Variable; // [in, out]
  readonly b: tf.Variable | null; // [1, out]
  readonly inChannels: number;
  readonly outChannels: number;

  constructor(config: PointwiseConfig, rng: Rng) {
    this.inChannels = checkInt('Pointwise', 'inChannels', config.inChannels);
    this.outChannels = checkInt('Pointwise', 'outChannels', config.outChannels);
    this.w = uniformFanIn([this.inChannels, this.outChannels], this.inChannels, rng);
    this.b = config.bias === false ? null : uniformFanIn([1, this.outChannels], this.inChannels, rng);
  }

  parameters(): NamedVariable[] {
    const p = [{ name: 'w', variable: this.w }];
    if (this.b) p.push({ name: 'b', variable: this.b });
    return p;
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    checkGrid('Pointwise', x, this.inChannels);
    const [B, H, W] = x.shape;
    return tf.tidy(() => {
      const y = matMulFast(tf.reshape(x, [B * H * W, this.inChannels]), this.w as tf.Tensor2D);
      const yb = this.b ? addFast(y, this.b) : y;
      return tf.reshape(yb, [B, H, W, this.outChannels]);
    });
  }
}
