/**
 * SpectralConv2d (FNO's Fourier layer) with truncated DFT matrices as matMuls: the wasm backend
 * has no FFT kernel, and with few modes a matMul against the kept rows of the DFT is cheaper.
 *
 * x [B, H, W, C] -> [B, H, W, O]:
 *   X̂[kx, ky] = Σ_h Σ_w x[h, w] e^{−2πi(kx·h/H + ky·w/W)}, kx ∈ {0..m1−1} ∪ {−m1..−1}, ky ∈ {0..m2−1}
 *   Ŷ[kx, ky, o] = Σ_c X̂[kx, ky, c] R[kx, ky, c, o]        (complex weights R, per mode)
 *   y[h, w] = (1/HW) Σ_kx Σ_ky c_ky Re(Ŷ e^{+2πi(kx·h/H + ky·w/W)}), c_ky = 1 for ky ∈ {0, W/2}, else 2
 * which is torch's irfft2(R · rfft2(x)[modes]) of the FNO code. The transforms run per batch
 * element as plain (batched) matMuls whose gradients multiply by the transposed constant
 * matrices (never the slow transposed matMul forms). The maps are defined on the grid's
 * function space, so one set of weights applies at any resolution with 2·m1 ≤ H, m2 ≤ ⌊W/2⌋+1.
 */
import type { NamedVariable, Rng } from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';
import { constLeftMul } from './const_left_mul.ts';
import { checkGrid, checkInt } from './init.ts';

export interface SpectralConv2dConfig {
  readonly inChannels: number;
  readonly outChannels: number;
  /** Modes kept along H (each sign: 2·modes1 frequencies). */
  readonly modes1: number;
  /** Modes kept along W (non-negative frequencies). */
  readonly modes2: number;
}

interface Basis {
  /** [1, K, H] forward cos / sin along H, and their transposes. */
  readonly hc: tf.Tensor3D;
  readonly hs: tf.Tensor3D;
  readonly hcT: tf.Tensor3D;
  readonly hsT: tf.Tensor3D;
  /** [1, m2, W] forward cos / sin along W. */
  readonly wc: tf.Tensor3D;
  readonly ws: tf.Tensor3D;
  readonly wcT: tf.Tensor3D;
  readonly wsT: tf.Tensor3D;
  /** [1, W, m2] inverse along W: c_ky cos / W and c_ky sin / W. */
  readonly gc: tf.Tensor3D;
  readonly gs: tf.Tensor3D;
  readonly gcT: tf.Tensor3D;
  readonly gsT: tf.Tensor3D;
  /** [1, H, K] inverse along H: cos / H and sin / H. */
  readonly ic: tf.Tensor3D;
  readonly is: tf.Tensor3D;
  readonly icT: tf.Tensor3D;
  readonly isT: tf.Tensor3D;
}

function basis(H: number, W: number, m1: number, m2: number): Basis {
  const K = 2 * m1;
  const kx = Array.from({ length: K }, (_, i) => (i < m1 ? i : i - K));
  const mat = (rows: number, cols: number, f: (r: number, c: number) => number) => {
    const d = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) d[r * cols + c] = f(r, c);
    return [
      tf.tensor3d(d, [1, rows, cols]),
      tf.tensor3d(transposeArr(d, rows, cols), [1, cols, rows]),
    ] as const;
  };
  const th = (k: number, h: number) => (2 * Math.PI * k * h) / H;
  const tw = (k: number, w: number) => (2 * Math.PI * k * w) / W;
  const cw = (k: number) => (k === 0 || 2 * k === W ? 1 : 2) / W;
  const [hc, hcT] = mat(K, H, (r, h) => Math.cos(th(kx[r], h)));
  const [hs, hsT] = mat(K, H, (r, h) => Math.sin(th(kx[r], h)));
  const [wc, wcT] = mat(m2, W, (k, w) => Math.cos(tw(k, w)));
  const [ws, wsT] = mat(m2, W, (k, w) => Math.sin(tw(k, w)));
  const [gc, gcT] = mat(W, m2, (w, k) => cw(k) * Math.cos(tw(k, w)));
  const [gs, gsT] = mat(W, m2, (w, k) => cw(k) * Math.sin(tw(k, w)));
  const [ic, icT] = mat(H, K, (h, r) => Math.cos(th(kx[r], h)) / H);
  const [is, isT] = mat(H, K, (h, r) => Math.sin(th(kx[r], h)) / H);
  return { hc, hs, hcT, hsT, wc, ws, wcT, wsT, gc, gs, gcT, gsT, ic, is, icT, isT };
}

