/**
 * PIG — Physics-Informed Gaussians (Kang, Oh, Hong, Park; ICLR 2025): Gaussian features
 * followed by a small MLP,
 *   u(x) = MLP(feat(x)),  feat: [N, d] -> [N, k] (GaussianFeatures), MLP: k -> hidden -> out.
 * A core `Module`, so it goes wherever an MLP goes: `new Pinn(problem, { network: pig })`,
 * `Derivatives`, `Trainer` (Adam, L-BFGS, checkpoints), `saveModel` / `loadModel(dir,
 * PIG_MODULES)`.
 */
import {
  type ActivationName,
  CORE_MODULES,
  type Jet,
  Mlp,
  type Module,
  type ModuleConfig,
  type ModuleRegistry,
  type NamedVariable,
  prefixed,
  type Rng,
} from '@pinnate/core';
import { GaussianFeatures, type GaussianFeaturesConfig } from './gaussian_features.ts';

export interface PigConfig extends GaussianFeaturesConfig {
  /** Outputs (fields), default 1. */
  readonly outSize?: number;
  /** Hidden widths of the MLP after the features (default [16]; [] = a linear read-out). */
  readonly hidden?: readonly number[];
  /** MLP activation (default 'tanh'). */
  readonly activation?: ActivationName;
}

/** The paper's Helmholtz setup: 800 Gaussians, k = 4, σ₀ = 0.1 on [−1, 1]², MLP 4 → 16 → 1 tanh. */
export const PIG_HELMHOLTZ: PigConfig = { inSize: 2, gaussians: 800, channels: 4, sigma: 0.1, hidden: [16] };

export class Pig implements Module {
  readonly inSize: number;
  readonly outSize: number;
  readonly features: GaussianFeatures;
  readonly mlp: Mlp;
  private readonly cfg: PigConfig;

  constructor(config: PigConfig, rng: Rng) {
    const hidden = config.hidden ?? [16];
    if (!Array.isArray(hidden))
      throw new Error(`Pig: 'hidden' must be an array of widths, got ${JSON.stringify(hidden)}`);
    this.features = new GaussianFeatures(config, rng.split());
    const outSize = config.outSize ?? 1;
    this.mlp = new Mlp(
      { sizes: [this.features.outSize, ...hidden, outSize], activation: config.activation ?? 'tanh' },
      rng.split(),
    );
    this.inSize = this.features.inSize;
    this.outSize = this.mlp.outSize;
    this.cfg = {
      ...(this.features.config() as unknown as GaussianFeaturesConfig),
      outSize,
      hidden,
      activation: config.activation ?? 'tanh',
    };
  }

  parameters(): NamedVariable[] {
    return [...prefixed('features', this.features.parameters()), ...prefixed('mlp', this.mlp.parameters())];
  }

  forward(x: Jet): Jet {
    return this.mlp.forward(this.features.forward(x));
  }

  config(): ModuleConfig {
    return { ...this.cfg, type: 'Pig' };
  }
}

/** Core modules plus `GaussianFeatures` and `Pig`, for `buildModule` / `loadModel`. */
export const PIG_MODULES: ModuleRegistry = {
  ...CORE_MODULES,
  GaussianFeatures: (c, rng) => new GaussianFeatures(c as unknown as GaussianFeaturesConfig, rng),
  Pig: (c, rng) => new Pig(c as unknown as PigConfig, rng),
};
