/**
 * Problems the CLI can train with @pinnate/core alone, each with a closed-form solution so
 * every run reports its error:
 *
 *   ode        u' = −λu, u(0) = u0 on t ∈ [0, T]                      u = u0·e^(−λt)
 *   poisson1d  −u'' = (kπ)² sin(kπx), u(0) = u(1) = 0 on x ∈ [0, 1]     u = sin(kπx)
 *   heat1d     u_t = ν u_xx on [0, 1] × [0, T], u(x, 0) = sin(πx),
 *              u(0, t) = u(1, t) = 0                                   u = e^(−νπ²t) sin(πx)
 *   burgers    u_t + u u_x = ν u_xx on [−1, 1] × [0, 1], u(x, 0) = −sin(πx), u(±1, t) = 0
 *              (Raissi et al.), a PINN from @pinnate/pinn with the Burgers demo's recipe
 *              (hard constraints, Sobol points, RAD); reference: Cole–Hopf (@pinnate/operators)
 *
 * Interior points are redrawn every step from the trainer's RNG, so a resumed run draws the
 * same points as an uninterrupted one.
 */

import {
  apply,
  Derivatives,
  type LossFunction,
  Mlp,
  type Module,
  Rng,
  Trainer,
  type TrainerConfig,
} from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';
import type { ProblemConfig, RunConfig } from './config.ts';

export interface Axis {
  readonly name: string;
  readonly values: Float64Array;
}

/** A problem with its model, ready to train. */
export interface Problem {
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly model: Module;
  trainer(config: TrainerConfig): Trainer;
  /** Continue from the latest checkpoint in `dir`. */
  resumeTrainer(dir: string, config: TrainerConfig): Promise<Trainer>;
  /** Coordinate axes of the evaluation grid (one or two). */
  grid(points: number): { readonly axes: Axis[] };
  /** Reference solution on the grid of `axes`, row-major [len(a0), len(a1)]. */
  reference(axes: readonly Axis[]): Float64Array;
  /** The training points per kind, [n, inputs.length], for the report. */
  samplePoints(seed: number): Record<string, Float32Array>;
}

/** What each closed-form problem defines; `fromSpec` adds the MLP and the trainer. */
interface ClosedForm {
  readonly inputs: readonly string[];
  lossFunction(model: Module): LossFunction;
  grid(points: number): { readonly axes: Axis[] };
  exact(points: Float32Array): Float64Array;
  samplePoints(seed: number): Record<string, Float32Array>;
}

function fromSpec(spec: ClosedForm, run: RunConfig): Problem {
  const model = new Mlp(
    {
      sizes: [spec.inputs.length, ...run.model.hidden, 1],
      activation: run.model.activation as Mlp['activation'],
    },
    new Rng(run.training.seed),
  );
  const loss = spec.lossFunction(model);
  return {
    inputs: spec.inputs,
    outputs: ['u'],
    model,
    trainer: (config) => new Trainer(model, loss, config),
    resumeTrainer: (dir, config) => Trainer.resume(dir, model, loss, config),
    grid: spec.grid,
    reference: (axes) => spec.exact(gridPoints(axes)),
    samplePoints: spec.samplePoints,
  };
}

const linspace = (lo: number, hi: number, n: number) =>
  Float64Array.from({ length: n }, (_, i) => (n === 1 ? lo : lo + ((hi - lo) * i) / (n - 1)));

const mse = (r: tf.Tensor) => tf.mean(tf.square(r)) as tf.Scalar;

function uniformColumn(rng: Rng, n: number, lo: number, hi: number): Float32Array {
  return rng.fillUniform(new Float32Array(n), lo, hi);
}

function ode(c: Extract<ProblemConfig, { type: 'ode' }>): ClosedForm {
  const d = new Derivatives({ inputs: ['t'], outputs: ['u'], requests: ['u', 'u_t'] });
  const draw = (rng: Rng) => uniformColumn(rng, c.points.interior, 0, c.T);
  return {
    inputs: ['t'],
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

function poisson1d(c: Extract<ProblemConfig, { type: 'poisson1d' }>): ClosedForm {
  const d = new Derivatives({ inputs: ['x'], outputs: ['u'], requests: ['u_xx'] });
  const kpi = c.k * Math.PI;
  const draw = (rng: Rng) => uniformColumn(rng, c.points.interior, 0, 1);
  return {
    inputs: ['x'],
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

function heat1d(c: Extract<ProblemConfig, { type: 'heat1d' }>): ClosedForm {
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

/** Loads @pinnate/pinn, geometry and operators only when a Burgers run needs them (startup time). */
async function burgers(c: Extract<ProblemConfig, { type: 'burgers' }>, run: RunConfig): Promise<Problem> {
  const [
    { Interval, SpaceTime, TimeDomain },
    { burgersColeHopf, raissiInitialAntiderivative },
    { Pinn, Problem: PinnProblem },
  ] = await Promise.all([import('@pinnate/geometry'), import('@pinnate/operators'), import('@pinnate/pinn')]);
  const problem = new PinnProblem({
    domain: new SpaceTime(new Interval(-1, 1), new TimeDomain(0, 1)),
    constants: { nu: c.nu },
    pde: 'u_t + u*u_x - nu*u_xx',
  });
  const points = c.points.interior;
  const pinn = new Pinn(problem, {
    hidden: run.model.hidden,
    activation: run.model.activation as Mlp['activation'],
    points: { domain: points },
    seed: run.training.seed,
    sampler: 'sobol',
    // u = −sin(πx) + t(1 − x²)·N(x, t): initial and boundary conditions hold exactly.
    transforms: [{ field: 'u', particular: '-sin(pi*x)', distance: 't*(1-x^2)' }],
    ...(c.radEvery > 0
      ? { adaptiveSampling: { method: 'rad' as const, every: c.radEvery, pool: 8 * points, k: 1, c: 1 } }
      : {}),
  });
  return {
    inputs: problem.inputs,
    outputs: problem.fields,
    model: pinn.model,
    trainer: (config) => pinn.trainerFor(config),
    resumeTrainer: (dir, config) => pinn.resumeTrainer(dir, config),
    grid: (n) => ({
      axes: [
        { name: 'x', values: linspace(-1, 1, n) },
        { name: 't', values: linspace(0, 1, n) },
      ],
    }),
    reference: ([x, t]) => {
      const nt = t.values.length;
      const out = new Float64Array(x.values.length * nt);
      t.values.forEach((tj, j) => {
        const row =
          tj === 0
            ? x.values.map((xi) => -Math.sin(Math.PI * xi))
            : burgersColeHopf(x.values, tj, {
                viscosity: c.nu,
                initialAntiderivative: raissiInitialAntiderivative,
                nodes: 200,
              });
        row.forEach((v, i) => {
          out[i * nt + j] = v;
        });
      });
      return out;
    },
    samplePoints: () => ({
      [c.radEvery > 0 ? 'adaptive' : 'interior']: Float32Array.from(pinn.domainPoints.data),
    }),
  };
}

export async function makeProblem(run: RunConfig): Promise<Problem> {
  const config = run.problem;
  switch (config.type) {
    case 'ode':
      return fromSpec(ode(config), run);
    case 'poisson1d':
      return fromSpec(poisson1d(config), run);
    case 'heat1d':
      return fromSpec(heat1d(config), run);
    case 'burgers':
      return burgers(config, run);
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