function transposeArr(d: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(d.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = d[r * cols + c];
  return t;
}

export class SpectralConv2d {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly modes1: number;
  readonly modes2: number;
  readonly wr: tf.Variable; // [2·m1·m2, in, out]
  readonly wi: tf.Variable;
  /** DFT matrices per grid size, made on first use and kept until `dispose()`. */
  private readonly bases = new Map<string, Basis>();

  constructor(config: SpectralConv2dConfig, rng: Rng) {
    const OP = 'SpectralConv2d';
    this.inChannels = checkInt(OP, 'inChannels', config.inChannels);
    this.outChannels = checkInt(OP, 'outChannels', config.outChannels);
    this.modes1 = checkInt(OP, 'modes1', config.modes1);
    this.modes2 = checkInt(OP, 'modes2', config.modes2);
    // FNO's init: scale · U[0, 1), scale = 1 / (in · out), real and imaginary parts.
    const scale = 1 / (this.inChannels * this.outChannels);
    const shape = [2 * this.modes1 * this.modes2, this.inChannels, this.outChannels];
    const n = shape[0] * shape[1] * shape[2];
    const draw = () =>
      tf.tensor(
        Float32Array.from({ length: n }, () => scale * rng.uniform()),
        shape,
      );
    this.wr = tf.tidy(() => tf.variable(draw()));
    this.wi = tf.tidy(() => tf.variable(draw()));
  }

  parameters(): NamedVariable[] {
    return [
      { name: 'wr', variable: this.wr },
      { name: 'wi', variable: this.wi },
    ];
  }

  private basisFor(H: number, W: number): Basis {
    const key = `${H}x${W}`;
    let b = this.bases.get(key);
    if (!b) {
      const OP = 'SpectralConv2d';
      if (2 * this.modes1 > H || this.modes2 > Math.floor(W / 2) + 1) {
        throw new Error(
          `${OP}: grid ${H}×${W} is too coarse for modes1=${this.modes1}, modes2=${this.modes2} (need 2·modes1 <= H and modes2 <= W/2 + 1)`,
        );
      }
      b = basis(H, W, this.modes1, this.modes2);
      // Kept: apply() usually runs inside a caller's tidy, which would dispose them.
      for (const t of Object.values(b) as tf.Tensor[]) tf.keep(t);
      this.bases.set(key, b);
    }
    return b;
  }

  /** Frees the cached DFT matrices (not the weights). */
  dispose(): void {
    for (const b of this.bases.values()) tf.dispose(Object.values(b) as tf.Tensor[]);
    this.bases.clear();
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    checkGrid('SpectralConv2d', x, this.inChannels);
    const [B, H, W, C] = x.shape;
    const O = this.outChannels;
    const K = 2 * this.modes1;
    const m2 = this.modes2;
    const f = this.basisFor(H, W);
    return tf.tidy(() => {
      // Along H: [B, H, W·C] -> cos/sin parts [B, K, W·C].
      const x3 = tf.reshape(x, [B, H, W * C]) as tf.Tensor3D;
      const tc = tf.reshape(constLeftMul(f.hc, f.hcT, x3), [B * K, W, C]) as tf.Tensor3D;
      const ts = tf.reshape(constLeftMul(f.hs, f.hsT, x3), [B * K, W, C]) as tf.Tensor3D;
      // Along W: Re = Pcc − Pss, Im = −(Psc + Pcs), each [B·K, m2, C].
      const re = tf.sub(constLeftMul(f.wc, f.wcT, tc), constLeftMul(f.ws, f.wsT, ts));
      const im = tf.neg(tf.add(constLeftMul(f.wc, f.wcT, ts), constLeftMul(f.ws, f.wsT, tc)));
      // Per-mode complex channel mixing: [modes, B, C] · [modes, C, O].
      const toModes = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [B, K * m2, C]), [1, 0, 2]) as tf.Tensor3D;
      const xr = toModes(re);
      const xi = toModes(im);
      const wr = this.wr as tf.Tensor3D;
      const wi = this.wi as tf.Tensor3D;
      const fromModes = (t: tf.Tensor) =>
        tf.reshape(tf.transpose(t, [1, 0, 2]), [B * K, m2, O]) as tf.Tensor3D;
      const yr = fromModes(tf.sub(tf.matMul(xr, wr), tf.matMul(xi, wi)));
      const yi = fromModes(tf.add(tf.matMul(xr, wi), tf.matMul(xi, wr)));
      // Inverse along W: A1 = Gc·Yr − Gs·Yi, A2 = −Gs·Yr − Gc·Yi, each [B·K, W, O] -> [B, K, W·O].
      const a1 = tf.reshape(tf.sub(constLeftMul(f.gc, f.gcT, yr), constLeftMul(f.gs, f.gsT, yi)), [
        B,
        K,
        W * O,
      ]);
      const a2 = tf.reshape(tf.neg(tf.add(constLeftMul(f.gs, f.gsT, yr), constLeftMul(f.gc, f.gcT, yi))), [
        B,
        K,
        W * O,
      ]);
      // Inverse along H: y = Ic·A1 + Is·A2.
      const y = tf.add(
        constLeftMul(f.ic, f.icT, a1 as tf.Tensor3D),
        constLeftMul(f.is, f.isT, a2 as tf.Tensor3D),
      );
      return tf.reshape(y, [B, H, W, O]) as tf.Tensor4D;
    });
  }
}
