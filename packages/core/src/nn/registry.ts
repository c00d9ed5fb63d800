/**
 * Rebuilding modules from their saved configs. The registry is a plain value passed to
 * `buildModule` / `loadModel`: other packages extend it by spreading `CORE_MODULES`.
 */
import { Rng } from '../rng.ts';
import { Dense, type DenseConfig } from './dense.ts';
import {
  FourierFeatures,
  type FourierFeaturesConfig,
  PeriodicEmbedding,
  type PeriodicEmbeddingConfig,
} from './embeddings.ts';
import { Mlp, type MlpConfig } from './mlp.ts';
import { ModifiedMlp, type ModifiedMlpConfig } from './modified_mlp.ts';
import type { Module, ModuleConfig } from './module.ts';
import { Sequential } from './sequential.ts';

export type ModuleFactory = (config: ModuleConfig, rng: Rng, registry: ModuleRegistry) => Module;
export type ModuleRegistry = Readonly<Record<string, ModuleFactory>>;

export const CORE_MODULES: ModuleRegistry = {
  Dense: (c, rng) => new Dense(c as unknown as DenseConfig, rng),
  Mlp: (c, rng) => new Mlp(c as unknown as MlpConfig, rng),
  ModifiedMlp: (c, rng) => new ModifiedMlp(c as unknown as ModifiedMlpConfig, rng),
  FourierFeatures: (c, rng) => new FourierFeatures(c as unknown as FourierFeaturesConfig, rng),
  PeriodicEmbedding: (c) => new PeriodicEmbedding(c as unknown as PeriodicEmbeddingConfig),
  Sequential: (c, rng, registry) =>
    new Sequential((c.modules as ModuleConfig[]).map((m) => buildModule(m, rng.split(), registry))),
};

/** Build a module from its config. Weights are freshly initialized from `rng` (load them after). */
export function buildModule(
  config: ModuleConfig,
  rng: Rng = new Rng(0),
  registry: ModuleRegistry = CORE_MODULES,
): Module {
  const factory = registry[config?.type];
  if (!factory) {
    throw new Error(
      `buildModule: unknown module type '${config?.type}'; known types are ${Object.keys(registry).join(', ')}`,
    );
  }
  return factory(config, rng, registry);
}
