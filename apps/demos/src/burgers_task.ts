/**
 * DataParallel task of the Burgers demo: shard k trains the demo's PINN on its own
 * points/shards collocation points (shard 0 in the main thread, the others in worker threads),
 * and redraws them by RAD on its own residuals — every `radEvery` Adam steps and at the start of
 * every L-BFGS round — in `prepare`, outside the gradient tape.
 */
import type { LossContext, ParallelTask, Shard } from '@pinnate/core';
import type { Pinn } from '@pinnate/pinn';
import { BURGERS_DEFAULTS, type BurgersOptions, burgersPinn } from './burgers.ts';

/** The shard-0 Pinn of this thread (the main thread reads it to predict after training). */
export let mainShardPinn: Pinn | null = null;

export function createTask(options: BurgersOptions, shard: Shard): ParallelTask {
  const points = Math.round((options.points ?? BURGERS_DEFAULTS.points) / shard.count);
  // A different seed per shard draws different points; parameters are the main thread's anyway.
  const pinn = burgersPinn({ ...options, points, seed: (options.seed ?? 0) + 7919 * shard.index });
  if (shard.index === 0) mainShardPinn = pinn;
  const radEvery = options.radEvery ?? 500;
  let last = '';
  const prepare = (ctx: LossContext): void => {
    if (radEvery <= 0) return;
    const due =
      (ctx.phase === 'adam' && ctx.step > 0 && ctx.step % radEvery === 0) ||
      (ctx.phase === 'lbfgs' && ctx.step === 0 && (options.lbfgsRounds ?? BURGERS_DEFAULTS.lbfgsRounds) > 1);
    const key = `${ctx.phase}:${ctx.step}`;
    // L-BFGS rounds each start at evaluation 0: a new round is any (lbfgs, 0) after other steps.
    if (due && key !== last) pinn.adaptSamples();
    last = key;
  };
  // state: each shard's points (RAD redraws them) and their streams go into the checkpoints.
  return { model: pinn.model, loss: pinn.lossFunction(), prepare, state: pinn };
}
