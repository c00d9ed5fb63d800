/**
 * The Burgers PINN of the Node demo, driven one step at a time so a page can pause, resume and
 * redraw: u_t + u u_x = ν u_xx, u(x, 0) = −sin(πx), u(±1, t) = 0, with the same hard constraint
 * u = −sin(πx) + t(1 − x²)·N(x, t), from the same @pinnate/pinn and @pinnate/core code.
 */
import { apply, type Trainer } from '@pinnate/core';
import { Interval, SpaceTime, TimeDomain } from '@pinnate/geometry';
import { burgersColeHopf, raissiInitialAntiderivative } from '@pinnate/operators';
import { grid, linspace, Pinn, Problem, relL2 } from '@pinnate/pinn';
import * as tf from '@tensorflow/tfjs';

export interface LiveOptions {
  readonly points?: number;
  readonly hidden?: readonly number[];
  readonly lr?: number;
  readonly seed?: number;
  readonly nu?: number;
  readonly nx?: number;
  readonly nt?: number;
}

export class BurgersLive {
  readonly pinn: Pinn;
  readonly trainer: Trainer;
  readonly x: Float64Array;
  readonly t: Float64Array;
  readonly reference: Float64Array; // [nt, nx]
  private readonly gridPoints: tf.Tensor2D;
  readonly losses: number[] = [];

  constructor(options: LiveOptions = {}) {
    const nu = options.nu ?? 0.01 / Math.PI;
    const problem = new Problem({
      domain: new SpaceTime(new Interval(-1, 1), new TimeDomain(0, 1)),
      constants: { nu },
      pde: 'u_t + u*u_x - nu*u_xx',
    });
    this.pinn = new Pinn(problem, {
      hidden: options.hidden ?? [32, 32, 32],
      points: { domain: options.points ?? 2048 },
      seed: options.seed ?? 0,
      sampler: 'sobol',
      transforms: [{ field: 'u', particular: '-sin(pi*x)', distance: 't*(1-x^2)' }],
    });
    this.trainer = this.pinn.trainerFor({
      steps: Number.MAX_SAFE_INTEGER,
      adam: { lr: options.lr ?? 3e-3 },
      progress: 'none',
    });
    this.x = linspace(-1, 1, options.nx ?? 64);
    this.t = linspace(0, 1, options.nt ?? 32);
    const pts = grid([this.t, this.x], [1, 0]); // columns (x, t), row-major [nt, nx]
    this.gridPoints = tf.tensor2d(Float32Array.from(pts.data), [pts.n, pts.dim]);
    this.reference = new Float64Array(this.t.length * this.x.length);
    this.t.forEach((ti, r) => {
      const row =
        ti === 0
          ? this.x.map((xi) => -Math.sin(Math.PI * xi))
          : burgersColeHopf(this.x, ti, {
              viscosity: nu,
              initialAntiderivative: raissiInitialAntiderivative,
              nodes: 120,
            });
      this.reference.set(row, r * this.x.length);
    });
  }

  /** One Adam step; returns the loss. */
  async step(): Promise<number> {
    const { loss } = await this.trainer.adamStep();
    this.losses.push(loss);
    return loss;
  }

  /** Prediction on the grid ([nt, nx]) read asynchronously, and its relative L2 error. */
  async evaluate(): Promise<{ prediction: Float64Array; relL2: number }> {
    const u = tf.tidy(() => apply(this.pinn.model, this.gridPoints));
    const prediction = Float64Array.from((await u.data()) as Float32Array);
    u.dispose();
    return { prediction, relL2: relL2(prediction, this.reference) };
  }

  dispose(): void {
    this.trainer.dispose();
    this.pinn.dispose();
    this.gridPoints.dispose();
  }
}
