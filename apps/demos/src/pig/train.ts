/**
 * The PIG papers' training schedules on a `Pinn`, with the relative L2 error tracked against an
 * exact solution as training goes (for "error after 1,000 iterations" and the curves):
 * - 'lbfgs': rounds of L-BFGS (strong Wolfe, core `Trainer`), the collocation points redrawn
 *   uniformly before each round (the paper redraws every PyTorch `LBFGS.step`, 20 iterations);
 * - 'adam': Adam with exponential decay, fresh points every step.
 */
import { LbfgsMemory, ParameterAverage, type ParameterAverageConfig, variablesOf } from '@pinnate/core';
import type { Points } from '@pinnate/geometry';
import { type Pinn, relL2 } from '@pinnate/pinn';

export type PigOptimizer = 'lbfgs' | 'adam';

export interface ScheduleOptions {
  /** Default 'lbfgs'. */
  readonly optimizer?: PigOptimizer;
  /** Total iterations: L-BFGS iterations (accepted steps) or Adam steps. */
  readonly iterations: number;
  /** L-BFGS iterations per round (fresh points before each), default 50. */
  readonly roundIterations?: number;
  /** L-BFGS history (default 100, PyTorch's `history_size`). */
  readonly history?: number;
  /**
   * Keep the L-BFGS correction pairs across rounds (default true), as PyTorch's L-BFGS keeps
   * its state across the paper's redraws; false restarts every round from steepest descent.
   */
  readonly warmStart?: boolean;
  /** L-BFGS: redraw the boundary points before each round too (default false). */
  readonly redrawBoundary?: boolean;
  /** Adam learning rate (default 1e-2). */
  readonly lr?: number;
  /** Adam per-step decay factor (default 0.9995, the paper's ExponentialLR γ). */
  readonly decay?: number;
  /**
   * Average the parameters over the tail of training (core `ParameterAverage`, no reference
   * data): folded in after every L-BFGS round / Adam step that ends past iteration `from`; the
   * trained model gets the average, and records carry the averaged model's error beside the raw
   * iterate's. Default: none (the last iterate).
   */
  readonly average?: ScheduleAverage;
  /** Called after every L-BFGS round / recorded Adam step with the iterations done. */
  readonly onRound?: (iteration: number) => void;
  /** Stop after this many seconds of training. */
  readonly timeBudgetSeconds?: number;
  /** Record the test error every this many iterations (Adam) / after every round (L-BFGS). */
  readonly evalEvery?: number;
  readonly seed?: number;
  /** Print one line per record. */
  readonly log?: (line: string) => void;
}

export interface ScheduleAverage extends ParameterAverageConfig {
  /** Iterations (L-BFGS) or steps (Adam) after which averaging starts. */
  readonly from: number;
}

export interface ErrorRecord {
  readonly iteration: number;
  /** Wall-clock seconds since the start of training. */
  readonly seconds: number;
  /** CPU seconds of this process since the start (load-independent on a shared machine). */
  readonly cpuSeconds: number;
  readonly relL2: number;
  /** Error of the averaged parameters (only with `average`, once averaging has started). */
  readonly relL2Average?: number;
  readonly loss: number;
  /** Loss-and-gradient evaluations so far (L-BFGS line-search trials included). */
  readonly evaluations: number;
}

export interface ScheduleResult {
  readonly iterations: number;
  /** Loss-and-gradient evaluations (= iterations for Adam). */
  readonly evaluations: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly records: ErrorRecord[];
  readonly loss: number;
}

/** Error of the first field against `exact` at `test` points. */
export function testError(pinn: Pinn, test: Points, exact: Float64Array): number {
  const field = pinn.problem.fields[0];
  return relL2(pinn.predict(test)[field], exact);
}

/**
 * Trains `pinn` (built with `adaptiveSampling: { method: 'rad', k: 0, ... }` for L-BFGS rounds:
 * RAD with k = 0 has a constant density, i.e. it is a uniform redraw from a fresh pool).
 */
