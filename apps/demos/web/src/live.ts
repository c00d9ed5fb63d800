/**
 * Problems the live page trains one step at a time (so it can pause, resume and redraw),
 * built from the same @pinnate/pinn and @pinnate/core code as the Node demos:
 *
 * - `burgers`: u_t + u u_x = ν u_xx, u(x, 0) = −sin(πx), u(±1, t) = 0, hard constraint
 *   u = −sin(πx) + t(1 − x²)·N(x, t) as in the Node demo; reference: Cole–Hopf.
 * - `poisson-l`: −Δu = 2π² sin(πx) sin(πy) on the L-shape [−1, 1]² \ [0, 1]², u = 0 on the
 *   boundary (soft); exact solution sin(πx) sin(πy), which vanishes on every edge.
 *
 * Fields are laid out for the heatmaps: value[i * b.length + j] = u(a_i, b_j); NaN outside
 * the domain.
 */
import { apply, type Trainer } from '@pinnate/core';
import { Interval, Polygon, SpaceTime, TimeDomain } from '@pinnate/geometry';
import { burgersColeHopf, raissiInitialAntiderivative } from '@pinnate/operators';
import { dirichlet, linspace, Pinn, Problem, relL2 } from '@pinnate/pinn';
import * as tf from '@tensorflow/tfjs';

export type LiveProblemName = 'burgers' | 'poisson-l';
export const LIVE_PROBLEMS: readonly LiveProblemName[] = ['burgers', 'poisson-l'];

export interface LiveOptions {
  readonly points?: number;
  readonly hidden?: readonly number[];
  readonly lr?: number;
  readonly seed?: number;
}

export interface Axis {
  readonly name: string;
  readonly values: Float64Array;
}

export class LiveProblem {
  readonly losses: number[] = [];
  private readonly trainer: Trainer;
  private readonly gridPoints: tf.Tensor2D; // inside points only, [m, 2]
  private readonly inside: Int32Array; // flat indices of the inside points

  private constructor(
    readonly name: LiveProblemName,
    readonly pinn: Pinn,
    readonly a: Axis,
    readonly b: Axis,
    /** Exact or reference field, NaN outside. */
    readonly reference: Float64Array,
    lr: number,
  ) {
    this.trainer = pinn.trainerFor({ steps: Number.MAX_SAFE_INTEGER, adam: { lr }, progress: 'none' });
    const inside: number[] = [];
    const pts: number[] = [];
    a.values.forEach((av, i) =>
      b.values.forEach((bv, j) => {
        if (Number.isNaN(reference[i * b.values.length + j])) return;
        inside.push(i * b.values.length + j);
        pts.push(av, bv);
      }),
    );
    this.inside = Int32Array.from(inside);
    this.gridPoints = tf.tensor2d(pts, [inside.length, 2]);
  }

  static create(name: LiveProblemName, options: LiveOptions = {}): LiveProblem {
    const common = {
      hidden: options.hidden ?? [32, 32, 32],
      points: { domain: options.points ?? 2048 },
      seed: options.seed ?? 0,
      sampler: 'sobol' as const,
    };
    switch (name) {
      case 'burgers': {
        const nu = 0.01 / Math.PI;
        const problem = new Problem({
          domain: new SpaceTime(new Interval(-1, 1), new TimeDomain(0, 1)),
          constants: { nu },
          pde: 'u_t + u*u_x - nu*u_xx',
        });
        const pinn = new Pinn(problem, {
          ...common,
          transforms: [{ field: 'u', particular: '-sin(pi*x)', distance: 't*(1-x^2)' }],
        });
        const x = linspace(-1, 1, 64);
        const t = linspace(0, 1, 32);
        const rows = Array.from(t, (ti) =>
          ti === 0
            ? x.map((xi) => -Math.sin(Math.PI * xi))
            : burgersColeHopf(x, ti, {
                viscosity: nu,
                initialAntiderivative: raissiInitialAntiderivative,
                nodes: 120,
              }),
        );
        const ref = Float64Array.from(
          { length: x.length * t.length },
          (_, k) => rows[k % t.length][Math.floor(k / t.length)],
        );
        return new LiveProblem(
          name,
          pinn,
          { name: 'x', values: x },
          { name: 't', values: t },
          ref,
          options.lr ?? 3e-3,
        );
      }
      case 'poisson-l': {
        const domain = new Polygon([
          [-1, -1],
          [1, -1],
          [1, 0],
          [0, 0],
          [0, 1],
          [-1, 1],
        ]);
        const problem = new Problem({
          domain,
          pde: { expression: '-(u_xx + u_yy)', forcing: '2*pi^2*sin(pi*x)*sin(pi*y)' },
          conditions: [dirichlet({ value: 0 })],
        });
        const pinn = new Pinn(problem, {
          ...common,
          points: { domain: options.points ?? 2048, boundary: 512 },
        });
        const x = linspace(-1, 1, 48);
        const y = linspace(-1, 1, 48);
        const ref = Float64Array.from({ length: x.length * y.length }, (_, k) => {
          const xi = x[Math.floor(k / y.length)];
          const yj = y[k % y.length];
          const out = xi > 0 && yj > 0;
          return out ? Number.NaN : Math.sin(Math.PI * xi) * Math.sin(Math.PI * yj);
        });
        return new LiveProblem(
          name,
          pinn,
          { name: 'x', values: x },
          { name: 'y', values: y },
          ref,
          options.lr ?? 3e-3,
        );
      }
      default: {
        const never: never = name;
        throw new Error(
          `LiveProblem: unknown problem '${String(never)}'; expected ${LIVE_PROBLEMS.join(', ')}`,
        );
      }
    }
  }

  /** One Adam step; returns the loss. */
  async step(): Promise<number> {
    const { loss } = await this.trainer.adamStep();
    this.losses.push(loss);
    return loss;
  }

  /** Prediction (NaN outside the domain), read asynchronously, and its relative L2 error inside. */
  async evaluate(): Promise<{ prediction: Float64Array; relL2: number }> {
    const u = tf.tidy(() => apply(this.pinn.model, this.gridPoints));
    const values = (await u.data()) as Float32Array;
    u.dispose();
    const prediction = new Float64Array(this.reference.length).fill(Number.NaN);
    this.inside.forEach((k, m) => {
      prediction[k] = values[m];
    });
    const ref = Float64Array.from(this.inside, (k) => this.reference[k]);
    return { prediction, relL2: relL2(Float64Array.from(values), ref) };
  }

  dispose(): void {
    this.trainer.dispose();
    this.pinn.dispose();
    this.gridPoints.dispose();
  }
}
