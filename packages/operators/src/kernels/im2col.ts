/**
 * Plain-array bodies of the operator kernels (no tfjs): the transposed patch matrix of a
 * strided, zero-padded 2-D convolution, and zero insertion / subsampling for strided convs.
 * All tensors are row-major NHWC float32.
 */
import type { Im2ColAttrs } from './names.ts';

/** Output size of a conv along one axis: ⌊(n + padA + padB − k) / s⌋ + 1. */
export function convOutSize(n: number, k: number, stride: number, padA: number, padB: number): number {
  return Math.floor((n + padA + padB - k) / stride) + 1;
}

/**
 * cols[(i·kw + j)·C + c, (b·Ho + y)·Wo + x] = x[b, y·s + i − pt, x·s + j − pl, c] (0 outside), so
 * the filter gradient of a conv is one plain matMul cols · dy[B·Ho·Wo, Cout] and the rows match
 * the filter layout [kh, kw, C, Cout]. Loop order keeps one input row in cache across channels.
 */
export function im2colT(
  src: Float32Array,
  dst: Float32Array,
  shape: readonly [number, number, number, number],
  attrs: Im2ColAttrs,
): void {
  const [B, H, W, C] = shape;
  const { kh, kw, stride: s } = attrs;
  const [pt, pb, pl, pr] = attrs.pad;
  const Ho = convOutSize(H, kh, s, pt, pb);
  const Wo = convOutSize(W, kw, s, pl, pr);
  const N = B * Ho * Wo;
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      // Valid x range for this tap: 0 <= x·s + j − pl < W.
      const x0 = Math.max(0, Math.ceil((pl - j) / s));
      const x1 = Math.min(Wo, Math.floor((W - 1 + pl - j) / s) + 1);
      const rowBase = (i * kw + j) * C;
      for (let b = 0; b < B; b++) {
        for (let y = 0; y < Ho; y++) {
          const yy = y * s + i - pt;
          const col = (b * Ho + y) * Wo;
          if (yy < 0 || yy >= H) {
            for (let c = 0; c < C; c++) dst.fill(0, (rowBase + c) * N + col, (rowBase + c) * N + col + Wo);
            continue;
          }
          const inRow = (b * H + yy) * W * C;
          for (let c = 0; c < C; c++) {
            const o = (rowBase + c) * N + col;
            for (let x = 0; x < x0; x++) dst[o + x] = 0;
            let p = inRow + (x0 * s + j - pl) * C + c;
            const step = s * C;
            for (let x = x0; x < x1; x++, p += step) dst[o + x] = src[p];
            for (let x = Math.max(x0, x1); x < Wo; x++) dst[o + x] = 0;
          }
        }
      }
    }
  }
}

/** out[b, i·s, j·s, c] = x[b, i, j, c] for i·s < outH, j·s < outW; zero elsewhere. */
export function dilateInto(
  src: Float32Array,
  dst: Float32Array,
  shape: readonly [number, number, number, number],
  stride: number,
  outH: number,
  outW: number,
): void {
  const [B, h, w, C] = shape;
  dst.fill(0);
  const hh = Math.min(h, Math.floor((outH - 1) / stride) + 1);
  const ww = Math.min(w, Math.floor((outW - 1) / stride) + 1);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < hh; i++) {
      const inRow = (b * h + i) * w * C;
      const outRow = (b * outH + i * stride) * outW * C;
      for (let j = 0; j < ww; j++) {
        const pi = inRow + j * C;
        const po = outRow + j * stride * C;
        for (let c = 0; c < C; c++) dst[po + c] = src[pi + c];
      }
    }
  }
}

/** out[b, i, j, c] = x[b, i·s, j·s, c] (0 where i·s or j·s falls outside x). */
export function subsampleInto(
  src: Float32Array,
  dst: Float32Array,
  shape: readonly [number, number, number, number],
  stride: number,
  outH: number,
  outW: number,
): void {
  const [B, H, W, C] = shape;
  dst.fill(0);
  const hh = Math.min(outH, Math.floor((H - 1) / stride) + 1);
  const ww = Math.min(outW, Math.floor((W - 1) / stride) + 1);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < hh; i++) {
      const inRow = (b * H + i * stride) * W * C;
      const outRow = (b * outH + i) * outW * C;
      for (let j = 0; j < ww; j++) {
        const pi = inRow + j * stride * C;
        const po = outRow + j * C;
        for (let c = 0; c < C; c++) dst[po + c] = src[pi + c];
      }
    }
  }
}