export async function runSchedule(
  pinn: Pinn,
  test: Points,
  exact: Float64Array,
  o: ScheduleOptions,
): Promise<ScheduleResult> {
  const optimizer = o.optimizer ?? 'lbfgs';
  if (!Number.isInteger(o.iterations) || o.iterations < 0)
    throw new Error(`pig: 'iterations' must be an integer ≥ 0, got ${o.iterations}`);
  const records: ErrorRecord[] = [];
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const seconds = () => (performance.now() - t0) / 1000;
  const cpuSeconds = () => {
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1e6;
  };
  if (o.average !== undefined && !(Number.isInteger(o.average.from) && o.average.from >= 0))
    throw new Error(`pig: 'average.from' must be an integer ≥ 0, got ${o.average.from}`);
  const average = o.average ? new ParameterAverage(variablesOf(pinn.model.network), o.average) : undefined;
  const fold = (iteration: number) => {
    if (average && o.average && iteration > o.average.from) average.update();
  };
  const over = () => o.timeBudgetSeconds !== undefined && seconds() > o.timeBudgetSeconds;
  const record = (iteration: number, loss: number) => {
    const r = {
      iteration,
      seconds: seconds(),
      cpuSeconds: cpuSeconds(),
      relL2: testError(pinn, test, exact),
      relL2Average: average?.count ? average.withAverage(() => testError(pinn, test, exact)) : undefined,
      loss,
      evaluations,
    };
    records.push(r);
    const avg = r.relL2Average === undefined ? '' : `  averaged ${r.relL2Average.toExponential(3)}`;
    o.log?.(
      `it ${iteration}  ${r.seconds.toFixed(1)} s (cpu ${r.cpuSeconds.toFixed(1)} s)  loss ${loss.toExponential(3)}  evals ${evaluations}  relL2 ${r.relL2.toExponential(3)}${avg}`,
    );
  };
  let done = 0;
  let evaluations = 0;
  let loss = Number.NaN;
  switch (optimizer) {
    case 'lbfgs': {
      const per = o.roundIterations ?? 50;
      if (!Number.isInteger(per) || per <= 0)
        throw new Error(`pig: 'roundIterations' must be a positive integer, got ${per}`);
      const memory = (o.warmStart ?? true) ? new LbfgsMemory() : undefined;
      while (done < o.iterations && !over()) {
        if (done > 0) {
          pinn.adaptSamples();
          if (o.redrawBoundary) pinn.resampleConditions();
        }
        const trainer = pinn.trainerFor({
          steps: 0,
          lbfgs: {
            maxIter: Math.min(per, o.iterations - done),
            m: o.history ?? 100,
            gradTol: 1e-10,
            memory,
          },
          seed: o.seed ?? 0,
          progress: 'none',
        });
        try {
          const r = await trainer.fit();
          // A round that cannot move (line search fails at once) still counts one iteration.
          done += Math.max(1, r.lbfgsIterations);
          evaluations += r.history.loss.length;
          loss = r.loss;
        } finally {
          trainer.dispose();
        }
        fold(done);
        record(done, loss);
        o.onRound?.(done);
      }
      break;
    }
    case 'adam': {
      const every = o.evalEvery ?? 500;
      const decay = o.decay ?? 0.9995;
      const trainer = pinn.trainerFor({
        steps: o.iterations,
        adam: { lr: { kind: 'exponential', lr: o.lr ?? 1e-2, decayRate: decay, decaySteps: 1 } },
        seed: o.seed ?? 0,
        progress: 'none',
        callbacks: [
          {
            onStep: (info) => {
              done = info.step;
              evaluations = info.step;
              loss = info.loss;
              fold(info.step);
              if (info.step % every === 0) {
                record(info.step, info.loss);
                o.onRound?.(info.step);
              }
              return over() ? 'stop' : undefined;
            },
          },
        ],
      });
      try {
        await trainer.fit();
      } finally {
        trainer.dispose();
      }
      if (records.at(-1)?.iteration !== done) record(done, loss);
      break;
    }
    default: {
      const never: never = optimizer;
      throw new Error(`pig: unknown optimizer '${String(never)}'`);
    }
  }
  // The trained model is the average (when one was asked for and has started).
  if (average?.count) average.assign();
  return { iterations: done, evaluations, seconds: seconds(), cpuSeconds: cpuSeconds(), records, loss };
}

/**
 * Averaging over the last `last` iterations of a run of `iterations`, capped at its last quarter
 * so that short runs do not average in their early iterates; 0 = none (the last iterate).
 */
export function tailAverage(iterations: number, last: number): ScheduleAverage | undefined {
  if (!(Number.isInteger(last) && last >= 0))
    throw new Error(`pig: 'averageLast' must be an integer ≥ 0, got ${last}`);
  if (last === 0) return undefined;
  return { from: iterations - Math.min(last, Math.floor(iterations / 4)) };
}

/** The error at the first record at or after `iteration` (undefined if training stopped before). */
export function errorAt(records: readonly ErrorRecord[], iteration: number): ErrorRecord | undefined {
  return records.find((r) => r.iteration >= iteration);
}
