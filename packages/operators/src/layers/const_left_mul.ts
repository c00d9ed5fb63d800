/** Multiplication by a constant matrix on the left, with a gradient for x only. */
import * as tf from '@tensorflow/tfjs';

/**
 * F · x for a constant F [1, M, N] and x [batch, N, P] → [batch, M, P], with dx = Fᵀ · dy from
 * the caller's precomputed transpose FT [1, N, M] (F itself gets no gradient). Spectral layers
 * (truncated DFT matrices) and grid finite-difference operators use it: tfjs's own matMul
 * gradient would transpose F on every backward pass, and transposed matMul forms are slow on
 * wasm (NOTES.md).
 */
export function constLeftMul(F: tf.Tensor3D, FT: tf.Tensor3D, x: tf.Tensor3D): tf.Tensor3D {
  if (
    F.rank !== 3 ||
    F.shape[0] !== 1 ||
    FT.rank !== 3 ||
    FT.shape[1] !== F.shape[2] ||
    FT.shape[2] !== F.shape[1]
  ) {
    throw new Error(
      `constLeftMul: 'F' must be [1, M, N] and 'FT' [1, N, M], got [${F.shape}] and [${FT.shape}]`,
    );
  }
  if (x.rank !== 3 || x.shape[1] !== F.shape[2]) {
    throw new Error(`constLeftMul: 'x' must be [batch, ${F.shape[2]}, P], got [${x.shape}]`);
  }
  const f = tf.customGrad(((xs: tf.Tensor, save: tf.GradSaveFunc) => {
    save([]);
    return {
      value: tf.matMul(F, xs as tf.Tensor3D),
      gradFunc: (dy: tf.Tensor) => tf.matMul(FT, dy as tf.Tensor3D),
    };
  }) as never) as unknown as (x: tf.Tensor) => tf.Tensor;
  return f(x) as tf.Tensor3D;
}
