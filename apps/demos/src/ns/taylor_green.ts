/**
 * Taylor–Green vortex: unsteady 2-D Navier–Stokes on the periodic square [0, 2π]², t ∈ [0, 1],
 * Re = 100 by default, checked against the exact decaying solution (`exact.ts`).
 *
 * The recipe (why each part is there):
 * - periodicity by construction: the network sees (t, cos x, cos y, sin x, sin y) through
 *   core's `PeriodicEmbedding` (period 2π, `harmonics` per input), so u, v, p and all their
 *   derivatives match across opposite sides exactly and no periodic loss terms are needed;
 * - the initial condition as a hard constraint: u = u0(x, y) + t·N_u, v = v0(x, y) + t·N_v
 *   with u0, v0 the exact t = 0 field (the only data given); pressure is free (it is set by
 *   the velocity up to a constant at each time, and is compared after removing its mean);
 * - so the loss is the three NS residuals alone; Adam with decay, then L-BFGS.
 */
import { Mlp, PeriodicEmbedding, Rng, Sequential } from '@pinnate/core';
import { Rectangle, SpaceTime, TimeDomain } from '@pinnate/geometry';
import { grid, linspace, Pinn, Problem } from '@pinnate/pinn';
import {
  alignMean,
  cachedTransform,
  checkCommon,
  checkPositiveInt,
  type NsCommonOptions,
  relL2UpToConstant,
  setupBackend,
  trainNs,
  UNSTEADY_NS,
  writeNsRun,
} from './common.ts';
import { taylorGreen } from './exact.ts';

export interface TaylorGreenOptions extends NsCommonOptions {
  /** Reynolds number (default 100; ν = 1/Re). */
  readonly re?: number;
  /** Final time (default 1). */
  readonly tEnd?: number;
  /** Adam steps (default 100; L-BFGS does most of the work). */
  readonly steps?: number;
  /** L-BFGS iterations (default 500). */
  readonly lbfgsIter?: number;
  /** Initial Adam learning rate (default 2e-3). */
  readonly lr?: number;
  /** Hidden widths (default [50, 50, 50, 50]). */
  readonly hidden?: readonly number[];
  /** Collocation points in space-time (default 1000, Sobol). */
  readonly points?: number;
  /** Harmonics of the periodic embedding (default 1). */
  readonly harmonics?: number;
  /** Evaluation grid: `grid` × `grid` in space (default 64) at `times` times (default 11). */
  readonly grid?: number;
  readonly times?: number;
}

export interface TaylorGreenResult {
  readonly re: number;
  readonly seed: number;
  /** Over the whole space-time grid. */
  readonly relL2: { readonly u: number; readonly v: number; readonly p: number };
  /** Per evaluation time. */
  readonly t: Float64Array;
  readonly relL2ByTime: { readonly u: Float64Array; readonly v: Float64Array };
  readonly steps: number;
  readonly lbfgsIterations: number;
  readonly loss: number;
  readonly wallSeconds: number;
  readonly trainSeconds: number;
  readonly msPerStep: number;
  readonly msPerLbfgsIter: number;
  readonly backend: string;
}

const TWO_PI = 2 * Math.PI;

export function checkTaylorGreen(o: TaylorGreenOptions, op = 'taylor-green'): void {
  checkCommon(o, op);
  checkPositiveInt(o.harmonics, 'harmonics', op);
  checkPositiveInt(o.grid, 'grid', op);
  checkPositiveInt(o.times, 'times', op);
  if (o.grid !== undefined && o.grid < 2) throw new Error(`${op}: 'grid' must be ≥ 2, got ${o.grid}`);
  if (o.times !== undefined && o.times < 2) throw new Error(`${op}: 'times' must be ≥ 2, got ${o.times}`);
  if (o.tEnd !== undefined && !(Number.isFinite(o.tEnd) && o.tEnd > 0))
    throw new Error(`${op}: 'tEnd' must be a positive number, got ${o.tEnd}`);
}

export function taylorGreenPinn(o: TaylorGreenOptions = {}): Pinn {
  checkTaylorGreen(o);
  const re = o.re ?? 100;
  const rng = new Rng(o.seed ?? 0);
  const embed = new PeriodicEmbedding({ periods: [TWO_PI, TWO_PI, null], harmonics: o.harmonics ?? 1 });
  const network = new Sequential([
    embed,
    new Mlp(
      { sizes: [embed.outSize, ...(o.hidden ?? [50, 50, 50, 50]), 3], activation: 'tanh' },
      rng.split(),
    ),
  ]);
  const problem = new Problem({
    domain: new SpaceTime(new Rectangle([0, 0], [TWO_PI, TWO_PI]), new TimeDomain(0, o.tEnd ?? 1)),
    fields: ['u', 'v', 'p'],
    constants: { nu: 1 / re },
    pde: [...UNSTEADY_NS],
  });
  return new Pinn(problem, {
    network,
    points: { domain: o.points ?? 1000 },
    seed: o.seed ?? 0,
    sampler: 'sobol',
    transforms: [
      cachedTransform(problem, { field: 'u', particular: '-cos(x)*sin(y)', distance: 't' }),
      cachedTransform(problem, { field: 'v', particular: 'sin(x)*cos(y)', distance: 't' }),
    ],
  });
}

