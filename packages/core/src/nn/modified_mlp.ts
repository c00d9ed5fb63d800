/**
 * Modified MLP of Wang, Teng & Perdikaris (2021), "Understanding and mitigating gradient
 * pathologies in physics-informed neural networks": two encoders U, V of the input gate
 * every hidden layer,
 *   U = σ(x Wu + bu), V = σ(x Wv + bv), H₁ = σ(x W₁ + b₁),
 *   Z_k = σ(H_k W_k + b_k), H_{k+1} = (1 − Z_k) ⊙ U + Z_k ⊙ V = U + Z_k ⊙ (V − U),
 *   y = H_{L+1} W + b.
 */
import type { ActivationName } from '../jets/activations.ts';
import { type Jet, jetActivation, jetAdd, jetMul, jetSub } from '../jets/jet.ts';
import type { Rng } from '../rng.ts';
import { Dense, type FactorizationConfig } from './dense.ts';
import type { Initializer } from './init.ts';
import { checkPositiveInt, type Module, type ModuleConfig, type NamedVariable, prefixed } from './module.ts';

export interface ModifiedMlpConfig {
  readonly inSize: number;
  readonly hidden: number;
  /** Number of gated hidden layers L (≥ 1). */
  readonly depth: number;
  readonly outSize: number;
  /** Default 'tanh'. */
  readonly activation?: ActivationName;
  readonly init?: Initializer;
  readonly factorization?: FactorizationConfig;
}

export class ModifiedMlp implements Module {
  readonly inSize: number;
  readonly outSize: number;
  private readonly u: Dense;
  private readonly v: Dense;
  private readonly first: Dense;
  private readonly gates: Dense[];
  private readonly last: Dense;
  private readonly activation: ActivationName;
  private readonly cfg: ModifiedMlpConfig;

  constructor(config: ModifiedMlpConfig, rng: Rng) {
    this.inSize = checkPositiveInt(config.inSize, 'inSize', 'ModifiedMlp');
    this.outSize = checkPositiveInt(config.outSize, 'outSize', 'ModifiedMlp');
    const h = checkPositiveInt(config.hidden, 'hidden', 'ModifiedMlp');
    const depth = checkPositiveInt(config.depth, 'depth', 'ModifiedMlp');
    this.cfg = { activation: 'tanh', init: 'glorotNormal', ...config };
    this.activation = this.cfg.activation ?? 'tanh';
    const dense = (inSize: number, outSize: number) =>
      new Dense({ inSize, outSize, init: this.cfg.init, factorization: config.factorization }, rng.split());
    this.u = dense(this.inSize, h);
    this.v = dense(this.inSize, h);
    this.first = dense(this.inSize, h);
    this.gates = Array.from({ length: depth }, () => dense(h, h));
    this.last = dense(h, this.outSize);
  }

  parameters(): NamedVariable[] {
    return [
      ...prefixed('u', this.u.parameters()),
      ...prefixed('v', this.v.parameters()),
      ...prefixed('first', this.first.parameters()),
      ...this.gates.flatMap((g, i) => prefixed(`gates.${i}`, g.parameters())),
      ...prefixed('last', this.last.parameters()),
    ];
  }

  forward(x: Jet): Jet {
    const act = (j: Jet) => jetActivation(j, this.activation);
    const u = act(this.u.forward(x));
    const vMinusU = jetSub(act(this.v.forward(x)), u);
    let h = act(this.first.forward(x));
    for (const gate of this.gates) {
      const z = act(gate.forward(h));
      h = jetAdd(u, jetMul(z, vMinusU));
    }
    return this.last.forward(h);
  }

  config(): ModuleConfig {
    return { type: 'ModifiedMlp', ...this.cfg };
  }
}
