/**
 * Burgers demo: u_t + u u_x = ν u_xx on x ∈ [−1, 1], t ∈ [0, 1], u(x, 0) = −sin(πx),
 * u(±1, t) = 0 (Raissi et al. 2019), solved by a PINN from the PDE string and checked against
 * the Cole–Hopf solution for the same ν (float64 Gauss–Hermite quadrature, from
 * `@pinnate/operators`; verified in this app's tests by finite differences).
 *
 * The recipe (why each part is there):
 * - hard constraints u = −sin(πx) + t(1 − x²)·N(x, t): the initial and boundary conditions
 *   hold exactly, so the loss is the PDE residual alone and nothing needs balancing;
 * - a tanh MLP, Adam with exponential decay on collocation points that RAD (residual-based
 *   adaptive distribution, Wu et al. 2023) redraws periodically so points crowd the shock;
 * - then L-BFGS on the last point set, which is what brings the error from 1e-2 to 1e-3.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import {
  type BackendName,
  DataParallel,
  initBackend,
  LbfgsMemory,
  Trainer,
  type TrainerConfig,
} from '@pinnate/core';
import { Interval, SpaceTime, TimeDomain } from '@pinnate/geometry';
import { burgersColeHopf, raissiInitialAntiderivative } from '@pinnate/operators';
import { grid, linspace, Pinn, Problem, relL2, saveArrays } from '@pinnate/pinn';
import * as tf from '@tensorflow/tfjs';

export const DEFAULT_NU = 0.01 / Math.PI;

/**
 * The default recipe: the best measured at ν = 0.01/π (apps/demos/README.md): a 6×32 tanh MLP,
 * 4096 points, 2000 Adam steps, then 12000 L-BFGS iterations in 12 rounds with a RAD redraw
 * before each (rounds stop early once f reaches float32 precision).
 */
export const BURGERS_DEFAULTS = {
  steps: 2000,
  lbfgsIter: 12000,
  lbfgsRounds: 12,
  points: 4096,
  hidden: [32, 32, 32, 32, 32, 32],
} as const;

export interface BurgersOptions {
  /** Viscosity ν in [0.002, 0.05] (default 0.01/π). */
  readonly nu?: number;
  /** Adam steps (default 2000). */
  readonly steps?: number;
  /** L-BFGS iterations after Adam (default 12000; 0 to skip). */
  readonly lbfgsIter?: number;
  /**
   * Split L-BFGS into this many rounds with a RAD redraw of the collocation points before each
   * (default 12; 1 = one run on the last Adam point set). The shock at x = 0 is ~ν wide: points
   * that follow the residual as L-BFGS sharpens it are what resolve it.
   */
  readonly lbfgsRounds?: number;
  /**
   * Keep L-BFGS's correction pairs from one round to the next (default false). Measured worse
   * here: 1000 Adam + 2000 L-BFGS in 8 rounds, 2048 points, 1 thread, seeds 0/1: relL2
   * 6.7e-3/7.5e-3 warm vs 3.9e-3/5.9e-3 cold — RAD moves the points to where the residual is
   * largest, so the loss after a redraw is a different function and the old pairs mislead.
   */
  readonly lbfgsWarmStart?: boolean;
  /** Stop Adam after this many seconds (L-BFGS still runs), for quick runs. */
  readonly timeBudgetSeconds?: number;
  readonly seed?: number;
  /** Output directory for metrics.json, x.npy, t.npy, u_pred.npy, u_ref.npy and the checkpoint. */
  readonly out?: string;
  /** Backend (default: the Node default order, i.e. wasm here). */
  readonly backend?: BackendName;
  /** Continue from the checkpoint in `<out>/checkpoint`. */
  readonly resume?: boolean;
  /** Hidden widths (default six layers of 32). */
  readonly hidden?: readonly number[];
  /**
   * Random weight factorization of the MLP's layers (Wang et al. 2022): W = V·diag(exp(s)),
   * s ~ N(mean, std²). Lets the first layer reach the large weights a ν-wide shock needs.
   * Default: none.
   */
  readonly factorization?: { readonly mean?: number; readonly std?: number };
  /** Collocation points (default 4096). */
  readonly points?: number;
  /** Initial Adam learning rate (default 2e-3), decayed ×0.5 every `steps/4`. */
  readonly lr?: number;
  /** RAD resampling interval in Adam steps (default 500; 0 disables). */
  readonly radEvery?: number;
  /** Grid size (default 256 × 100). */
  readonly nx?: number;
  readonly nt?: number;
  /**
   * Data-parallel threads (default: 2 when the machine has ≥ 2 cores, else 1). Each thread
   * trains on points/threads collocation points drawn and RAD-redrawn on its own; gradients are
   * averaged every step (core `DataParallel`), so the step costs about half as much.
   */
  readonly threads?: number;
  /** Progress output (default 'auto'). */
  readonly progress?: 'auto' | 'bar' | 'lines' | 'none';
  readonly logEvery?: number;
}

