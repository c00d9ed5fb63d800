/**
 * Viscous Burgers with a travelling front (the paper's moving-shock case):
 * u_t + u u_x = ν u_xx on [0, 2π) periodic, t ∈ [0, 1], u0 = sin x + C. The front steepens
 * while it travels at speed ≈ C. Reference: the Fourier pseudo-spectral ETDRK4 solver of
 * @pinnate/operators at 1024 modes, sampled to the 256-point evaluation grid.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { initBackend } from '@pinnate/core';
import { solveBurgersPeriodic } from '@pinnate/operators';
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
import { loadAverage } from './convection.ts';

export interface BurgersFrontOptions extends RecipeOptions {
  /** Viscosity ν (default 0.01). */
  readonly nu?: number;
  /** The constant C in u0 = sin x + C (default 10). */
  readonly shift?: number;
  readonly models?: readonly ModelKind[];
  readonly out?: string;
}

/**
 * Reference on x_i = 2πi/nx, t_j = j/(nt − 1): [nt, nx]. Solved on `modes` points
 * (a multiple of nx) with `stepsPerSnapshot` ETDRK4 steps between snapshots.
 */
export function burgersFrontReference(
  nu: number,
  shift: number,
  nx: number,
  nt: number,
  modes = 1024,
  stepsPerSnapshot = 128,
): Float64Array {
  if (modes % nx !== 0)
    throw new Error(`burgersFrontReference: 'modes' (${modes}) must be a multiple of nx (${nx})`);
  const initial = Float64Array.from({ length: modes }, (_, i) => Math.sin((i * 2 * Math.PI) / modes) + shift);
  const sol = solveBurgersPeriodic({
    viscosity: nu,
    initial,
    length: 2 * Math.PI,
    tEnd: 1,
    steps: (nt - 1) * stepsPerSnapshot,
    snapshots: nt,
  });
  const stride = modes / nx;
  const out = new Float64Array(nt * nx);
  for (let j = 0; j < nt; j++) for (let i = 0; i < nx; i++) out[j * nx + i] = sol.u[j * modes + i * stride];
  return out;
}

export interface BurgersFrontResult {
  readonly nu: number;
  readonly shift: number;
  readonly runs: Partial<Record<ModelKind, Omit<ModelRun, 'prediction' | 'lossHistory' | 'characteristics'>>>;
  readonly wallSeconds: number;
  readonly backend: string;
  readonly recipe: ReturnType<typeof resolveRecipe>;
  readonly loadAverage: number[];
}

export async function runBurgersFront(options: BurgersFrontOptions = {}): Promise<BurgersFrontResult> {
  const t0 = performance.now();
  const recipe = resolveRecipe(options);
  const nu = options.nu ?? 0.01;
  const shift = options.shift ?? 10;
  if (!(nu > 0)) throw new Error(`lpinn burgers: 'nu' must be > 0, got ${nu}`);
  if (!Number.isFinite(shift)) throw new Error(`lpinn burgers: 'shift' must be a number, got ${shift}`);
  const backend = (await initBackend({})).name;
  const grid = evaluationGrid();
  const reference = burgersFrontReference(nu, shift, grid.x.length, grid.t.length);
  const problem = { flux: { kind: 'burgers' as const }, nu, initial: (x: number) => Math.sin(x) + shift };
  const out = options.out;
  if (out) await mkdir(out, { recursive: true });
  const runs: BurgersFrontResult['runs'] = {};
  for (const kind of options.models ?? (['lpinn', 'pinn'] as const)) {
    const run = await trainAndEvaluate(
      kind,
      problem,
      reference,
      grid,
      recipe,
      speedScaleOf(problem),
      shift,
      `${kind} burgers`,
    );
    const { prediction, lossHistory, characteristics, ...summary } = run;
    runs[kind] = summary;
    console.log(
      `burgers C=${shift} ${kind}: relL2 ${run.relL2.toExponential(3)}, fluctuation relL2 ${run.relL2Fluctuation.toExponential(3)}, ` +
        `paper metric ${run.paperMetric.toExponential(3)}, ${run.trainSeconds.toFixed(0)} s`,
    );
    if (out) {
      await saveArrays(join(out, 'arrays'), {
        [`u_${kind}`]: { data: prediction, shape: [grid.t.length, grid.x.length] },
      });
      await saveSvg(
        out,
        `map_${kind}`,
        solutionMaps(
          grid,
          prediction,
          reference,
          `${kind.toUpperCase()}, Burgers u0 = sin x + ${shift}, ν = ${nu}: prediction | reference | |error|`,
        ),
      );
      await saveSvg(out, `loss_${kind}`, lossPlot(run, `${kind.toUpperCase()} loss, Burgers`));
      if (characteristics) {
        await saveSvg(
          out,
          'characteristics',
          characteristicsPlot(
            grid.t,
            characteristics,
            `LPINN characteristics, Burgers u0 = sin x + ${shift}`,
          ),
        );
      }
    }
  }
  const result: BurgersFrontResult = {
    nu,
    shift,
    runs,
    wallSeconds: (performance.now() - t0) / 1000,
    backend,
    recipe,
    loadAverage: loadAverage(),
  };
  if (out) {
    await saveArrays(join(out, 'arrays'), {
      u_ref: { data: reference, shape: [grid.t.length, grid.x.length] },
      x: { data: grid.x, shape: [grid.x.length] },
      t: { data: grid.t, shape: [grid.t.length] },
    });
    await writeFile(join(out, 'results.json'), `${JSON.stringify(result, null, 2)}\n`);
    await writeFile(join(out, 'report.md'), burgersMarkdown(result));
  }
  return result;
}

export function burgersMarkdown(r: BurgersFrontResult): string {
  const f = (v: number | undefined) => (v === undefined ? '–' : v.toExponential(2));
  return [
    `# LPINN vs PINN, viscous Burgers, u0 = sin x + ${r.shift}, ν = ${r.nu}`,
    '',
    `Backend ${r.backend}; ${r.recipe.steps} Adam + ≤ ${r.recipe.lbfgs} L-BFGS per model on a ${r.recipe.nx} × ${r.recipe.nt} grid; ` +
      `wall ${(r.wallSeconds / 60).toFixed(1)} min; load average at the end ${r.loadAverage.join(' ')}.`,
    '',
    '| model | rel. L2 of u | rel. L2 of u − C | paper metric | train s | ms/step |',
    '|---|---|---|---|---|---|',
    ...(['lpinn', 'pinn'] as const).flatMap((k) => {
      const run = r.runs[k];
      return run
        ? [
            `| ${k.toUpperCase()} | ${f(run.relL2)} | ${f(run.relL2Fluctuation)} | ${f(run.paperMetric)} | ${run.trainSeconds.toFixed(0)} | ${run.msPerStep.toFixed(0)} |`,
          ]
        : [];
    }),
    '',
    'Figures: `map_<model>.svg`, `characteristics.svg`, `loss_<model>.svg`; arrays in `arrays/`.',
    '',
  ].join('\n');
}
