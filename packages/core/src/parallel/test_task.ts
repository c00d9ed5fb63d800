/** A small regression task for DataParallel tests: fit sin(3x) on shard points, plus a smoothness term. */
import * as tf from '@tensorflow/tfjs';
import { Derivatives } from '../jets/derivatives.ts';
import { Mlp } from '../nn/mlp.ts';
import { Rng } from '../rng.ts';
import { type ParallelTask, type Shard, shardRange } from './data_parallel.ts';

export function createTask(config: { n: number; seed: number }, shard: Shard): ParallelTask {
  const rng = new Rng(config.seed);
  const model = new Mlp({ sizes: [1, 16, 1] }, rng.split());
  const xs = Float32Array.from({ length: config.n }, () => rng.uniformIn(-1, 1));
  const [a, b] = shardRange(config.n, shard);
  const x = tf.tensor2d(xs.subarray(a, b), [b - a, 1]);
  const y = tf.sin(tf.mul(x, tf.scalar(3)));
  const d = new Derivatives({ inputs: ['x'], outputs: ['u'], requests: ['u', 'u_xx'] });
  return {
    model,
    loss: () => {
      const r = d.evaluate(model, x);
      return {
        data: tf.mean(tf.square(tf.sub(r.u, y))) as tf.Scalar,
        smooth: tf.mul(tf.mean(tf.square(r.u_xx)), tf.scalar(1e-3)) as tf.Scalar,
      };
    },
  };
}
