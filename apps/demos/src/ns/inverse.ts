/**
 * Inverse Kovasznay: recover the viscosity ν = 1/Re (or Raissi's λ1, λ2 in
 * λ1 (u·∇)u + ∇p − λ2 Δu = 0) from sparse velocity samples, with no pressure data and no
 * boundary conditions: the only data are u, v at `observations` random points.
 *
 * The recipe (why each part is there):
 * - the same tanh MLP and velocity–pressure residuals as the forward demo, with ν a trainable
 *   coefficient learned as log ν (stays positive; `@pinnate/pinn` parameters with
 *   `positive: true`), started far from the truth (`nuInit`, default 0.1 = 2× the Re = 20 value);
 * - the data term pins the velocity, the PDE terms then determine ν and the pressure (up to a
 *   constant, which the equations never see);
 * - Adam, then L-BFGS, which is what brings ν to the last digits.
 */
import { Rng } from '@pinnate/core';
import { type Points, Rectangle } from '@pinnate/geometry';
import { grid, linspace, observations, Pinn, Problem, relL2 } from '@pinnate/pinn';
import {
  checkCommon,
  checkPositive,
  checkPositiveInt,
  type NsCommonOptions,
  setupBackend,
  trainNs,
  writeNsRun,
} from './common.ts';
import { kovasznay } from './exact.ts';
import { KOVASZNAY_BOX } from './kovasznay.ts';

export interface InverseOptions extends NsCommonOptions {
  /** Reynolds number of the data (default 20, so ν = 0.05). */
  readonly re?: number;
  /** What is unknown: 'nu' (default; convection known) or 'lambda' (λ1 and λ2 = ν, Raissi et al. 2019). */
  readonly unknowns?: 'nu' | 'lambda';
  /** Initial ν (or λ2) (default 0.1); λ1 starts at 0.5. */
  readonly nuInit?: number;
  /** Velocity samples (default 400), uniformly random in the domain. */
  readonly observations?: number;
  /** Relative Gaussian noise on the samples: σ = noise · std(field) (default 0: clean). */
  readonly noise?: number;
  /** Adam steps (default 100; L-BFGS does most of the work). */
  readonly steps?: number;
  /** L-BFGS iterations (default 2000). */
  readonly lbfgsIter?: number;
  /** Initial Adam learning rate (default 2e-3). */
  readonly lr?: number;
  /** Hidden widths (default [50, 50, 50, 50]). */
  readonly hidden?: readonly number[];
  /** Collocation points (default 1000, Sobol). */
  readonly points?: number;
  /** Evaluation grid points per side (default 101). */
  readonly grid?: number;
}

export interface InverseResult {
  readonly re: number;
  readonly seed: number;
  readonly unknowns: 'nu' | 'lambda';
  /** Learned coefficients and their relative errors against the truth. */
  readonly estimate: Readonly<Record<string, number>>;
  readonly truth: Readonly<Record<string, number>>;
  readonly relError: Readonly<Record<string, number>>;
  /** Velocity field errors on the grid (not part of the bound; context). */
  readonly relL2: { readonly u: number; readonly v: number };
  readonly steps: number;
  readonly lbfgsIterations: number;
  readonly loss: number;
  readonly wallSeconds: number;
  readonly trainSeconds: number;
  readonly msPerStep: number;
  readonly msPerLbfgsIter: number;
  readonly backend: string;
}

export function checkInverse(o: InverseOptions, op = 'inverse'): void {
  checkCommon(o, op);
  checkPositive(o.nuInit, 'nuInit', op);
  checkPositiveInt(o.observations, 'observations', op);
  checkPositiveInt(o.grid, 'grid', op);
  if (o.unknowns !== undefined && o.unknowns !== 'nu' && o.unknowns !== 'lambda')
    throw new Error(`${op}: 'unknowns' must be 'nu' or 'lambda', got '${o.unknowns}'`);
  if (o.noise !== undefined && !(Number.isFinite(o.noise) && o.noise >= 0))
    throw new Error(`${op}: 'noise' must be a non-negative number, got ${o.noise}`);
}

/** The observation set: points uniform in the Kovasznay box and noisy u, v (seeded). */
export function kovasznayObservations(
  re: number,
  n: number,
  noise: number,
  seed: number,
): { points: Points; u: Float64Array; v: Float64Array } {
  // A generator of its own, so the data do not depend on how the network consumed its seed.
  const rng = new Rng(seed + 7919);
  const box = KOVASZNAY_BOX;
  const data = new Float64Array(2 * n);
  const u = new Float64Array(n);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = box.x[0] + (box.x[1] - box.x[0]) * rng.uniform();
    const y = box.y[0] + (box.y[1] - box.y[0]) * rng.uniform();
    data[2 * i] = x;
    data[2 * i + 1] = y;
    const e = kovasznay(re, x, y);
    u[i] = e.u;
    v[i] = e.v;
  }
  if (noise > 0) {
    for (const a of [u, v]) {
      const mean = a.reduce((s, w) => s + w, 0) / n;
      const std = Math.sqrt(a.reduce((s, w) => s + (w - mean) ** 2, 0) / n);
      for (let i = 0; i < n; i++) a[i] += noise * std * rng.normal();
    }
  }
  return { points: { data, n, dim: 2 }, u, v };
}

