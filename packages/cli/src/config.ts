/**
 * `pinnate train <config.json>`: the typed, validated run configuration. Defaults are filled
 * in and the complete config is saved as the run's config.json, so a run can be resumed and
 * reproduced from its directory alone.
 *
 *   {
 *     "name": "heat",
 *     "problem": { "type": "heat1d", "nu": 0.1 },
 *     "model": { "hidden": [32, 32], "activation": "tanh" },
 *     "training": { "steps": 2000, "lr": 0.001, "checkpointEvery": 200 }
 *   }
 *
 * Errors name the field, the expected value and what was given:
 *   config.json: 'training.steps' must be an integer ≥ 1 (got 0)
 */
import { ACTIVATIONS } from '@pinnate/core';
import { z } from 'zod';

/** Custom messages are phrased as the expected value: "'<field>' must be <message> (got …)". */
const positiveInt = z.int({ error: 'an integer' }).min(1, { error: 'an integer ≥ 1' });

const Points1d = z.strictObject({
  /** Interior collocation points, resampled every step. */
  interior: positiveInt.default(128),
});

export const OdeProblem = z.strictObject({
  type: z.literal('ode'),
  /** u' = −lambda·u, u(0) = u0 on [0, T]; exact u0·exp(−lambda·t). */
  lambda: z.number().default(1),
  u0: z.number().default(1),
  T: z.number().positive().default(2),
  points: Points1d.default({ interior: 128 }),
});

export const Poisson1dProblem = z.strictObject({
  type: z.literal('poisson1d'),
  /** −u'' = (kπ)² sin(kπx) on [0, 1], u(0) = u(1) = 0; exact sin(kπx). */
  k: positiveInt.default(1),
  points: Points1d.default({ interior: 128 }),
});

export const Heat1dProblem = z.strictObject({
  type: z.literal('heat1d'),
  /** u_t = nu·u_xx on [0, 1] × [0, T], u(x, 0) = sin(πx), u(0, t) = u(1, t) = 0. */
  nu: z.number().positive().default(0.1),
  T: z.number().positive().default(1),
  points: z
    .strictObject({
      interior: positiveInt.default(512),
      boundary: positiveInt.default(64),
      initial: positiveInt.default(64),
    })
    .default({ interior: 512, boundary: 64, initial: 64 }),
});

export const BurgersProblem = z.strictObject({
  type: z.literal('burgers'),
  /** u_t + u u_x = nu·u_xx on [−1, 1] × [0, 1], u(x, 0) = −sin(πx), u(±1, t) = 0. */
  nu: z
    .number()
    .min(0.002)
    .max(0.05)
    .default(0.01 / Math.PI),
  points: z.strictObject({ interior: positiveInt.default(2048) }).default({ interior: 2048 }),
  /** Redraw collocation points by RAD every this many Adam steps (0: never). */
  radEvery: z.int({ error: 'an integer' }).min(0, { error: 'an integer ≥ 0' }).default(500),
});

export const ProblemConfig = z.discriminatedUnion('type', [
  OdeProblem,
  Poisson1dProblem,
  Heat1dProblem,
  BurgersProblem,
]);

const activationNames = [...ACTIVATIONS] as [string, ...string[]];

export const ModelConfig = z.strictObject({
  /** Hidden layer widths of the MLP. */
  hidden: z.array(positiveInt).min(1).default([32, 32]),
  activation: z.enum(activationNames).default('tanh'),
});

export const TrainingConfig = z.strictObject({
  /** Adam steps. */
  steps: positiveInt,
  lr: z.number().positive().default(1e-3),
  /** Exponential decay: lr · rate^(step / every). */
  lrDecay: z.strictObject({ rate: z.number().positive().max(1), every: positiveInt }).optional(),
  /** L-BFGS after Adam. */
  lbfgs: z.strictObject({ maxIter: positiveInt.default(500) }).optional(),
  /** Per-term loss weights (default 1). */
  weights: z.record(z.string(), z.number().nonnegative()).optional(),
  seed: z.int({ error: 'an integer' }).default(0),
  checkpointEvery: positiveInt.default(100),
  /** Write a metrics.jsonl record every this many steps. */
  metricsEvery: positiveInt.default(10),
  /** Progress line every this many steps. */
  logEvery: positiveInt.default(100),
});

