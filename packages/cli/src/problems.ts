/**
 * Problems the CLI can train with @pinnate/core alone, each with a closed-form solution so
 * every run reports its error:
 *
 *   ode        u' = −λu, u(0) = u0 on t ∈ [0, T]                      u = u0·e^(−λt)
 *   poisson1d  −u'' = (kπ)² sin(kπx), u(0) = u(1) = 0 on x ∈ [0, 1]     u = sin(kπx)
 *   heat1d     u_t = ν u_xx on [0, 1] × [0, T], u(x, 0) = sin(πx),
 *              u(0, t) = u(1, t) = 0                                   u = e^(−νπ²t) sin(πx)
 *
 * Interior points are redrawn every step from the trainer's RNG, so a resumed run draws the
 * same points as an uninterrupted one.
 */

import { apply, Derivatives, type LossFunction, type Module, Rng } from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';
import type { ProblemConfig } from './config.ts';

export interface Problem {
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  lossFunction(model: Module): LossFunction;
  /** Coordinate axes of the evaluation grid (one or two). */
  grid(points: number): { readonly axes: { readonly name: string; readonly values: Float64Array }[] };
  /** Exact solution at row-major points [n, inputs.length]. */
  exact(points: Float32Array): Float64Array;
  /** One draw of the training points per kind, [n, inputs.length], for the report. */
  samplePoints(seed: number): Record<string, Float32Array>;
}

const linspace = (lo: number, hi: number, n: number) =>
  Float64Array.from({ length: n }, (_, i) => (n === 1 ? lo : lo + ((hi - lo) * i) / (n - 1)));

const mse = (r: tf.Tensor) => tf.mean(tf.square(r)) as tf.Scalar;

function uniformColumn(rng: Rng, n: number, lo: number, hi: number): Float32Array {
  return rng.fillUniform(new Float32Array(n), lo, hi);
}

function ode(c: Extract<ProblemConfig, { type: 'ode' }>): Problem {
  const d = new Derivatives({ inputs: ['t'], outputs: ['u'], requests: ['u', 'u_t'] });
  const draw = (rng: Rng) => uniformColumn(rng, c.points.interior, 0, c.T);
  return {
    inputs: ['t'],
    outputs: ['u'],
    lossFunction(model) {
      const origin = tf.keep(tf.zeros([1, 1]) as tf.Tensor2D);
      return ({ rng }) => {
        const t = tf.tensor2d(draw(rng), [c.points.interior, 1]);
        const { u, u_t } = d.evaluate(model, t);
        return {
          residual: mse(tf.add(u_t, tf.mul(c.lambda, u))),
          initial: mse(tf.sub(apply(model, origin), c.u0)),
        };
      };
    },
    grid: (n) => ({ axes: [{ name: 't', values: linspace(0, c.T, n) }] }),
    exact: (p) => Float64Array.from(p, (t) => c.u0 * Math.exp(-c.lambda * t)),
    samplePoints: (seed) => ({ interior: draw(new Rng(seed)), initial: new Float32Array([0]) }),
  };
}

function poisson1d(c: Extract<ProblemConfig, { type: 'poisson1d' }>): Problem {
  const d = new Derivatives({ inputs: ['x'], outputs: ['u'], requests: ['u_xx'] });
  const kpi = c.k * Math.PI;
  const draw = (rng: Rng) => uniformColumn(rng, c.points.interior, 0, 1);
  return {
    inputs: ['x'],
    outputs: ['u'],
    lossFunction(model) {
      const ends = tf.keep(tf.tensor2d([0, 1], [2, 1]));
      return ({ rng }) => {
        const x = tf.tensor2d(draw(rng), [c.points.interior, 1]);
        const { u_xx } = d.evaluate(model, x);
        const f = tf.mul(kpi * kpi, tf.sin(tf.mul(kpi, x)));
        return { residual: mse(tf.add(u_xx, f)), boundary: mse(apply(model, ends)) };
      };
    },
    grid: (n) => ({ axes: [{ name: 'x', values: linspace(0, 1, n) }] }),
    exact: (p) => Float64Array.from(p, (x) => Math.sin(kpi * x)),
    samplePoints: (seed) => ({ interior: draw(new Rng(seed)), boundary: new Float32Array([0, 1]) }),
  };
}

function heat1d(c: Extract<ProblemConfig, { type: 'heat1d' }>): Problem {
  const d = new Derivatives({ inputs: ['x', 't'], outputs: ['u'], requests: ['u_t', 'u_xx'] });
  const { interior, boundary, initial } = c.points;
  /** Row-major [n, 2] (x, t) points of each kind. */
  const draw = (rng: Rng) => {
    const pts = (n: number, x: (i: number) => number, t: (i: number) => number) => {
      const out = new Float32Array(2 * n);
      for (let i = 0; i < n; i++) {
        out[2 * i] = x(i);
        out[2 * i + 1] = t(i);
      }
      return out;
    };
    return {
      interior: pts(
        interior,
        () => rng.uniform(),
        () => rng.uniformIn(0, c.T),
      ),
      initial: pts(
        initial,
        () => rng.uniform(),
        () => 0,
      ),
      boundary: pts(
        boundary,
        (i) => i % 2,
        () => rng.uniformIn(0, c.T),
      ),
    };
  };
  return {
    inputs: ['x', 't'],
    outputs: ['u'],
    lossFunction(model) {
      return ({ rng }) => {
        const p = draw(rng);
        const xi = tf.tensor2d(p.interior, [interior, 2]);
        const { u_t, u_xx } = d.evaluate(model, xi);
        const x0 = tf.tensor2d(p.initial, [initial, 2]);
        const u0 = tf.sin(tf.mul(Math.PI, tf.slice(x0, [0, 0], [initial, 1])));
        return {
          residual: mse(tf.sub(u_t, tf.mul(c.nu, u_xx))),
          initial: mse(tf.sub(apply(model, x0), u0)),
          boundary: mse(apply(model, tf.tensor2d(p.boundary, [boundary, 2]))),
        };
      };
    },
    grid: (n) => ({
      axes: [
        { name: 'x', values: linspace(0, 1, n) },
        { name: 't', values: linspace(0, c.T, n) },
      ],
    }),
    exact: (p) =>
      Float64Array.from(
        { length: p.length / 2 },
        (_, i) => Math.exp(-c.nu * Math.PI * Math.PI * p[2 * i + 1]) * Math.sin(Math.PI * p[2 * i]),
      ),
    samplePoints: (seed) => draw(new Rng(seed)),
  };
}

export function makeProblem(config: ProblemConfig): Problem {
  switch (config.type) {
    case 'ode':
      return ode(config);
    case 'poisson1d':
      return poisson1d(config);
    case 'heat1d':
      return heat1d(config);
    default: {
      const never: never = config;
      throw new Error(
        `makeProblem: unknown problem type ${JSON.stringify((never as { type: string }).type)}`,
      );
    }
  }
}

/** Row-major grid points [Π n_k, dims] with the last axis fastest (meshgrid 'ij'). */
export function gridPoints(axes: readonly { readonly values: Float64Array }[]): Float32Array {
  const sizes = axes.map((a) => a.values.length);
  const n = sizes.reduce((a, b) => a * b, 1);
  const dims = axes.length;
  const out = new Float32Array(n * dims);
  for (let k = 0; k < n; k++) {
    let rest = k;
    for (let dIdx = dims - 1; dIdx >= 0; dIdx--) {
      out[k * dims + dIdx] = axes[dIdx].values[rest % sizes[dIdx]];
      rest = Math.floor(rest / sizes[dIdx]);
    }
  }
  return out;
}
