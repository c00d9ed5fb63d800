/**
 * The β sweep of Mojgani et al.: u_t + β u_x = 0 on [0, 2π) periodic, t ∈ [0, 1],
 * u0 = sin x, exact solution sin(x − βt). At each β, an LPINN and a same-size PINN (same
 * embedding, grid, loss form and budget) are trained and their relative L2 errors tabulated.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { initBackend, PLOT_CONFIG, type TopLevelSpec } from '@pinnate/core';
import { saveArrays } from '@pinnate/pinn';
import {
  characteristicsPlot,
  evaluationGrid,
  lossPlot,
  type ModelKind,
  type ModelRun,
  type RecipeOptions,
  resolveRecipe,
  saveSvg,
  solutionMaps,
  speedScaleOf,
  trainAndEvaluate,
} from './common.ts';

export const DEFAULT_BETAS = [1, 10, 20, 30, 40, 50, 60, 70] as const;

/** The issue's bounds: LPINN ≤ 1e-2 at β = 50 and ≤ 3e-2 at β = 70; PINN ≥ 0.3 at β = 50. */
export const BOUNDS = [
  { beta: 50, kind: 'lpinn', max: 1e-2 },
  { beta: 70, kind: 'lpinn', max: 3e-2 },
  { beta: 50, kind: 'pinn', min: 0.3 },
] as const;

export interface ConvectionOptions extends RecipeOptions {
  /** Speeds β (default 1, 10, …, 70). */
  readonly betas?: readonly number[];
  /** Viscosity ν (default 0: pure convection; ν > 0 uses e^{−νt} sin(x − βt)). */
  readonly nu?: number;
  /** Models to train (default both). */
  readonly models?: readonly ModelKind[];
  /** β values whose maps, characteristics and loss curves are drawn (default 50 and the largest). */
  readonly plotBetas?: readonly number[];
  readonly out?: string;
}

export interface ConvectionRow {
  readonly beta: number;
  readonly runs: Partial<Record<ModelKind, Omit<ModelRun, 'prediction' | 'lossHistory' | 'characteristics'>>>;
}

export interface ConvectionResult {
  readonly nu: number;
  readonly rows: ConvectionRow[];
  readonly bounds: { beta: number; kind: string; value: number | null; bound: string; met: boolean | null }[];
  readonly wallSeconds: number;
  readonly backend: string;
  readonly recipe: ReturnType<typeof resolveRecipe>;
  readonly loadAverage: number[];
}

/** exp(−νt) sin(x − βt) on the grid, [t, x] row-major (exact for u0 = sin x). */
export function convectionExact(beta: number, nu: number, x: Float64Array, t: Float64Array): Float64Array {
  const out = new Float64Array(x.length * t.length);
  for (let j = 0; j < t.length; j++) {
    const damp = Math.exp(-nu * t[j]);
    for (let i = 0; i < x.length; i++) out[j * x.length + i] = damp * Math.sin(x[i] - beta * t[j]);
  }
  return out;
}

