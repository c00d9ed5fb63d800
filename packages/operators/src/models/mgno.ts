/**
 * MgNO (He, Liu & Xu, ICLR 2024): no lifting or projection MLPs; L layers
 *   u ← σ(MgConv_ℓ(u) + Conv1×1_ℓ(u) + b_ℓ),   u₀ = (a − shift) / scale,
 * then one 1×1 conv to the output (times `outputScale`). σ = GELU. The first MgConv reads the
 * input channels as f; the others map `channels` → `channels`. See `layers/multigrid.ts` for the
 * V-cycle.
 */
import { type ModuleConfig, type NamedVariable, prefixed, Rng } from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';
import type { Padding } from '../layers/conv2d.ts';
import { checkGrid, checkInt, gelu } from '../layers/init.ts';
import { MgConv } from '../layers/multigrid.ts';
import { Pointwise } from '../layers/pointwise.ts';
import { checkScaling, type GridOperator, type Scaling } from './operator.ts';

export interface MgnoConfig extends Scaling {
  readonly inChannels?: number;
  readonly outChannels?: number;
  /** Channels of u in every layer (the paper's C_u; 24 for Darcy). */
  readonly channels: number;
  /** Number of MgConv layers L (default 4). */
  readonly layers?: number;
  /** Smoothing steps per level, finest first (default [1, 1, 1, 1]: 4 levels, one step each). */
  readonly smoothing?: readonly number[];
  /** 'zeros' (Dirichlet, default) or 'circular' (periodic). */
  readonly padding?: Padding;
  /** Seed of the initial weights (default 0). */
  readonly seed?: number;
}

/** The paper's Darcy setup scaled to our budget (C_u = 24 is the paper's). */
export const MGNO_DARCY: MgnoConfig = { channels: 24, layers: 4, smoothing: [1, 1, 1, 2] };

export class Mgno implements GridOperator {
  readonly inChannels: number;
  readonly outChannels: number;
  private readonly cfg: MgnoConfig;
  private readonly scaling: Required<Scaling>;
  private readonly mg: MgConv[];
  private readonly skip: Pointwise[];
  private readonly head: Pointwise;

  constructor(config: MgnoConfig) {
    const OP = 'Mgno';
    this.inChannels = checkInt(OP, 'inChannels', config.inChannels ?? 1);
    this.outChannels = checkInt(OP, 'outChannels', config.outChannels ?? 1);
    const C = checkInt(OP, 'channels', config.channels);
    const L = checkInt(OP, 'layers', config.layers ?? 4);
    const smoothing = config.smoothing ?? [1, 1, 1, 1];
    const seed = config.seed ?? 0;
    checkInt(OP, 'seed', seed, 0);
    this.scaling = checkScaling(OP, config);
    this.cfg = {
      ...config,
      inChannels: this.inChannels,
      outChannels: this.outChannels,
      layers: L,
      smoothing,
      seed,
      padding: config.padding ?? 'zeros',
    };
    const rng = new Rng(seed);
    this.mg = [];
    this.skip = [];
    for (let l = 0; l < L; l++) {
      const inC = l === 0 ? this.inChannels : C;
      this.mg.push(
        new MgConv({ uChannels: C, fChannels: inC, smoothing, padding: this.cfg.padding }, rng.split()),
      );
      this.skip.push(new Pointwise({ inChannels: inC, outChannels: C }, rng.split()));
    }
    this.head = new Pointwise({ inChannels: C, outChannels: this.outChannels }, rng.split());
  }

  parameters(): NamedVariable[] {
    const out: NamedVariable[] = [];
    this.mg.forEach((m, l) => {
      out.push(...prefixed(`layers.${l}.mg`, m.parameters()));
      out.push(...prefixed(`layers.${l}.skip`, this.skip[l].parameters()));
    });
    out.push(...prefixed('head', this.head.parameters()));
    return out;
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    checkGrid('Mgno', x, this.inChannels);
    return tf.tidy(() => {
      const { inputShift, inputScale, outputScale } = this.scaling;
      let u = tf.div(tf.sub(x, inputShift), inputScale) as tf.Tensor4D;
      for (let l = 0; l < this.mg.length; l++) {
        u = gelu(tf.add(this.mg[l].apply(u), this.skip[l].apply(u))) as tf.Tensor4D;
      }
      return tf.mul(this.head.apply(u), outputScale) as tf.Tensor4D;
    });
  }

  config(): ModuleConfig {
    return { type: 'Mgno', ...this.cfg, ...this.scaling };
  }

  dispose(): void {
    for (const p of this.parameters()) p.variable.dispose();
  }
}
