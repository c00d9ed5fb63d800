/**
 * Fast Fourier transforms on Float64Array pairs (real part, imaginary part), in place.
 *
 * Convention (NumPy's): forward X_k = Σ_j x_j e^{-2πi jk/n}, inverse x_j = (1/n) Σ_k X_k e^{+2πi jk/n}.
 * Powers of two use an iterative radix-2 kernel; every other length goes through Bluestein's
 * chirp-z identity on a power-of-two work size, so any n costs O(n log n). A plan owns its
 * twiddles and scratch buffers: build one per size and reuse it (plans are not re-entrant).
 */

function isPow2(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

class Radix2 {
  readonly n: number;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly rev: Uint32Array;

  constructor(n: number) {
    this.n = n;
    const half = n >> 1;
    this.cos = new Float64Array(half);
    this.sin = new Float64Array(half);
    for (let k = 0; k < half; k++) {
      this.cos[k] = Math.cos((2 * Math.PI * k) / n);
      this.sin[k] = Math.sin((2 * Math.PI * k) / n);
    }
    this.rev = new Uint32Array(n);
    const bits = Math.round(Math.log2(n));
    for (let i = 0; i < n; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.rev[i] = r;
    }
  }

  /** sign = -1 forward, +1 inverse (unscaled). */
  run(re: Float64Array, im: Float64Array, sign: number): void {
    const n = this.n;
    const rev = this.rev;
    for (let i = 0; i < n; i++) {
      const j = rev[i];
      if (j > i) {
        let t = re[i];
        re[i] = re[j];
        re[j] = t;
        t = im[i];
        im[i] = im[j];
        im[j] = t;
      }
    }
    const cs = this.cos;
    const sn = this.sin;
    for (let size = 2; size <= n; size <<= 1) {
      const halfSize = size >> 1;
      const step = n / size;
      for (let start = 0; start < n; start += size) {
        for (let k = 0, t = 0; k < halfSize; k++, t += step) {
          const wr = cs[t];
          const wi = sign * sn[t];
          const a = start + k;
          const b = a + halfSize;
          const xr = re[b] * wr - im[b] * wi;
          const xi = re[b] * wi + im[b] * wr;
          re[b] = re[a] - xr;
          im[b] = im[a] - xi;
          re[a] += xr;
          im[a] += xi;
        }
      }
    }
  }
}

/** A complex FFT plan of length `n` (any positive integer). */
export class FFT {
  readonly n: number;
  private readonly r2?: Radix2;
  // Bluestein state: chirp w_k = e^{-πi k²/n}, its padded conjugate's spectrum, scratch.
  private readonly m: number = 0;
  private readonly chirpRe?: Float64Array;
  private readonly chirpIm?: Float64Array;
  private readonly bRe?: Float64Array;
  private readonly bIm?: Float64Array;
  private readonly aRe?: Float64Array;
  private readonly aIm?: Float64Array;

  constructor(n: number) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`FFT: 'n' must be a positive integer, got ${n}`);
    this.n = n;
    if (isPow2(n)) {
      this.r2 = new Radix2(n);
      return;
    }
    let m = 1;
    while (m < 2 * n - 1) m <<= 1;
    this.m = m;
    this.r2 = new Radix2(m);
    this.chirpRe = new Float64Array(n);
    this.chirpIm = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      // k² mod 2n keeps the angle small, so the chirp stays accurate for large n.
      const k2 = (k * k) % (2 * n);
      const ang = (Math.PI * k2) / n;
      this.chirpRe[k] = Math.cos(ang);
      this.chirpIm[k] = -Math.sin(ang);
    }
    this.bRe = new Float64Array(m);
    this.bIm = new Float64Array(m);
    this.bRe[0] = this.chirpRe[0];
    this.bIm[0] = -this.chirpIm[0];
    for (let k = 1; k < n; k++) {
      this.bRe[k] = this.bRe[m - k] = this.chirpRe[k];
      this.bIm[k] = this.bIm[m - k] = -this.chirpIm[k];
    }
    this.r2.run(this.bRe, this.bIm, -1);
    this.aRe = new Float64Array(m);
    this.aIm = new Float64Array(m);
  }

  private check(re: Float64Array, im: Float64Array, op: string): void {
    if (re.length !== this.n || im.length !== this.n) {
      throw new Error(
        `FFT.${op}: 're' and 'im' must have length ${this.n}, got ${re.length} and ${im.length}`,
      );
    }
  }

  /** In-place forward transform. */
  forward(re: Float64Array, im: Float64Array): void {
    this.check(re, im, 'forward');
    this.transform(re, im, -1);
  }

  /** In-place inverse transform, scaled by 1/n. */
  inverse(re: Float64Array, im: Float64Array): void {
    this.check(re, im, 'inverse');
    this.transform(re, im, 1);
    const s = 1 / this.n;
    for (let i = 0; i < this.n; i++) {
      re[i] *= s;
      im[i] *= s;
    }
  }

  private transform(re: Float64Array, im: Float64Array, sign: number): void {
    const r2 = this.r2!;
    if (this.m === 0) {
      r2.run(re, im, sign);
      return;
    }
    // Bluestein: jk = (j² + k² − (k−j)²)/2 turns the DFT into a convolution with the chirp.
    const n = this.n;
    const m = this.m;
    const cr = this.chirpRe!;
    const ci = this.chirpIm!;
    const ar = this.aRe!;
    const ai = this.aIm!;
    const br = this.bRe!;
    const bi = this.bIm!;
    // The inverse uses the conjugate chirp: conjugate the input and output instead.
    for (let k = 0; k < n; k++) {
      const xr = re[k];
      const xi = sign < 0 ? im[k] : -im[k];
      ar[k] = xr * cr[k] - xi * ci[k];
      ai[k] = xr * ci[k] + xi * cr[k];
    }
    ar.fill(0, n, m);
    ai.fill(0, n, m);
    r2.run(ar, ai, -1);
    for (let k = 0; k < m; k++) {
      const xr = ar[k] * br[k] - ai[k] * bi[k];
      const xi = ar[k] * bi[k] + ai[k] * br[k];
      ar[k] = xr;
      ai[k] = xi;
    }
    r2.run(ar, ai, 1);
    const s = 1 / m;
    for (let k = 0; k < n; k++) {
      const yr = (ar[k] * cr[k] - ai[k] * ci[k]) * s;
      const yi = (ar[k] * ci[k] + ai[k] * cr[k]) * s;
      re[k] = yr;
      im[k] = sign < 0 ? yi : -yi;
    }
  }
}

