/**
 * What the four Navier–Stokes demos share: the options every one takes, the residual strings
 * of the velocity–pressure form, Adam-then-L-BFGS training with a time budget and loss
 * records for the report, and the run directory (metrics.json, arrays/*.npy, report.html).
 */
import {
  type BackendName,
  buildReport,
  initBackend,
  initBackendFromEnv,
  Jet,
  type JetPlan,
  type MetricsRecord,
  RunDirectory,
  type TrainResult,
} from '@pinnate/core';
import { compileExpression, evalJet, type OutputTransform, type Pinn, type Problem } from '@pinnate/pinn';
import * as tf from '@tensorflow/tfjs';

/** Options every NS demo accepts (each demo documents its own defaults). */
export interface NsCommonOptions {
  /** Reynolds number (ν = 1/Re). */
  readonly re?: number;
  /** Seeds the network, the collocation points and the observations (default 0). */
  readonly seed?: number;
  /** Adam steps. */
  readonly steps?: number;
  /** L-BFGS iterations after Adam (0 skips L-BFGS). */
  readonly lbfgsIter?: number;
  /**
   * Wall-clock budget for training in seconds: Adam stops when it is spent; L-BFGS then runs
   * in rounds of 100 iterations (at least one) while time is left. Default: none.
   */
  readonly timeBudgetSeconds?: number;
  /** Initial Adam learning rate (decayed ×0.1 over the Adam phase). */
  readonly lr?: number;
  /** Hidden widths of the tanh MLP. */
  readonly hidden?: readonly number[];
  /** Collocation points in the domain. */
  readonly points?: number;
  /** Run directory; nothing is written without it. */
  readonly out?: string;
  /** Backend (default: PINNATE_BACKEND or the Node default order, i.e. wasm here). */
  readonly backend?: BackendName;
  /** Progress output (default 'auto'). */
  readonly progress?: 'auto' | 'bar' | 'lines' | 'none';
  /** Progress every k steps (default 250). */
  readonly logEvery?: number;
}

/** Residuals of steady NS in velocity–pressure form; `nu` is a constant or a trainable parameter. */
export const STEADY_NS = [
  { name: 'momentum_x', expression: 'u*u_x + v*u_y + p_x - nu*lap(u)' },
  { name: 'momentum_y', expression: 'u*v_x + v*v_y + p_y - nu*lap(v)' },
  { name: 'continuity', expression: 'u_x + v_y' },
] as const;

/** Unsteady NS (time input t). */
export const UNSTEADY_NS = [
  { name: 'momentum_x', expression: 'u_t + u*u_x + v*u_y + p_x - nu*lap(u)' },
  { name: 'momentum_y', expression: 'v_t + u*v_x + v*v_y + p_y - nu*lap(v)' },
  { name: 'continuity', expression: 'u_x + v_y' },
] as const;

export function checkPositiveInt(v: number | undefined, name: string, op: string, allowZero = false): void {
  if (v === undefined) return;
  if (!Number.isInteger(v) || v < (allowZero ? 0 : 1))
    throw new Error(
      `${op}: '${name}' must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${v}`,
    );
}

export function checkPositive(v: number | undefined, name: string, op: string): void {
  if (v === undefined) return;
  if (!(Number.isFinite(v) && v > 0)) throw new Error(`${op}: '${name}' must be a positive number, got ${v}`);
}

/** Validates the common options; `op` names the demo in messages. */
export function checkCommon(o: NsCommonOptions, op: string): void {
  checkPositive(o.re, 're', op);
  if (o.seed !== undefined && !Number.isInteger(o.seed))
    throw new Error(`${op}: 'seed' must be an integer, got ${o.seed}`);
  checkPositiveInt(o.steps, 'steps', op, true);
  checkPositiveInt(o.lbfgsIter, 'lbfgsIter', op, true);
  checkPositive(o.timeBudgetSeconds, 'timeBudgetSeconds', op);
  checkPositive(o.lr, 'lr', op);
  checkPositiveInt(o.points, 'points', op);
  if (o.hidden !== undefined) {
    if (o.hidden.length === 0 || !o.hidden.every((h) => Number.isInteger(h) && h > 0))
      throw new Error(`${op}: 'hidden' must be a non-empty list of positive integers, got [${o.hidden}]`);
  }
}

export async function setupBackend(backend: BackendName | undefined): Promise<string> {
  return backend ? (await initBackend({ backend })).name : (await initBackendFromEnv()).name;
}

export interface TrainOutcome {
  readonly result: TrainResult;
  readonly trainSeconds: number;
  /** Adam ms/step (the trainer's) and L-BFGS ms/iteration (wall time / iterations). */
  readonly msPerStep: number;
  readonly msPerLbfgsIter: number;
  readonly records: MetricsRecord[];
}

