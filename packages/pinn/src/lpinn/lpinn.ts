/**
 * Lagrangian PINN (Mojgani, Balajewicz & Hassanzadeh, CMAME 2023) for
 * w_t + f(w) w_x = ν w_xx on a periodic interval.
 *
 * Two branches on the embedding (cos x0, sin x0, t) of the label x0 and time t:
 * - characteristics X(x0, t) = x0 + s·t·N(x0, t): X(x0, 0) = x0 holds exactly (hard
 *   constraint), residual r_x = ∂X/∂t − f(u);
 * - the state u(x0, t) carried along them, residual r_u = ∂u/∂t − ν w_xx with w_xx from the
 *   label derivatives by the chain rule (chain_rule.ts), and a soft initial condition
 *   u(x0, 0) = u0(x0).
 * All label and time derivatives are exact (Taylor-mode jets). Predictions live at the moving
 * points X; `predict` interpolates them periodically to a fixed grid.
 *
 * Why it works where a PINN fails: for pure convection, u is constant along X and X is a
 * straight line, so the network has to learn two trivial functions instead of sin(x − βt).
 */
import { apply, inputJet, JetPlan, Rng } from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';
import { eulerianDerivatives } from './chain_rule.ts';
import { interpolatePeriodic } from './interp.ts';
import { LpinnNetwork } from './network.ts';
import type { Flux, TransportProblem, TransportSolverOptions } from './problem.ts';
import { PREDICT_CHUNK, TransportSolver, tensorGrid } from './solver.ts';

const OP = 'Lpinn';

/** Label/time derivatives of the two branches at some points, each [N, 1]. */
export interface LagrangianFields {
  /** ∂X/∂t. */
  readonly xT: tf.Tensor;
  /** ∂X/∂x0 and ∂²X/∂x0² (needed when ν > 0). */
  readonly xX0?: tf.Tensor;
  readonly xX0X0?: tf.Tensor;
  readonly u: tf.Tensor;
  /** ∂u/∂t at fixed label: the material derivative Du/Dt. */
  readonly uT: tf.Tensor;
  /** ∂u/∂x0 and ∂²u/∂x0² (needed when ν > 0). */
  readonly uX0?: tf.Tensor;
  readonly uX0X0?: tf.Tensor;
}

/**
 * r_x = X_t − f(u) and r_u = Du/Dt − ν w_xx, with w_xx from the label derivatives by the
 * chain rule. Both vanish on the exact characteristics of a solution.
 */
export function lagrangianResiduals(
  d: LagrangianFields,
  problem: { readonly flux: Flux; readonly nu?: number },
  /**
   * 'divided' (default): r_u = u_t − ν w_xx as written. 'cleared': the same equation
   * multiplied by X_x0³, r_u = X_x0³ u_t − ν (u_x0x0 X_x0 − u_x0 X_x0x0) — no division, so a
   * map that passes near X_x0 = 0 during training cannot blow the loss up.
   */
  form: 'divided' | 'cleared' = 'divided',
): { rx: tf.Tensor; ru: tf.Tensor } {
  const flux = problem.flux;
  const nu = problem.nu ?? 0;
  let speed: tf.Tensor | number;
  switch (flux.kind) {
    case 'convection':
      speed = flux.speed;
      break;
    case 'burgers':
      speed = d.u;
      break;
    default: {
      const never: never = flux;
      throw new Error(`lagrangianResiduals: unknown flux ${JSON.stringify(never)}`);
    }
  }
  const rx = tf.sub(d.xT, speed);
  if (nu === 0) return { rx, ru: d.uT };
  if (!d.xX0 || !d.xX0X0 || !d.uX0 || !d.uX0X0) {
    throw new Error('lagrangianResiduals: ν > 0 needs xX0, xX0X0, uX0 and uX0X0');
  }
  if (form === 'cleared') {
    const cube = tf.mul(tf.square(d.xX0), d.xX0);
    const num = tf.sub(tf.mul(d.uX0X0, d.xX0), tf.mul(d.uX0, d.xX0X0));
    return { rx, ru: tf.sub(tf.mul(cube, d.uT), tf.mul(num, nu)) };
  }
  const { wXX } = eulerianDerivatives({ uX0: d.uX0, uX0X0: d.uX0X0, xX0: d.xX0, xX0X0: d.xX0X0 });
  return { rx, ru: tf.sub(d.uT, tf.mul(wXX as tf.Tensor, nu)) };
}

export interface LpinnOptions extends TransportSolverOptions {
  /**
   * Start from X = x0 (zero output layer of the characteristic branch). Default: on when
   * ν > 0, where the state residual divides by X_x0³; off for pure convection.
   */
  readonly identityInit?: boolean;
  /**
   * State residual with ν > 0: 'divided' u_t − ν w_xx, or 'cleared' (default) the same times
   * X_x0³, which has no division (see `lagrangianResiduals`).
   */
  readonly residualForm?: 'divided' | 'cleared';
  /** Labels per time used by `predict` before interpolating (default max(512, 2·x.length)). */
  readonly predictLabels?: number;
}

