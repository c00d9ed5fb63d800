/**
 * CNN branch for input functions sampled on a grid (Lu et al. 2022 use one for Darcy; the
 * MT-DeepONet Darcy branch is one too). A dense first layer on 64² sensors has 4096·width
 * weights, sees every pixel as unrelated and overfits 1000 training functions; convolutions
 * share weights across the grid and see neighbourhoods.
 *
 * Forward, in order:
 *   1. reshape     u [B, H·W] (row-major [y, x]) -> [B, H, W, 1]
 *   2. convs       per entry of `channels`: k×k conv, stride 2, zero padding, bias, activation
 *                  (64 → 32 → 16 → 8 → 4 with four of them)
 *   3. flatten     [B, h·w·C]
 *   4. head        Mlp [h·w·C, ...hidden, outSize] (activation between layers, none at the end)
 *
 * Convolutions use the operators' conv2d (wasm-trainable filter gradients). Values only: the
 * branch input is never differentiated (DeepONet throws before asking).
 */
import {
  type ActivationName,
  inputJet,
  type Jet,
  JetPlan,
  Mlp,
  type Module,
  type ModuleConfig,
  type NamedVariable,
  prefixed,
  type Rng,
} from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';
import { addChannelBias, conv2dFilterGrad } from '../kernels/conv_ops.ts';
import { convOutSize } from '../kernels/im2col.ts';
import { Conv2d } from '../layers/conv2d.ts';
import { gelu } from '../layers/init.ts';
import { checkInt } from './checks.ts';

export interface ConvBranchConfig {
  /** Grid [H, W] of the sensors; H·W = inSize. */
  readonly grid: readonly [number, number];
  /** Output width (latent·outputs). */
  readonly outSize: number;
  /** Channels of each stride-2 conv (default [16, 32, 64, 64]). */
  readonly channels?: readonly number[];
  /** Kernel size of every conv (default 3). */
  readonly kernelSize?: number;
  /** Hidden widths of the head after flattening (default [256]). */
  readonly hidden?: readonly number[];
  /** 'gelu' (default), 'tanh' or 'relu'-like choices of core's activations for the head; the convs use the same. */
  readonly activation?: ActivationName;
}

const OP = 'ConvBranch';

/** Elementwise activation on plain tensors (the conv part has no jets). */
function activate(x: tf.Tensor, name: ActivationName): tf.Tensor {
  switch (name) {
    case 'gelu':
      return gelu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'swish':
    case 'silu':
      return tf.mul(x, tf.sigmoid(x));
    case 'softplus':
      return tf.softplus(x);
    case 'identity':
      return x;
    case 'sin':
    case 'cos':
    case 'exp':
    case 'gaussian':
    case 'square':
      throw new Error(
        `${OP}: 'activation' ${name} is not offered for convolutions; use gelu, tanh, sigmoid, swish, silu, softplus or identity`,
      );
    default: {
      const never: never = name;
      throw new Error(`${OP}: unknown 'activation' ${String(never)}`);
    }
  }
}

export class ConvBranch implements Module {
  readonly inSize: number;
  readonly outSize: number;
  readonly convs: readonly Conv2d[];
  readonly head: Mlp;
  private readonly sizes: readonly (readonly [number, number])[];
  private readonly cfg: ConvBranchConfig;
  private readonly act: ActivationName;

