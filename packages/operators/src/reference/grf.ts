/**
 * Gaussian random fields on uniform grids, sampled spectrally (Karhunen–Loève in a Fourier or
 * cosine basis), seeded through `@pinnate/core/rng`.
 *
 * Covariances:
 * - `squaredExponential`: k(r) = variance · exp(−r² / (2 lengthScale²)), the DeepONet inputs.
 * - `inverseLaplacian`: C = sigma² (−Δ + tau² I)^(−alpha), the FNO inputs (Darcy: alpha 2,
 *   tau 3, sigma 3, Neumann; Burgers: alpha 2, tau 5, sigma 25, periodic; Navier–Stokes:
 *   alpha 2.5, tau 7, sigma 7^(3/4), periodic). Its eigenfunctions depend on the boundary.
 *
 * Boundaries and grids (L = `length`):
 * - `periodic`: x_j = j L / n. Exact circulant covariance (the squared exponential is periodised).
 * - `free` (stationary, non-periodic; squared exponential only): x_j = j L / (n − 1), by
 *   circulant embedding on a padded periodic grid, doubled until it is positive semi-definite.
 * - `neumann` (inverseLaplacian only): x_j = j L / (n − 1), cosine series (DCT-I via FFT).
 *
 * Every sampler is a fixed linear map of standard normals: `synthesize(xi)` applies it, so its
 * covariance can be checked exactly (feed unit vectors), and `sample(rng)` draws xi then maps.
 */
import type { Rng } from '@pinnate/core/rng';
import { FFT, FFT2, wavenumbers } from './fft.ts';

export type GrfCovariance =
  | { readonly kind: 'squaredExponential'; readonly lengthScale: number; readonly variance?: number }
  | {
      readonly kind: 'inverseLaplacian';
      readonly alpha: number;
      readonly tau: number;
      readonly sigma?: number;
    };

export type GrfBoundary = 'periodic' | 'free' | 'neumann';

export interface GrfOptions {
  /** Grid points per dimension. */
  readonly n: number;
  readonly covariance: GrfCovariance;
  readonly boundary: GrfBoundary;
  /** Domain side length (default 1). */
  readonly length?: number;
  /** Drop the constant mode (FNO does for its inverse-Laplacian fields). Default false. */
  readonly zeroMean?: boolean;
}

/** Presets used by the FNO paper's datasets. */
export const FNO_DARCY_GRF: GrfCovariance = { kind: 'inverseLaplacian', alpha: 2, tau: 3, sigma: 3 };
export const FNO_BURGERS_GRF: GrfCovariance = { kind: 'inverseLaplacian', alpha: 2, tau: 5, sigma: 25 };
export const FNO_NS_GRF: GrfCovariance = { kind: 'inverseLaplacian', alpha: 2.5, tau: 7, sigma: 7 ** 0.75 };
/** DeepONet's antiderivative / diffusion–reaction inputs: RBF kernel, length scale 0.2. */
export const DEEPONET_GRF: GrfCovariance = { kind: 'squaredExponential', lengthScale: 0.2, variance: 1 };

function validate(op: string, o: GrfOptions): number {
  if (!Number.isInteger(o.n) || o.n < 2) throw new Error(`${op}: 'n' must be an integer >= 2, got ${o.n}`);
  const L = o.length ?? 1;
  if (!(L > 0)) throw new Error(`${op}: 'length' must be positive, got ${L}`);
  const c = o.covariance;
  switch (c?.kind) {
    case 'squaredExponential':
      if (!(c.lengthScale > 0))
        throw new Error(`${op}: 'covariance.lengthScale' must be positive, got ${c.lengthScale}`);
      if (o.boundary === 'neumann') {
        throw new Error(
          `${op}: boundary 'neumann' needs covariance 'inverseLaplacian'; use 'free' for a non-periodic squared exponential`,
        );
      }
      break;
    case 'inverseLaplacian':
      if (!(c.alpha > 0) || !(c.tau >= 0)) {
        throw new Error(
          `${op}: 'covariance.alpha' must be > 0 and 'tau' >= 0, got alpha=${c.alpha}, tau=${c.tau}`,
        );
      }
      if (o.boundary === 'free') {
        throw new Error(
          `${op}: boundary 'free' needs a stationary kernel ('squaredExponential'); use 'neumann' or 'periodic'`,
        );
      }
      break;
    default:
      throw new Error(
        `${op}: 'covariance.kind' must be 'squaredExponential' or 'inverseLaplacian', got ${JSON.stringify(c)}`,
      );
  }
  if (!['periodic', 'free', 'neumann'].includes(o.boundary)) {
    throw new Error(
      `${op}: 'boundary' must be 'periodic', 'free' or 'neumann', got ${JSON.stringify(o.boundary)}`,
    );
  }
  return L;
}

