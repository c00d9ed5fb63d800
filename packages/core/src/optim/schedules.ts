/**
 * Learning-rate schedules.
 *
 * A schedule maps the optimizer's step counter (the number of updates already applied, so the
 * first update uses `schedule(0)`) to a learning rate. Schedules are plain functions; the
 * serializable form `LrScheduleConfig` is what configs and checkpoints store, and
 * `makeSchedule` turns it into a function. Every constructor validates its arguments eagerly,
 * so a bad config fails when the optimizer is built, not thousands of steps later.
 */
import { check, checkInteger, checkNonNegative, checkPositive } from './errors.ts';

export type LrSchedule = (step: number) => number;

/** The same rate at every step. */
export function constantLr(lr: number): LrSchedule {
  checkPositive('constantLr', 'lr', lr);
  return () => lr;
}

/**
 * `lr * decayRate^(step / decaySteps)`; with `staircase` the exponent is floored, so the rate
 * drops by `decayRate` once every `decaySteps` steps.
 */
export interface ExponentialDecayOptions {
  /** Rate at step 0 (> 0). */
  lr: number;
  /** Factor per `decaySteps` steps (> 0; < 1 decays). */
  decayRate: number;
  /** Steps over which the rate is multiplied by `decayRate` (> 0). */
  decaySteps: number;
  /** Floor the exponent (default false: smooth decay). */
  staircase?: boolean;
}

export function exponentialDecay(options: ExponentialDecayOptions): LrSchedule {
  const { lr, decayRate, decaySteps, staircase = false } = options;
  checkPositive('exponentialDecay', 'lr', lr);
  checkPositive('exponentialDecay', 'decayRate', decayRate);
  checkPositive('exponentialDecay', 'decaySteps', decaySteps);
  return (step) => {
    const e = step / decaySteps;
    return lr * decayRate ** (staircase ? Math.floor(e) : e);
  };
}

/**
 * Half-cosine from `lr` at step 0 to `minLr` at step `steps`, then constant `minLr`
 * (Loshchilov & Hutter 2017, without restarts).
 */
export interface CosineDecayOptions {
  /** Rate at step 0 (> 0). */
  lr: number;
  /** Length of the decay in steps (> 0). */
  steps: number;
  /** Final rate, 0 <= minLr <= lr (default 0). */
  minLr?: number;
}

export function cosineDecay(options: CosineDecayOptions): LrSchedule {
  const { lr, steps, minLr = 0 } = options;
  checkPositive('cosineDecay', 'lr', lr);
  checkPositive('cosineDecay', 'steps', steps);
  checkNonNegative('cosineDecay', 'minLr', minLr);
  check(minLr <= lr, () => `cosineDecay: 'minLr' (=${minLr}) must not exceed 'lr' (=${lr})`);
  return (step) => {
    if (step >= steps) return minLr;
    return minLr + 0.5 * (lr - minLr) * (1 + Math.cos((Math.PI * step) / steps));
  };
}

/**
 * Linear warmup in front of `schedule`: steps `0 .. warmupSteps-1` use
 * `schedule(0) * (step + 1) / warmupSteps` (the first step is not wasted at rate 0, the last
 * warmup step reaches `schedule(0)`), and step `warmupSteps + k` uses `schedule(k)`: the wrapped
 * schedule starts after the warmup, so e.g. a cosine's `steps` counts post-warmup steps only.
 * `warmupSteps = 0` returns `schedule` unchanged.
 */
export function warmup(schedule: LrSchedule, warmupSteps: number): LrSchedule {
  checkInteger('warmup', 'warmupSteps', warmupSteps, 0);
  if (warmupSteps === 0) return schedule;
  const peak = schedule(0);
  return (step) => (step < warmupSteps ? (peak * (step + 1)) / warmupSteps : schedule(step - warmupSteps));
}

/** Serializable description of a schedule; see the functions of the same name for meanings and defaults. */
export type LrScheduleConfig =
  | { kind: 'constant'; lr: number }
  | ({ kind: 'exponential' } & ExponentialDecayOptions)
  | ({ kind: 'cosine' } & CosineDecayOptions)
  | { kind: 'warmup'; warmupSteps: number; schedule: LrScheduleConfig };

/** Builds the schedule a config describes; a bare number is a constant rate. */
export function makeSchedule(config: number | LrScheduleConfig): LrSchedule {
  if (typeof config === 'number') return constantLr(config);
  check(
    typeof config === 'object' && config !== null,
    () => `makeSchedule: 'config' must be a number or an LrScheduleConfig, got ${String(config)}`,
  );
  switch (config.kind) {
    case 'constant':
      return constantLr(config.lr);
    case 'exponential':
      return exponentialDecay(config);
    case 'cosine':
      return cosineDecay(config);
    case 'warmup':
      return warmup(makeSchedule(config.schedule), config.warmupSteps);
    default: {
      const never: never = config;
      throw new Error(
        `makeSchedule: unknown 'kind' ${JSON.stringify((never as { kind: unknown }).kind)}; ` +
          `expected 'constant', 'exponential', 'cosine' or 'warmup'`,
      );
    }
  }
}
