/**
 * 2-D convolution ops that train on every backend, with hand-written gradients (NHWC, float32).
 *
 * tfjs-wasm has no Conv2DBackpropFilter, and its Conv2DBackpropInput is ~30x slower than its
 * forward conv (NOTES.md). Here:
 *   forward        tf.conv2d with explicit zero padding (XNNPACK on wasm);
 *   input grad     a forward stride-1 conv of dy (zero-dilated when strided) with the
 *                  spatially flipped, channel-transposed filter;
 *   filter grad    im2col: cols[kh·kw·Cin, N] (a JS kernel on wasm and cpu, tf ops elsewhere)
 *                  times dy[N, Cout] as one plain matMul;
 *   bias grad      ones[1, N] · dy[N, C] (no `sum(x, 0)`).
 * `conv2dTranspose` is the exact adjoint of `conv2d` at a given input size (so it handles odd
 * sizes: 43 → 85 and 11 → 22 with one 3×3 stride-2 filter), with the adjoint's gradients.
 */
import * as tf from '@tensorflow/tfjs';
import { convOutSize } from './im2col.ts';
import {
  type Im2ColAttrs,
  PINNATE_DILATE_2D,
  PINNATE_IM2COL_T,
  PINNATE_SUBSAMPLE_2D,
  type StrideAttrs,
} from './names.ts';
import { hasKernel, registerOperatorKernels } from './register.ts';

export type Pad4 = readonly [number, number, number, number];

export interface Conv2dOptions {
  /** Stride in both directions (default 1). */
  readonly stride?: number;
  /** Zero padding: one number for all sides or [top, bottom, left, right] (default 0). */
  readonly pad?: number | Pad4;
}

interface ConvGeometry {
  readonly kh: number;
  readonly kw: number;
  readonly stride: number;
  readonly pad: Pad4;
}

function check(cond: boolean, msg: () => string): void {
  if (!cond) throw new Error(msg());
}

function geometry(op: string, w: tf.Tensor, options: Conv2dOptions): ConvGeometry {
  check(w.rank === 4, () => `${op}: 'w' must be [kh, kw, inChannels, outChannels], got [${w.shape}]`);
  const stride = options.stride ?? 1;
  check(
    Number.isInteger(stride) && stride >= 1,
    () => `${op}: 'stride' must be a positive integer, got ${stride}`,
  );
  const p = options.pad ?? 0;
  const pad: Pad4 = typeof p === 'number' ? [p, p, p, p] : p;
  const [kh, kw] = w.shape;
  check(
    pad.length === 4 && pad.every((v) => Number.isInteger(v) && v >= 0),
    () =>
      `${op}: 'pad' must be a non-negative integer or [top, bottom, left, right], got ${JSON.stringify(p)}`,
  );
  check(
    pad[0] < kh && pad[1] < kh && pad[2] < kw && pad[3] < kw,
    () => `${op}: 'pad' (${JSON.stringify(p)}) must be smaller than the kernel (${kh}×${kw})`,
  );
  return { kh, kw, stride, pad };
}

function check4(op: string, name: string, x: tf.Tensor): void {
  check(x.rank === 4, () => `${op}: '${name}' must be [batch, height, width, channels], got [${x.shape}]`);
  check(x.dtype === 'float32', () => `${op}: '${name}' must be float32, got ${x.dtype}`);
}

function tfPad(pad: Pad4): [[number, number], [number, number], [number, number], [number, number]] {
  return [
    [0, 0],
    [pad[0], pad[1]],
    [pad[2], pad[3]],
    [0, 0],
  ];
}

type Op1 = (a: tf.Tensor) => tf.Tensor;
type Op2 = (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;
/** `tf.customGrad` for one input (its typing only admits a variadic signature). */
function customGrad1(
  f: (a: tf.Tensor, save: tf.GradSaveFunc) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor) => tf.Tensor },
): Op1 {
  return tf.customGrad(f as never) as unknown as Op1;
}
function customGrad2(
  f: (
    a: tf.Tensor,
    b: tf.Tensor,
    save: tf.GradSaveFunc,
  ) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[] },
): Op2 {
  return tf.customGrad(f as never) as unknown as Op2;
}

function useKernel(name: string): boolean {
  registerOperatorKernels();
  return hasKernel(name);
}

// ---- zero insertion / subsampling (each the other's adjoint) -------------------------------