  constructor(config: ConvBranchConfig, rng: Rng) {
    if (!Array.isArray(config.grid) || config.grid.length !== 2) {
      throw new Error(`${OP}: 'grid' must be [H, W], got ${JSON.stringify(config.grid)}`);
    }
    const H = checkInt(config.grid[0], 'grid[0]', OP);
    const W = checkInt(config.grid[1], 'grid[1]', OP);
    this.outSize = checkInt(config.outSize, 'outSize', OP);
    this.cfg = { channels: [16, 32, 64, 64], kernelSize: 3, hidden: [256], activation: 'gelu', ...config };
    const channels = this.cfg.channels as readonly number[];
    const k = checkInt(this.cfg.kernelSize, 'kernelSize', OP);
    if (k % 2 !== 1) throw new Error(`${OP}: 'kernelSize' must be odd, got ${k}`);
    channels.forEach((c, i) => checkInt(c, `channels[${i}]`, OP));
    this.act = this.cfg.activation as ActivationName;
    activate(tf.scalar(0), this.act).dispose(); // validates the name now, not at the first step
    this.inSize = H * W;
    const sizes: [number, number][] = [[H, W]];
    const convs: Conv2d[] = [];
    let cin = 1;
    for (const [i, c] of channels.entries()) {
      const [h, w] = sizes[i];
      const p = Math.floor(k / 2);
      const ho = convOutSize(h, k, 2, p, p);
      const wo = convOutSize(w, k, 2, p, p);
      if (h < 2 || w < 2) {
        throw new Error(
          `${OP}: 'channels' has ${channels.length} stride-2 convs; the ${H}×${W} grid is down to ${h}×${w} after ${i}`,
        );
      }
      sizes.push([ho, wo]);
      convs.push(
        new Conv2d(
          { inChannels: cin, outChannels: c, kernelSize: k, stride: 2, padding: 'zeros', bias: true },
          rng.split(),
        ),
      );
      cin = c;
    }
    this.convs = convs;
    this.sizes = sizes;
    const [hl, wl] = sizes[sizes.length - 1];
    this.head = new Mlp(
      { sizes: [hl * wl * cin, ...(this.cfg.hidden as number[]), this.outSize], activation: this.act },
      rng.split(),
    );
  }

  parameters(): NamedVariable[] {
    return [
      ...this.convs.flatMap((c, i) => prefixed(`convs.${i}`, c.parameters())),
      ...prefixed('head', this.head.parameters()),
    ];
  }

  config(): ModuleConfig {
    return { type: 'ConvBranch', ...this.cfg };
  }

  /**
   * The first conv as a function of its filter only: the input is data, and its gradient (a
   * full-size conv of the dilated dy, ~40% of this layer's cost on wasm) would be thrown away.
   */
  private firstConv(x: tf.Tensor4D): tf.Tensor4D {
    const conv = this.convs[0];
    const k = conv.kernelSize;
    const p = Math.floor(k / 2);
    const g = { kh: k, kw: k, stride: 2, pad: [p, p, p, p] as const };
    const pad: [[number, number], [number, number], [number, number], [number, number]] = [
      [0, 0],
      [p, p],
      [p, p],
      [0, 0],
    ];
    const f = tf.customGrad(((w: tf.Tensor4D, save: tf.GradSaveFunc) => {
      // x is not an input of this function: save it, or the tape's tidy frees it before backprop.
      save([x]);
      return {
        value: tf.conv2d(x, w, 2, pad),
        gradFunc: (dy: tf.Tensor4D, [xs]: tf.Tensor[]) => [conv2dFilterGrad(xs as tf.Tensor4D, dy, g)],
      };
    }) as never) as unknown as (w: tf.Tensor4D) => tf.Tensor4D;
    const y = f(conv.w as tf.Tensor4D); // [B, H/2, W/2, C]
    return conv.b ? addChannelBias(y, conv.b as tf.Tensor1D) : y;
  }

  forward(x: Jet): Jet {
    if (x.width !== this.inSize) {
      throw new Error(
        `${OP}: input must be [B, ${this.inSize}] (grid ${this.cfg.grid.join('×')}), got width ${x.width}`,
      );
    }
    if (x.plan.streams.length > 1) {
      throw new Error(`${OP}: derivatives with respect to the branch input are not supported`);
    }
    const [H, W] = this.sizes[0];
    const x4 = tf.reshape(x.value, [x.batch, H, W, 1]) as tf.Tensor4D; // [B, H, W, 1]
    let h = activate(this.firstConv(x4), this.act) as tf.Tensor4D;
    for (const conv of this.convs.slice(1)) h = activate(conv.apply(h), this.act) as tf.Tensor4D;
    const flat = tf.reshape(h, [x.batch, h.size / x.batch]) as tf.Tensor2D; // [B, h·w·C]
    return this.head.forward(inputJet(flat, JetPlan.VALUE));
  }
}
