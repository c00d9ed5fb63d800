/**
 * `registerOperatorKernels()`: registers the JS kernels of `im2col.ts` under Pinnate's own
 * names (never replacing a tfjs kernel) for the wasm backend (on the wasm heap through
 * `makeOutput` / `typedArrayFromHeap`, as core's PinnateTranspose2D) and for the cpu backend
 * (on its value arrays). Called by `initOperators()` / the conv ops, never on import.
 */
import * as tf from '@tensorflow/tfjs';
import { convOutSize, dilateInto, im2colT, subsampleInto } from './im2col.ts';
import {
  type Im2ColAttrs,
  PINNATE_DILATE_2D,
  PINNATE_IM2COL_T,
  PINNATE_SUBSAMPLE_2D,
  type StrideAttrs,
} from './names.ts';

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

interface CpuBackendLike {
  data: { get(dataId: unknown): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

/** Backends with a JS kernel. */
export const KERNEL_BACKENDS = ['wasm', 'cpu'] as const;

type Body = (src: Float32Array, dst: Float32Array, x: tf.TensorInfo) => void;

/** One kernel function for both backends: allocate the output, then run `body` on the raw arrays. */
function jsKernel(
  backendName: string,
  outShape: (x: tf.TensorInfo, attrs: never) => number[],
  body: (attrs: never) => Body,
): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const x = inputs.x as tf.TensorInfo;
    if (x.dtype !== 'float32') throw new Error(`Pinnate kernels: 'x' must be float32, got ${x.dtype}`);
    const shape = outShape(x, attrs as never);
    const run = body(attrs as never);
    if (backendName === 'wasm') {
      const b = backend as unknown as WasmBackendLike;
      const out = b.makeOutput(shape, 'float32');
      // Views taken after makeOutput: allocating may grow (and move) the heap.
      run(b.typedArrayFromHeap(x), b.typedArrayFromHeap(out), x);
      return out;
    }
    const b = backend as unknown as CpuBackendLike;
    const dst = new Float32Array(shape.reduce((a, c) => a * c, 1));
    run(b.data.get(x.dataId).values as Float32Array, dst, x);
    return b.makeTensorInfo(shape, 'float32', dst);
  };
}

type Shape4 = [number, number, number, number];

const registeredOn = new Set<string>();

export function registerOperatorKernels(): void {
  for (const backendName of KERNEL_BACKENDS) {
    if (registeredOn.has(backendName)) continue;
    registeredOn.add(backendName);
    if (!tf.getKernel(PINNATE_IM2COL_T, backendName)) {
      tf.registerKernel({
        kernelName: PINNATE_IM2COL_T,
        backendName,
        kernelFunc: jsKernel(
          backendName,
          (x, a: Im2ColAttrs) => {
            const [B, H, W, C] = x.shape;
            const Ho = convOutSize(H, a.kh, a.stride, a.pad[0], a.pad[1]);
            const Wo = convOutSize(W, a.kw, a.stride, a.pad[2], a.pad[3]);
            return [a.kh * a.kw * C, B * Ho * Wo];
          },
          (a: Im2ColAttrs) => (src, dst, x) => im2colT(src, dst, x.shape as Shape4, a),
        ),
      });
    }
    if (!tf.getKernel(PINNATE_DILATE_2D, backendName)) {
      tf.registerKernel({
        kernelName: PINNATE_DILATE_2D,
        backendName,
        kernelFunc: jsKernel(
          backendName,
          (x, a: StrideAttrs) => [x.shape[0], a.outH, a.outW, x.shape[3]],
          (a: StrideAttrs) => (src, dst, x) =>
            dilateInto(src, dst, x.shape as Shape4, a.stride, a.outH, a.outW),
        ),
      });
    }
    if (!tf.getKernel(PINNATE_SUBSAMPLE_2D, backendName)) {
      tf.registerKernel({
        kernelName: PINNATE_SUBSAMPLE_2D,
        backendName,
        kernelFunc: jsKernel(
          backendName,
          (x, a: StrideAttrs) => [x.shape[0], a.outH, a.outW, x.shape[3]],
          (a: StrideAttrs) => (src, dst, x) =>
            subsampleInto(src, dst, x.shape as Shape4, a.stride, a.outH, a.outW),
        ),
      });
    }
  }
}

/** True when the active backend has the named Pinnate kernel. */
export function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}