function dilateRaw(x: tf.Tensor4D, stride: number, outH: number, outW: number): tf.Tensor4D {
  if (stride === 1 && outH === x.shape[1] && outW === x.shape[2]) return x.clone();
  if (useKernel(PINNATE_DILATE_2D)) {
    const attrs: StrideAttrs = { stride, outH, outW };
    return tf.engine().runKernel(PINNATE_DILATE_2D, { x }, attrs as never) as tf.Tensor4D;
  }
  return tf.tidy(() => {
    const [B, h, w, C] = x.shape;
    const z = tf.pad(tf.reshape(x, [B, h, 1, w, 1, C]), [
      [0, 0],
      [0, 0],
      [0, stride - 1],
      [0, 0],
      [0, stride - 1],
      [0, 0],
    ]);
    const full = tf.reshape(z, [B, h * stride, w * stride, C]);
    const H = Math.min(outH, h * stride);
    const W = Math.min(outW, w * stride);
    const cut = tf.slice(full, [0, 0, 0, 0], [B, H, W, C]);
    return tf.pad(cut, [
      [0, 0],
      [0, outH - H],
      [0, outW - W],
      [0, 0],
    ]) as tf.Tensor4D;
  });
}

function subsampleRaw(x: tf.Tensor4D, stride: number, outH: number, outW: number): tf.Tensor4D {
  if (useKernel(PINNATE_SUBSAMPLE_2D)) {
    const attrs: StrideAttrs = { stride, outH, outW };
    return tf.engine().runKernel(PINNATE_SUBSAMPLE_2D, { x }, attrs as never) as tf.Tensor4D;
  }
  return tf.tidy(() => {
    const [B, H, W, C] = x.shape;
    const s = tf.stridedSlice(x, [0, 0, 0, 0], [B, H, W, C], [1, stride, stride, 1]) as tf.Tensor4D;
    return tf.pad(s, [
      [0, 0],
      [0, outH - s.shape[1]],
      [0, outW - s.shape[2]],
      [0, 0],
    ]);
  });
}

/** out[b, i·s, j·s, c] = x[b, i, j, c], zero elsewhere; out is [B, outH, outW, C]. Differentiable. */
export function dilate2d(x: tf.Tensor4D, stride: number, outH: number, outW: number): tf.Tensor4D {
  check4('dilate2d', 'x', x);
  const [, h, w] = x.shape;
  const f = customGrad1((xs, save) => {
    save([]);
    return {
      value: dilateRaw(xs as tf.Tensor4D, stride, outH, outW),
      gradFunc: (dy: tf.Tensor) => subsampleRaw(dy as tf.Tensor4D, stride, h, w),
    };
  });
  return f(x) as tf.Tensor4D;
}

/** out[b, i, j, c] = x[b, i·s, j·s, c]; out is [B, outH, outW, C]. Differentiable. */
export function subsample2d(x: tf.Tensor4D, stride: number, outH: number, outW: number): tf.Tensor4D {
  check4('subsample2d', 'x', x);
  const [, H, W] = x.shape;
  const f = customGrad1((xs, save) => {
    save([]);
    return {
      value: subsampleRaw(xs as tf.Tensor4D, stride, outH, outW),
      gradFunc: (dy: tf.Tensor) => dilateRaw(dy as tf.Tensor4D, stride, H, W),
    };
  });
  return f(x) as tf.Tensor4D;
}

// ---- im2col ----------------------------------------------------------------------------------

/** The im2col of `x` with tf ops only (any backend): [kh·kw·C, B·Ho·Wo]. */
export function im2colTOps(x: tf.Tensor4D, g: ConvGeometry): tf.Tensor2D {
  return tf.tidy(() => {
    const [B, H, W, C] = x.shape;
    const Ho = convOutSize(H, g.kh, g.stride, g.pad[0], g.pad[1]);
    const Wo = convOutSize(W, g.kw, g.stride, g.pad[2], g.pad[3]);
    const xp = tf.pad(x, tfPad(g.pad));
    const taps: tf.Tensor[] = [];
    for (let i = 0; i < g.kh; i++) {
      for (let j = 0; j < g.kw; j++) {
        const end = [B, i + (Ho - 1) * g.stride + 1, j + (Wo - 1) * g.stride + 1, C];
        taps.push(tf.stridedSlice(xp, [0, i, j, 0], end, [1, g.stride, g.stride, 1]));
      }
    }
    // [T, B, Ho, Wo, C] -> [T, C, B, Ho, Wo] -> [T·C, N]
    const t = tf.transpose(tf.stack(taps), [0, 4, 1, 2, 3]);
    return tf.reshape(t, [g.kh * g.kw * C, B * Ho * Wo]);
  });
}

