/**
 * Pinnate's own kernels, registered under their own names (never replacing tfjs kernels), by
 * `registerCoreKernels()` — called from `initBackend`, not on import.
 *
 * PinnateTranspose2D (wasm): tfjs-wasm's generic Transpose walks the output with a large
 * stride and costs ~2.3 ms for [4096, 64] (NOTES.md); the dW = hᵀ·dy of every dense layer
 * needs one per jet stream. This kernel transposes in cache-sized blocks directly between
 * views of the wasm heap (no copies through JS arrays). Other backends use `tf.transpose`.
 */
import * as tf from '@tensorflow/tfjs';

export const PINNATE_TRANSPOSE_2D = 'PinnateTranspose2D';

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

const BLOCK = 64;

/** Blocked out[j, i] = src[i, j] for a rows × cols row-major matrix. */
export function transposeInto(src: Float32Array, dst: Float32Array, rows: number, cols: number): void {
  for (let i0 = 0; i0 < rows; i0 += BLOCK) {
    const i1 = Math.min(rows, i0 + BLOCK);
    for (let j0 = 0; j0 < cols; j0 += BLOCK) {
      const j1 = Math.min(cols, j0 + BLOCK);
      for (let j = j0; j < j1; j++) {
        const o = j * rows;
        for (let i = i0; i < i1; i++) dst[o + i] = src[i * cols + j];
      }
    }
  }
}

let registered = false;

export function registerCoreKernels(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({
    kernelName: PINNATE_TRANSPOSE_2D,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const x = inputs.x as tf.TensorInfo;
      const [rows, cols] = x.shape;
      const b = backend as unknown as WasmBackendLike;
      const out = b.makeOutput([cols, rows], 'float32');
      transposeInto(b.typedArrayFromHeap(x), b.typedArrayFromHeap(out), rows, cols);
      return out;
    },
  });
}

/** 2-D float32 transpose through the fastest path of the active backend. */
export function transpose2d(x: tf.Tensor2D): tf.Tensor2D {
  if (x.dtype === 'float32' && tf.getBackend() === 'wasm' && tf.getKernel(PINNATE_TRANSPOSE_2D, 'wasm')) {
    return tf.engine().runKernel(PINNATE_TRANSPOSE_2D, { x }) as tf.Tensor2D;
  }
  return tf.transpose(x);
}
