/**
 * PIG on 2-D Helmholtz (Kang et al. 2025, §4): Δu + u = f on [−1, 1]², u = 0 on the boundary,
 * f from the exact solution u = sin(πx) sin(4πy). Loss = boundary + 1e-4 × residual (the
 * paper's weighting). Reference: the exact solution on a 250 × 250 grid (the paper's test grid).
 *
 * The model is `Pig` (800 Gaussians, 4 channels, σ₀ = 0.1, MLP 4 → 16 → 1 tanh) inside a plain
 * `Pinn`; the PINN baseline is the same `Pinn` with an MLP, trained by the same schedule.
 */
import { type Module, Rng, saveModel } from '@pinnate/core';
import { Rectangle, type SamplerKind } from '@pinnate/geometry';
import { dirichlet, grid, linspace, Pig, type PigConfig, Pinn, Problem } from '@pinnate/pinn';
import { type GaussianOverlay, overlayOf } from './report.ts';
import {
  type ErrorRecord,
  type PigOptimizer,
  runSchedule,
  type ScheduleAverage,
  tailAverage,
} from './train.ts';

export const HELMHOLTZ_EXACT = 'sin(pi*x)*sin(4*pi*y)';

export function helmholtzExact(x: number, y: number): number {
  return Math.sin(Math.PI * x) * Math.sin(4 * Math.PI * y);
}

export interface HelmholtzOptions {
  /** 'pig' (default) or 'pinn' (MLP baseline). */
  readonly model?: 'pig' | 'pinn';
  /** Gaussians (default 800). */
  readonly gaussians?: number;
  /** Feature channels k (default 4). */
  readonly channels?: number;
  /** Initial σ (default 0.1). */
  readonly sigma?: number;
  /**
   * Means drawn uniformly from [−1 − m, 1 + m]² (default 0.1; the paper's is 0): a margin gives
   * points near the boundary as many Gaussians as interior ones, which lowered the boundary
   * error 4x and the error after 1 000 L-BFGS iterations 2.5–8x on seeds 0–2 (docs/pig.md).
   */
  readonly meanMargin?: number;
  /** MLP hidden widths after the features (default [16]). */
  readonly pigHidden?: readonly number[];
  /** Train the Gaussian means (default true; false = fixed-means ablation). */
  readonly learnMeans?: boolean;
  /** PINN baseline hidden widths (default [64, 64, 64]). */
  readonly pinnHidden?: readonly number[];
  /** Default 'lbfgs'. */
  readonly optimizer?: PigOptimizer;
  /** L-BFGS iterations (default 4000) or Adam steps (default 6000). */
  readonly iterations?: number;
  /** L-BFGS iterations per round of fresh points (default 20, the paper's `max_iter`). */
  readonly roundIterations?: number;
  /** Keep the L-BFGS memory across rounds (default true). */
  readonly warmStart?: boolean;
  /** L-BFGS correction pairs (default 100). */
  readonly history?: number;
  /** Locality cutoff of the Gaussian kernel in standard deviations (default 7). */
  readonly cutoff?: number;
  /** Threads of the Gaussian kernel (default 2: this machine's cores; results do not depend on it). */
  readonly threads?: number;
  /** Collocation points, redrawn every round / step (default 10000). */
  readonly points?: number;
  /**
   * How the collocation points are drawn each round (default 'sobol': a Sobol set with a fresh
   * seeded digital shift per draw, which halved the loss at equal iterations on seeds 0–2 against
   * 'random', see docs/pig.md; 'halton' is the other low-discrepancy choice).
   */
  readonly sampler?: SamplerKind;
  /** Boundary points (default 4000). */
  readonly boundaryPoints?: number;
  /** Redraw the boundary points with the collocation points (default false; the paper does). */
  readonly redrawBoundary?: boolean;
  /** Residual weight (default 1e-4). */
  readonly residualWeight?: number;
  /** Adam learning rate (default 1e-2, the paper's). */
  readonly lr?: number;
  /**
   * Adam learning rate at the last step (default 1e-5): the per-step factor is
   * (lrEnd / lr)^(1 / iterations), the paper's exponential decay compressed into our steps (the
   * paper: ×0.9995 per step for 60 000 steps, 1e-2 → 9e-16; below ~1e-5 nothing moves).
   */
  readonly lrEnd?: number;
  /** Adam per-step factor; overrides `lrEnd` (0.9995 is the paper's ExponentialLR γ). */
  readonly decay?: number;
  readonly timeBudgetSeconds?: number;
  /**
   * The trained model is the mean of the parameters after every L-BFGS round (Adam step) of the
   * last `averageLast` iterations, at most the last quarter of the run (0: the last iterate).
   * It damps the round-to-round wander of the error, so the result does not depend on which
   * round training stops at, and uses no reference data (docs/pig.md). Default 1000.
   */
  readonly averageLast?: number;
  /** Explicit averaging (overrides `averageLast`; see `ScheduleOptions.average`). */
  readonly average?: ScheduleAverage;
  /** Called after every L-BFGS round / recorded Adam step (e.g. to snapshot the parameters). */
  readonly onRound?: (iteration: number, network: Module) => void;
  /** Test grid side (default 250). */
  readonly testGrid?: number;
  readonly seed?: number;
  readonly log?: (line: string) => void;
  /** Save the trained network here (`saveModel`; load with `loadModel(dir, PIG_MODULES)`). */
  readonly modelDir?: string;
}