/** Circulant eigenvalues μ (real, ≥ 0 after clipping) for a stationary 1-D kernel on m points of spacing h. */
function seCirculant(
  m: number,
  h: number,
  lengthScale: number,
  variance: number,
  periodise: boolean,
): { mu: Float64Array; clipped: number } {
  const re = new Float64Array(m);
  const im = new Float64Array(m);
  const period = m * h;
  const wraps = periodise ? Math.ceil((8 * lengthScale) / period) + 1 : 0;
  for (let j = 0; j < m; j++) {
    const r = Math.min(j, m - j) * h;
    let s = 0;
    if (periodise) {
      for (let w = -wraps; w <= wraps; w++)
        s += Math.exp(-((j * h + w * period) ** 2) / (2 * lengthScale ** 2));
    } else {
      s = Math.exp(-(r * r) / (2 * lengthScale ** 2));
    }
    re[j] = variance * s;
  }
  new FFT(m).forward(re, im);
  let max = 0;
  let minNeg = 0;
  for (let k = 0; k < m; k++) {
    max = Math.max(max, re[k]);
    minNeg = Math.min(minNeg, re[k]);
  }
  for (let k = 0; k < m; k++) if (re[k] < 0) re[k] = 0;
  return { mu: re, clipped: max > 0 ? -minNeg / max : 0 };
}

/** Circulant embedding for 'free': pads until the embedding is PSD to 1e-13 (or 64× the grid). */
function seEmbedding(
  n: number,
  h: number,
  lengthScale: number,
  variance: number,
): { mu: Float64Array; clipped: number } {
  let m = 1;
  while (m < 2 * (n - 1)) m <<= 1;
  for (;;) {
    const e = seCirculant(m, h, lengthScale, variance, false);
    if (e.clipped < 1e-13 || m >= 64 * n) return e;
    m <<= 1;
  }
}

function invLapEig(c: Extract<GrfCovariance, { kind: 'inverseLaplacian' }>, lambdaLaplace: number): number {
  const s = c.sigma ?? 1;
  return s * s * (lambdaLaplace + c.tau * c.tau) ** -c.alpha;
}

/** DCT-I synthesis u_j = Σ_{k<n} a_k cos(π k j /(n−1)) through an FFT of the even extension. */
function dct1Synthesis(
  a: Float64Array,
  out: Float64Array,
  plan: FFT,
  re: Float64Array,
  im: Float64Array,
): void {
  const n = a.length;
  const M = 2 * (n - 1);
  re[0] = a[0];
  re[n - 1] = a[n - 1];
  for (let k = 1; k < n - 1; k++) re[k] = re[M - k] = a[k] / 2;
  im.fill(0);
  plan.forward(re, im);
  for (let j = 0; j < n; j++) out[j] = re[j];
}

