/**
 * Multilayer perceptron: `sizes` = [in, h1, ..., hk, out]; the activation follows every
 * layer except the last (depth = sizes.length - 1 dense layers).
 */
import type { ActivationName } from '../jets/activations.ts';
import { type Jet, jetActivation } from '../jets/jet.ts';
import type { Rng } from '../rng.ts';
import { Dense, type FactorizationConfig } from './dense.ts';
import type { Initializer } from './init.ts';
import { checkPositiveInt, type Module, type ModuleConfig, type NamedVariable, prefixed } from './module.ts';

export interface MlpConfig {
  readonly sizes: readonly number[];
  /** Default 'tanh'. */
  readonly activation?: ActivationName;
  /** Default 'glorotNormal'. */
  readonly init?: Initializer;
  /** Random weight factorization of every layer (off by default). */
  readonly factorization?: FactorizationConfig;
}

export class Mlp implements Module {
  readonly inSize: number;
  readonly outSize: number;
  readonly layers: readonly Dense[];
  readonly activation: ActivationName;
  private readonly cfg: MlpConfig;

  constructor(config: MlpConfig, rng: Rng) {
    if (!Array.isArray(config.sizes) || config.sizes.length < 2) {
      throw new Error(`Mlp: 'sizes' must list at least [in, out], got ${JSON.stringify(config.sizes)}`);
    }
    config.sizes.forEach((s, i) => checkPositiveInt(s, `sizes[${i}]`, 'Mlp'));
    this.cfg = { activation: 'tanh', init: 'glorotNormal', ...config };
    this.activation = this.cfg.activation ?? 'tanh';
    this.inSize = config.sizes[0];
    this.outSize = config.sizes[config.sizes.length - 1];
    const layers: Dense[] = [];
    for (let i = 0; i + 1 < config.sizes.length; i++) {
      layers.push(
        new Dense(
          {
            inSize: config.sizes[i],
            outSize: config.sizes[i + 1],
            init: this.cfg.init,
            factorization: config.factorization,
          },
          rng.split(),
        ),
      );
    }
    this.layers = layers;
  }

  parameters(): NamedVariable[] {
    return this.layers.flatMap((l, i) => prefixed(`layers.${i}`, l.parameters()));
  }

  forward(x: Jet): Jet {
    let h = x;
    this.layers.forEach((layer, i) => {
      h = layer.forward(h);
      if (i + 1 < this.layers.length) h = jetActivation(h, this.activation);
    });
    return h;
  }

  config(): ModuleConfig {
    return { type: 'Mlp', ...this.cfg };
  }
}
