/**
 * Ops with hand-written gradients that avoid the slow paths of tfjs on wasm (NOTES.md):
 * transposed `matMul` forms (6-8x slower than plain ones) and `sum(x, 0)` used by the default
 * gradients of broadcasting `add`/`mul`. Each gradient uses an explicit `transpose` of the
 * small operand or a reduction written as `matMul(ones[1, N], x)`.
 *
 * All of these are single reverse-mode ops: they are meant for the parameter gradient pass
 * of a training step, not for nested differentiation (input derivatives come from jets).
 */
import * as tf from '@tensorflow/tfjs';
import { transpose2d } from './kernels.ts';

type Grad2 = (
  a: tf.Tensor,
  b: tf.Tensor,
  save: tf.GradSaveFunc,
) => {
  value: tf.Tensor;
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];
};

/** `tf.customGrad` for a two-input op (its typing only admits a variadic signature). */
function customGrad2(f: Grad2): (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D {
  return tf.customGrad(f as never) as unknown as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;
}

/** Σ over axis 0 as a matMul against ones: [N, H] -> [1, H]. */
export function sumRows(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.matMul(tf.ones([1, x.shape[0]]), x));
}

/** h @ W with the gradient dW = hᵀ dy via an explicit transpose. h: [N, in], W: [in, out] -> [N, out]. */
export const matMulFast = customGrad2((h, w, save) => {
  const value = tf.matMul(h as tf.Tensor2D, w as tf.Tensor2D);
  save([h, w]);
  return {
    value,
    gradFunc: (dy, saved) => {
      const [hs, ws] = saved as tf.Tensor2D[];
      const dy2 = dy as tf.Tensor2D;
      const dh = tf.matMul(dy2, tf.transpose(ws));
      const dw =
        hs.shape[0] === 1
          ? tf.matMul(tf.reshape(hs, [hs.shape[1], 1]), dy2)
          : tf.matMul(transpose2d(hs), dy2);
      return [dh, dw];
    },
  };
});

/** a [N, H] + r [1, H] with dr = Σ_rows dy as a matMul. */
const addRow = customGrad2((a, r, save) => {
  save([]);
  return {
    value: tf.add(a, r),
    gradFunc: (dy) => [dy, sumRows(dy as tf.Tensor2D)],
  };
});

/** a [N, H] * r [1, H] with dr = Σ_rows (dy * a) as a matMul. */
const mulRow = customGrad2((a, r, save) => {
  save([a, r]);
  return {
    value: tf.mul(a, r),
    gradFunc: (dy, saved) => {
      const [as, rs] = saved;
      return [tf.mul(dy, rs), sumRows(tf.mul(dy, as) as tf.Tensor2D)];
    },
  };
});

function isRowBroadcast(big: tf.Tensor, row: tf.Tensor): boolean {
  return (
    big.rank === 2 &&
    row.rank === 2 &&
    row.shape[0] === 1 &&
    big.shape[0] > 1 &&
    big.shape[1] === row.shape[1]
  );
}

/** Elementwise sum of two [N, H] / [1, H] tensors; broadcast row gradients avoid `sum(x, 0)`. */
export function add(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (isRowBroadcast(a, b)) return addRow(a as tf.Tensor2D, b as tf.Tensor2D);
  if (isRowBroadcast(b, a)) return addRow(b as tf.Tensor2D, a as tf.Tensor2D);
  return tf.add(a, b);
}

/** Elementwise product of two [N, H] / [1, H] tensors; broadcast row gradients avoid `sum(x, 0)`. */
export function mul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (isRowBroadcast(a, b)) return mulRow(a as tf.Tensor2D, b as tf.Tensor2D);
  if (isRowBroadcast(b, a)) return mulRow(b as tf.Tensor2D, a as tf.Tensor2D);
  return tf.mul(a, b);
}

/** Σ of a list (skips nothing; at least one term). */
export function addAll(terms: tf.Tensor[]): tf.Tensor {
  let acc = terms[0];
  for (let i = 1; i < terms.length; i++) acc = add(acc, terms[i]);
  return acc;
}

export function scale(a: tf.Tensor, c: number): tf.Tensor {
  return c === 1 ? a : tf.mul(a, tf.scalar(c));
}
