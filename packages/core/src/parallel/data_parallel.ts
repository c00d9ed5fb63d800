/**
 * Data-parallel gradients over worker_threads (Node). tfjs-wasm runs one thread per backend
 * (multi-threaded wasm does not start in Node, NOTES.md), so the second core is used by a
 * second backend: each worker builds the same model and the loss on its shard of the points,
 * and every step
 *
 *   main: write parameters to shared memory → wake workers → compute shard 0 locally
 *   worker k: read parameters → loss and gradients on shard k → write them to shared memory
 *   main: wait → average the shards' gradients and loss terms.
 *
 * Shards must be equal fractions of every point set (use `shardRange`), so the average of the
 * shard losses is the full loss. A task module (an ES module path) exports
 * `createTask(config, shard) → { model, loss }`; it runs in the main thread for shard 0 and in
 * each worker for the others, so models start identical (same seed) and stay identical (the
 * main thread's parameters are broadcast every step).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../backend.ts';
import type { Module } from '../nn/module.ts';
import { Rng } from '../rng.ts';
import {
  combineRunStates,
  EMPTY_RUN_STATE,
  partOfRunState,
  type Resumable,
  type RunState,
} from '../train/run_state.ts';
import type { LossContext, LossFunction } from '../train/trainer.ts';
import { startModuleWorker } from './module_worker.ts';

export interface Shard {
  readonly index: number;
  readonly count: number;
}

export interface ParallelTask {
  readonly model: Module;
  readonly loss: LossFunction;
  /**
   * Called on every shard before each loss evaluation, outside the gradient tape, with the
   * trainer's step and phase: the place for per-shard resampling (e.g. RAD every k steps).
   */
  readonly prepare?: (ctx: LossContext) => void;
  /**
   * The shard's own state beyond the parameters (its point sets and their generators), so that
   * checkpoints of a data-parallel run hold every shard's and a resumed run continues exactly.
   */
  readonly state?: Resumable;
}

export type TaskFactory = (config: unknown, shard: Shard) => ParallelTask | Promise<ParallelTask>;

/** [start, end) of shard `index` of `count` over n items (sizes differ by at most one). */
export function shardRange(n: number, shard: Shard): [number, number] {
  const start = Math.floor((n * shard.index) / shard.count);
  const end = Math.floor((n * (shard.index + 1)) / shard.count);
  return [start, end];
}

export interface DataParallelOptions {
  /** Path or URL of the task module (exports `createTask`). */
  readonly module: string | URL;
  /** JSON-serializable config passed to `createTask`. */
  readonly config: unknown;
  /** Total shards including the main thread (default 2: the main thread and one worker). */
  readonly shards?: number;
  /** Backend of each worker (default: the main thread's current backend). */
  readonly backend?: BackendName;
}

// Control words in shared memory.
const GEN = 0; // incremented by main to start a step
const DONE = 1; // incremented by each worker when its shard is written
const ERROR = 2; // set to 1 by a worker that threw, EXITED + exit code by one that exited
const EXITED = 1000;
const STOP = 3; // set to 1 to end the workers
const STEP = 4; // the trainer's step of this evaluation
const PHASE = 5; // 0 = adam, 1 = lbfgs
const CMD = 6; // what a wake-up asks: STEP_CMD, CAPTURE or RESTORE
const CTRL = 7;
const STEP_CMD = 0; // loss and gradients of the shard
const CAPTURE = 1; // post the shard's RunState on its state port
const RESTORE = 2; // read a RunState from the state port and restore it
const MAX_TERMS = 64;

export interface ShardedLoss {
  /** Loss terms (averaged over shards), in `termNames` order. */
  readonly terms: Float32Array;
  /** Gradients averaged over shards, aligned with `variables` (caller disposes). */
  readonly grads: tf.Tensor[];
}

export class DataParallel {
  readonly model: Module;
  readonly shards: number;
  readonly variables: tf.Variable[];
  termNames: string[] = [];
  private readonly loss: LossFunction;
  private readonly prepare: ParallelTask['prepare'];
  private readonly state: ParallelTask['state'];
  private readonly workers: import('node:worker_threads').Worker[];
  /** Main-thread ends of each worker's state channel. */
  private readonly ports: import('node:worker_threads').MessagePort[];
  private readonly ctrl: Int32Array;
  private readonly params: Float32Array;
  private readonly grads: Float32Array; // [(shards-1) * P]
  private readonly terms: Float32Array; // [(shards-1) * MAX_TERMS]
  private readonly weights: Float32Array; // [MAX_TERMS] per-term weights of this step
  private readonly sizes: number[];
  private readonly total: number;
  private readonly errors: string[] = [];
  private closed = false;