export function inversePinn(o: InverseOptions = {}): {
  pinn: Pinn;
  obs: ReturnType<typeof kovasznayObservations>;
} {
  checkInverse(o);
  const re = o.re ?? 20;
  const seed = o.seed ?? 0;
  const unknowns = o.unknowns ?? 'nu';
  const obs = kovasznayObservations(re, o.observations ?? 400, o.noise ?? 0, seed);
  const box = KOVASZNAY_BOX;
  const nuInit = o.nuInit ?? 0.1;
  const pde =
    unknowns === 'nu'
      ? [
          { name: 'momentum_x', expression: 'u*u_x + v*u_y + p_x - nu*lap(u)' },
          { name: 'momentum_y', expression: 'u*v_x + v*v_y + p_y - nu*lap(v)' },
          { name: 'continuity', expression: 'u_x + v_y' },
        ]
      : [
          { name: 'momentum_x', expression: 'lambda1*(u*u_x + v*u_y) + p_x - lambda2*lap(u)' },
          { name: 'momentum_y', expression: 'lambda1*(u*v_x + v*v_y) + p_y - lambda2*lap(v)' },
          { name: 'continuity', expression: 'u_x + v_y' },
        ];
  const problem = new Problem({
    domain: new Rectangle([box.x[0], box.y[0]], [box.x[1], box.y[1]]),
    fields: ['u', 'v', 'p'],
    parameters:
      unknowns === 'nu'
        ? { nu: { init: nuInit, positive: true } }
        : { lambda1: { init: 0.5 }, lambda2: { init: nuInit, positive: true } },
    pde,
    conditions: [observations({ points: obs.points, values: { u: obs.u, v: obs.v }, name: 'data' })],
  });
  const pinn = new Pinn(problem, {
    hidden: o.hidden ?? [50, 50, 50, 50],
    points: { domain: o.points ?? 1000 },
    seed,
    sampler: 'sobol',
  });
  return { pinn, obs };
}

export async function runInverse(o: InverseOptions = {}): Promise<InverseResult> {
  const t0 = performance.now();
  checkInverse(o);
  const re = o.re ?? 20;
  const seed = o.seed ?? 0;
  const unknowns = o.unknowns ?? 'nu';
  const backend = await setupBackend(o.backend);
  const { pinn, obs } = inversePinn(o);
  try {
    const tr = await trainNs(pinn, o, { steps: 100, lbfgsIter: 2000, lr: 2e-3 }, { params: true });
    const estimate = pinn.coefficients();
    const truth: Record<string, number> =
      unknowns === 'nu' ? { nu: 1 / re } : { lambda1: 1, lambda2: 1 / re };
    const relError = Object.fromEntries(
      Object.entries(truth).map(([k, v]) => [k, Math.abs(estimate[k] - v) / Math.abs(v)]),
    );
    const n = o.grid ?? 101;
    const x = linspace(KOVASZNAY_BOX.x[0], KOVASZNAY_BOX.x[1], n);
    const y = linspace(KOVASZNAY_BOX.y[0], KOVASZNAY_BOX.y[1], n);
    const pts = grid([x, y]); // [nx, ny]
    const pred = pinn.predict(pts);
    const ex = { u: new Float64Array(pts.n), v: new Float64Array(pts.n) };
    for (let i = 0; i < pts.n; i++) {
      const e = kovasznay(re, pts.data[2 * i], pts.data[2 * i + 1]);
      ex.u[i] = e.u;
      ex.v[i] = e.v;
    }
    const err = { u: relL2(pred.u, ex.u), v: relL2(pred.v, ex.v) };
    const wallSeconds = (performance.now() - t0) / 1000;
    const result: InverseResult = {
      re,
      seed,
      unknowns,
      estimate,
      truth,
      relError,
      relL2: err,
      steps: tr.result.steps,
      lbfgsIterations: tr.result.lbfgsIterations,
      loss: tr.result.loss,
      wallSeconds,
      trainSeconds: tr.trainSeconds,
      msPerStep: tr.msPerStep,
      msPerLbfgsIter: tr.msPerLbfgsIter,
      backend,
    };
    if (o.out) {
      const shape = [n, n];
      // The L-BFGS records carry no coefficients; the final value closes the trajectory.
      const last = tr.records[tr.records.length - 1];
      const records = [...tr.records];
      if (last) records.push({ ...last, step: last.step + 1, params: estimate });
      await writeNsRun(o.out, {
        name: 'ns-inverse',
        title: `Inverse Kovasznay (Re = ${re}): ${unknowns === 'nu' ? 'ν' : 'λ1, λ2'} from ${obs.points.n} velocity samples`,
        inputs: ['x', 'y'],
        outputs: ['u', 'v', 'p'],
        backend,
        config: { case: 'inverse', ...o, out: undefined, re, seed, unknowns },
        summary: {
          case: 'inverse',
          unknowns,
          estimate,
          params_true: truth,
          relError,
          bound: 0.01,
          meetsBound: Object.values(relError).every((e) => e <= 0.01),
          observations: obs.points.n,
          noise: o.noise ?? 0,
          relL2: err,
          re,
          seed,
          steps: result.steps,
          lbfgsIterations: result.lbfgsIterations,
          loss: result.loss,
          wallSeconds: result.wallSeconds,
          trainSeconds: result.trainSeconds,
          msPerStep: result.msPerStep,
          msPerLbfgsIter: result.msPerLbfgsIter,
          backend,
        },
        records,
        arrays: {
          x: { data: x, shape: [n] },
          y: { data: y, shape: [n] },
          u_pred: { data: pred.u, shape },
          u_exact: { data: ex.u, shape },
          v_pred: { data: pred.v, shape },
          v_exact: { data: ex.v, shape },
          p: { data: pred.p, shape },
          points_observations: { data: obs.points.data, shape: [obs.points.n, 2] },
        },
      });
    }
    return result;
  } finally {
    pinn.dispose();
  }
}
