// Plain-JS entry of every worker started by startModuleWorker (module_worker.ts). When the
// project runs from TypeScript sources (tsx), module hooks of the main thread do not reach worker
// threads on Node 20, so the worker registers tsx itself before importing the real entry.
import { workerData } from 'node:worker_threads';

if (workerData.registerTsx) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