export async function runConvection(options: ConvectionOptions = {}): Promise<ConvectionResult> {
  const t0 = performance.now();
  const recipe = resolveRecipe(options);
  const betas = options.betas ?? DEFAULT_BETAS;
  const nu = options.nu ?? 0;
  if (!(nu >= 0)) throw new Error(`lpinn convection: 'nu' must be ≥ 0, got ${nu}`);
  if (!Array.isArray(betas) || betas.length === 0 || betas.some((b) => !Number.isFinite(b))) {
    throw new Error(
      `lpinn convection: 'betas' must be a non-empty list of numbers, got ${JSON.stringify(betas)}`,
    );
  }
  const models = options.models ?? (['lpinn', 'pinn'] as const);
  const plotBetas = options.plotBetas ?? [50, Math.max(...betas)];
  const backend = (await initBackend({})).name;
  const out = options.out;
  if (out) await mkdir(out, { recursive: true });
  const grid = evaluationGrid();
  // Rows of an earlier run into the same directory with the same recipe and ν are kept
  // (β values run again replace theirs), so a sweep can be completed in pieces.
  const rows: ConvectionRow[] = out ? await earlierRows(out, nu, recipe, betas) : [];
  for (const beta of betas) {
    const problem = { flux: { kind: 'convection' as const, speed: beta }, nu, initial: Math.sin };
    const reference = convectionExact(beta, nu, grid.x, grid.t);
    const runs: ConvectionRow['runs'] = {};
    for (const kind of models) {
      const run = await trainAndEvaluate(
        kind,
        problem,
        reference,
        grid,
        recipe,
        speedScaleOf(problem),
        0,
        `${kind} β=${beta}`,
      );
      const { prediction, lossHistory, characteristics, ...summary } = run;
      runs[kind] = summary;
      console.log(
        `β=${beta} ${kind}: relL2 ${run.relL2.toExponential(3)} (paper metric ${run.paperMetric.toExponential(3)}), ` +
          `${run.trainSeconds.toFixed(0)} s, ${run.msPerStep.toFixed(0)} ms/step` +
          (run.hessianTop !== undefined ? `, λmax ${run.hessianTop.toExponential(3)}` : ''),
      );
      if (out && plotBetas.includes(beta)) {
        await saveArrays(join(out, 'arrays'), {
          [`u_${kind}_beta${beta}`]: { data: prediction, shape: [grid.t.length, grid.x.length] },
          [`u_exact_beta${beta}`]: { data: reference, shape: [grid.t.length, grid.x.length] },
        });
        await saveSvg(
          out,
          `map_${kind}_beta${beta}`,
          solutionMaps(
            grid,
            prediction,
            reference,
            `${kind.toUpperCase()}, β = ${beta}${nu > 0 ? `, ν = ${nu}` : ''}: prediction | exact | |error|`,
          ),
        );
        await saveSvg(
          out,
          `loss_${kind}_beta${beta}`,
          lossPlot(run, `${kind.toUpperCase()} loss, β = ${beta}`),
        );
        if (characteristics) {
          await saveSvg(
            out,
            `characteristics_beta${beta}`,
            characteristicsPlot(grid.t, characteristics, `LPINN characteristics X(x0, t), β = ${beta}`),
          );
        }
      }
    }
    rows.push({ beta, runs });
    if (out) await writeResults(out, partial(rows, nu, t0, backend, recipe));
  }
  const result = partial(rows, nu, t0, backend, recipe);
  if (out) {
    await writeResults(out, result);
    await saveSvg(out, 'error_vs_beta', errorPlot(result));
  }
  return result;
}

function partial(
  rows: ConvectionRow[],
  nu: number,
  t0: number,
  backend: string,
  recipe: ReturnType<typeof resolveRecipe>,
): ConvectionResult {
  const bounds =
    nu === 0
      ? BOUNDS.map((b) => {
          const v = rows.find((r) => r.beta === b.beta)?.runs[b.kind]?.relL2 ?? null;
          const met = v === null ? null : 'max' in b ? v <= b.max : v >= b.min;
          return {
            beta: b.beta,
            kind: b.kind,
            value: v,
            bound: 'max' in b ? `≤ ${b.max}` : `≥ ${b.min}`,
            met,
          };
        })
      : [];
  return {
    nu,
    rows: [...rows].sort((a, b) => a.beta - b.beta),
    bounds,
    wallSeconds: (performance.now() - t0) / 1000,
    backend,
    recipe,
    loadAverage: loadAverage(),
  };
}

export function loadAverage(): number[] {
  return loadavg().map((v) => Number(v.toFixed(2)));
}

async function earlierRows(
  out: string,
  nu: number,
  recipe: ReturnType<typeof resolveRecipe>,
  betas: readonly number[],
): Promise<ConvectionRow[]> {
  let text: string;
  try {
    text = await readFile(join(out, 'results.json'), 'utf8');
  } catch {
    return [];
  }
  const old = JSON.parse(text) as ConvectionResult;
  // Everything that changes training must match; log frequency does not.
  const keys = [
    'steps',
    'lr',
    'lbfgs',
    'nx',
    'nt',
    'icWeight',
    'seed',
    'hidden',
    'hiddenX',
    'hessianIterations',
  ] as const;
  const project = (r: Record<string, unknown>) => JSON.stringify(keys.map((k) => r[k] ?? null));
  if (old.nu !== nu || project(old.recipe) !== project(recipe)) return [];
  const kept = old.rows.filter((r) => !betas.includes(r.beta));
  if (kept.length)
    console.log(`keeping β = ${kept.map((r) => r.beta).join(', ')} from ${join(out, 'results.json')}`);
  return kept;
}

