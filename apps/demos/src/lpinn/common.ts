/**
 * What the LPINN demos share: the training recipe applied identically to the Lagrangian
 * model and its same-size Eulerian baseline, evaluation against a reference on a fixed grid,
 * and the figures.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  countParameters,
  fieldHeatmaps,
  lossCurves,
  PLOT_CONFIG,
  renderSvg,
  type TopLevelSpec,
} from '@pinnate/core';
import {
  Lpinn,
  PeriodicPinn,
  relL2,
  spectralNorm,
  type TransportProblem,
  type TransportSolver,
  topHessianEigenvalue,
} from '@pinnate/pinn';

export type ModelKind = 'lpinn' | 'pinn';

/** The training budget and model size, identical for both models. */
export interface RecipeOptions {
  /** Adam steps (default 600). */
  readonly steps?: number;
  /** Initial Adam learning rate (default 1e-2, the paper's), decayed exponentially to 1/10 of it at the last step. */
  readonly lr?: number;
  /** L-BFGS iterations after Adam (default 150; 0 skips). */
  readonly lbfgs?: number;
  /** Training grid: labels/points in x × times (default 64 × 32). */
  readonly nx?: number;
  readonly nt?: number;
  /** Hidden widths of the state network, also the baseline's (default [50, 50, 50]). */
  readonly hidden?: readonly number[];
  /** Hidden widths of the LPINN characteristic branch (default [50, 50]). */
  readonly hiddenX?: readonly number[];
  /** Initial-condition weight (default 100; both residual weights are 1). */
  readonly icWeight?: number;
  /** Power iterations for the top Hessian eigenvalue at the end (default 0: skip). */
  readonly hessianIterations?: number;
  readonly seed?: number;
  /** Progress lines every this many steps (default 250; 0 silences). */
  readonly logEvery?: number;
}

export const DEFAULT_RECIPE = {
  steps: 600,
  lr: 1e-2,
  lbfgs: 150,
  nx: 64,
  nt: 32,
  icWeight: 100,
  hessianIterations: 0,
  seed: 0,
  logEvery: 250,
} as const;

/** The evaluation grid: x_i = 2πi/256 (periodic, no duplicate end), t_j = j/99. */
export function evaluationGrid(nx = 256, nt = 100, tEnd = 1, period = 2 * Math.PI) {
  return {
    x: Float64Array.from({ length: nx }, (_, i) => (i * period) / nx),
    t: Float64Array.from({ length: nt }, (_, j) => (j * tEnd) / (nt - 1)),
  };
}

export interface ModelRun {
  readonly kind: ModelKind;
  /** Relative L2 (Frobenius) error on the evaluation grid. */
  readonly relL2: number;
  /** The official code's printed metric: ‖u_ref − u‖₂ / ‖u_ref − C‖₂ with spectral norms of the [x, t] matrices. */
  readonly paperMetric: number;
  /** Relative L2 of the fluctuation, ‖u − u_ref‖ / ‖u_ref − C‖ (equals relL2 when C = 0). */
  readonly relL2Fluctuation: number;
  readonly parameters: number;
  readonly steps: number;
  readonly lbfgsIterations: number;
  readonly loss: number;
  readonly terms: Readonly<Record<string, number>>;
  readonly trainSeconds: number;
  readonly msPerStep: number;
  readonly hessianTop?: number;
  /** [nt, nx] row-major on the evaluation grid. */
  readonly prediction: Float64Array;
  readonly lossHistory: { readonly loss: number[]; readonly terms: Record<string, number[]> };
  /** LPINN only: characteristic positions X for `labels` at the evaluation times, [nt, labels]. */
  readonly characteristics?: { readonly labels: Float64Array; readonly X: Float64Array };
}