/** L-BFGS iterations per round when a time budget is set (the budget is checked between rounds). */
export const LBFGS_ROUND = 100;

/**
 * Adam with exponential decay (×0.1 over `steps`), then L-BFGS. With a time budget, Adam stops
 * when it is spent and L-BFGS runs in rounds of `LBFGS_ROUND` iterations (fresh memory each
 * round), at least one, until the iterations are done or the budget is spent — so a run on a
 * busy machine still ends, and writes its results, on time. `params` adds the trainable
 * coefficients to the records (inverse problems).
 */
export async function trainNs(
  pinn: Pinn,
  options: NsCommonOptions,
  /** The case's defaults for what `options` leaves unset. */
  defaults: { readonly steps: number; readonly lbfgsIter: number; readonly lr: number },
  /** Record trainable coefficients in the metrics (inverse problems). */
  extra: { readonly params?: boolean } = {},
): Promise<TrainOutcome> {
  const o = {
    steps: options.steps ?? defaults.steps,
    lbfgsIter: options.lbfgsIter ?? defaults.lbfgsIter,
    lr: options.lr ?? defaults.lr,
    seed: options.seed ?? 0,
    timeBudgetSeconds: options.timeBudgetSeconds,
    progress: options.progress,
    logEvery: options.logEvery,
    params: extra.params,
  };
  const records: MetricsRecord[] = [];
  const every = 50; // metrics record interval (Adam steps)
  const t0 = performance.now();
  const elapsed = () => (performance.now() - t0) / 1000;
  const budget = o.timeBudgetSeconds;
  const base = {
    seed: o.seed,
    adam: {
      lr: {
        kind: 'exponential' as const,
        lr: o.lr,
        decayRate: 0.1,
        decaySteps: Math.max(1, o.steps),
      },
    },
    logEvery: o.logEvery ?? 250,
    progress: o.progress ?? 'auto',
  };
  let adam: TrainResult | null = null;
  if (o.steps > 0) {
    const trainer = pinn.trainerFor({
      ...base,
      steps: o.steps,
      callbacks: [
        {
          onStep: (s) => {
            if (s.step % every === 0 || s.step === 1)
              records.push({
                step: s.step,
                phase: s.phase,
                loss: s.loss,
                terms: s.terms,
                time: elapsed(),
                ...(o.params ? { params: pinn.coefficients() } : {}),
              });
            return budget !== undefined && elapsed() > budget ? 'stop' : undefined;
          },
        },
      ],
    });
    try {
      adam = await trainer.fit();
    } finally {
      trainer.dispose();
    }
  }
  const tLbfgs = performance.now();
  let iterations = 0;
  let evals = 0;
  let last: TrainResult | null = null;
  while (iterations < o.lbfgsIter && (iterations === 0 || budget === undefined || elapsed() <= budget)) {
    const maxIter = budget === undefined ? o.lbfgsIter : Math.min(LBFGS_ROUND, o.lbfgsIter - iterations);
    const trainer = pinn.trainerFor({ ...base, steps: 0, lbfgs: { maxIter, m: 50, gradTol: 1e-10 } });
    let r: TrainResult;
    try {
      r = await trainer.fit();
    } finally {
      trainer.dispose();
    }
    // This trainer's history is its L-BFGS function evaluations only.
    const h = r.history;
    const stride = Math.max(1, Math.floor(h.loss.length / 50));
    for (let k = stride - 1; k < h.loss.length; k += stride) {
      records.push({
        step: evals + k + 1,
        phase: 'lbfgs',
        loss: h.loss[k],
        terms: Object.fromEntries(Object.entries(h.terms).map(([n, v]) => [n, v[k]])),
        time: elapsed(),
      });
    }
    evals += h.loss.length;
    iterations += r.lbfgsIterations;
    last = r;
    // L-BFGS stopped early (converged or stalled): another round from the same point is futile.
    if (r.lbfgsIterations < maxIter) break;
  }
  const end = performance.now();
  const final = last ?? adam;
  if (!final) throw new Error("trainNs: nothing to train ('steps' and 'lbfgsIter' are both 0)");
  const result: TrainResult = {
    ...final,
    steps: adam?.steps ?? 0,
    lbfgsIterations: iterations,
    msPerStep: adam?.msPerStep ?? 0,
    stoppedBy: adam?.stoppedBy ?? 'steps',
  };
  return {
    result,
    trainSeconds: (end - t0) / 1000,
    msPerStep: result.msPerStep,
    msPerLbfgsIter: iterations > 0 ? (end - tLbfgs) / iterations : 0,
    records,
  };
}

/** A field on a grid: values [len(A), len(B)] row-major. */
export interface GridArray {
  readonly data: ArrayLike<number>;
  readonly shape: readonly number[];
}

