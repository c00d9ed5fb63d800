/** Parameter initialization shared by the grid layers. */
import type { Rng } from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';

/**
 * U(−1/√fanIn, 1/√fanIn): PyTorch's default for Conv2d weights and biases (kaiming_uniform with
 * a = √5), so parameter scales match the reference MgNO / FNO code.
 */
export function uniformFanIn(shape: number[], fanIn: number, rng: Rng): tf.Variable {
  const bound = 1 / Math.sqrt(fanIn);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = rng.uniformIn(-bound, bound);
  return tf.tidy(() => tf.variable(tf.tensor(data, shape)));
}

/** GELU, tanh form (as PyTorch's approximate='tanh'), written with a sigmoid (fast on wasm):
 *  x·σ(2√(2/π)(x + 0.044715 x³)). */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const k = 2 * Math.sqrt(2 / Math.PI);
    const inner = tf.mul(tf.add(x, tf.mul(0.044715, tf.mul(x, tf.square(x)))), k);
    return tf.mul(x, tf.sigmoid(inner));
  });
}

export function checkInt(op: string, name: string, v: unknown, min = 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new Error(`${op}: '${name}' must be an integer >= ${min}, got ${String(v)}`);
  }
  return v;
}

export function checkGrid(op: string, x: tf.Tensor, channels: number): void {
  if (x.rank !== 4) throw new Error(`${op}: 'x' must be [batch, height, width, channels], got [${x.shape}]`);
  if (x.shape[3] !== channels) {
    throw new Error(`${op}: 'x' must have ${channels} channels, got [${x.shape}]`);
  }
}
