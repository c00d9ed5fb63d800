/** What the Lagrangian model and its Eulerian baseline share: grid tensors, loss reduction, training. */
import {
  type LossFunction,
  type Module,
  Trainer,
  type TrainerConfig,
  type TrainResult,
  variablesOf,
} from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';
import {
  gridPoints,
  type ResolvedOptions,
  type ResolvedProblem,
  resolveOptions,
  resolveProblem,
  type TransportProblem,
  type TransportSolverOptions,
} from './problem.ts';

export abstract class TransportSolver {
  readonly problem: ResolvedProblem;
  readonly options: ResolvedOptions;
  abstract readonly model: Module;
  /** Collocation grid, columns (x, t), rows t-major: [nt·nx, 2]. */
  protected readonly points: tf.Tensor2D;
  /** Its x and t columns, [nt·nx, 1]. */
  protected readonly xCol: tf.Tensor2D;
  protected readonly tCol: tf.Tensor2D;
  /** u0 at the t = 0 row (the first nx grid points), [nx, 1]. */
  protected readonly u0: tf.Tensor2D;

  protected constructor(problem: TransportProblem, options: TransportSolverOptions, op: string) {
    this.problem = resolveProblem(problem, op);
    this.options = resolveOptions(options, op);
    const { nx, nt } = this.options;
    const pts = gridPoints(nx, nt, this.problem.period, this.problem.tEnd);
    this.points = tf.tensor2d(pts, [nx * nt, 2]);
    const xs = new Float32Array(nx * nt);
    const ts = new Float32Array(nx * nt);
    for (let k = 0; k < nx * nt; k++) {
      xs[k] = pts[2 * k];
      ts[k] = pts[2 * k + 1];
    }
    this.xCol = tf.tensor2d(xs, [nx * nt, 1]);
    this.tCol = tf.tensor2d(ts, [nx * nt, 1]);
    const u0 = new Float32Array(nx);
    for (let i = 0; i < nx; i++) {
      u0[i] = this.problem.initial(pts[2 * i]);
      if (!Number.isFinite(u0[i])) throw new Error(`${op}: 'initial' is not finite at x = ${pts[2 * i]}`);
    }
    this.u0 = tf.tensor2d(u0, [nx, 1]);
  }

  /** Unweighted loss terms at the current parameters (call inside a tidy/tape). */
  abstract lossTerms(): Record<string, tf.Scalar>;

  /** Term weights keyed like `lossTerms`. */
  abstract termWeights(): Record<string, number>;

  /** u on the fixed grid x × t, [t.length, x.length] row-major. */
  abstract predict(x: ArrayLike<number>, t: ArrayLike<number>): Float64Array;

  /** ‖r‖ as a loss term: mean square or its root. */
  protected reduce(r: tf.Tensor): tf.Scalar {
    const ms = tf.mean(tf.square(r)) as tf.Scalar;
    return this.options.norm === 'mse' ? ms : (tf.sqrt(tf.add(ms, 1e-30)) as tf.Scalar);
  }

  /** The weighted total, for tapes outside the trainer (Hessian probes). */
  totalLoss(): tf.Scalar {
    return tf.tidy(() => {
      const terms = this.lossTerms();
      const w = this.termWeights();
      return tf.addN(Object.entries(terms).map(([k, v]) => tf.mul(v, w[k]))) as tf.Scalar;
    });
  }

  get lossFunction(): LossFunction {
    return () => this.lossTerms();
  }

  /** A core `Trainer` on this model and loss with this solver's term weights. */
  trainerFor(config: Omit<TrainerConfig, 'weights'>): Trainer {
    return new Trainer(this.model, this.lossFunction, { ...config, weights: this.termWeights() });
  }

  /** Adam then optional L-BFGS (core `Trainer`). */
  async train(config: Omit<TrainerConfig, 'weights'>): Promise<TrainResult> {
    const trainer = this.trainerFor(config);
    try {
      return await trainer.fit();
    } finally {
      trainer.dispose();
    }
  }

  variables(): tf.Variable[] {
    return variablesOf(this.model).filter((v) => v.trainable);
  }

  dispose(): void {
    tf.dispose([this.points, this.xCol, this.tCol, this.u0]);
    for (const v of variablesOf(this.model)) v.dispose();
  }
}

/** Rows of [n, 2] points for x × t, t-major (row j·nx + i is (x_i, t_j)). */
export function tensorGrid(x: ArrayLike<number>, t: ArrayLike<number>): Float32Array {
  const out = new Float32Array(x.length * t.length * 2);
  for (let j = 0; j < t.length; j++) {
    for (let i = 0; i < x.length; i++) {
      out[2 * (j * x.length + i)] = x[i];
      out[2 * (j * x.length + i) + 1] = t[j];
    }
  }
  return out;
}

/** Points per forward pass when predicting (bounds peak memory). */
export const PREDICT_CHUNK = 16384;