export class Lpinn extends TransportSolver {
  readonly model: LpinnNetwork;
  private readonly plan: JetPlan;
  private readonly predictLabels: number | undefined;
  private readonly residualForm: 'divided' | 'cleared';

  constructor(problem: TransportProblem, options: LpinnOptions = {}) {
    super(problem, options, OP);
    const pl = options.predictLabels;
    if (pl !== undefined && !(Number.isInteger(pl) && pl >= 2)) {
      throw new Error(`${OP}: 'predictLabels' must be an integer ≥ 2, got ${pl}`);
    }
    this.predictLabels = pl;
    this.residualForm = options.residualForm ?? 'cleared';
    if (this.residualForm !== 'divided' && this.residualForm !== 'cleared') {
      throw new Error(
        `${OP}: 'residualForm' must be 'divided' or 'cleared', got ${String(options.residualForm)}`,
      );
    }
    this.model = new LpinnNetwork(
      {
        period: this.problem.period,
        hidden: options.hidden,
        hiddenX: options.hiddenX,
        activation: options.activation,
        identityInit: options.identityInit ?? this.problem.nu > 0,
      },
      new Rng(this.options.seed),
    );
    // Input 0 is x0, input 1 is t; second label derivatives only when there is diffusion.
    this.plan = JetPlan.build(this.problem.nu > 0 ? ['0', '1', '00'] : ['0', '1']);
  }

  termWeights(): Record<string, number> {
    const w = this.options.weights;
    return { rx: w.rx, ru: w.ru, ic: w.ic };
  }

  /** Residuals on the grid: r_x, r_u (each [nt·nx, 1]) and the initial misfit [nx, 1]. */
  residuals(): { rx: tf.Tensor; ru: tf.Tensor; ic: tf.Tensor } {
    const s = this.options.speedScale;
    const { n, u } = this.model.branches(inputJet(this.points, this.plan));
    const t = this.tCol;
    const st = tf.mul(t, s);
    const diffusive = this.problem.nu > 0;
    const { rx, ru } = lagrangianResiduals(
      {
        // X = x0 + s t N  ⇒  X_t = s (N + t N_t), X_x0 = 1 + s t N_x0, X_x0x0 = s t N_x0x0.
        xT: tf.mul(tf.add(n.value, tf.mul(t, n.dense('1'))), s),
        xX0: diffusive ? tf.add(1, tf.mul(st, n.dense('0'))) : undefined,
        xX0X0: diffusive ? tf.mul(st, n.dense('00')) : undefined,
        u: u.value,
        uT: u.dense('1'),
        uX0: diffusive ? u.dense('0') : undefined,
        uX0X0: diffusive ? u.dense('00') : undefined,
      },
      this.problem,
      this.residualForm,
    );
    const ic = tf.sub(tf.slice(u.value, [0, 0], [this.options.nx, 1]), this.u0);
    return { rx, ru, ic };
  }

  lossTerms(): Record<string, tf.Scalar> {
    const { rx, ru, ic } = this.residuals();
    return { rx: this.reduce(rx), ru: this.reduce(ru), ic: this.reduce(ic) };
  }

  /**
   * Characteristic positions X and states u at labels × times, each [times.length,
   * labels.length] row-major (float64 copies of the float32 network outputs).
   */
  characteristics(labels: ArrayLike<number>, times: ArrayLike<number>): { X: Float64Array; u: Float64Array } {
    const pts = tensorGrid(labels, times);
    const n = labels.length * times.length;
    const X = new Float64Array(n);
    const u = new Float64Array(n);
    const s = this.options.speedScale;
    for (let start = 0; start < n; start += PREDICT_CHUNK) {
      const m = Math.min(PREDICT_CHUNK, n - start);
      const out = tf.tidy(() => {
        const p = tf.tensor2d(pts.subarray(2 * start, 2 * (start + m)), [m, 2]); // [m, (x0, t)]
        return apply(this.model, p); // [m, (N, u)]
      });
      const v = out.dataSync();
      out.dispose();
      for (let k = 0; k < m; k++) {
        const x0 = pts[2 * (start + k)];
        const t = pts[2 * (start + k) + 1];
        X[start + k] = x0 + s * t * v[2 * k];
        u[start + k] = v[2 * k + 1];
      }
    }
    return { X, u };
  }

  /** u on the fixed grid x × t ([t.length, x.length]), interpolated periodically from X. */
  predict(x: ArrayLike<number>, t: ArrayLike<number>): Float64Array {
    const nl = this.predictLabels ?? Math.max(512, 2 * x.length);
    const P = this.problem.period;
    const labels = Float64Array.from({ length: nl }, (_, i) => (i * P) / nl);
    const { X, u } = this.characteristics(labels, t);
    const out = new Float64Array(t.length * x.length);
    for (let j = 0; j < t.length; j++) {
      const row = interpolatePeriodic(
        X.subarray(j * nl, (j + 1) * nl),
        u.subarray(j * nl, (j + 1) * nl),
        P,
        x,
      );
      out.set(row, j * x.length);
    }
    return out;
  }
}
