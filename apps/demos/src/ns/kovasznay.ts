/**
 * Kovasznay flow: steady 2-D Navier–Stokes on [−0.5, 1] × [−0.5, 1.5] at Re = 20 (any Re with
 * `re`), checked against the exact solution (`exact.ts`).
 *
 * The recipe (why each part is there):
 * - velocity–pressure form, fields (u, v, p) from one tanh MLP (4 × 50), residuals from jets
 *   (second derivatives of u and v as a collapsed Laplacian, first of p);
 * - hard Dirichlet constraints on u and v: u = B_u + D·N_u with D = (x−a)(b−x)(y−c)(d−y)
 *   (normalised to max 1) and B_u the transfinite (Coons) interpolant of the boundary data —
 *   built only from the exact solution's values on the four sides, so the interior stays
 *   unknown. The loss is then the three PDE residuals alone: no boundary/PDE balancing.
 *   `hard: false` uses soft Dirichlet terms instead (DeepXDE's setup) for comparison;
 * - pressure is free (defined up to a constant) and is compared after removing the mean;
 * - Adam with exponential decay, then L-BFGS, which gives the last two digits.
 */
import { Rectangle } from '@pinnate/geometry';
import { dirichlet, grid, linspace, Pinn, Problem, relL2 } from '@pinnate/pinn';
import {
  alignMean,
  cachedTransform,
  checkCommon,
  checkPositiveInt,
  type NsCommonOptions,
  relL2UpToConstant,
  STEADY_NS,
  setupBackend,
  trainNs,
  writeNsRun,
} from './common.ts';
import { KOVASZNAY_EXPRESSIONS, kovasznay, kovasznayLambda } from './exact.ts';

/** The Kovasznay domain [−0.5, 1] × [−0.5, 1.5] (DeepXDE's and Raissi's choice). */
export const KOVASZNAY_BOX = { x: [-0.5, 1], y: [-0.5, 1.5] } as const;

export interface KovasznayOptions extends NsCommonOptions {
  /** Reynolds number (default 20). */
  readonly re?: number;
  /** Adam steps (default 300: on this problem Adam barely moves the loss; L-BFGS does the work). */
  readonly steps?: number;
  /** L-BFGS iterations (default 4000). */
  readonly lbfgsIter?: number;
  /** Initial Adam learning rate (default 5e-3). */
  readonly lr?: number;
  /** Hidden widths (default [50, 50, 50, 50]). */
  readonly hidden?: readonly number[];
  /** Collocation points (default 2000, Sobol). */
  readonly points?: number;
  /** Hard Dirichlet constraints on u, v (default true); false: soft terms with `points.boundary` = 400. */
  readonly hard?: boolean;
  /** Evaluation grid points per side (default 101). */
  readonly grid?: number;
}

export interface KovasznayResult {
  readonly re: number;
  readonly seed: number;
  readonly relL2: { readonly u: number; readonly v: number; readonly p: number };
  readonly steps: number;
  readonly lbfgsIterations: number;
  readonly loss: number;
  readonly wallSeconds: number;
  readonly trainSeconds: number;
  readonly msPerStep: number;
  readonly msPerLbfgsIter: number;
  readonly backend: string;
}

const num = (v: number) => (v < 0 ? `(${v})` : `${v}`);

/**
 * Transfinite (Coons) interpolant on [a, b] × [c, d] of the boundary values of f, as an
 * expression of x, y: it equals f on all four sides and uses nothing from the interior.
 * `f(X, Y)` returns f's expression with X, Y substituted; `f0` evaluates f at the corners.
 */
export function coonsPatch(
  f: (X: string, Y: string) => string,
  f0: (x: number, y: number) => number,
  [a, b]: readonly [number, number],
  [c, d]: readonly [number, number],
): string {
  const xi = `((x-${num(a)})/${b - a})`;
  const eta = `((y-${num(c)})/${d - c})`;
  const corners =
    `(1-${xi})*(1-${eta})*${num(f0(a, c))} + ${xi}*(1-${eta})*${num(f0(b, c))}` +
    ` + (1-${xi})*${eta}*${num(f0(a, d))} + ${xi}*${eta}*${num(f0(b, d))}`;
  return (
    `(1-${xi})*(${f(num(a), 'y')}) + ${xi}*(${f(num(b), 'y')})` +
    ` + (1-${eta})*(${f('x', num(c))}) + ${eta}*(${f('x', num(d))}) - (${corners})`
  );
}

/** D = (x−a)(b−x)(y−c)(d−y) / max: zero on the boundary, 1 at the centre. */
export function boxDistance([a, b]: readonly [number, number], [c, d]: readonly [number, number]): string {
  const scale = 16 / ((b - a) ** 2 * (d - c) ** 2);
  return `${scale}*(x-${num(a)})*(${num(b)}-x)*(y-${num(c)})*(${num(d)}-y)`;
}

/** Substitutes X, Y for x, y in one of the Kovasznay expressions. */
function kovasznayAt(field: 'u' | 'v' | 'p') {
  return (X: string, Y: string) =>
    KOVASZNAY_EXPRESSIONS[field].replace(/\bx\b/g, `(${X})`).replace(/\by\b/g, `(${Y})`);
}