async function writeResults(out: string, r: ConvectionResult): Promise<void> {
  await writeFile(join(out, 'results.json'), `${JSON.stringify(r, null, 2)}\n`);
  await writeFile(join(out, 'report.md'), convectionMarkdown(r));
}

function sumTrain(r: ConvectionResult): number {
  return r.rows.reduce(
    (acc, row) => acc + Object.values(row.runs).reduce((a, run) => a + (run?.trainSeconds ?? 0), 0),
    0,
  );
}

const fmt = (v: number | undefined) => (v === undefined ? '–' : v.toExponential(2));

export function convectionMarkdown(r: ConvectionResult): string {
  const lines = [
    `# LPINN vs PINN, convection u_t + β u_x = ${r.nu > 0 ? `${r.nu} u_xx` : '0'}, u0 = sin x`,
    '',
    `Backend ${r.backend}; ${r.recipe.steps} Adam + ≤ ${r.recipe.lbfgs} L-BFGS per model on a ${r.recipe.nx} × ${r.recipe.nt} grid; ` +
      `wall ${(r.wallSeconds / 60).toFixed(1)} min for the β run last; ` +
      `training time summed over the table's models ${(sumTrain(r) / 60).toFixed(1)} min; load average at the end ${r.loadAverage.join(' ')}.`,
    '',
    '| β | LPINN rel. L2 | PINN rel. L2 | LPINN paper metric | PINN paper metric | LPINN s | PINN s | LPINN ms/step | PINN ms/step | LPINN λmax | PINN λmax |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...r.rows.map((row) => {
      const l = row.runs.lpinn;
      const p = row.runs.pinn;
      return `| ${row.beta} | ${fmt(l?.relL2)} | ${fmt(p?.relL2)} | ${fmt(l?.paperMetric)} | ${fmt(p?.paperMetric)} | ${l ? l.trainSeconds.toFixed(0) : '–'} | ${p ? p.trainSeconds.toFixed(0) : '–'} | ${l ? l.msPerStep.toFixed(0) : '–'} | ${p ? p.msPerStep.toFixed(0) : '–'} | ${fmt(l?.hessianTop)} | ${fmt(p?.hessianTop)} |`;
    }),
    '',
  ];
  if (r.bounds.length) {
    lines.push('| bound | value | met |', '|---|---|---|');
    for (const b of r.bounds) {
      lines.push(
        `| ${b.kind.toUpperCase()} at β = ${b.beta}: ${b.bound} | ${b.value === null ? 'not run' : b.value.toExponential(2)} | ${b.met === null ? '–' : b.met ? 'yes' : 'NO'} |`,
      );
    }
    lines.push('');
  }
  lines.push(
    'Figures: `error_vs_beta.svg`; per plotted β `map_<model>_beta<β>.svg` (prediction | exact | |error|), `characteristics_beta<β>.svg`, `loss_<model>_beta<β>.svg`.',
    '',
  );
  return lines.join('\n');
}

export function errorPlot(r: ConvectionResult): TopLevelSpec {
  const rows: { beta: number; model: string; error: number }[] = [];
  for (const row of r.rows) {
    for (const [kind, run] of Object.entries(row.runs)) {
      if (run) rows.push({ beta: row.beta, model: kind.toUpperCase(), error: Math.max(run.relL2, 1e-6) });
    }
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Relative L2 error vs β (u0 = sin x${r.nu > 0 ? `, ν = ${r.nu}` : ''})`,
    config: PLOT_CONFIG,
    width: 420,
    height: 280,
    data: { values: rows },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'beta', type: 'quantitative', title: 'β' },
      y: {
        field: 'error',
        type: 'quantitative',
        scale: { type: 'log' },
        title: 'relative L2 error',
        axis: { format: '.0e' },
      },
      color: { field: 'model', type: 'nominal', title: 'model' },
    },
  } as TopLevelSpec;
}