export async function runTaylorGreen(o: TaylorGreenOptions = {}): Promise<TaylorGreenResult> {
  const t0 = performance.now();
  checkTaylorGreen(o);
  const re = o.re ?? 100;
  const seed = o.seed ?? 0;
  const tEnd = o.tEnd ?? 1;
  const backend = await setupBackend(o.backend);
  const pinn = taylorGreenPinn(o);
  try {
    const tr = await trainNs(pinn, o, { steps: 100, lbfgsIter: 500, lr: 2e-3 });
    const n = o.grid ?? 64;
    const nt = o.times ?? 11;
    const x = linspace(0, TWO_PI, n);
    const y = linspace(0, TWO_PI, n);
    const t = linspace(0, tEnd, nt);
    const pts = grid([t, x, y], [2, 0, 1]); // columns (x, y, t); row (k*n + i)*n + j = (x_i, y_j, t_k)
    const pred = pinn.predict(pts);
    const ex = { u: new Float64Array(pts.n), v: new Float64Array(pts.n), p: new Float64Array(pts.n) };
    for (let r = 0; r < pts.n; r++) {
      const e = taylorGreen(re, pts.data[3 * r], pts.data[3 * r + 1], pts.data[3 * r + 2]);
      ex.u[r] = e.u;
      ex.v[r] = e.v;
      ex.p[r] = e.p;
    }
    const slab = n * n;
    const byTime = { u: new Float64Array(nt), v: new Float64Array(nt), p: new Float64Array(nt) };
    const acc = { u: [0, 0], v: [0, 0], p: [0, 0] };
    for (let k = 0; k < nt; k++) {
      for (const f of ['u', 'v'] as const) {
        let num = 0;
        let den = 0;
        for (let i = k * slab; i < (k + 1) * slab; i++) {
          num += (pred[f][i] - ex[f][i]) ** 2;
          den += ex[f][i] ** 2;
        }
        byTime[f][k] = Math.sqrt(num / den);
        acc[f][0] += num;
        acc[f][1] += den;
      }
      // Pressure: its constant is arbitrary at each time, so remove the mean per slice.
      const pk = pred.p.subarray(k * slab, (k + 1) * slab);
      const ek = ex.p.subarray(k * slab, (k + 1) * slab);
      byTime.p[k] = relL2UpToConstant(pk, ek);
      let den = 0;
      let m = 0;
      for (const v of ek) m += v / slab;
      for (const v of ek) den += (v - m) ** 2;
      acc.p[0] += byTime.p[k] ** 2 * den;
      acc.p[1] += den;
    }
    const err = {
      u: Math.sqrt(acc.u[0] / acc.u[1]),
      v: Math.sqrt(acc.v[0] / acc.v[1]),
      p: Math.sqrt(acc.p[0] / acc.p[1]),
    };
    const wallSeconds = (performance.now() - t0) / 1000;
    const result: TaylorGreenResult = {
      re,
      seed,
      relL2: err,
      t,
      relL2ByTime: { u: byTime.u, v: byTime.v },
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
      // Fields at the final time for the heatmaps ([nx, ny]); the whole space-time block too.
      const last = (nt - 1) * slab;
      const at = (a: Float64Array) => a.subarray(last, last + slab);
      const shape = [n, n];
      await writeNsRun(o.out, {
        name: 'ns-taylor-green',
        title: `Taylor–Green vortex, Re = ${re}, t ∈ [0, ${tEnd}] (fields at t = ${tEnd})`,
        inputs: ['x', 'y'],
        outputs: ['u', 'v', 'p'],
        backend,
        config: { case: 'taylor-green', ...o, out: undefined, re, seed },
        summary: {
          case: 'taylor-green',
          relL2: err,
          bounds: { u: 1e-2, v: 1e-2 },
          meetsBounds: err.u <= 1e-2 && err.v <= 1e-2,
          maxRelL2OverTime: { u: Math.max(...byTime.u), v: Math.max(...byTime.v) },
          re,
          seed,
          tEnd,
          steps: result.steps,
          lbfgsIterations: result.lbfgsIterations,
          loss: result.loss,
          wallSeconds: result.wallSeconds,
          trainSeconds: result.trainSeconds,
          msPerStep: result.msPerStep,
          msPerLbfgsIter: result.msPerLbfgsIter,
          backend,
          grid: { nx: n, ny: n, nt },
        },
        records: tr.records,
        arrays: {
          x: { data: x, shape: [n] },
          y: { data: y, shape: [n] },
          u_pred: { data: at(pred.u), shape },
          u_exact: { data: at(ex.u), shape },
          v_pred: { data: at(pred.v), shape },
          v_exact: { data: at(ex.v), shape },
          p_pred: { data: alignMean(at(pred.p), at(ex.p)), shape },
          p_exact: { data: at(ex.p), shape },
          // Everything over time, [nt, nx, ny], and the error per time.
          times: { data: t, shape: [nt] },
          u_pred_xyt: { data: pred.u, shape: [nt, n, n] },
          v_pred_xyt: { data: pred.v, shape: [nt, n, n] },
          relL2_u_by_time: { data: byTime.u, shape: [nt] },
          relL2_v_by_time: { data: byTime.v, shape: [nt] },
        },
        figures: { error_by_time: errorByTimeSpec(t, byTime.u, byTime.v) },
      });
    }
    return result;
  } finally {
    pinn.dispose();
  }
}

/** Relative L2 error of u and v against time (log scale), as a vega-lite spec. */
function errorByTimeSpec(t: Float64Array, u: Float64Array, v: Float64Array): unknown {
  const values = [
    ...Array.from(t, (tk, k) => ({ t: tk, field: 'u', error: u[k] })),
    ...Array.from(t, (tk, k) => ({ t: tk, field: 'v', error: v[k] })),
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Relative L2 error against time',
    description: 'Relative L2 error of u and v on the spatial grid at each evaluation time.',
    width: 420,
    height: 240,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 't', type: 'quantitative', title: 't' },
      y: { field: 'error', type: 'quantitative', scale: { type: 'log' }, title: 'rel. L2 error' },
      color: { field: 'field', type: 'nominal' },
    },
  };
}
