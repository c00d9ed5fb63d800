/**
 * The Eulerian baseline for `Lpinn`: one network u(x, t) on the same embedding
 * (cos x, sin x, t), the same grid, loss form and weights, residual
 * u_t + f(u) u_x − ν u_xx and a soft initial condition. Written beside `Lpinn` rather than
 * through `Problem`/`Pinn` so the two differ only in the formulation.
 */
import { apply, inputJet, JetPlan, Rng, type Sequential } from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';
import { periodicMlp } from './network.ts';
import type { TransportProblem, TransportSolverOptions } from './problem.ts';
import { PREDICT_CHUNK, TransportSolver, tensorGrid } from './solver.ts';

const OP = 'PeriodicPinn';

export class PeriodicPinn extends TransportSolver {
  readonly model: Sequential;
  private readonly plan: JetPlan;

  constructor(problem: TransportProblem, options: TransportSolverOptions = {}) {
    super(problem, options, OP);
    this.model = periodicMlp(
      { period: this.problem.period, hidden: options.hidden, activation: options.activation },
      new Rng(this.options.seed),
    );
    // Input 0 is x, input 1 is t.
    this.plan = JetPlan.build(this.problem.nu > 0 ? ['0', '1', '00'] : ['0', '1']);
  }

  termWeights(): Record<string, number> {
    return { pde: this.options.weights.ru, ic: this.options.weights.ic };
  }

  /** PDE residual on the grid [nt·nx, 1] and the initial misfit [nx, 1]. */
  residuals(): { pde: tf.Tensor; ic: tf.Tensor } {
    const u = this.model.forward(inputJet(this.points, this.plan));
    const flux = this.problem.flux;
    const speed = flux.kind === 'convection' ? tf.scalar(flux.speed) : u.value;
    let pde = tf.add(u.dense('1'), tf.mul(speed, u.dense('0')));
    if (this.problem.nu > 0) pde = tf.sub(pde, tf.mul(u.dense('00'), this.problem.nu));
    const ic = tf.sub(tf.slice(u.value, [0, 0], [this.options.nx, 1]), this.u0);
    return { pde, ic };
  }

  lossTerms(): Record<string, tf.Scalar> {
    const { pde, ic } = this.residuals();
    return { pde: this.reduce(pde), ic: this.reduce(ic) };
  }

  predict(x: ArrayLike<number>, t: ArrayLike<number>): Float64Array {
    const pts = tensorGrid(x, t);
    const n = x.length * t.length;
    const out = new Float64Array(n);
    for (let start = 0; start < n; start += PREDICT_CHUNK) {
      const m = Math.min(PREDICT_CHUNK, n - start);
      const y = tf.tidy(() =>
        apply(this.model, tf.tensor2d(pts.subarray(2 * start, 2 * (start + m)), [m, 2])),
      );
      out.set(y.dataSync(), start);
      y.dispose();
    }
    return out;
  }
}