/** A 1-D Gaussian random field sampler (see the module comment for grids and kernels). */
export class Grf1d {
  readonly n: number;
  readonly boundary: GrfBoundary;
  /** Grid coordinates. */
  readonly x: Float64Array;
  /** How many standard normals one sample consumes. */
  readonly xiLength: number;
  /** Largest negative circulant eigenvalue clipped, relative to the largest (0 when exact). */
  readonly embeddingClipped: number;
  private readonly m: number;
  private readonly scale: Float64Array;
  private readonly plan: FFT;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(options: GrfOptions) {
    const L = validate('Grf1d', options);
    const { n, boundary, covariance: c } = options;
    this.n = n;
    this.boundary = boundary;
    const periodic = boundary === 'periodic';
    const h = periodic ? L / n : L / (n - 1);
    this.x = Float64Array.from({ length: n }, (_, j) => j * h);
    let clipped = 0;
    if (boundary === 'neumann') {
      // Orthonormal cosines on [0, L]: φ_0 = 1/√L, φ_k = √(2/L) cos(kπx/L); −Δφ_k = (kπ/L)² φ_k.
      const cc = c as Extract<GrfCovariance, { kind: 'inverseLaplacian' }>;
      this.m = 2 * (n - 1);
      this.scale = new Float64Array(n);
      for (let k = 0; k < n; k++) {
        const lam = invLapEig(cc, ((k * Math.PI) / L) ** 2);
        this.scale[k] = Math.sqrt(lam) * Math.sqrt((k === 0 ? 1 : 2) / L);
      }
      if (options.zeroMean) this.scale[0] = 0;
      this.xiLength = n;
    } else {
      let mu: Float64Array;
      if (c.kind === 'squaredExponential') {
        const e = periodic
          ? seCirculant(n, h, c.lengthScale, c.variance ?? 1, true)
          : seEmbedding(n, h, c.lengthScale, c.variance ?? 1);
        mu = e.mu;
        clipped = e.clipped;
      } else {
        // C_ij = (1/n) Σ_k μ_k e^{2πik(i−j)/n} with μ_k = n λ_k / L reproduces Σ_k λ_k φ_k φ_k*.
        mu = new Float64Array(n);
        const kk = wavenumbers(n);
        for (let k = 0; k < n; k++) mu[k] = (n * invLapEig(c, ((2 * Math.PI * kk[k]) / L) ** 2)) / L;
      }
      if (options.zeroMean) mu[0] = 0;
      this.m = mu.length;
      // Re(F^H diag(√(μ/m)) (ξ1 + iξ2)) has covariance exactly C (the circulant embedding lemma).
      this.scale = mu.map((v) => Math.sqrt(v / mu.length));
      this.xiLength = 2 * mu.length;
    }
    this.embeddingClipped = clipped;
    this.plan = new FFT(this.m);
    this.re = new Float64Array(this.m);
    this.im = new Float64Array(this.m);
  }

  /** Maps `xi` (length `xiLength`, standard normals) to a field of length n. */
  synthesize(xi: Float64Array, out: Float64Array = new Float64Array(this.n)): Float64Array {
    if (xi.length !== this.xiLength)
      throw new Error(`Grf1d.synthesize: 'xi' must have length ${this.xiLength}, got ${xi.length}`);
    if (this.boundary === 'neumann') {
      const a = new Float64Array(this.n);
      for (let k = 0; k < this.n; k++) a[k] = this.scale[k] * xi[k];
      dct1Synthesis(a, out, this.plan, this.re, this.im);
      return out;
    }
    const m = this.m;
    for (let k = 0; k < m; k++) {
      this.re[k] = this.scale[k] * xi[k];
      this.im[k] = this.scale[k] * xi[m + k];
    }
    this.plan.inverse(this.re, this.im);
    for (let j = 0; j < this.n; j++) out[j] = this.re[j] * m;
    return out;
  }

  sample(rng: Rng, out?: Float64Array): Float64Array {
    return this.synthesize(rng.fillNormal(new Float64Array(this.xiLength)), out);
  }
}

/**
 * A 2-D Gaussian random field on an n × n grid, row-major [y][x] (so `field[i * n + j]` is at
 * y = y_i, x = x_j). The squared exponential is separable, so its 2-D circulant spectrum is the
 * outer product of the 1-D ones.
 */