export interface HelmholtzResult {
  readonly model: 'pig' | 'pinn';
  readonly relL2: number;
  readonly iterations: number;
  /** Loss-and-gradient evaluations (L-BFGS line-search trials included). */
  readonly evaluations: number;
  readonly trainSeconds: number;
  /** CPU seconds of training (this process; the machine is shared). */
  readonly trainCpuSeconds: number;
  readonly secondsPerIteration: number;
  readonly cpuSecondsPerIteration: number;
  readonly records: ErrorRecord[];
  readonly loss: number;
  readonly seed: number;
  readonly parameters: number;
  /** Test grid axes and fields, u[iy * n + ix]. */
  readonly axis: Float64Array;
  readonly uPred: Float64Array;
  readonly uRef: Float64Array;
  /** The trained Gaussians (PIG only). */
  readonly overlay: GaussianOverlay | null;
}

/** Default `averageLast`: the last N iterations are averaged. */
export const AVERAGE_LAST_DEFAULT = 1000;

export function helmholtzProblem(): Problem {
  return new Problem({
    domain: new Rectangle([-1, -1], [1, 1]),
    pde: { name: 'pde', expression: 'lap(u) + u', forcing: `(1 - 17*pi^2)*${HELMHOLTZ_EXACT}` },
    conditions: [dirichlet({ value: HELMHOLTZ_EXACT, name: 'bc' })],
  });
}

export function helmholtzPig(o: HelmholtzOptions, rng: Rng): Pig {
  const cfg: PigConfig = {
    inSize: 2,
    gaussians: o.gaussians ?? 800,
    lo: [-1 - (o.meanMargin ?? 0.1), -1 - (o.meanMargin ?? 0.1)],
    hi: [1 + (o.meanMargin ?? 0.1), 1 + (o.meanMargin ?? 0.1)],
    channels: o.channels ?? 4,
    sigma: o.sigma ?? 0.1,
    hidden: o.pigHidden ?? [16],
    learnMeans: o.learnMeans ?? true,
    // 7σ, the library's default. 5σ (half the pairs) looked safe — exp(−12.5) ≈ 4e-6 of a peak —
    // but each cut Gaussian jumps by that much on its cutoff ellipse, a source the residual at
    // the points never sees: at 5σ it was most of the final error (docs/pig.md, "The cutoff hid
    // the error").
    cutoff: o.cutoff ?? 7,
    threads: o.threads ?? 2,
  };
  return new Pig(cfg, rng);
}