export interface BurgersResult {
  readonly relL2: number;
  readonly steps: number;
  readonly lbfgsIterations: number;
  readonly wallSeconds: number;
  readonly trainSeconds: number;
  readonly msPerStep: number;
  readonly backend: string;
  readonly nu: number;
  readonly seed: number;
  readonly threads: number;
  readonly x: Float64Array;
  readonly t: Float64Array;
  /** [nt, nx] row-major. */
  readonly uPred: Float64Array;
  readonly uRef: Float64Array;
  /** |PDE residual| on the grid, [nt, nx]. */
  readonly residual: Float64Array;
  readonly loss: number;
}

/** Cole–Hopf reference on the tensor grid, [nt, nx] row-major (t = 0 rows are −sin(πx)). */
export function burgersReference(nu: number, x: Float64Array, t: Float64Array): Float64Array {
  checkNu(nu);
  const u = new Float64Array(t.length * x.length);
  // 200 Gauss–Hermite nodes agree with a fine trapezoid rule to 1e-14 down to ν = 0.002 (tests).
  const nodes = 200;
  t.forEach((ti, r) => {
    const row =
      ti === 0
        ? x.map((xi) => -Math.sin(Math.PI * xi))
        : burgersColeHopf(x, ti, {
            viscosity: nu,
            initialAntiderivative: raissiInitialAntiderivative,
            nodes,
          });
    u.set(row, r * x.length);
  });
  return u;
}

function checkNu(nu: number): void {
  if (!(Number.isFinite(nu) && nu >= 0.002 && nu <= 0.05)) {
    throw new Error(`burgers: 'nu' must be in [0.002, 0.05], got ${nu}`);
  }
}

/** The Burgers problem and its PINN with the demo's recipe. */
export function burgersPinn(options: BurgersOptions = {}): Pinn {
  const nu = options.nu ?? DEFAULT_NU;
  checkNu(nu);
  const problem = new Problem({
    domain: new SpaceTime(new Interval(-1, 1), new TimeDomain(0, 1)),
    constants: { nu },
    pde: 'u_t + u*u_x - nu*u_xx',
  });
  const points = options.points ?? BURGERS_DEFAULTS.points;
  const radEvery = options.radEvery ?? 500;
  return new Pinn(problem, {
    hidden: options.hidden ?? BURGERS_DEFAULTS.hidden,
    factorization: options.factorization,
    points: { domain: points },
    seed: options.seed ?? 0,
    sampler: 'sobol',
    transforms: [{ field: 'u', particular: '-sin(pi*x)', distance: 't*(1-x^2)' }],
    adaptiveSampling:
      radEvery > 0 ? { method: 'rad', every: radEvery, pool: 8 * points, k: 1, c: 1 } : undefined,
  });
}