export const RunConfig = z.strictObject({
  name: z.string().min(1).optional(),
  /** Force a backend; default: the best available (tensorflow → wasm → cpu). */
  backend: z.enum(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']).optional(),
  problem: ProblemConfig,
  model: ModelConfig.default({ hidden: [32, 32], activation: 'tanh' }),
  training: TrainingConfig,
  /** Evaluation grid for the saved arrays and figures: points per axis. */
  evaluation: z.strictObject({ points: positiveInt.default(101) }).default({ points: 101 }),
});

export type RunConfig = z.infer<typeof RunConfig>;
export type ProblemConfig = z.infer<typeof ProblemConfig>;

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const path = issue.path.map(String).join('.');
  const got = valueAt(input, issue.path);
  if (/^an? /.test(issue.message)) return `'${path}' must be ${issue.message} (got ${show(got)})`;
  switch (issue.code) {
    case 'too_small': {
      const what = issue.origin === 'array' ? 'an array with at least' : 'a number ≥';
      const bound =
        issue.origin === 'array'
          ? `${issue.minimum} entr${issue.minimum === 1 ? 'y' : 'ies'}`
          : String(issue.minimum);
      const op = issue.inclusive === false && issue.origin !== 'array' ? what.replace('≥', '>') : what;
      return `'${path}' must be ${op} ${bound} (got ${show(got)})`;
    }
    case 'too_big':
      return `'${path}' must be ≤ ${issue.maximum} (got ${show(got)})`;
    case 'invalid_type':
      return `'${path}' must be ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected} (got ${show(got)})`;
    case 'invalid_value':
      return `'${path}' must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')} (got ${show(got)})`;
    case 'unrecognized_keys':
      return `${path ? `'${path}'` : 'the config'} has unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys
        .map((k) => `'${path ? `${path}.` : ''}${k}'`)
        .join(', ')}`;
    case 'invalid_union': {
      if (path === 'problem' || path === 'problem.type') {
        const types = ProblemConfig.options.map((o) => JSON.stringify(o.shape.type.value)).join(', ');
        return `'problem.type' must be one of ${types} (got ${show(valueAt(input, ['problem', 'type']))})`;
      }
      return `'${path}' is invalid: ${issue.message}`;
    }
    default:
      return `'${path}' ${issue.message}`;
  }
}

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source}: ${problems.length === 1 ? problems[0] : `\n  ${problems.join('\n  ')}`}`);
    this.name = 'ConfigError';
  }
}

/** Validate a parsed JSON value; throws ConfigError naming every bad field. */
export function parseRunConfig(input: unknown, source = 'config'): RunConfig {
  const r = RunConfig.safeParse(input);
  if (r.success) {
    const w = r.data.training.weights;
    if (w && r.data.problem.type === 'burgers') {
      throw new ConfigError(source, [
        "'training.weights' is not used by the burgers problem (its conditions are hard constraints); remove it",
      ]);
    }
    if (w) {
      const terms = termNames(r.data.problem);
      const bad = Object.keys(w).filter((k) => !terms.includes(k));
      if (bad.length) {
        throw new ConfigError(source, [
          `'training.weights' names unknown loss term${bad.length > 1 ? 's' : ''} ${bad.map((b) => `'${b}'`).join(', ')}; the ${r.data.problem.type} problem has ${terms.map((t) => `'${t}'`).join(', ')}`,
        ]);
      }
    }
    return r.data;
  }
  throw new ConfigError(
    source,
    r.error.issues.map((i) => describeIssue(i, input)),
  );
}

/** Read and validate a JSON config file. */
export async function readRunConfig(file: string): Promise<RunConfig> {
  const fs = await import('node:fs/promises');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    throw new Error(`config file '${file}' cannot be read`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(file, [`not valid JSON: ${e instanceof Error ? e.message : String(e)}`]);
  }
  return parseRunConfig(json, file);
}

/** Loss terms of each problem, in the order the loss function returns them. */
export function termNames(problem: ProblemConfig): string[] {
  switch (problem.type) {
    case 'ode':
      return ['residual', 'initial'];
    case 'poisson1d':
      return ['residual', 'boundary'];
    case 'heat1d':
      return ['residual', 'initial', 'boundary'];
    case 'burgers':
      return ['pde'];
    default: {
      const never: never = problem;
      throw new Error(`unknown problem ${JSON.stringify(never)}`);
    }
  }
}
