/**
 * SolverPool: maps independent constraint problems (trajectories × experts) onto W lanes — the
 * calling thread plus W − 1 worker_threads — and returns their results synchronously, so it can
 * run inside a tfjs custom gradient (forward and backward are synchronous there).
 *
 * Protocol: the main thread posts each worker its share, solves its own share, then blocks in
 * `Atomics.wait` on the worker's flag; the worker answers on a private MessagePort and raises the
 * flag, and the main thread takes the answer with `receiveMessageOnPort`. Residual functions
 * cross threads by reference ({module, name}): workers import them. W = 1 never starts a thread.
 * The same task list gives the same results whatever W is (each problem is solved by the same
 * float64 code, in one thread).
 */
import { startModuleWorker } from '@pinnate/core/worker';
import type { LmOptions } from './lm.ts';
import {
  adjointProblem,
  type BlockData,
  type PointwiseResidual,
  type ProblemData,
  type SolveResult,
  solveProblem,
} from './problem.ts';

export type PoolTask =
  | { readonly kind: 'solve'; readonly problem: ProblemData; readonly lm: LmOptions }
  | {
      readonly kind: 'adjoint';
      readonly problem: ProblemData;
      readonly w: Float64Array;
      readonly gw: Float64Array;
    };

export type PoolResult = SolveResult | { readonly grads: Float64Array[] };

/** Runs tasks in the calling thread. */
export function runTasks(tasks: readonly PoolTask[]): PoolResult[] {
  return tasks.map((t) => {
    switch (t.kind) {
      case 'solve':
        return solveProblem(t.problem, t.lm);
      case 'adjoint':
        return { grads: adjointProblem(t.problem, t.w, t.gw) };
      default: {
        const never: never = t;
        throw new Error(`SolverPool: unknown task ${JSON.stringify(never)}`);
      }
    }
  });
}

interface SerializedBlock extends Omit<BlockData, 'residual'> {
  readonly residual: { readonly module: string; readonly name: string };
}
export type SerializedTask = Omit<PoolTask, 'problem'> & {
  readonly problem: Omit<ProblemData, 'blocks'> & { readonly blocks: SerializedBlock[] };
};

function serializeTask(t: PoolTask): SerializedTask {
  return {
    ...t,
    problem: {
      ...t.problem,
      blocks: t.problem.blocks.map((b) => ({
        ...b,
        residual: { module: b.residual.module, name: b.residual.name },
      })),
    },
  } as SerializedTask;
}

const residualCache = new Map<string, PointwiseResidual>();

async function loadResidual(ref: { module: string; name: string }): Promise<PointwiseResidual> {
  const key = `${ref.module}#${ref.name}`;
  let r = residualCache.get(key);
  if (!r) {
    const mod = (await import(ref.module)) as Record<string, unknown>;
    r = mod[ref.name] as PointwiseResidual | undefined;
    if (!r || typeof r.evaluate !== 'function') {
      throw new Error(`SolverPool: '${ref.module}' does not export a PointwiseResidual named '${ref.name}'`);
    }
    residualCache.set(key, r);
  }
  return r;
}

/** Worker side: restores residual functions by importing their modules. */
export async function deserializeTasks(tasks: SerializedTask[]): Promise<PoolTask[]> {
  const out: PoolTask[] = [];
  for (const t of tasks) {
    const blocks: BlockData[] = [];
    for (const b of t.problem.blocks) blocks.push({ ...b, residual: await loadResidual(b.residual) });
    out.push({ ...t, problem: { ...t.problem, blocks } } as unknown as PoolTask);
  }
  return out;
}

function cost(t: PoolTask): number {
  return t.problem.blocks.reduce((s, b) => s + b.points * b.channels, 0) * t.problem.n;
}

/** Contiguous shares of the task list with roughly equal cost, one per lane. */
export function partitionTasks(tasks: readonly PoolTask[], lanes: number): [number, number][] {
  const total = tasks.reduce((s, t) => s + cost(t), 0);
  const out: [number, number][] = [];
  let start = 0;
  let acc = 0;
  for (let l = 0; l < lanes; l++) {
    const target = (total * (l + 1)) / lanes;
    let end = start;
    while (end < tasks.length && (l === lanes - 1 || acc + cost(tasks[end]) / 2 <= target)) {
      acc += cost(tasks[end]);
      end++;
    }
    out.push([start, end]);
    start = end;
  }
  return out;
}

