/** DataParallel task for the Burgers benchmark: shard `index` of the points of setupBurgers. */
import type { ParallelTask, Shard } from '../src/parallel/data_parallel.ts';
import { burgersTerms, setupBurgers } from './burgers_problem.ts';

export function createTask(config: { n: number; seed?: number }, shard: Shard): ParallelTask {
  const s = setupBurgers(config.n, config.seed ?? 0, 256, 256, shard);
  return { model: s.model, loss: () => burgersTerms(s) };
}
