/**
 * Times Adam steps of the Burgers demo PINN (4×64, 4096 points) on 1 thread and on 2 threads
 * (DataParallel), back to back in one process, twice: `pnpm --filter @pinnate/demos
 * bench:burgers-threads`. Compare the ratio, not the absolute times (shared machines are noisy).
 */
import { DataParallel, initBackend, Trainer } from '@pinnate/core';
import { burgersPinn } from './burgers.ts';

await initBackend({ backend: 'wasm' });
const n = 4096;
async function time(tr: Trainer, reps = 30): Promise<number> {
  for (let i = 0; i < 5; i++) await tr.adamStep();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) await tr.adamStep();
  return (performance.now() - t0) / reps;
}
for (let round = 0; round < 2; round++) {
  const p1 = burgersPinn({ points: n, radEvery: 0 });
  const t1 = p1.trainerFor({ steps: 100, progress: 'none' });
  const one = await time(t1);
  t1.dispose();
  p1.dispose();
  const task = await import('./burgers_task.ts');
  const par = await DataParallel.start({
    module: new URL('./burgers_task.ts', import.meta.url),
    config: { points: n, radEvery: 0 },
    shards: 2,
  });
  const p2 = task.mainShardPinn;
  if (!p2) throw new Error('no main-shard PINN');
  const t2 = new Trainer(p2.model, p2.lossFunction(), { steps: 100, progress: 'none', parallel: par });
  const two = await time(t2);
  t2.dispose();
  await par.close();
  console.log(
    `4096 points, 4x64: 1 thread ${one.toFixed(1)} ms/step, 2 threads ${two.toFixed(1)} ms/step, ratio ${(one / two).toFixed(2)}`,
  );
}