interface Lane {
  readonly worker: import('node:worker_threads').Worker;
  readonly port: import('node:worker_threads').MessagePort;
  readonly flag: Int32Array;
}

export interface SolverPoolOptions {
  /** Lanes including the calling thread (default 1: no threads). */
  readonly workers?: number;
  /** Longest wait for one worker's answer in ms (default 600 000). */
  readonly timeoutMs?: number;
}

export class SolverPool {
  readonly workers: number;
  private readonly lanes: Lane[];
  private readonly timeoutMs: number;
  private readonly receive: typeof import('node:worker_threads').receiveMessageOnPort | null;
  private closed = false;

  private constructor(workers: number, lanes: Lane[], timeoutMs: number, receive: SolverPool['receive']) {
    this.workers = workers;
    this.lanes = lanes;
    this.timeoutMs = timeoutMs;
    this.receive = receive;
  }

  /** A pool that runs everything in the calling thread. */
  static inProcess(): SolverPool {
    return new SolverPool(1, [], 0, null);
  }

  static async start(options: SolverPoolOptions = {}): Promise<SolverPool> {
    const W = options.workers ?? 1;
    if (!Number.isInteger(W) || W < 1)
      throw new Error(`SolverPool: 'workers' must be an integer >= 1, got ${W}`);
    const timeoutMs = options.timeoutMs ?? 600_000;
    if (W === 1) return SolverPool.inProcess();
    const wt = await import('node:worker_threads');
    const lanes = await Promise.all(
      Array.from({ length: W - 1 }, async (_, k) => {
        const { port1, port2 } = new wt.MessageChannel();
        const flag = new SharedArrayBuffer(4);
        const worker = await startModuleWorker(import.meta.url, './pool_worker', {
          workerData: { port: port2, flag },
          transferList: [port2],
        });
        await new Promise<void>((resolve, reject) => {
          worker.once('message', (m: { ready?: boolean }) => {
            if (m?.ready) resolve();
            else reject(new Error(`SolverPool: worker ${k + 1} failed to start`));
          });
          worker.once('error', (e) =>
            reject(new Error(`SolverPool: worker ${k + 1} failed to start: ${e.message}`)),
          );
        });
        return { worker, port: port1, flag: new Int32Array(flag) };
      }),
    );
    return new SolverPool(W, lanes, timeoutMs, wt.receiveMessageOnPort);
  }

  /** Runs the tasks on all lanes; results in task order. */
  run(tasks: readonly PoolTask[]): PoolResult[] {
    if (this.closed) throw new Error('SolverPool: closed');
    if (this.lanes.length === 0 || tasks.length < 2) return runTasks(tasks);
    const shares = partitionTasks(tasks, this.lanes.length + 1);
    // Shares 1.. go to workers, share 0 stays here.
    const busy: { lane: Lane; start: number }[] = [];
    this.lanes.forEach((lane, j) => {
      const [s, e] = shares[j + 1];
      if (e <= s) return;
      Atomics.store(lane.flag, 0, 0);
      lane.worker.postMessage({ tasks: tasks.slice(s, e).map(serializeTask) });
      busy.push({ lane, start: s });
    });
    const out: PoolResult[] = new Array(tasks.length);
    const [s0, e0] = shares[0];
    const mine = runTasks(tasks.slice(s0, e0));
    mine.forEach((r, i) => {
      out[s0 + i] = r;
    });
    for (const { lane, start } of busy) {
      if (Atomics.wait(lane.flag, 0, 0, this.timeoutMs) === 'timed-out') {
        throw new Error(`SolverPool: a worker did not answer within ${this.timeoutMs} ms`);
      }
      const msg = this.receive?.(lane.port)?.message as
        | { results?: PoolResult[]; error?: string }
        | undefined;
      if (!msg) throw new Error('SolverPool: worker raised its flag without an answer');
      if (msg.error) throw new Error(`SolverPool: worker failed: ${msg.error}`);
      msg.results?.forEach((r, i) => {
        out[start + i] = r;
      });
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(
      this.lanes.map(async (l) => {
        l.port.close();
        await l.worker.terminate();
      }),
    );
  }
}
