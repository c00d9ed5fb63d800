/**
 * Starting a worker_threads Worker on one of our modules (Node). On Node 20 the main thread's
 * module hooks (tsx) do not reach worker threads, so every worker starts from one plain-JS boot
 * file that registers tsx itself when the caller runs from TypeScript sources, then imports the
 * real entry. DataParallel, generateDataset, SolverPool and the Darcy demo all start workers here.
 */
import type { Transferable, Worker, WorkerOptions } from 'node:worker_threads';

/**
 * A Worker running `<name>.ts` next to `base` (pass `import.meta.url`) when `base` is a
 * TypeScript source, `<name>.js` when it is built output. The worker sees `workerData` as given,
 * plus `entry` and `registerTsx` (read by the boot file).
 */
export async function startModuleWorker(
  base: string,
  name: string,
  options: {
    readonly workerData?: Record<string, unknown>;
    readonly transferList?: readonly Transferable[];
  } = {},
): Promise<Worker> {
  const { Worker } = await import('node:worker_threads');
  const fromSource = base.endsWith('.ts');
  const entry = new URL(`${name}${fromSource ? '.ts' : '.js'}`, base).href;
  const init: WorkerOptions = {
    workerData: { ...options.workerData, entry, registerTsx: fromSource },
    ...(options.transferList ? { transferList: [...options.transferList] } : {}),
  };
  // A named URL, not `new Worker(new URL(…), …)` inline: Vite would treat that as a browser
  // worker to bundle when the live page imports core.
  const boot = new URL('./worker_boot.mjs', import.meta.url);
  return new Worker(boot, init);
}