  private constructor(
    task: ParallelTask,
    shards: number,
    workers: import('node:worker_threads').Worker[],
    ports: import('node:worker_threads').MessagePort[],
    shared: {
      ctrl: SharedArrayBuffer;
      params: SharedArrayBuffer;
      grads: SharedArrayBuffer;
      terms: SharedArrayBuffer;
      weights: SharedArrayBuffer;
    },
  ) {
    this.model = task.model;
    this.loss = task.loss;
    this.prepare = task.prepare;
    this.state = task.state;
    this.shards = shards;
    this.workers = workers;
    this.ports = ports;
    this.variables = task.model
      .parameters()
      .filter((p) => p.variable.trainable)
      .map((p) => p.variable);
    this.sizes = this.variables.map((v) => v.size);
    this.total = this.sizes.reduce((a, b) => a + b, 0);
    this.ctrl = new Int32Array(shared.ctrl);
    this.params = new Float32Array(shared.params);
    this.grads = new Float32Array(shared.grads);
    this.terms = new Float32Array(shared.terms);
    this.weights = new Float32Array(shared.weights);
    for (const w of workers) {
      w.on('error', (e) => this.errors.push(e instanceof Error ? e.message : String(e)));
      w.on('message', (m: { error?: string }) => {
        if (m?.error) this.errors.push(m.error);
      });
    }
  }

  /** Start the workers and build the main thread's shard. */
  static async start(options: DataParallelOptions): Promise<DataParallel> {
    const shards = options.shards ?? 2;
    if (!Number.isInteger(shards) || shards < 1) {
      throw new Error(`DataParallel: 'shards' must be an integer ≥ 1, got ${shards}`);
    }
    const moduleUrl = toUrl(options.module);
    const factory = (await import(moduleUrl)).createTask as TaskFactory | undefined;
    if (typeof factory !== 'function') {
      throw new Error(`DataParallel: '${moduleUrl}' must export a function createTask(config, shard)`);
    }
    const task = await factory(options.config, { index: 0, count: shards });
    const vars = task.model.parameters().filter((p) => p.variable.trainable);
    const total = vars.reduce((n, p) => n + p.variable.size, 0);
    const shared = {
      ctrl: new SharedArrayBuffer(CTRL * 4),
      params: new SharedArrayBuffer(total * 4),
      grads: new SharedArrayBuffer(Math.max(1, shards - 1) * total * 4),
      terms: new SharedArrayBuffer(Math.max(1, shards - 1) * MAX_TERMS * 4),
      weights: new SharedArrayBuffer(MAX_TERMS * 4),
    };
    const backend = options.backend ?? (tf.getBackend() as BackendName);
    const { MessageChannel } = await import('node:worker_threads');
    const channels = Array.from({ length: shards - 1 }, () => new MessageChannel());
    const workers = await Promise.all(
      Array.from({ length: shards - 1 }, async (_, k) => {
        const w = await startModuleWorker(import.meta.url, './worker', {
          workerData: {
            moduleUrl,
            config: options.config,
            shard: { index: k + 1, count: shards },
            backend,
            shared,
            total,
            statePort: channels[k].port2,
          },
          transferList: [channels[k].port2],
        });
        return new Promise<import('node:worker_threads').Worker>((resolve, reject) => {
          w.once('message', (m: { ready?: boolean; total?: number; error?: string }) => {
            if (m.error) reject(new Error(`DataParallel: worker ${k + 1} failed to start: ${m.error}`));
            else if (m.total !== total) {
              reject(new Error(`DataParallel: worker ${k + 1} has ${m.total} parameters, main has ${total}`));
            } else resolve(w);
          });
          w.once('error', reject);
        });
      }),
    );
    const dp = new DataParallel(
      task,
      shards,
      workers,
      channels.map((c) => c.port1),
      shared,
    );
    // Term names fix the layout of the shared weights before the first step (a throwaway RNG
    // keeps the caller's stream untouched).
    dp.termNames = tf.tidy(() => Object.keys(task.loss({ step: 0, phase: 'adam', rng: new Rng(0) })));
    if (dp.termNames.length > MAX_TERMS) {
      await dp.close();
      throw new Error(`DataParallel: at most ${MAX_TERMS} loss terms, got ${dp.termNames.length}`);
    }
    return dp;
  }

