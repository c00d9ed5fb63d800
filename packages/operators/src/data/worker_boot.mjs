// Plain-JS entry of generateDataset's workers. From TypeScript sources (tsx, or vitest, where
// import.meta.resolve is not available to the parent) the main thread's module hooks do not reach
// worker threads on Node 20, so the worker registers tsx itself before importing the real entry.
import { workerData } from 'node:worker_threads';

if (workerData.registerTsx) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