/**
 * Writes a run directory: config.json, run.json, metrics.jsonl (loss records), metrics.json
 * (the summary), arrays/<name>.npy, custom figures, and report.html from core's report
 * builder (field heatmaps with errors for every <f>_pred/<f>_exact pair, loss curves,
 * parameter trajectories).
 */
export async function writeNsRun(
  dir: string,
  r: {
    readonly name: string;
    readonly title: string;
    readonly inputs: readonly string[];
    readonly outputs: readonly string[];
    readonly backend: string;
    readonly config: unknown;
    readonly summary: Record<string, unknown>;
    readonly records: readonly MetricsRecord[];
    readonly arrays: Readonly<Record<string, GridArray>>;
    readonly figures?: Readonly<Record<string, unknown>>;
  },
): Promise<RunDirectory> {
  const run = await RunDirectory.create(dir);
  await run.writeConfig(r.config);
  await run.updateInfo({
    name: r.name,
    status: 'finished',
    backend: r.backend,
    command: process.argv.join(' '),
    inputs: r.inputs,
    outputs: r.outputs,
    versions: { node: process.version, '@tensorflow/tfjs': tf.version.tfjs },
  });
  // A re-run into the same directory replaces the loss history rather than appending to it.
  await run.truncateMetrics(-1);
  await run.appendMetrics(r.records);
  for (const [name, a] of Object.entries(r.arrays)) {
    await run.saveArray(name, { data: Float64Array.from(a.data), shape: [...a.shape] });
  }
  for (const [name, spec] of Object.entries(r.figures ?? {})) await run.saveFigure(name, { spec });
  await run.writeSummary(r.summary);
  try {
    await buildReport(run, { title: r.title });
  } catch (e) {
    console.error(`report: ${e instanceof Error ? e.message : e}`);
  }
  return run;
}

/** Relative L2 error after removing each array's mean (pressure is defined up to a constant). */
export function relL2UpToConstant(pred: ArrayLike<number>, ref: ArrayLike<number>): number {
  const n = ref.length;
  let mp = 0;
  let mr = 0;
  for (let i = 0; i < n; i++) {
    mp += pred[i];
    mr += ref[i];
  }
  mp /= n;
  mr /= n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (pred[i] - mp - (ref[i] - mr)) ** 2;
    den += (ref[i] - mr) ** 2;
  }
  return Math.sqrt(num / den);
}

/** Shifts `pred` by a constant so its mean matches `ref`'s (for plotting pressure). */
export function alignMean(pred: ArrayLike<number>, ref: ArrayLike<number>): Float64Array {
  let d = 0;
  for (let i = 0; i < ref.length; i++) d += ref[i] - pred[i];
  d /= ref.length;
  return Float64Array.from(pred, (v) => v + d);
}

/**
 * A hard-constraint transform whose particular and distance jets are computed once per point
 * set and reused: they depend on the points only, never on the parameters, and evaluating
 * them (exp, cos, powers through every derivative stream) cost as much as a third of a
 * training step. Keyed by the input tensor (the trainer reuses the same point tensor every
 * step) and the derivative plan; the oldest of `capacity` entries is disposed, so prediction
 * batches do not accumulate. The cached streams are clones, kept out of tf.tidy.
 */
export function cachedTransform(
  problem: Problem,
  t: { readonly field: string; readonly particular?: string; readonly distance: string },
  capacity = 6,
): OutputTransform {
  const table = problem.dataSymbols();
  const what = `transform of '${t.field}'`;
  const dist = compileExpression(t.distance, table, `${what} distance`);
  const part =
    t.particular === undefined ? null : compileExpression(t.particular, table, `${what} particular`);
  const planIds = new WeakMap<JetPlan, number>();
  let nextPlan = 0;
  const cached = (f: (x: Jet) => Jet) => {
    const cache = new Map<string, Jet>();
    return (x: Jet): Jet => {
      let pid = planIds.get(x.plan);
      if (pid === undefined) {
        pid = nextPlan++;
        planIds.set(x.plan, pid);
      }
      const key = `${x.value.id}/${pid}`;
      const hit = cache.get(key);
      if (hit) return hit;
      const out = f(x);
      const kept = new Jet(
        out.plan,
        out.streams.map((s) => (s === null ? null : tf.keep(tf.clone(s)))),
      );
      cache.set(key, kept);
      if (cache.size > capacity) {
        const [oldKey, old] = cache.entries().next().value as [string, Jet];
        cache.delete(oldKey);
        tf.dispose(old.streams.filter((s): s is tf.Tensor => s !== null));
      }
      return kept;
    };
  };
  return {
    field: t.field,
    distance: cached((x) => evalJet(dist, x, what)),
    ...(part ? { particular: cached((x) => evalJet(part, x, what)) } : {}),
  };
}
