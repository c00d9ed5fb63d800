/** Worker side of SolverPool: solves or differentiates the problems it is sent. */
import { parentPort, workerData } from 'node:worker_threads';
import { deserializeTasks, runTasks, type SerializedTask } from './pool.ts';

const { port, flag } = workerData as {
  port: import('node:worker_threads').MessagePort;
  flag: SharedArrayBuffer;
};
const done = new Int32Array(flag);

parentPort?.on('message', async (msg: { tasks: SerializedTask[] }) => {
  try {
    const tasks = await deserializeTasks(msg.tasks);
    const results = runTasks(tasks);
    const buffers = results.flatMap((r) => ('grads' in r ? r.grads.map((g) => g.buffer) : [r.w.buffer]));
    port.postMessage({ results }, buffers as ArrayBuffer[]);
  } catch (e) {
    port.postMessage({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
  Atomics.store(done, 0, 1);
  Atomics.notify(done, 0);
});
parentPort?.postMessage({ ready: true });
