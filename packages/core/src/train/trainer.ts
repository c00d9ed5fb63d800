/**
 * The training loop: Adam for `steps` steps, then optionally L-BFGS, on a loss made of named
 * terms. It stops with a message naming the term when a loss becomes NaN/Inf, checkpoints
 * every `checkpoint.every` steps, and `Trainer.resume` continues bit-identically on the same
 * backend (parameters, Adam moments and step, RNG state, loss history).
 *
 *   const trainer = new Trainer(model, ({ rng }) => ({ residual, ic, bc }), { steps: 5000 });
 *   const result = await trainer.fit();
 *
 * Every step leaves `tf.memory().numTensors` unchanged: the loss function runs inside the
 * gradient tape's tidy scope, and the trainer disposes what it receives.
 */
import * as tf from '@tensorflow/tfjs';
import type { Module } from '../nn/module.ts';
import { type AdamConfig, AdamOptimizer, type AdamState } from '../optim/adam.ts';
import { LbfgsMemory } from '../optim/lbfgs.ts';
import type { DataParallel } from '../parallel/data_parallel.ts';
import { Rng, type RngState } from '../rng.ts';
import { type CheckpointData, latestCheckpoint, readCheckpoint, writeCheckpoint } from './checkpoint.ts';
import { Progress, type ProgressMode, type ProgressSink } from './progress.ts';
import {
  combineRunStates,
  EMPTY_RUN_STATE,
  partOfRunState,
  type Resumable,
  type RunState,
} from './run_state.ts';

export interface LossContext {
  /** Steps completed so far in this phase's numbering (Adam steps, then L-BFGS evaluations). */
  readonly step: number;
  readonly phase: 'adam' | 'lbfgs';
  /** The trainer's generator: use it for resampling so a resumed run draws the same points. */
  readonly rng: Rng;
}

/** Named loss terms; each a scalar. The trainer minimizes Σ weight_k · term_k. */
export type LossFunction = (ctx: LossContext) => Record<string, tf.Scalar>;

export interface StepInfo {
  readonly phase: 'adam' | 'lbfgs';
  readonly step: number;
  readonly loss: number;
  readonly terms: Readonly<Record<string, number>>;
  readonly msPerStep: number;
}

export interface TrainerCallback {
  /** Return 'stop' to end training after this step. */
  onStep?(info: StepInfo): void | 'stop' | Promise<void | 'stop'>;
  onEnd?(result: TrainResult): void | Promise<void>;
}

export interface LbfgsPhaseConfig {
  /** Maximum L-BFGS iterations (default 500). */
  readonly maxIter?: number;
  /** History size (default 50, as in DeepXDE/PyTorch PINN practice). */
  readonly m?: number;
  /** Stop when max |g| ≤ gradTol (default 1e-8). */
  readonly gradTol?: number;
  /**
   * Correction pairs carried between L-BFGS phases (default: none, each phase starts cold).
   * Give the same `LbfgsMemory` to the trainers of consecutive rounds — e.g. one per
   * collocation redraw — to keep the curvature estimate across them.
   */
  readonly memory?: LbfgsMemory;
}