export class Grf2d {
  readonly n: number;
  readonly boundary: GrfBoundary;
  readonly x: Float64Array;
  readonly xiLength: number;
  readonly embeddingClipped: number;
  private readonly m: number;
  private readonly scale: Float64Array;
  private readonly plan2?: FFT2;
  private readonly plan1?: FFT;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(options: GrfOptions) {
    const L = validate('Grf2d', options);
    const { n, boundary, covariance: c } = options;
    this.n = n;
    this.boundary = boundary;
    const periodic = boundary === 'periodic';
    const h = periodic ? L / n : L / (n - 1);
    this.x = Float64Array.from({ length: n }, (_, j) => j * h);
    let clipped = 0;
    if (boundary === 'neumann') {
      const cc = c as Extract<GrfCovariance, { kind: 'inverseLaplacian' }>;
      this.m = 2 * (n - 1);
      this.scale = new Float64Array(n * n);
      for (let ky = 0; ky < n; ky++) {
        for (let kx = 0; kx < n; kx++) {
          const lam = invLapEig(cc, (Math.PI / L) ** 2 * (kx * kx + ky * ky));
          const norm = Math.sqrt(((ky === 0 ? 1 : 2) * (kx === 0 ? 1 : 2)) / (L * L));
          this.scale[ky * n + kx] = Math.sqrt(lam) * norm;
        }
      }
      if (options.zeroMean) this.scale[0] = 0;
      this.xiLength = n * n;
      this.plan1 = new FFT(this.m);
      this.re = new Float64Array(this.m);
      this.im = new Float64Array(this.m);
    } else {
      let mu: Float64Array;
      let m: number;
      if (c.kind === 'squaredExponential') {
        const v = c.variance ?? 1;
        const e = periodic ? seCirculant(n, h, c.lengthScale, 1, true) : seEmbedding(n, h, c.lengthScale, 1);
        clipped = e.clipped;
        m = e.mu.length;
        mu = new Float64Array(m * m);
        for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) mu[i * m + j] = v * e.mu[i] * e.mu[j];
      } else {
        m = n;
        mu = new Float64Array(n * n);
        const kk = wavenumbers(n);
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            const lam = invLapEig(c, ((2 * Math.PI) / L) ** 2 * (kk[i] ** 2 + kk[j] ** 2));
            mu[i * n + j] = (n * n * lam) / (L * L);
          }
        }
      }
      if (options.zeroMean) mu[0] = 0;
      this.m = m;
      this.scale = mu.map((v) => Math.sqrt(v / (m * m)));
      this.xiLength = 2 * m * m;
      this.plan2 = new FFT2(m, m);
      this.re = new Float64Array(m * m);
      this.im = new Float64Array(m * m);
    }
    this.embeddingClipped = clipped;
  }

  synthesize(xi: Float64Array, out: Float64Array = new Float64Array(this.n * this.n)): Float64Array {
    if (xi.length !== this.xiLength)
      throw new Error(`Grf2d.synthesize: 'xi' must have length ${this.xiLength}, got ${xi.length}`);
    const n = this.n;
    if (this.boundary === 'neumann') {
      // Separable DCT-I: along x for each ky row of coefficients, then along y.
      const tmp = new Float64Array(n * n);
      const a = new Float64Array(n);
      const col = new Float64Array(n);
      for (let ky = 0; ky < n; ky++) {
        for (let kx = 0; kx < n; kx++) a[kx] = this.scale[ky * n + kx] * xi[ky * n + kx];
        dct1Synthesis(a, tmp.subarray(ky * n, ky * n + n), this.plan1!, this.re, this.im);
      }
      for (let j = 0; j < n; j++) {
        for (let ky = 0; ky < n; ky++) a[ky] = tmp[ky * n + j];
        dct1Synthesis(a, col, this.plan1!, this.re, this.im);
        for (let i = 0; i < n; i++) out[i * n + j] = col[i];
      }
      return out;
    }
    const mm = this.m * this.m;
    for (let k = 0; k < mm; k++) {
      this.re[k] = this.scale[k] * xi[k];
      this.im[k] = this.scale[k] * xi[mm + k];
    }
    this.plan2!.inverse(this.re, this.im);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = this.re[i * this.m + j] * mm;
    return out;
  }

  sample(rng: Rng, out?: Float64Array): Float64Array {
    return this.synthesize(rng.fillNormal(new Float64Array(this.xiLength)), out);
  }
}