export function checkKovasznay(o: KovasznayOptions, op = 'kovasznay'): void {
  checkCommon(o, op);
  checkPositiveInt(o.grid, 'grid', op);
  if (o.grid !== undefined && o.grid < 2) throw new Error(`${op}: 'grid' must be ≥ 2, got ${o.grid}`);
}

/** The forward Kovasznay problem and its PINN with the demo's recipe. */
export function kovasznayPinn(o: KovasznayOptions = {}): Pinn {
  checkKovasznay(o);
  const re = o.re ?? 20;
  const lam = kovasznayLambda(re);
  const box = KOVASZNAY_BOX;
  const hard = o.hard ?? true;
  const exactExpr = (f: 'u' | 'v') => KOVASZNAY_EXPRESSIONS[f];
  const problem = new Problem({
    domain: new Rectangle([box.x[0], box.y[0]], [box.x[1], box.y[1]]),
    fields: ['u', 'v', 'p'],
    constants: { nu: 1 / re, lam },
    pde: [...STEADY_NS],
    conditions: hard
      ? []
      : [
          dirichlet({ field: 'u', value: exactExpr('u'), name: 'bc_u' }),
          dirichlet({ field: 'v', value: exactExpr('v'), name: 'bc_v' }),
        ],
  });
  const transforms = hard
    ? (['u', 'v'] as const).map((f) =>
        cachedTransform(problem, {
          field: f,
          particular: coonsPatch(kovasznayAt(f), (x, y) => kovasznay(re, x, y)[f], box.x, box.y),
          distance: boxDistance(box.x, box.y),
        }),
      )
    : [];
  return new Pinn(problem, {
    hidden: o.hidden ?? [50, 50, 50, 50],
    points: { domain: o.points ?? 2000, boundary: 400 },
    seed: o.seed ?? 0,
    sampler: 'sobol',
    transforms,
  });
}

/** Runs the demo: trains, evaluates on the grid against the exact solution, writes `out`. */
export async function runKovasznay(o: KovasznayOptions = {}): Promise<KovasznayResult> {
  const t0 = performance.now();
  checkKovasznay(o);
  const re = o.re ?? 20;
  const seed = o.seed ?? 0;
  const backend = await setupBackend(o.backend);
  const pinn = kovasznayPinn(o);
  try {
    const tr = await trainNs(pinn, o, { steps: 300, lbfgsIter: 4000, lr: 5e-3 });
    const n = o.grid ?? 101;
    const x = linspace(KOVASZNAY_BOX.x[0], KOVASZNAY_BOX.x[1], n);
    const y = linspace(KOVASZNAY_BOX.y[0], KOVASZNAY_BOX.y[1], n);
    const pts = grid([x, y]); // row i*n + j = (x_i, y_j): arrays [nx, ny]
    const pred = pinn.predict(pts);
    const ex = { u: new Float64Array(pts.n), v: new Float64Array(pts.n), p: new Float64Array(pts.n) };
    for (let i = 0; i < pts.n; i++) {
      const e = kovasznay(re, pts.data[2 * i], pts.data[2 * i + 1]);
      ex.u[i] = e.u;
      ex.v[i] = e.v;
      ex.p[i] = e.p;
    }
    const err = {
      u: relL2(pred.u, ex.u),
      v: relL2(pred.v, ex.v),
      p: relL2UpToConstant(pred.p, ex.p),
    };
    const wallSeconds = (performance.now() - t0) / 1000;
    const result: KovasznayResult = {
      re,
      seed,
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
      const residual = pinn.residuals(pts);
      await writeNsRun(o.out, {
        name: 'ns-kovasznay',
        title: `Kovasznay flow, Re = ${re}`,
        inputs: ['x', 'y'],
        outputs: ['u', 'v', 'p'],
        backend,
        config: { case: 'kovasznay', ...o, out: undefined, re, seed },
        summary: {
          case: 'kovasznay',
          relL2: err,
          bounds: { u: 1e-3, v: 1e-3, p: 1e-2 },
          meetsBounds: err.u <= 1e-3 && err.v <= 1e-3 && err.p <= 1e-2,
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
          hard: o.hard ?? true,
          grid: n,
        },
        records: tr.records,
        arrays: {
          x: { data: x, shape: [n] },
          y: { data: y, shape: [n] },
          u_pred: { data: pred.u, shape },
          u_exact: { data: ex.u, shape },
          v_pred: { data: pred.v, shape },
          v_exact: { data: ex.v, shape },
          // Shifted by the mean difference: the PINN's pressure constant is arbitrary.
          p_pred: { data: alignMean(pred.p, ex.p), shape },
          p_exact: { data: ex.p, shape },
          residual_momentum_x: { data: residual.momentum_x.map(Math.abs), shape },
          residual_continuity: { data: residual.continuity.map(Math.abs), shape },
        },
      });
    }
    return result;
  } finally {
    pinn.dispose();
  }
}