/** Transposed patch matrix [kh·kw·C, B·Ho·Wo] through the active backend's fastest path. */
export function im2colT(x: tf.Tensor4D, g: ConvGeometry): tf.Tensor2D {
  if (useKernel(PINNATE_IM2COL_T)) {
    const attrs: Im2ColAttrs = { kh: g.kh, kw: g.kw, stride: g.stride, pad: g.pad };
    return tf.engine().runKernel(PINNATE_IM2COL_T, { x }, attrs as never) as tf.Tensor2D;
  }
  return im2colTOps(x, g);
}

// ---- conv2d and its gradients ----------------------------------------------------------------

/** Gradient of conv2d(x, w) with respect to w: [kh, kw, Cin, Cout]. */
export function conv2dFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  return tf.tidy(() => {
    const C = x.shape[3];
    const Cout = dy.shape[3];
    const cols = im2colT(x, g);
    const dy2 = tf.reshape(dy, [cols.shape[1], Cout]) as tf.Tensor2D;
    return tf.reshape(tf.matMul(cols, dy2), [g.kh, g.kw, C, Cout]);
  });
}

/** The filter for the adjoint: flipped in space, in/out channels swapped. */
function adjointFilter(w: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]));
}

/** Gradient of conv2d(x, w) with respect to x, for x of spatial size [H, W]: [B, H, W, Cin]. */
export function conv2dInputGrad(
  dy: tf.Tensor4D,
  w: tf.Tensor4D,
  H: number,
  W: number,
  g: ConvGeometry,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [, Ho, Wo] = dy.shape;
    const Hd = (Ho - 1) * g.stride + 1;
    const Wd = (Wo - 1) * g.stride + 1;
    const d = g.stride === 1 ? dy : dilateRaw(dy, g.stride, Hd, Wd);
    const pad: Pad4 = [g.kh - 1 - g.pad[0], H - Hd + g.pad[0], g.kw - 1 - g.pad[2], W - Wd + g.pad[2]];
    return tf.conv2d(d, adjointFilter(w), 1, tfPad(pad));
  });
}

/**
 * y = conv2d(x, w): x [B, H, W, Cin], w [kh, kw, Cin, Cout] -> [B, Ho, Wo, Cout] with
 * Ho = ⌊(H + top + bottom − kh) / stride⌋ + 1. Zero padding; gradients for x and w on every
 * backend (see the file comment).
 */
export function conv2d(x: tf.Tensor4D, w: tf.Tensor4D, options: Conv2dOptions = {}): tf.Tensor4D {
  const OP = 'conv2d';
  check4(OP, 'x', x);
  const g = geometry(OP, w, options);
  check(
    x.shape[3] === w.shape[2],
    () => `${OP}: 'x' has ${x.shape[3]} channels but 'w' expects ${w.shape[2]} (w is [${w.shape}])`,
  );
  const [, H, W] = x.shape;
  check(
    convOutSize(H, g.kh, g.stride, g.pad[0], g.pad[1]) >= 1 &&
      convOutSize(W, g.kw, g.stride, g.pad[2], g.pad[3]) >= 1,
    () => `${OP}: 'x' (${H}×${W}) is smaller than the padded kernel (${g.kh}×${g.kw})`,
  );
  const f = customGrad2((xs, ws, save) => {
    save([xs, ws]);
    return {
      value: tf.conv2d(xs as tf.Tensor4D, ws as tf.Tensor4D, g.stride, tfPad(g.pad)),
      gradFunc: (dy, [xv, wv]) => [
        conv2dInputGrad(dy as tf.Tensor4D, wv as tf.Tensor4D, H, W, g),
        conv2dFilterGrad(xv as tf.Tensor4D, dy as tf.Tensor4D, g),
      ],
    };
  });
  return f(x, w) as tf.Tensor4D;
}

