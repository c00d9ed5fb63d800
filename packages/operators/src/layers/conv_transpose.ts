/**
 * ConvTranspose2d (prolongation): the adjoint of a k×k, stride-s, pad-⌊k/2⌋ convolution from a
 * fine grid [H, W] to the coarse one, so it maps the coarse grid back to exactly [H, W] for odd
 * and even H, W (11 → 22, 22 → 43, 43 → 85 with k = 3, s = 2). Zero padding (PyTorch's
 * ConvTranspose2d has no other mode, and the MgNO code uses it for periodic problems too).
 * y [B, h, w, inChannels] -> [B, H, W, outChannels].
 */
import type { NamedVariable, Rng } from '@pinnate/core';
import type * as tf from '@tensorflow/tfjs';
import { conv2dTranspose } from '../kernels/conv_ops.ts';
import { checkGrid, checkInt, uniformFanIn } from './init.ts';

export interface ConvTranspose2dConfig {
  readonly inChannels: number;
  readonly outChannels: number;
  /** Default 3. */
  readonly kernelSize?: number;
  /** Default 2. */
  readonly stride?: number;
}

export class ConvTranspose2d {
  readonly w: tf.Variable; // [k, k, out, in]: the filter of the conv this transposes
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number;
  readonly stride: number;

  constructor(config: ConvTranspose2dConfig, rng: Rng) {
    const OP = 'ConvTranspose2d';
    this.inChannels = checkInt(OP, 'inChannels', config.inChannels);
    this.outChannels = checkInt(OP, 'outChannels', config.outChannels);
    this.kernelSize = checkInt(OP, 'kernelSize', config.kernelSize ?? 3);
    this.stride = checkInt(OP, 'stride', config.stride ?? 2);
    const k = this.kernelSize;
    // PyTorch's fan-in for a transposed conv weight [in, out, k, k] is out·k·k.
    this.w = uniformFanIn([k, k, this.outChannels, this.inChannels], this.outChannels * k * k, rng);
  }

  parameters(): NamedVariable[] {
    return [{ name: 'w', variable: this.w }];
  }

  /** Prolongate `y` to the fine grid `outSize` = [H, W]. */
  apply(y: tf.Tensor4D, outSize: readonly [number, number]): tf.Tensor4D {
    checkGrid('ConvTranspose2d', y, this.inChannels);
    const p = Math.floor(this.kernelSize / 2);
    return conv2dTranspose(y, this.w as tf.Tensor4D, outSize, { stride: this.stride, pad: p });
  }
}
