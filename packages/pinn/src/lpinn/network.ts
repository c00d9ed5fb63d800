/**
 * Networks on the periodic embedding (cos x, sin x, t): exact 2π-periodicity in x for the
 * Lagrangian two-branch model and for the same-size Eulerian baseline.
 */

import {
  type ActivationName,
  type Jet,
  jetConcat,
  Mlp,
  type Module,
  type ModuleConfig,
  type NamedVariable,
  PeriodicEmbedding,
  prefixed,
  type Rng,
  Sequential,
} from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';

/** Width 50 as in the paper; depth 4 for the state, 2 for the characteristics. */
export const DEFAULT_HIDDEN: readonly number[] = [50, 50, 50, 50];
export const DEFAULT_HIDDEN_X: readonly number[] = [50, 50];

export interface LpinnNetworkConfig {
  /** Spatial period (default 2π). */
  readonly period?: number;
  /** Hidden widths of the state branch u(x0, t) (default [50, 50, 50, 50]). */
  readonly hidden?: readonly number[];
  /** Hidden widths of the characteristic branch N(x0, t) (default [50, 50]). */
  readonly hiddenX?: readonly number[];
  /** Default 'tanh'. */
  readonly activation?: ActivationName;
  /**
   * Zero the characteristic branch's output layer, so N = 0 and X = x0 at initialisation
   * (default false). With diffusion the state residual divides by X_x0³, and a random start
   * can put X_x0 near 0 somewhere on the grid.
   */
  readonly identityInit?: boolean;
}

/**
 * Two separate branches on one shared embedding of the inputs (x0, t) [N, 2]:
 * output column 0 is the characteristic branch N (with X = x0 + s·t·N applied by the
 * solver), column 1 the state u. Unlike the official code, the branches share no layers.
 */
export class LpinnNetwork implements Module {
  readonly inSize = 2;
  readonly outSize = 2;
  readonly embedding: PeriodicEmbedding;
  readonly xBranch: Mlp;
  readonly uBranch: Mlp;
  private readonly cfg: LpinnNetworkConfig;

  constructor(config: LpinnNetworkConfig, rng: Rng) {
    const period = config.period ?? 2 * Math.PI;
    // Explicit `?? default` per field: a spread would let `hidden: undefined` erase the default.
    const hidden = config.hidden ?? DEFAULT_HIDDEN;
    const hiddenX = config.hiddenX ?? DEFAULT_HIDDEN_X;
    const activation = config.activation ?? 'tanh';
    const identityInit = config.identityInit ?? false;
    this.cfg = { period, hidden, hiddenX, activation, identityInit };
    this.embedding = new PeriodicEmbedding({ periods: [period, null] });
    const e = this.embedding.outSize;
    this.xBranch = new Mlp({ sizes: [e, ...hiddenX, 1], activation }, rng.split());
    this.uBranch = new Mlp({ sizes: [e, ...hidden, 1], activation }, rng.split());
    if (identityInit) {
      const last = this.xBranch.layers[this.xBranch.layers.length - 1];
      tf.tidy(() => last.w.assign(tf.zerosLike(last.w)));
    }
  }

  /** Both branch jets from one embedding pass: each [N, 1] per stream. */
  branches(x: Jet): { n: Jet; u: Jet } {
    const e = this.embedding.forward(x);
    return { n: this.xBranch.forward(e), u: this.uBranch.forward(e) };
  }

  parameters(): NamedVariable[] {
    return [...prefixed('x', this.xBranch.parameters()), ...prefixed('u', this.uBranch.parameters())];
  }

  forward(x: Jet): Jet {
    const { n, u } = this.branches(x);
    return jetConcat([n, u]);
  }

  config(): ModuleConfig {
    return { type: 'LpinnNetwork', ...this.cfg };
  }
}

/** The Eulerian baseline's network: embedding (cos x, sin x, t) → MLP → u, inputs (x, t). */
export function periodicMlp(
  config: { period?: number; hidden?: readonly number[]; activation?: ActivationName },
  rng: Rng,
): Sequential {
  const embedding = new PeriodicEmbedding({ periods: [config.period ?? 2 * Math.PI, null] });
  const mlp = new Mlp(
    {
      sizes: [embedding.outSize, ...(config.hidden ?? DEFAULT_HIDDEN), 1],
      activation: config.activation ?? 'tanh',
    },
    rng.split(),
  );
  return new Sequential([embedding, mlp]);
}