export interface TrainerConfig {
  /** Adam steps (≥ 0). */
  readonly steps: number;
  /** Adam settings; default { lr: 1e-3 }. */
  readonly adam?: AdamConfig;
  /**
   * Run L-BFGS after Adam. With `checkpoint`, L-BFGS runs in chunks of `checkpoint.every`
   * iterations that share one `LbfgsMemory` (so the chunks retrace a single run) and each chunk
   * ends with a checkpoint holding the correction pairs: `resume` continues mid-phase.
   */
  readonly lbfgs?: LbfgsPhaseConfig;
  /** Per-term weights (default 1 for every term). */
  readonly weights?: Readonly<Record<string, number>>;
  /** Seed of the RNG handed to the loss function (default 0). */
  readonly seed?: number;
  /** Write a checkpoint every `every` Adam steps (or L-BFGS iterations) into `dir` (Node only). */
  readonly checkpoint?: { readonly dir: string; readonly every: number; readonly keep?: number };
  /** Progress every `logEvery` steps (default 100). */
  readonly logEvery?: number;
  /** Default 'auto': a bar on a TTY, plain lines otherwise. */
  readonly progress?: ProgressMode;
  /** Where progress goes (default process.stdout in Node, nowhere in a browser). */
  readonly output?: ProgressSink;
  readonly callbacks?: readonly TrainerCallback[];
  /**
   * Compute every gradient (Adam and L-BFGS) data-parallel over worker threads (Node). The
   * trainer's model must be `parallel.model`; the losses then come from the task module and
   * the trainer's own loss function is not called. Shard 0 (main thread) gets the trainer's
   * RNG; workers use per-shard generators. Checkpoints hold every shard's generator and the
   * `state` of each shard's task, so a resumed run continues as if uninterrupted.
   */
  readonly parallel?: DataParallel;
  /**
   * Other state the run needs to resume exactly (a PINN's point sets and their generators):
   * captured into every checkpoint, restored by `Trainer.resume`.
   */
  readonly state?: Resumable;
}

export interface TrainResult {
  readonly steps: number;
  readonly lbfgsIterations: number;
  readonly loss: number;
  readonly terms: Readonly<Record<string, number>>;
  /** Loss per step: total and per term (Adam steps then L-BFGS iterations). */
  readonly history: { readonly loss: number[]; readonly terms: Record<string, number[]> };
  readonly msPerStep: number;
  readonly stoppedBy: 'steps' | 'callback';
}

export class TrainingDivergedError extends Error {
  constructor(
    readonly term: string,
    readonly step: number,
    readonly value: number,
  ) {
    super(
      `training diverged: loss term '${term}' became ${value} at ${step === -1 ? 'L-BFGS' : `step ${step}`}; ` +
        'lower the learning rate, add gradient clipping (adam.clipNorm), or check the data for NaN/Inf',
    );
    this.name = 'TrainingDivergedError';
  }
}

export class Trainer {
  readonly model: Module;
  readonly config: TrainerConfig;
  private readonly lossFn: LossFunction;
  private readonly vars: tf.Variable[];
  private readonly optimizer: AdamOptimizer;
  private rng: Rng;
  private stepCount = 0;
  /** L-BFGS iterations done and the pairs to continue from (restored by `resume`). */
  private lbfgsDone = 0;
  private lbfgsMemory: LbfgsMemory | null = null;
  private termNames: string[] | null = null;
  private readonly history: { loss: number[]; terms: Record<string, number[]> } = { loss: [], terms: {} };
  private readonly progress: Progress;

  constructor(model: Module, lossFn: LossFunction, config: TrainerConfig) {
    if (!Number.isInteger(config.steps) || config.steps < 0) {
      throw new Error(`Trainer: 'steps' must be an integer ≥ 0, got ${config.steps}`);
    }
    if (config.checkpoint && !(Number.isInteger(config.checkpoint.every) && config.checkpoint.every > 0)) {
      throw new Error(
        `Trainer: 'checkpoint.every' must be a positive integer, got ${config.checkpoint.every}`,
      );
    }
    for (const [k, w] of Object.entries(config.weights ?? {})) {
      if (!Number.isFinite(w) || w < 0)
        throw new Error(`Trainer: weight of '${k}' must be a finite number ≥ 0, got ${w}`);
    }
    if (config.parallel && config.parallel.model !== model) {
      throw new Error("Trainer: with 'parallel', the model must be parallel.model");
    }
    this.model = model;
    this.lossFn = lossFn;
    this.config = config;
    this.vars = model
      .parameters()
      .filter((p) => p.variable.trainable)
      .map((p) => p.variable);
    if (this.vars.length === 0) throw new Error('Trainer: the model has no trainable parameters');
    this.optimizer = new AdamOptimizer(this.vars, config.adam ?? { lr: 1e-3 });
    this.rng = new Rng(config.seed ?? 0);
    const sink = config.output ?? (typeof process !== 'undefined' && process.stdout ? process.stdout : null);
    this.progress = new Progress(config.progress ?? 'auto', sink);
  }

