/**
 * FNO-2D (Li et al., ICLR 2021), the Darcy architecture: forward follows
 *   scale input → append (x, y) coordinates → lift (1×1 to `width`) → pad `domainPadding`
 *   → L Fourier layers u ← σ(K(u) + W u + b) (no σ after the last) → unpad
 *   → project (1×1 to `projection`, σ, 1×1 to the output) → scale output,
 * with K the truncated-DFT SpectralConv2d and σ = GELU. Coordinates are on [0, 1]², so one model
 * evaluates at any resolution.
 */
import { type ModuleConfig, type NamedVariable, prefixed, Rng } from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';
import { checkGrid, checkInt, gelu } from '../layers/init.ts';
import { Pointwise } from '../layers/pointwise.ts';
import { SpectralConv2d } from '../layers/spectral_conv.ts';
import { checkScaling, type GridOperator, type Scaling } from './operator.ts';

export interface FnoConfig extends Scaling {
  readonly inChannels?: number;
  readonly outChannels?: number;
  /** Hidden channels (FNO paper: 32). */
  readonly width: number;
  /** Modes kept per direction (FNO paper: 12). */
  readonly modes: number;
  /** Fourier layers (default 4). */
  readonly layers?: number;
  /** Channels of the projection's hidden layer (default 128). */
  readonly projection?: number;
  /** Zero padding added at the far edges of a non-periodic domain (FNO Darcy: 9 at 85²; default 0). */
  readonly domainPadding?: number;
  readonly seed?: number;
}

/** The FNO paper's Darcy setup: width 32, 12 modes, 4 layers. */
export const FNO_DARCY: FnoConfig = { width: 32, modes: 12, layers: 4 };

export class Fno implements GridOperator {
  readonly inChannels: number;
  readonly outChannels: number;
  private readonly cfg: FnoConfig;
  private readonly scaling: Required<Scaling>;
  private readonly lift: Pointwise;
  private readonly spectral: SpectralConv2d[];
  private readonly skip: Pointwise[];
  private readonly proj1: Pointwise;
  private readonly proj2: Pointwise;

  constructor(config: FnoConfig) {
    const OP = 'Fno';
    this.inChannels = checkInt(OP, 'inChannels', config.inChannels ?? 1);
    this.outChannels = checkInt(OP, 'outChannels', config.outChannels ?? 1);
    const width = checkInt(OP, 'width', config.width);
    const modes = checkInt(OP, 'modes', config.modes);
    const L = checkInt(OP, 'layers', config.layers ?? 4);
    const P = checkInt(OP, 'projection', config.projection ?? 128);
    const pad = checkInt(OP, 'domainPadding', config.domainPadding ?? 0, 0);
    const seed = checkInt(OP, 'seed', config.seed ?? 0, 0);
    this.scaling = checkScaling(OP, config);
    this.cfg = {
      ...config,
      inChannels: this.inChannels,
      outChannels: this.outChannels,
      layers: L,
      projection: P,
      domainPadding: pad,
      seed,
    };
    const rng = new Rng(seed);
    this.lift = new Pointwise({ inChannels: this.inChannels + 2, outChannels: width }, rng.split());
    this.spectral = [];
    this.skip = [];
    for (let l = 0; l < L; l++) {
      this.spectral.push(
        new SpectralConv2d(
          { inChannels: width, outChannels: width, modes1: modes, modes2: modes },
          rng.split(),
        ),
      );
      this.skip.push(new Pointwise({ inChannels: width, outChannels: width }, rng.split()));
    }
    this.proj1 = new Pointwise({ inChannels: width, outChannels: P }, rng.split());
    this.proj2 = new Pointwise({ inChannels: P, outChannels: this.outChannels }, rng.split());
  }

  parameters(): NamedVariable[] {
    const out: NamedVariable[] = [...prefixed('lift', this.lift.parameters())];
    this.spectral.forEach((s, l) => {
      out.push(...prefixed(`layers.${l}.spectral`, s.parameters()));
      out.push(...prefixed(`layers.${l}.skip`, this.skip[l].parameters()));
    });
    out.push(
      ...prefixed('project.0', this.proj1.parameters()),
      ...prefixed('project.1', this.proj2.parameters()),
    );
    return out;
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    checkGrid('Fno', x, this.inChannels);
    const [B, H, W] = x.shape;
    const pad = this.cfg.domainPadding ?? 0;
    return tf.tidy(() => {
      const { inputShift, inputScale, outputScale } = this.scaling;
      const a = tf.div(tf.sub(x, inputShift), inputScale);
      const gy = tf.linspace(0, 1, H).reshape([1, H, 1, 1]).tile([B, 1, W, 1]);
      const gx = tf.linspace(0, 1, W).reshape([1, 1, W, 1]).tile([B, H, 1, 1]);
      let u = this.lift.apply(tf.concat([a, gx, gy], 3) as tf.Tensor4D);
      if (pad > 0)
        u = tf.pad(u, [
          [0, 0],
          [0, pad],
          [0, pad],
          [0, 0],
        ]);
      const L = this.spectral.length;
      for (let l = 0; l < L; l++) {
        const v = tf.add(this.spectral[l].apply(u), this.skip[l].apply(u)) as tf.Tensor4D;
        u = l < L - 1 ? (gelu(v) as tf.Tensor4D) : v;
      }
      if (pad > 0) u = tf.slice(u, [0, 0, 0, 0], [B, H, W, u.shape[3]]);
      const y = this.proj2.apply(gelu(this.proj1.apply(u)) as tf.Tensor4D);
      return tf.mul(y, outputScale) as tf.Tensor4D;
    });
  }

  config(): ModuleConfig {
    return { type: 'Fno', ...this.cfg, ...this.scaling };
  }

  dispose(): void {
    for (const p of this.parameters()) p.variable.dispose();
    for (const s of this.spectral) s.dispose();
  }
}
