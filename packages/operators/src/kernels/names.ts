/**
 * Names, inputs and attributes of the kernels registered by `registerOperatorKernels()`.
 * Each is a JS kernel working directly on the backend's float32 storage (the wasm heap or the
 * cpu backend's arrays); other backends use the tf-op formulations in `conv_ops.ts`.
 */

/** Transposed patch matrix: x [B, H, W, C] -> cols [kh·kw·C, B·Ho·Wo]. */
export const PINNATE_IM2COL_T = 'PinnateIm2ColT';
export interface Im2ColAttrs {
  readonly kh: number;
  readonly kw: number;
  readonly stride: number;
  /** [top, bottom, left, right] zero padding. */
  readonly pad: readonly [number, number, number, number];
}

/** Zero insertion: x [B, h, w, C] -> [B, outH, outW, C], out[b, i·s, j·s, c] = x[b, i, j, c]. */
export const PINNATE_DILATE_2D = 'PinnateDilate2D';
/** Every s-th pixel: x [B, H, W, C] -> [B, outH, outW, C], out[b, i, j, c] = x[b, i·s, j·s, c]. */
export const PINNATE_SUBSAMPLE_2D = 'PinnateSubsample2D';
export interface StrideAttrs {
  readonly stride: number;
  readonly outH: number;
  readonly outW: number;
}