export function buildSolver(
  kind: ModelKind,
  problem: TransportProblem,
  r: Required<Omit<RecipeOptions, 'hidden' | 'hiddenX'>> & Pick<RecipeOptions, 'hidden' | 'hiddenX'>,
  speedScale: number,
): TransportSolver {
  const options = {
    grid: { nx: r.nx, nt: r.nt },
    hidden: r.hidden,
    hiddenX: r.hiddenX,
    weights: { rx: 1, ru: 1, ic: r.icWeight },
    seed: r.seed,
  };
  switch (kind) {
    case 'lpinn':
      return new Lpinn(problem, { ...options, speedScale });
    case 'pinn':
      return new PeriodicPinn(problem, options);
    default: {
      const never: never = kind;
      throw new Error(`unknown model kind ${String(never)}`);
    }
  }
}

export function resolveRecipe(o: RecipeOptions) {
  const r = { ...DEFAULT_RECIPE, hidden: o.hidden ?? [50, 50, 50], hiddenX: o.hiddenX } as Required<
    Omit<RecipeOptions, 'hidden' | 'hiddenX'>
  > &
    Pick<RecipeOptions, 'hidden' | 'hiddenX'>;
  const out = { ...r } as Record<string, unknown>;
  // Only recipe keys: callers pass wider option objects (betas, out, …).
  for (const k of [...Object.keys(DEFAULT_RECIPE), 'hidden', 'hiddenX'] as (keyof RecipeOptions)[]) {
    if (o[k] !== undefined) out[k] = o[k];
  }
  const res = out as typeof r;
  const int = (v: number, name: string, min: number) => {
    if (!(Number.isInteger(v) && v >= min))
      throw new Error(`lpinn: '${name}' must be an integer ≥ ${min}, got ${v}`);
  };
  int(res.steps, 'steps', 0);
  int(res.lbfgs, 'lbfgs', 0);
  int(res.nx, 'nx', 4);
  int(res.nt, 'nt', 2);
  int(res.hessianIterations, 'hessianIterations', 0);
  int(res.logEvery, 'logEvery', 0);
  if (!(res.lr > 0)) throw new Error(`lpinn: 'lr' must be > 0, got ${res.lr}`);
  if (!(res.icWeight >= 0)) throw new Error(`lpinn: 'icWeight' must be ≥ 0, got ${res.icWeight}`);
  return res;
}

/**
 * Train one model with the shared recipe and evaluate it on the grid against `reference`
 * ([t.length, x.length]); `shift` is the constant C of u0 = sin x + C (0 for convection).
 */
export async function trainAndEvaluate(
  kind: ModelKind,
  problem: TransportProblem,
  reference: Float64Array,
  grid: { x: Float64Array; t: Float64Array },
  recipe: ReturnType<typeof resolveRecipe>,
  speedScale: number,
  shift = 0,
  label = '',
): Promise<ModelRun> {
  const solver = buildSolver(kind, problem, recipe, speedScale);
  const t0 = performance.now();
  const lines = recipe.logEvery > 0;
  const trainer = solver.trainerFor({
    steps: recipe.steps,
    adam: {
      lr: { kind: 'exponential', lr: recipe.lr, decayRate: 0.1, decaySteps: Math.max(1, recipe.steps) },
    },
    lbfgs: recipe.lbfgs > 0 ? { maxIter: recipe.lbfgs, m: 50, gradTol: 1e-10 } : undefined,
    seed: recipe.seed,
    logEvery: lines ? recipe.logEvery : 1_000_000,
    progress: lines ? 'lines' : 'none',
    output: lines ? { write: (s: string) => process.stdout.write(label ? `[${label}] ${s}` : s) } : undefined,
  });
  let result: Awaited<ReturnType<typeof trainer.fit>>;
  try {
    result = await trainer.fit();
  } finally {
    trainer.dispose();
  }
  const trainSeconds = (performance.now() - t0) / 1000;
  const hessianTop =
    recipe.hessianIterations > 0
      ? topHessianEigenvalue(solver.variables(), () => solver.totalLoss(), {
          iterations: recipe.hessianIterations,
          seed: recipe.seed,
        }).eigenvalue
      : undefined;
  const prediction = solver.predict(grid.x, grid.t);
  let characteristics: ModelRun['characteristics'];
  if (solver instanceof Lpinn) {
    const labels = Float64Array.from({ length: 12 }, (_, i) => (i * 2 * Math.PI) / 12);
    characteristics = { labels, X: solver.characteristics(labels, grid.t).X };
  }
  const err = errors(prediction, reference, grid.t.length, grid.x.length, shift);
  const run: ModelRun = {
    kind,
    ...err,
    parameters: countParameters(solver.model),
    steps: result.steps,
    lbfgsIterations: result.lbfgsIterations,
    loss: result.loss,
    terms: result.terms,
    trainSeconds,
    msPerStep: result.msPerStep,
    hessianTop,
    prediction,
    lossHistory: { loss: [...result.history.loss], terms: { ...result.history.terms } },
    characteristics,
  };
  solver.dispose();
  return run;
}