  /**
   * Loss terms and gradients of Σ_k weight_k · term_k over all shards at the current
   * parameters. `weightOf` maps a term name to its weight (default 1).
   */
  lossAndGrads(
    step: number,
    rng: Rng,
    weightOf: (name: string) => number = () => 1,
    phase: 'adam' | 'lbfgs' = 'adam',
  ): ShardedLoss {
    if (this.closed) throw new Error('DataParallel: closed');
    const others = this.shards - 1;
    this.termNames.forEach((n, i) => {
      this.weights[i] = weightOf(n);
    });
    if (others > 0) {
      // Broadcast parameters, then start the workers.
      let off = 0;
      for (const v of this.variables) {
        this.params.set(v.dataSync() as Float32Array, off);
        off += v.size;
      }
      Atomics.store(this.ctrl, STEP, step);
      Atomics.store(this.ctrl, PHASE, phase === 'adam' ? 0 : 1);
      this.wake(STEP_CMD);
    }
    this.prepare?.({ step, phase, rng });
    let stacked: tf.Tensor1D | null = null;
    const { value, grads } = tf.variableGrads(() => {
      const terms = this.loss({ step, phase, rng });
      const names = Object.keys(terms);
      if (names.join() !== this.termNames.join()) {
        throw new Error(`DataParallel: loss terms changed from [${this.termNames}] to [${names}]`);
      }
      stacked = tf.keep(tf.stack(names.map((n) => terms[n]))) as tf.Tensor1D;
      return tf.sum(tf.mul(stacked as tf.Tensor1D, tf.tensor1d(this.weights.subarray(0, names.length))));
    }, this.variables);
    value.dispose();
    const own = (stacked as unknown as tf.Tensor1D).dataSync() as Float32Array;
    (stacked as unknown as tf.Tensor1D).dispose();
    const k = own.length;
    if (others === 0) {
      return { terms: Float32Array.from(own), grads: this.variables.map((v) => grads[v.name]) };
    }
    this.waitForWorkers();
    const inv = 1 / this.shards;
    const terms = new Float32Array(k);
    for (let t = 0; t < k; t++) {
      let s = own[t];
      for (let w = 0; w < others; w++) s += this.terms[w * MAX_TERMS + t];
      terms[t] = s * inv;
    }
    const sum = new Float32Array(this.total);
    for (let w = 0; w < others; w++) {
      const g = this.grads.subarray(w * this.total, (w + 1) * this.total);
      for (let i = 0; i < this.total; i++) sum[i] += g[i];
    }
    let off = 0;
    const out = this.variables.map((v) => {
      const g = tf.tidy(() =>
        tf.mul(tf.add(grads[v.name], tf.tensor(sum.subarray(off, off + v.size), v.shape)), tf.scalar(inv)),
      );
      grads[v.name].dispose();
      off += v.size;
      return g;
    });
    return { terms, grads: out };
  }

  /**
   * Every shard's state: each task's `state` and each worker's generator, as parts `shard<k>`
   * (the trainer writes it into its checkpoints).
   */
  async captureState(): Promise<RunState> {
    if (this.closed) throw new Error('DataParallel: closed');
    const parts: Record<string, RunState> = {
      shard0: this.state?.captureState() ?? EMPTY_RUN_STATE,
    };
    if (this.shards > 1) {
      const replies = this.ports.map(
        (p) => new Promise<RunState>((resolve) => p.once('message', (m: RunState) => resolve(m))),
      );
      this.wake(CAPTURE);
      const states = await Promise.all(replies);
      this.waitForWorkers();
      states.forEach((st, k) => {
        parts[`shard${k + 1}`] = st;
      });
    }
    const all = combineRunStates(parts);
    return { json: { ...all.json, shards: this.shards }, arrays: all.arrays };
  }

  /** Restores what `captureState` returned (a state without shards, from an older checkpoint, is ignored). */
  async restoreState(state: RunState): Promise<void> {
    if (this.closed) throw new Error('DataParallel: closed');
    if (state.json.shards === undefined) return;
    if (state.json.shards !== this.shards) {
      throw new Error(
        `DataParallel.restoreState: the checkpoint was written with ${state.json.shards} shards, this run has ${this.shards}; resume with the same thread count`,
      );
    }
    this.state?.restoreState(partOfRunState(state, 'shard0'));
    if (this.shards > 1) {
      this.ports.forEach((p, k) => {
        p.postMessage(partOfRunState(state, `shard${k + 1}`));
      });
      this.wake(RESTORE);
      this.waitForWorkers();
    }
  }

  /** Start every worker on command `cmd`. */
  private wake(cmd: number): void {
    Atomics.store(this.ctrl, CMD, cmd);
    Atomics.store(this.ctrl, DONE, 0);
    Atomics.add(this.ctrl, GEN, 1);
    Atomics.notify(this.ctrl, GEN);
  }

  /** Block until every worker has answered the current command; throws if one failed or exited. */
  private waitForWorkers(): void {
    const others = this.shards - 1;
    for (;;) {
      const done = Atomics.load(this.ctrl, DONE);
      const error = Atomics.load(this.ctrl, ERROR);
      if (error >= EXITED) {
        throw new Error(
          `DataParallel: a worker exited (code ${error - EXITED}) before returning its shard; see its stderr`,
        );
      }
      if (error !== 0) {
        throw new Error(`DataParallel: a worker failed: ${this.errors.join('; ') || 'see its stderr'}`);
      }
      if (done >= others) return;
      Atomics.wait(this.ctrl, DONE, done, 10_000);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.ctrl, STOP, 1);
    Atomics.add(this.ctrl, GEN, 1);
    Atomics.notify(this.ctrl, GEN);
    await Promise.all(this.workers.map((w) => w.terminate()));
    for (const p of this.ports) p.close();
  }
}

function toUrl(m: string | URL): string {
  if (m instanceof URL) return m.href;
  if (/^[a-z]+:\/\//.test(m)) return m;
  return new URL(m, `file://${process.cwd()}/`).href;
}

/** Control-word indices shared with worker.ts. */
export const SHARED_LAYOUT = {
  GEN,
  DONE,
  ERROR,
  STOP,
  STEP,
  PHASE,
  CMD,
  STEP_CMD,
  CAPTURE,
  RESTORE,
  MAX_TERMS,
  EXITED,
} as const;
