/**
 * x-derivatives of a field known on the labels x0 of a smooth, invertible map x0 → X(x0, t).
 *
 * With u(x0, t) = w(X(x0, t), t): u_{x0} = w_x X_{x0} and
 * u_{x0x0} = w_xx X_{x0}² + w_x X_{x0x0}, so
 *
 *   w_x  = u_{x0} / X_{x0}
 *   w_xx = (u_{x0x0} X_{x0} − u_{x0} X_{x0x0}) / X_{x0}³.
 *
 * The official LPINN code differentiates u by the label instead (exact only while X_{x0} = 1,
 * i.e. for a constant speed); this is the general form.
 */
import * as tf from '@tensorflow/tfjs';

export interface LabelDerivatives {
  /** ∂u/∂x0, [N, 1]. */
  readonly uX0: tf.Tensor;
  /** ∂²u/∂x0², [N, 1]; only needed for w_xx. */
  readonly uX0X0?: tf.Tensor;
  /** ∂X/∂x0, [N, 1] (must stay away from 0: the map must be invertible). */
  readonly xX0: tf.Tensor;
  /** ∂²X/∂x0², [N, 1]; only needed for w_xx. */
  readonly xX0X0?: tf.Tensor;
}

/** w_x and, when the second label derivatives are given, w_xx — each [N, 1]. */
export function eulerianDerivatives(d: LabelDerivatives): { wX: tf.Tensor; wXX: tf.Tensor | null } {
  const inv = tf.reciprocal(d.xX0);
  const wX = tf.mul(d.uX0, inv);
  if (d.uX0X0 === undefined || d.xX0X0 === undefined) return { wX, wXX: null };
  // (u'' X' − u' X'') / X'³ = (u'' − w_x X'') / X'²
  const wXX = tf.mul(tf.sub(d.uX0X0, tf.mul(wX, d.xX0X0)), tf.square(inv));
  return { wX, wXX };
}