  /** Loss per step so far: total and per term (read-only view). */
  get lossHistory(): {
    readonly loss: readonly number[];
    readonly terms: Readonly<Record<string, readonly number[]>>;
  } {
    return this.history;
  }

  /** Adam steps completed. */
  get step(): number {
    return this.stepCount;
  }

  /** Continue a run from the latest checkpoint in `dir` (the model must have the same architecture). */
  static async resume(
    dir: string,
    model: Module,
    lossFn: LossFunction,
    config: TrainerConfig,
  ): Promise<Trainer> {
    const latest = await latestCheckpoint(dir);
    if (!latest) throw new Error(`Trainer.resume: no checkpoint in '${dir}'`);
    const t = new Trainer(model, lossFn, {
      ...config,
      checkpoint: config.checkpoint ?? { dir, every: Number.MAX_SAFE_INTEGER },
    });
    const data = await readCheckpoint(latest, model);
    t.restore(data);
    const extra = data.extra ?? EMPTY_RUN_STATE;
    config.state?.restoreState(partOfRunState(extra, 'state'));
    await config.parallel?.restoreState(partOfRunState(extra, 'parallel'));
    return t;
  }

  private restore(data: CheckpointData): void {
    this.optimizer.setState(data.adam);
    this.rng = Rng.fromState(data.rng as RngState);
    this.stepCount = data.step;
    this.lbfgsDone = data.lbfgs?.iterations ?? 0;
    this.lbfgsMemory = data.lbfgs?.memory ?? null;
    this.termNames = data.termNames;
    this.history.loss = [...data.history.loss];
    this.history.terms = Object.fromEntries(Object.entries(data.history.terms).map(([k, v]) => [k, [...v]]));
  }

  private weightOf(name: string): number {
    return this.config.weights?.[name] ?? 1;
  }

  /** Evaluate the loss terms inside a gradient tape: returns total (for the tape) and the term vector (kept). */
  private lossTerms(phase: 'adam' | 'lbfgs', step: number): { total: tf.Scalar; stacked: tf.Tensor1D } {
    const terms = this.lossFn({ step, phase, rng: this.rng });
    const names = Object.keys(terms);
    if (names.length === 0) throw new Error('Trainer: the loss function returned no terms');
    if (this.termNames === null) {
      this.termNames = names;
      for (const n of names) this.history.terms[n] ??= [];
      const unknown = Object.keys(this.config.weights ?? {}).filter((k) => !names.includes(k));
      if (unknown.length) {
        throw new Error(
          `Trainer: 'weights' names unknown terms ${unknown.join(', ')}; the loss has ${names.join(', ')}`,
        );
      }
    } else if (names.length !== this.termNames.length || names.some((n, i) => n !== this.termNames![i])) {
      throw new Error(`Trainer: loss terms changed from [${this.termNames}] to [${names}]`);
    }
    for (const n of names) {
      if (terms[n].rank !== 0)
        throw new Error(`Trainer: loss term '${n}' must be a scalar, got shape [${terms[n].shape}]`);
    }
    const stacked = tf.keep(tf.stack(names.map((n) => terms[n]))) as tf.Tensor1D;
    const w = tf.tensor1d(names.map((n) => this.weightOf(n)));
    return { total: tf.sum(tf.mul(stacked, w)), stacked };
  }

  private record(values: Float32Array | number[]): { loss: number; terms: Record<string, number> } {
    const names = this.termNames!;
    const terms: Record<string, number> = {};
    let loss = 0;
    names.forEach((n, i) => {
      terms[n] = values[i];
      loss += this.weightOf(n) * values[i];
      this.history.terms[n].push(values[i]);
    });
    this.history.loss.push(loss);
    return { loss, terms };
  }