/** 2-D complex FFT plan for row-major arrays of shape [ny, nx]. */
export class FFT2 {
  readonly ny: number;
  readonly nx: number;
  private readonly fx: FFT;
  private readonly fy: FFT;
  private readonly rowRe: Float64Array;
  private readonly rowIm: Float64Array;
  private readonly colRe: Float64Array;
  private readonly colIm: Float64Array;

  constructor(ny: number, nx: number) {
    this.ny = ny;
    this.nx = nx;
    this.fx = new FFT(nx);
    this.fy = ny === nx ? this.fx : new FFT(ny);
    this.rowRe = new Float64Array(nx);
    this.rowIm = new Float64Array(nx);
    this.colRe = new Float64Array(ny);
    this.colIm = new Float64Array(ny);
  }

  forward(re: Float64Array, im: Float64Array): void {
    this.run(re, im, false);
  }

  /** Inverse, scaled by 1/(nx·ny). */
  inverse(re: Float64Array, im: Float64Array): void {
    this.run(re, im, true);
  }

  private run(re: Float64Array, im: Float64Array, inv: boolean): void {
    const { nx, ny } = this;
    if (re.length !== nx * ny || im.length !== nx * ny) {
      throw new Error(
        `FFT2: 're' and 'im' must have length ${ny}·${nx} = ${nx * ny}, got ${re.length} and ${im.length}`,
      );
    }
    const rr = this.rowRe;
    const ri = this.rowIm;
    for (let y = 0; y < ny; y++) {
      const o = y * nx;
      for (let x = 0; x < nx; x++) {
        rr[x] = re[o + x];
        ri[x] = im[o + x];
      }
      if (inv) this.fx.inverse(rr, ri);
      else this.fx.forward(rr, ri);
      for (let x = 0; x < nx; x++) {
        re[o + x] = rr[x];
        im[o + x] = ri[x];
      }
    }
    const cr = this.colRe;
    const ci = this.colIm;
    for (let x = 0; x < nx; x++) {
      for (let y = 0; y < ny; y++) {
        cr[y] = re[y * nx + x];
        ci[y] = im[y * nx + x];
      }
      if (inv) this.fy.inverse(cr, ci);
      else this.fy.forward(cr, ci);
      for (let y = 0; y < ny; y++) {
        re[y * nx + x] = cr[y];
        im[y * nx + x] = ci[y];
      }
    }
  }
}

/** Forward transform of real data: returns the n/2+1 non-negative-frequency coefficients. */
export function rfft(x: Float64Array, plan: FFT = new FFT(x.length)): { re: Float64Array; im: Float64Array } {
  if (plan.n !== x.length) throw new Error(`rfft: plan has n=${plan.n} but 'x' has length ${x.length}`);
  const re = Float64Array.from(x);
  const im = new Float64Array(x.length);
  plan.forward(re, im);
  const h = (x.length >> 1) + 1;
  return { re: re.slice(0, h), im: im.slice(0, h) };
}

/** Inverse of `rfft`: `n` real samples from n/2+1 coefficients (Hermitian symmetry implied). */
export function irfft(re: Float64Array, im: Float64Array, n: number, plan: FFT = new FFT(n)): Float64Array {
  const h = (n >> 1) + 1;
  if (re.length !== h || im.length !== h) {
    throw new Error(`irfft: 're' and 'im' must have length n/2+1 = ${h}, got ${re.length} and ${im.length}`);
  }
  const fr = new Float64Array(n);
  const fi = new Float64Array(n);
  for (let k = 0; k < h; k++) {
    fr[k] = re[k];
    fi[k] = im[k];
  }
  for (let k = h; k < n; k++) {
    fr[k] = re[n - k];
    fi[k] = -im[n - k];
  }
  // The imaginary parts of the self-conjugate bins carry no information in a real signal.
  fi[0] = 0;
  if (n % 2 === 0) fi[n >> 1] = 0;
  plan.inverse(fr, fi);
  return fr;
}

/** Signed integer wavenumbers of an n-point FFT (NumPy's `fftfreq(n) * n`). */
export function wavenumbers(n: number): Float64Array {
  const k = new Float64Array(n);
  for (let i = 0; i < n; i++) k[i] = i <= (n - 1) >> 1 ? i : i - n;
  return k;
}
