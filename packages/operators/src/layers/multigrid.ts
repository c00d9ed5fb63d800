/**
 * MgConv: one multigrid V-cycle whose operators are learned (He, Liu & Xu, ICLR 2024).
 *
 * f [B, H, W, fChannels] -> u [B, H, W, uChannels]. With levels ℓ = 0 … L−1 and n_ℓ smoothing
 * steps on level ℓ (`smoothing[ℓ]`):
 *   level 0:        u₀ = S(f₀)  (the first smoothing step from u = 0), then n₀ − 1 steps
 *   smoothing step: u ← u + S(f − A u)            A: 3×3 u→f, S: 3×3 f→u, own weights per step
 *   restriction:    f_{ℓ+1} = R(f_ℓ − A u_ℓ), u_{ℓ+1} = Π(u_ℓ)   R, Π: 3×3 stride 2; then n_{ℓ+1} steps
 *   prolongation:   u_ℓ ← u_ℓ + Pᵀ(u_{ℓ+1}) for ℓ = L−2 … 0   (ConvTranspose2d to u_ℓ's size)
 * Grids halve as ⌊(n − 1)/2⌋ + 1 (85 → 43 → 22 → 11), and each prolongation returns to the
 * exact size of its level, so odd and even sizes both work. No weight is shared between steps,
 * levels or layers. 'zeros' padding suits Dirichlet problems, 'circular' periodic ones.
 */
import { type NamedVariable, prefixed, type Rng } from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';
import { ConvTranspose2d } from './conv_transpose.ts';
import { Conv2d, type Padding } from './conv2d.ts';
import { checkGrid, checkInt } from './init.ts';

export interface MgConvConfig {
  /** Channels of u (the output). */
  readonly uChannels: number;
  /** Channels of f (the input). */
  readonly fChannels: number;
  /** Smoothing steps per level, finest first, e.g. [1, 1, 1, 2]; its length is the number of levels. */
  readonly smoothing: readonly number[];
  /** Default 'zeros'. */
  readonly padding?: Padding;
}

interface SmoothStep {
  readonly A: Conv2d | null; // null for the first step on level 0 (u = 0)
  readonly S: Conv2d;
}

interface Restriction {
  readonly A: Conv2d;
  readonly R: Conv2d;
  readonly Pi: Conv2d;
}

export class MgConv {
  readonly uChannels: number;
  readonly fChannels: number;
  readonly smoothing: readonly number[];
  readonly padding: Padding;
  private readonly steps: SmoothStep[][];
  private readonly restrictions: Restriction[];
  private readonly prolongations: ConvTranspose2d[];

  constructor(config: MgConvConfig, rng: Rng) {
    const OP = 'MgConv';
    this.uChannels = checkInt(OP, 'uChannels', config.uChannels);
    this.fChannels = checkInt(OP, 'fChannels', config.fChannels);
    if (!Array.isArray(config.smoothing) || config.smoothing.length < 1) {
      throw new Error(
        `${OP}: 'smoothing' must be a non-empty array of step counts per level, got ${JSON.stringify(config.smoothing)}`,
      );
    }
    config.smoothing.forEach((n, l) => checkInt(OP, `smoothing[${l}]`, n, l === 0 ? 1 : 0));
    this.smoothing = [...config.smoothing];
    this.padding = config.padding ?? 'zeros';
    const Cu = this.uChannels;
    const Cf = this.fChannels;
    const conv = (inC: number, outC: number, stride = 1) =>
      new Conv2d({ inChannels: inC, outChannels: outC, stride, padding: this.padding }, rng.split());
    this.steps = this.smoothing.map((n, l) =>
      Array.from({ length: n }, (_, i) => ({
        A: l === 0 && i === 0 ? null : conv(Cu, Cf),
        S: conv(Cf, Cu),
      })),
    );
    this.restrictions = this.smoothing.slice(1).map(() => ({
      A: conv(Cu, Cf),
      R: conv(Cf, Cf, 2),
      Pi: conv(Cu, Cu, 2),
    }));
    this.prolongations = this.smoothing
      .slice(1)
      .map(() => new ConvTranspose2d({ inChannels: Cu, outChannels: Cu }, rng.split()));
  }

  get levels(): number {
    return this.smoothing.length;
  }

  parameters(): NamedVariable[] {
    const out: NamedVariable[] = [];
    this.steps.forEach((level, l) =>
      level.forEach((s, i) => {
        if (s.A) out.push(...prefixed(`levels.${l}.smooth.${i}.A`, s.A.parameters()));
        out.push(...prefixed(`levels.${l}.smooth.${i}.S`, s.S.parameters()));
      }),
    );
    this.restrictions.forEach((r, l) => {
      out.push(...prefixed(`levels.${l}.restrict.A`, r.A.parameters()));
      out.push(...prefixed(`levels.${l}.restrict.R`, r.R.parameters()));
      out.push(...prefixed(`levels.${l}.restrict.Pi`, r.Pi.parameters()));
    });
    this.prolongations.forEach((p, l) => {
      out.push(...prefixed(`levels.${l}.prolong`, p.parameters()));
    });
    return out;
  }

  apply(f: tf.Tensor4D): tf.Tensor4D {
    checkGrid('MgConv', f, this.fChannels);
    return tf.tidy(() => {
      const us: tf.Tensor4D[] = [];
      let fl = f;
      let u: tf.Tensor4D | null = null;
      for (let l = 0; l < this.levels; l++) {
        if (l > 0) {
          const r = this.restrictions[l - 1];
          const prev = u as tf.Tensor4D;
          fl = r.R.apply(tf.sub(fl, r.A.apply(prev)) as tf.Tensor4D);
          u = r.Pi.apply(prev);
        }
        for (const s of this.steps[l]) {
          u =
            s.A === null || u === null
              ? s.S.apply(fl)
              : (tf.add(u, s.S.apply(tf.sub(fl, s.A.apply(u)) as tf.Tensor4D)) as tf.Tensor4D);
        }
        us.push(u as tf.Tensor4D);
      }
      let up = us[this.levels - 1];
      for (let l = this.levels - 2; l >= 0; l--) {
        const [, H, W] = us[l].shape;
        up = tf.add(us[l], this.prolongations[l].apply(up, [H, W])) as tf.Tensor4D;
      }
      return up;
    });
  }
}
