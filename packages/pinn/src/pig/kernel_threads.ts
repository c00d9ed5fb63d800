/**
 * Runs the generated Gaussian kernels of `kernel.ts` on several cores, synchronously.
 *
 * The kernels are called from inside a tfjs op (forward) and its gradient function (reverse),
 * which must return synchronously. So the calling thread posts a slice of the work to each
 * worker (`worker_threads`), computes its own slice, then blocks in `Atomics.wait` until every
 * worker has raised its flag, and takes the results with `receiveMessageOnPort` — no event
 * loop turn is needed on the calling side.
 *
 * Slices never split a sum: the forward pass is split over points (each point sums over its
 * Gaussians in the same order as the one-thread kernel) and the reverse pass over Gaussians
 * (each Gaussian sums over the sorted points in the same order), so the results are
 * bit-identical to one thread.
 *
 * The workers run from an inline script (no file to resolve under tsx, vitest or a bundler) and
 * build each kernel from the same generated source as the calling thread. They are unref'd:
 * an idle pool does not keep the process alive.
 */
type WorkerThreads = typeof import('node:worker_threads');

/** A kernel by its generated source: `new Function(...params, body)`. */
export interface KernelSource {
  readonly params: readonly string[];
  readonly body: string;
}

/** One slice of work: the kernel, its arguments (typed arrays are copied), and the names of
 * the output arrays among them to send back. */
export interface SliceJob {
  readonly kernel: KernelSource;
  readonly args: readonly unknown[];
  readonly outputs: readonly number[]; // indices into args
}

export interface SliceResult {
  readonly value: number;
  readonly outputs: ArrayBufferView[];
}

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { port, flag } = workerData;
const signal = new Int32Array(flag);
const fns = new Map();
port.on('message', (job) => {
  let reply;
  try {
    const key = job.kernel.params.join(',') + '\\n' + job.kernel.body;
    let fn = fns.get(key);
    if (!fn) {
      fn = new Function(...job.kernel.params, job.kernel.body);
      fns.set(key, fn);
    }
    const value = fn(...job.args);
    const outputs = job.outputs.map((i) => job.args[i]);
    reply = { value, outputs };
    port.postMessage(reply, outputs.map((o) => o.buffer));
  } catch (e) {
    port.postMessage({ error: String(e && e.stack ? e.stack : e) });
  }
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
`;

interface PoolWorker {
  readonly port: import('node:worker_threads').MessagePort;
  readonly signal: Int32Array;
}

let threads: WorkerThreads | null | undefined;

function workerThreads(): WorkerThreads | null {
  if (threads === undefined) {
    try {
      // process.getBuiltinModule (Node ≥ 20.16) is synchronous and leaves no static `node:`
      // import for a browser bundler to choke on; elsewhere there is no worker pool.
      const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
      threads = (proc?.getBuiltinModule?.('node:worker_threads') as WorkerThreads | undefined) ?? null;
    } catch {
      threads = null; // not Node (browser): one thread
    }
  }
  return threads;
}

const pool: PoolWorker[] = [];
let sentToWorkers = 0;

/** Slices run on workers since the process started (to check that a call was split). */
export function workerSliceCount(): number {
  return sentToWorkers;
}

/** Workers available for `size` − 1 extra slices (created on first use, kept). */
function workers(size: number): PoolWorker[] {
  const wt = workerThreads();
  if (!wt) return [];
  while (pool.length < size - 1) {
    const { port1, port2 } = new wt.MessageChannel();
    const flag = new SharedArrayBuffer(4);
    const w = new wt.Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { port: port2, flag },
      transferList: [port2],
    });
    w.unref();
    port1.unref();
    pool.push({ port: port1, signal: new Int32Array(flag) });
  }
  return pool.slice(0, size - 1);
}

/** Whether more than one thread can be used here. */
export function threadsAvailable(): boolean {
  return (
    workerThreads() !== null && typeof SharedArrayBuffer !== 'undefined' && typeof Atomics !== 'undefined'
  );
}

/** Longest a slice may take before the pool is declared stuck (a niced job can be slow). */
const WAIT_MS = 600_000;

/**
 * Runs `jobs[0]` on the calling thread (with `local`, the compiled function) and the others on
 * workers, and returns every slice's result in order.
 */
export function runSlices(local: (...args: never[]) => number, jobs: readonly SliceJob[]): SliceResult[] {
  const ws = workers(jobs.length);
  if (ws.length < jobs.length - 1) {
    // No worker_threads: run every slice here.
    return jobs.map((j) => ({
      value: local(...(j.args as never[])),
      outputs: j.outputs.map((i) => j.args[i] as ArrayBufferView),
    }));
  }
  const wt = workerThreads() as WorkerThreads;
  for (let s = 1; s < jobs.length; s++) {
    const w = ws[s - 1];
    Atomics.store(w.signal, 0, 0);
    w.port.postMessage(jobs[s]);
  }
  const j0 = jobs[0];
  const results: SliceResult[] = [
    { value: local(...(j0.args as never[])), outputs: j0.outputs.map((i) => j0.args[i] as ArrayBufferView) },
  ];
  for (let s = 1; s < jobs.length; s++) {
    const w = ws[s - 1];
    const t0 = Date.now();
    let msg: { message: { value?: number; outputs?: ArrayBufferView[]; error?: string } } | undefined;
    for (;;) {
      if (Atomics.load(w.signal, 0) === 1) msg = wt.receiveMessageOnPort(w.port);
      if (msg) break;
      if (Date.now() - t0 > WAIT_MS)
        throw new Error(`gaussian kernel: worker ${s} gave no result within ${WAIT_MS / 1000} s`);
      Atomics.wait(w.signal, 0, 0, 1000);
    }
    const m = msg.message;
    if (m.error !== undefined) throw new Error(`gaussian kernel: worker ${s} failed: ${m.error}`);
    sentToWorkers++;
    results.push({ value: m.value as number, outputs: m.outputs as ArrayBufferView[] });
  }
  return results;
}
