/** A small regression task for DataParallel tests: fit sin(3x) on shard points, plus a smoothness term. */
import * as tf from '@tensorflow/tfjs';
import { Derivatives } from '../jets/derivatives.ts';
import { Mlp } from '../nn/mlp.ts';
import { Rng, type RngState } from '../rng.ts';
import { type ParallelTask, type Shard, shardRange } from './data_parallel.ts';

/**
 * With `echo`, three extra terms report what the shard saw: the step and phase of the
 * evaluation, and whether `prepare` ran for this step first (1) or not (0). With `exitAtStep`,
 * the worker shards call process.exit at that step (a hard death the main thread must notice).
 * With `jitterEvery`, every that many Adam steps each shard moves its points by draws from the
 * evaluation's RNG and from its own stream — state that checkpoints must carry (`state`).
 */
export function createTask(
  config: { n: number; seed: number; echo?: boolean; exitAtStep?: number; jitterEvery?: number },
  shard: Shard,
): ParallelTask {
  const rng = new Rng(config.seed);
  const model = new Mlp({ sizes: [1, 16, 1] }, rng.split());
  const xs = Float32Array.from({ length: config.n }, () => rng.uniformIn(-1, 1));
  const [a, b] = shardRange(config.n, shard);
  const mine = Float32Array.from(xs.subarray(a, b));
  let x = tf.tensor2d(mine, [b - a, 1]);
  let y = tf.sin(tf.mul(x, tf.scalar(3)));
  const own = new Rng(config.seed + 100 * shard.index);
  const rebuild = () => {
    tf.dispose([x, y]);
    x = tf.keep(tf.tensor2d(mine, [b - a, 1]));
    y = tf.keep(tf.sin(tf.mul(x, tf.scalar(3))));
  };
  const d = new Derivatives({ inputs: ['x'], outputs: ['u'], requests: ['u', 'u_xx'] });
  let prepared = -1;
  return {
    model,
    loss: (ctx) => {
      const r = d.evaluate(model, x);
      const terms: Record<string, tf.Scalar> = {
        data: tf.mean(tf.square(tf.sub(r.u, y))) as tf.Scalar,
        smooth: tf.mul(tf.mean(tf.square(r.u_xx)), tf.scalar(1e-3)) as tf.Scalar,
      };
      if (config.echo) {
        terms.step = tf.scalar(ctx.step);
        terms.phase = tf.scalar(ctx.phase === 'lbfgs' ? 1 : 0);
        terms.prepared = tf.scalar(prepared === ctx.step ? 1 : 0);
      }
      return terms;
    },
    prepare: (ctx) => {
      if (shard.index > 0 && ctx.step === config.exitAtStep) process.exit(7);
      const every = config.jitterEvery;
      if (every && ctx.phase === 'adam' && ctx.step > 0 && ctx.step % every === 0 && prepared !== ctx.step) {
        for (let i = 0; i < mine.length; i++)
          mine[i] = Math.max(
            -1,
            Math.min(1, mine[i] + ctx.rng.uniformIn(-0.1, 0.1) + own.uniformIn(-0.05, 0.05)),
          );
        rebuild();
      }
      prepared = ctx.step;
    },
    state: {
      captureState: () => ({ json: { own: own.state(), prepared }, arrays: { x: Float64Array.from(mine) } }),
      restoreState: (st) => {
        own.setState(st.json.own as RngState);
        prepared = st.json.prepared as number;
        mine.set(st.arrays.x);
        rebuild();
      },
    },
  };
}