/** Runs the demo: trains, evaluates on the grid, writes outputs when `out` is set. */
export async function runBurgers(options: BurgersOptions = {}): Promise<BurgersResult> {
  const t0 = performance.now();
  const nu = options.nu ?? DEFAULT_NU;
  checkNu(nu);
  const seed = options.seed ?? 0;
  const steps = options.steps ?? BURGERS_DEFAULTS.steps;
  const lbfgsIter = options.lbfgsIter ?? BURGERS_DEFAULTS.lbfgsIter;
  const backend = options.backend
    ? (await initBackend({ backend: options.backend })).name
    : await ensureBackend();
  const threads = options.threads ?? Math.min(2, availableParallelism());
  if (!(Number.isInteger(threads) && threads >= 1)) {
    throw new Error(`burgers: 'threads' must be an integer ≥ 1, got ${threads}`);
  }
  let par: DataParallel | null = null;
  let pinn: Pinn;
  if (threads > 1) {
    const task = await import('./burgers_task.ts');
    const { out: _out, resume: _resume, ...taskOptions } = options;
    par = await DataParallel.start({
      module: new URL('./burgers_task.ts', import.meta.url),
      config: { ...taskOptions, nu, seed },
      shards: threads,
    });
    if (!task.mainShardPinn) throw new Error('burgers: the main shard did not build its PINN');
    pinn = task.mainShardPinn;
  } else {
    pinn = burgersPinn(options);
  }
  const ckDir = options.out ? join(options.out, 'checkpoint') : undefined;
  // A fresh run must not inherit an earlier run's record of finished L-BFGS rounds.
  if (ckDir && !options.resume) await rm(join(ckDir, ROUNDS_FILE), { force: true });
  const lr = options.lr ?? 2e-3;
  const budget = options.timeBudgetSeconds;
  const tTrain = performance.now();
  const config = {
    steps,
    adam: {
      lr: {
        kind: 'exponential' as const,
        lr,
        decayRate: 0.5,
        decaySteps: Math.max(1, Math.round(steps / 4)),
      },
    },
    lbfgs: lbfgsIter > 0 ? { maxIter: lbfgsIter, m: 50, gradTol: 1e-9 } : undefined,
    seed,
    checkpoint: ckDir ? { dir: ckDir, every: 1000 } : undefined,
    logEvery: options.logEvery ?? 250,
    progress: options.progress ?? 'auto',
    callbacks: budget
      ? [{ onStep: () => ((performance.now() - tTrain) / 1000 > budget ? ('stop' as const) : undefined) }]
      : [],
  };
  const rounds = Math.max(1, Math.floor(options.lbfgsRounds ?? BURGERS_DEFAULTS.lbfgsRounds));
  const adaptive = (options.radEvery ?? 500) > 0;
  // With rounds, the trainer runs Adam only; L-BFGS runs below, one round per RAD redraw.
  const adamConfig = rounds > 1 && adaptive ? { ...config, lbfgs: undefined } : config;
  // In parallel, every shard's RAD runs in the task's `prepare`, not in a trainer callback.
  const makeTrainer = (c: Omit<TrainerConfig, 'weights'>): Trainer =>
    par ? new Trainer(pinn.model, pinn.lossFunction(), { ...c, parallel: par }) : pinn.trainerFor(c);
  const trainer =
    options.resume && ckDir
      ? par
        ? await Trainer.resume(ckDir, pinn.model, pinn.lossFunction(), { ...adamConfig, parallel: par })
        : await pinn.resumeTrainer(ckDir, adamConfig)
      : makeTrainer(adamConfig);
  let result: Awaited<ReturnType<typeof trainer.fit>>;
  try {
    result = await trainer.fit();
    const lbfgsLeft = config.lbfgs && (result.stoppedBy === 'callback' || adamConfig !== config);
    if (lbfgsLeft && config.lbfgs) {
      // A callback stop skips L-BFGS in the trainer, and rounds run it here: either way it runs.
      const n = adamConfig !== config ? rounds : 1;
      // Every finished round is checkpointed, so an interrupted run resumes at the next round.
      const plan: RoundsPlan = { adamSteps: result.steps, lbfgsIter: config.lbfgs.maxIter, rounds: n };
      const done = options.resume && ckDir ? await roundsDone(ckDir, plan) : { rounds: 0, iterations: 0 };
      let iterations = done.iterations;
      let loss = result.loss;
      const memory = options.lbfgsWarmStart ? new LbfgsMemory() : undefined;
      for (let r = done.rounds; r < n; r++) {
        if (adamConfig !== config && !par) pinn.adaptSamples();
        const lbfgs = { ...config.lbfgs, maxIter: Math.ceil(config.lbfgs.maxIter / n), memory };
        const after = makeTrainer({ ...config, lbfgs, steps: 0, checkpoint: undefined, callbacks: [] });
        const r2 = await after.fit();
        iterations += r2.lbfgsIterations;
        loss = r2.loss;
        after.dispose();
        if (ckDir) {
          await trainer.saveCheckpoint();
          await writeRoundsDone(ckDir, plan, { rounds: r + 1, iterations });
        }
      }
      result = { ...result, lbfgsIterations: iterations, loss };
    }
    if (ckDir) await trainer.saveCheckpoint();
  } finally {
    trainer.dispose();
    await par?.close();
  }
  const trainSeconds = (performance.now() - tTrain) / 1000;

  const nx = options.nx ?? 256;
  const nt = options.nt ?? 100;
  const x = linspace(-1, 1, nx);
  const t = linspace(0, 1, nt);
  const pts = grid([t, x], [1, 0]); // columns (x, t), row-major [nt, nx]
  const uPred = pinn.predict(pts).u;
  const uRef = burgersReference(nu, x, t);
  const residual = pinn.residuals(pts).pde.map(Math.abs);
  const err = relL2(uPred, uRef);
  pinn.dispose();
  const wallSeconds = (performance.now() - t0) / 1000;
  const out: BurgersResult = {
    relL2: err,
    steps: result.steps,
    lbfgsIterations: result.lbfgsIterations,
    wallSeconds,
    trainSeconds,
    msPerStep: result.msPerStep,
    backend,
    nu,
    seed,
    threads,
    x,
    t,
    uPred,
    uRef,
    residual,
    loss: result.loss,
  };
  if (options.out) await writeBurgersOutputs(options.out, out, options);
  return out;
}