export async function runHelmholtz(o: HelmholtzOptions = {}): Promise<HelmholtzResult> {
  const seed = o.seed ?? 0;
  const model = o.model ?? 'pig';
  const optimizer = o.optimizer ?? 'lbfgs';
  const problem = helmholtzProblem();
  const n = o.points ?? 10000;
  const rng = new Rng(seed);
  const network = model === 'pig' ? helmholtzPig(o, rng.split()) : undefined;
  const pinn = new Pinn(problem, {
    network,
    hidden: o.pinnHidden ?? [64, 64, 64],
    points: { domain: n, boundary: o.boundaryPoints ?? 4000 },
    sampler: o.sampler ?? 'sobol',
    seed,
    weights: { pde: o.residualWeight ?? 1e-4, bc: 1 },
    resampleEvery: optimizer === 'adam' ? 1 : undefined,
    resampleConditions: o.redrawBoundary ?? false,
    adaptiveSampling:
      optimizer === 'lbfgs'
        ? { method: 'rad', k: 0, c: 1, pool: n, every: Number.MAX_SAFE_INTEGER }
        : undefined,
  });
  const iterations = o.iterations ?? (optimizer === 'adam' ? 6000 : 4000);
  // Capped at the last quarter so that short runs do not average in their early iterates.
  const average = o.average ?? tailAverage(iterations, o.averageLast ?? AVERAGE_LAST_DEFAULT);
  const lr = o.lr ?? 1e-2;
  const lrEnd = o.lrEnd ?? 1e-5;
  if (!(lr > 0) || !(lrEnd > 0)) throw new Error(`pig: 'lr' and 'lrEnd' must be > 0, got ${lr}, ${lrEnd}`);
  const side = o.testGrid ?? 250;
  const axis = linspace(-1, 1, side);
  const test = grid([axis, axis], [1, 0]); // columns (x, y), row-major [ny, nx]
  const uRef = new Float64Array(side * side);
  for (let iy = 0; iy < side; iy++)
    for (let ix = 0; ix < side; ix++) uRef[iy * side + ix] = helmholtzExact(axis[ix], axis[iy]);
  // A coarser grid while training keeps the per-round evaluation cheap.
  const coarse = linspace(-1, 1, 101);
  const testCoarse = grid([coarse, coarse], [1, 0]);
  const refCoarse = new Float64Array(101 * 101);
  for (let iy = 0; iy < 101; iy++)
    for (let ix = 0; ix < 101; ix++) refCoarse[iy * 101 + ix] = helmholtzExact(coarse[ix], coarse[iy]);
  const s = await runSchedule(pinn, testCoarse, refCoarse, {
    optimizer,
    iterations,
    roundIterations: o.roundIterations ?? 20,
    warmStart: o.warmStart,
    redrawBoundary: o.redrawBoundary,
    history: o.history,
    lr,
    decay: o.decay ?? (iterations > 0 ? (lrEnd / lr) ** (1 / iterations) : 1),
    timeBudgetSeconds: o.timeBudgetSeconds,
    average,
    onRound: o.onRound ? (it) => o.onRound?.(it, pinn.model.network) : undefined,
    seed,
    log: o.log,
  });
  const uPred = pinn.predict(test).u;
  let num = 0;
  let den = 0;
  for (let i = 0; i < uRef.length; i++) {
    num += (uPred[i] - uRef[i]) ** 2;
    den += uRef[i] ** 2;
  }
  const net = pinn.model.network;
  const parameters = net.parameters().reduce((a, p) => a + p.variable.size, 0);
  const result: HelmholtzResult = {
    model,
    relL2: Math.sqrt(num / den),
    iterations: s.iterations,
    evaluations: s.evaluations,
    trainSeconds: s.seconds,
    trainCpuSeconds: s.cpuSeconds,
    secondsPerIteration: s.iterations > 0 ? s.seconds / s.iterations : 0,
    cpuSecondsPerIteration: s.iterations > 0 ? s.cpuSeconds / s.iterations : 0,
    records: s.records,
    loss: s.loss,
    seed,
    parameters,
    axis,
    uPred,
    uRef,
    overlay: network ? overlayOf(network.features) : null,
  };
  if (o.modelDir) await saveModel(o.modelDir, net, { relL2: result.relL2, seed });
  pinn.dispose();
  return result;
}
