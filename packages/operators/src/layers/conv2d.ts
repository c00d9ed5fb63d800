/**
 * Conv2d: a k×k convolution with zero ('zeros', Dirichlet) or periodic ('circular') padding.
 * x [B, H, W, inChannels] -> [B, Ho, Wo, outChannels], Ho = ⌊(H + 2p − k) / stride⌋ + 1 with
 * p = ⌊k/2⌋ (so stride 1 keeps the size and a 3×3 stride-2 conv maps 85 → 43 → 22 → 11).
 */
import type { NamedVariable, Rng } from '@pinnate/core';
import type * as tf from '@tensorflow/tfjs';
import { addChannelBias, conv2d, padCircular } from '../kernels/conv_ops.ts';
import { checkGrid, checkInt, uniformFanIn } from './init.ts';

export type Padding = 'zeros' | 'circular';

export interface Conv2dConfig {
  readonly inChannels: number;
  readonly outChannels: number;
  /** Default 3. */
  readonly kernelSize?: number;
  /** Default 1. */
  readonly stride?: number;
  /** Default 'zeros'. */
  readonly padding?: Padding;
  /** Default false (the MgNO convolutions have none). */
  readonly bias?: boolean;
}

export class Conv2d {
  readonly w: tf.Variable; // [k, k, in, out]
  readonly b: tf.Variable | null; // [out]
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: Padding;

  constructor(config: Conv2dConfig, rng: Rng) {
    const OP = 'Conv2d';
    this.inChannels = checkInt(OP, 'inChannels', config.inChannels);
    this.outChannels = checkInt(OP, 'outChannels', config.outChannels);
    this.kernelSize = checkInt(OP, 'kernelSize', config.kernelSize ?? 3);
    this.stride = checkInt(OP, 'stride', config.stride ?? 1);
    this.padding = config.padding ?? 'zeros';
    switch (this.padding) {
      case 'zeros':
      case 'circular':
        break;
      default: {
        const never: never = this.padding;
        throw new Error(`${OP}: 'padding' must be 'zeros' or 'circular', got ${JSON.stringify(never)}`);
      }
    }
    const k = this.kernelSize;
    const fanIn = this.inChannels * k * k;
    this.w = uniformFanIn([k, k, this.inChannels, this.outChannels], fanIn, rng);
    this.b = config.bias ? uniformFanIn([this.outChannels], fanIn, rng) : null;
  }

  parameters(): NamedVariable[] {
    return this.b
      ? [
          { name: 'w', variable: this.w },
          { name: 'b', variable: this.b },
        ]
      : [{ name: 'w', variable: this.w }];
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    checkGrid('Conv2d', x, this.inChannels);
    const p = Math.floor(this.kernelSize / 2);
    const w = this.w as tf.Tensor4D;
    const y =
      this.padding === 'zeros'
        ? conv2d(x, w, { stride: this.stride, pad: p })
        : conv2d(padCircular(x, [p, p, p, p]), w, { stride: this.stride, pad: 0 });
    return this.b ? addChannelBias(y, this.b as tf.Tensor1D) : y;
  }
}