/**
 * The adjoint of `conv2d(·, w, options)` on inputs of spatial size `outSize`:
 * y [B, h, w, Cout] -> [B, outSize[0], outSize[1], Cin], with w [kh, kw, Cin, Cout] as for the
 * conv it transposes. With a 3×3, stride-2, pad-1 filter it maps 43 → 85, 22 → 43, 11 → 22:
 * the output size picks PyTorch's `output_padding`.
 */
export function conv2dTranspose(
  y: tf.Tensor4D,
  w: tf.Tensor4D,
  outSize: readonly [number, number],
  options: Conv2dOptions = {},
): tf.Tensor4D {
  const OP = 'conv2dTranspose';
  check4(OP, 'y', y);
  const g = geometry(OP, w, options);
  const [H, W] = outSize;
  check(
    Array.isArray(outSize) && Number.isInteger(H) && Number.isInteger(W) && H > 0 && W > 0,
    () => `${OP}: 'outSize' must be [height, width] of positive integers, got ${JSON.stringify(outSize)}`,
  );
  check(
    y.shape[3] === w.shape[3],
    () => `${OP}: 'y' has ${y.shape[3]} channels but 'w' [${w.shape}] maps to ${w.shape[3]}`,
  );
  const ho = convOutSize(H, g.kh, g.stride, g.pad[0], g.pad[1]);
  const wo = convOutSize(W, g.kw, g.stride, g.pad[2], g.pad[3]);
  check(
    ho === y.shape[1] && wo === y.shape[2],
    () =>
      `${OP}: 'outSize' [${H}, ${W}] is inconsistent with 'y' [${y.shape}]: a conv of that size with this filter gives ${ho}×${wo}`,
  );
  const f = customGrad2((ys, ws, save) => {
    save([ys, ws]);
    return {
      value: conv2dInputGrad(ys as tf.Tensor4D, ws as tf.Tensor4D, H, W, g),
      gradFunc: (dz, [yv, wv]) => [
        tf.conv2d(dz as tf.Tensor4D, wv as tf.Tensor4D, g.stride, tfPad(g.pad)),
        conv2dFilterGrad(dz as tf.Tensor4D, yv as tf.Tensor4D, g),
      ],
    };
  });
  return f(y, w) as tf.Tensor4D;
}

/** x [B, H, W, C] + b [C], with the bias gradient as ones[1, N] · dy[N, C]. */
export function addChannelBias(x: tf.Tensor4D, b: tf.Tensor1D): tf.Tensor4D {
  const OP = 'addChannelBias';
  check4(OP, 'x', x);
  const C = x.shape[3];
  check(b.rank === 1 && b.shape[0] === C, () => `${OP}: 'b' must be [${C}], got [${b.shape}]`);
  const N = x.size / C;
  const f = customGrad2((xs, bs, save) => {
    save([]);
    return {
      value: tf.add(xs, bs),
      gradFunc: (dy) => [
        dy,
        tf.reshape(tf.matMul(tf.ones([1, N]), tf.reshape(dy, [N, C]) as tf.Tensor2D), [C]),
      ],
    };
  });
  return f(x, b) as tf.Tensor4D;
}

/** Circular padding of the two spatial axes by [top, bottom, left, right] (differentiable). */
export function padCircular(x: tf.Tensor4D, pad: Pad4): tf.Tensor4D {
  const OP = 'padCircular';
  check4(OP, 'x', x);
  const [, H, W] = x.shape;
  check(
    pad[0] <= H && pad[1] <= H && pad[2] <= W && pad[3] <= W,
    () => `${OP}: 'pad' ${JSON.stringify(pad)} exceeds the grid ${H}×${W}`,
  );
  return tf.tidy(() => {
    const parts = (t: tf.Tensor4D, axis: 1 | 2, a: number, b: number, n: number): tf.Tensor4D => {
      const list: tf.Tensor4D[] = [];
      const begin = [0, 0, 0, 0];
      const size = [-1, -1, -1, -1];
      if (a > 0) {
        begin[axis] = n - a;
        size[axis] = a;
        list.push(tf.slice(t, [...begin], [...size]));
      }
      list.push(t);
      if (b > 0) {
        begin[axis] = 0;
        size[axis] = b;
        list.push(tf.slice(t, [...begin], [...size]));
      }
      return list.length === 1 ? t : tf.concat(list, axis);
    };
    return parts(parts(x, 1, pad[0], pad[1], H), 2, pad[2], pad[3], W);
  });
}
