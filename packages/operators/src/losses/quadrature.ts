/**
 * The one quadrature both relative losses use: a function on an H×W grid of the unit square
 * (or any [0, Lx]×[0, Ly]) as a batch [B, H, W, C], integrated with uniform weights
 * measure / (H·W) — resolution independent, as neuraloperator's `uniform_quadrature`.
 */
import * as tf from '@tensorflow/tfjs';

export interface GridMeasure {
  /** Area of the domain (default 1). */
  readonly measure?: number;
}

/** ∫ |x|² per sample: [B, H, W, C] -> [B]. */
export function squaredNorm(x: tf.Tensor4D, options: GridMeasure = {}): tf.Tensor1D {
  const [, H, W] = x.shape;
  const weight = (options.measure ?? 1) / (H * W);
  return tf.tidy(() => tf.mul(tf.sum(tf.square(x), [1, 2, 3]), weight) as tf.Tensor1D);
}