  private checkFinite(values: ArrayLike<number>, step: number): void {
    const names = this.termNames!;
    for (let i = 0; i < names.length; i++) {
      if (!Number.isFinite(values[i])) throw new TrainingDivergedError(names[i], step, values[i]);
    }
  }

  /**
   * Loss terms (not yet read back: a [k] tensor) and parameter gradients at the current
   * parameters, locally or over the DataParallel shards. The caller disposes both.
   */
  private gradients(
    phase: 'adam' | 'lbfgs',
    step: number,
  ): { terms: tf.Tensor1D | Float32Array; grads: tf.Tensor[] } {
    const par = this.config.parallel;
    if (par) {
      const { terms, grads } = par.lossAndGrads(step, this.rng, (n) => this.weightOf(n), phase);
      if (this.termNames === null) {
        this.termNames = par.termNames;
        for (const n of this.termNames) this.history.terms[n] ??= [];
      }
      return { terms, grads };
    }
    let stacked: tf.Tensor1D | null = null;
    const { value, grads } = tf.variableGrads(() => {
      const r = this.lossTerms(phase, step);
      stacked = r.stacked;
      return r.total;
    }, this.vars);
    value.dispose();
    return { terms: stacked as unknown as tf.Tensor1D, grads: this.vars.map((v) => grads[v.name]) };
  }

  /** One Adam step. Returns the loss terms evaluated before the update. */
  async adamStep(): Promise<{ loss: number; terms: Record<string, number> }> {
    const { terms, grads } = this.gradients('adam', this.stepCount);
    let values: Float32Array;
    try {
      // Async read: on webgl/webgpu a sync read would stall the page every step.
      values = terms instanceof Float32Array ? terms : ((await terms.data()) as Float32Array);
      this.checkFinite(values, this.stepCount);
      this.optimizer.applyGradients(grads);
    } finally {
      tf.dispose(grads);
      if (!(terms instanceof Float32Array)) terms.dispose();
    }
    this.stepCount++;
    return this.record(values);
  }

  async fit(): Promise<TrainResult> {
    const cfg = this.config;
    const logEvery = cfg.logEvery ?? 100;
    const callbacks = cfg.callbacks ?? [];
    let last = { loss: Number.NaN, terms: {} as Record<string, number> };
    let stoppedBy: TrainResult['stoppedBy'] = 'steps';
    const t0 = now();
    const startStep = this.stepCount;
    let windowStart = t0;
    let windowSteps = 0;
    while (this.stepCount < cfg.steps) {
      last = await this.adamStep();
      windowSteps++;
      const tNow = now();
      const msPerStep = (tNow - windowStart) / windowSteps;
      let stop = false;
      for (const cb of callbacks) {
        if ((await cb.onStep?.({ phase: 'adam', step: this.stepCount, ...last, msPerStep })) === 'stop')
          stop = true;
      }
      if (this.stepCount % logEvery === 0 || this.stepCount === cfg.steps) {
        this.progress.update({ phase: 'adam', step: this.stepCount, total: cfg.steps, ...last, msPerStep });
        windowStart = tNow;
        windowSteps = 0;
      }
      if (cfg.checkpoint && (this.stepCount % cfg.checkpoint.every === 0 || this.stepCount === cfg.steps)) {
        await this.saveCheckpoint();
      }
      if (stop) {
        stoppedBy = 'callback';
        break;
      }
    }
    const adamMs = this.stepCount > startStep ? (now() - t0) / (this.stepCount - startStep) : 0;
    this.progress.end();
    let lbfgsIterations = 0;
    if (cfg.lbfgs && stoppedBy === 'steps') {
      const r = await this.runLbfgs(cfg.lbfgs);
      lbfgsIterations = r.iterations;
      if (r.last) last = r.last;
    }
    const result: TrainResult = {
      steps: this.stepCount,
      lbfgsIterations,
      loss: last.loss,
      terms: last.terms,
      history: this.history,
      msPerStep: adamMs,
      stoppedBy,
    };
    for (const cb of callbacks) await cb.onEnd?.(result);
    return result;
  }

