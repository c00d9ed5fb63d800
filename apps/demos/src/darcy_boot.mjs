// Plain-JS entry of the Darcy demo's per-model workers. Module hooks of the main thread do not
// reach worker threads on Node 20, so when the demo runs from TypeScript sources (tsx, vitest)
// the worker registers tsx itself before importing the real entry.
import { workerData } from 'node:worker_threads';

if (workerData.registerTsx) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