/** Frobenius relative L2, the fluctuation version, and the paper's spectral-norm metric. */
export function errors(pred: Float64Array, ref: Float64Array, nt: number, nx: number, shift: number) {
  const diff = new Float64Array(pred.length);
  const fluct = new Float64Array(pred.length);
  let num = 0;
  let den = 0;
  for (let k = 0; k < pred.length; k++) {
    diff[k] = pred[k] - ref[k];
    fluct[k] = ref[k] - shift;
    num += diff[k] ** 2;
    den += fluct[k] ** 2;
  }
  return {
    relL2: relL2(pred, ref),
    relL2Fluctuation: Math.sqrt(num / den),
    paperMetric: spectralNorm(diff, nt, nx) / spectralNorm(fluct, nt, nx),
  };
}

export async function saveSvg(dir: string, name: string, spec: TopLevelSpec): Promise<void> {
  await writeFile(join(dir, `${name}.svg`), await renderSvg(spec, name));
  await writeFile(join(dir, `${name}.vl.json`), `${JSON.stringify(spec)}\n`);
}

/** Prediction | reference | |error| maps over (t, x). */
export function solutionMaps(
  grid: { x: Float64Array; t: Float64Array },
  prediction: Float64Array,
  reference: Float64Array,
  title: string,
): TopLevelSpec {
  return fieldHeatmaps({
    a: { name: 't', values: grid.t },
    b: { name: 'x', values: grid.x },
    prediction,
    reference,
    name: 'u',
    title,
    panelWidth: 220,
    panelHeight: 160,
  });
}

/** Characteristic curves X(x0, t) of an LPINN run (unwrapped: straight lines for convection). */
export function characteristicsPlot(
  t: Float64Array,
  c: NonNullable<ModelRun['characteristics']>,
  title: string,
): TopLevelSpec {
  const nl = c.labels.length;
  const rows: Record<string, number | string>[] = [];
  for (let i = 0; i < nl; i++) {
    for (let j = 0; j < t.length; j++) {
      rows.push({
        label: `x0 = ${c.labels[i].toFixed(2)}`,
        t: Number(t[j].toFixed(4)),
        X: Number(c.X[j * nl + i].toFixed(5)),
      });
    }
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    config: PLOT_CONFIG,
    width: 420,
    height: 260,
    data: { values: rows },
    mark: { type: 'line', strokeWidth: 1.2 },
    encoding: {
      x: { field: 't', type: 'quantitative', title: 't' },
      y: { field: 'X', type: 'quantitative', title: 'X(x0, t)' },
      color: { field: 'label', type: 'nominal', title: 'label', legend: null },
    },
  } as TopLevelSpec;
}

export function lossPlot(run: ModelRun, title: string): TopLevelSpec {
  return lossCurves({ terms: run.lossHistory.terms, total: run.lossHistory.loss, title });
}

/** Speed scale of the characteristic branch: the largest characteristic speed at t = 0. */
export function speedScaleOf(problem: TransportProblem): number {
  const f = problem.flux;
  if (f.kind === 'convection') return Math.max(1, Math.abs(f.speed));
  let m = 0;
  for (let i = 0; i < 1024; i++) m = Math.max(m, Math.abs(problem.initial((i * 2 * Math.PI) / 1024)));
  return Math.max(1, m);
}