/** The L-BFGS schedule a rounds record belongs to; a resume with another schedule starts over. */
interface RoundsPlan {
  readonly adamSteps: number;
  readonly lbfgsIter: number;
  readonly rounds: number;
}
interface RoundsDone {
  readonly rounds: number;
  readonly iterations: number;
}
const ROUNDS_FILE = 'lbfgs_rounds.json';

/** Rounds already done under `plan` according to `<ckDir>/lbfgs_rounds.json` (0 if none or another plan). */
async function roundsDone(ckDir: string, plan: RoundsPlan): Promise<RoundsDone> {
  try {
    const rec = JSON.parse(await readFile(join(ckDir, ROUNDS_FILE), 'utf8'));
    const same = (['adamSteps', 'lbfgsIter', 'rounds'] as const).every((k) => rec.plan?.[k] === plan[k]);
    if (same && Number.isInteger(rec.done?.rounds) && Number.isFinite(rec.done?.iterations)) return rec.done;
  } catch {
    // No record: no round finished yet.
  }
  return { rounds: 0, iterations: 0 };
}

/** Written after the round's checkpoint, so the record never runs ahead of the saved parameters. */
async function writeRoundsDone(ckDir: string, plan: RoundsPlan, done: RoundsDone): Promise<void> {
  const tmp = join(ckDir, `.${ROUNDS_FILE}.tmp`);
  await writeFile(tmp, JSON.stringify({ plan, done }));
  await rename(tmp, join(ckDir, ROUNDS_FILE));
}

async function ensureBackend(): Promise<string> {
  const { initBackendFromEnv } = await import('@pinnate/core');
  const choice = await initBackendFromEnv();
  return choice.name;
}

/** metrics.json, x.npy, t.npy, u_pred.npy, u_ref.npy, residual.npy. */
export async function writeBurgersOutputs(
  dir: string,
  r: BurgersResult,
  options: BurgersOptions,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const nx = r.x.length;
  const nt = r.t.length;
  await saveArrays(dir, {
    x: { data: r.x, shape: [nx] },
    t: { data: r.t, shape: [nt] },
    u_pred: { data: r.uPred, shape: [nt, nx] },
    u_ref: { data: r.uRef, shape: [nt, nx] },
    residual: { data: r.residual, shape: [nt, nx] },
  });
  const metrics = {
    relL2: r.relL2,
    steps: r.steps,
    lbfgsIterations: r.lbfgsIterations,
    wallSeconds: r.wallSeconds,
    trainSeconds: r.trainSeconds,
    msPerStep: r.msPerStep,
    backend: r.backend,
    nu: r.nu,
    seed: r.seed,
    threads: r.threads,
    loss: r.loss,
    grid: { nx, nt },
    options: { ...options, out: undefined },
    tfjs: tf.version.tfjs,
  };
  await writeFile(join(dir, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
}