  private async runLbfgs(cfg: LbfgsPhaseConfig) {
    const { LbfgsOptimizer } = await import('../optim/index.ts');
    const maxIter = cfg.maxIter ?? 500;
    const memory = this.lbfgsMemory ?? cfg.memory ?? new LbfgsMemory();
    this.lbfgsMemory = memory;
    const chunk = this.config.checkpoint?.every ?? maxIter;
    const startDone = this.lbfgsDone;
    let last: { loss: number; terms: Record<string, number> } | null = null;
    // Counts evaluations across chunks: tasks see step 0 once per phase (e.g. a redraw).
    let evals = 0;
    let message = `reached maxIter = ${maxIter} iterations`;
    const t0 = now();
    while (this.lbfgsDone < maxIter) {
      const offset = this.lbfgsDone;
      const opt = new LbfgsOptimizer(this.vars, {
        maxIter: Math.min(chunk, maxIter - offset),
        m: cfg.m ?? 50,
        gradTol: cfg.gradTol ?? 1e-8,
        memory,
      });
      const result = opt.minimize(
        () => {
          const { terms, grads } = this.gradients('lbfgs', evals);
          const values = terms instanceof Float32Array ? terms : (terms.dataSync() as Float32Array);
          if (!(terms instanceof Float32Array)) terms.dispose();
          evals++;
          // A NaN at an L-BFGS trial point only shortens the line search; record finite points only.
          if (Array.from(values).every(Number.isFinite)) last = this.record(values);
          const loss = this.termNames!.reduce((acc, n, i) => acc + this.weightOf(n) * values[i], 0);
          return { loss: tf.scalar(loss), grads };
        },
        {
          callback: (info: { iteration: number; value: number }) => {
            const it = offset + info.iteration;
            if (it % (this.config.logEvery ?? 100) === 0 || it === maxIter) {
              this.progress.update({
                phase: 'lbfgs',
                step: it,
                total: maxIter,
                loss: last?.loss ?? info.value,
                terms: last?.terms ?? {},
                msPerStep: (now() - t0) / (it - startDone),
              });
            }
            return undefined;
          },
        },
      );
      this.lbfgsDone += result.iterations;
      if (this.config.checkpoint) await this.saveCheckpoint();
      if (result.reason !== 'maxIter') {
        message = result.message;
        break;
      }
    }
    this.progress.end();
    this.progress.message(`lbfgs stopped after ${this.lbfgsDone} iterations: ${message}`);
    return {
      iterations: this.lbfgsDone,
      last: last as { loss: number; terms: Record<string, number> } | null,
    };
  }

  async saveCheckpoint(): Promise<string> {
    const ck = this.config.checkpoint;
    if (!ck) throw new Error('Trainer.saveCheckpoint: no checkpoint.dir configured');
    const adam: AdamState = await this.optimizer.getState();
    const parts: Record<string, RunState> = {};
    if (this.config.state) parts.state = this.config.state.captureState();
    if (this.config.parallel) parts.parallel = await this.config.parallel.captureState();
    return writeCheckpoint(
      ck.dir,
      this.model,
      {
        step: this.stepCount,
        rng: this.rng.state(),
        termNames: this.termNames ?? [],
        history: this.history,
        adam,
        lbfgs: this.lbfgsMemory ? { iterations: this.lbfgsDone, memory: this.lbfgsMemory } : undefined,
        extra: Object.keys(parts).length > 0 ? combineRunStates(parts) : undefined,
      },
      ck.keep ?? 2,
    );
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
