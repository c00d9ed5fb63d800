/**
 * 2-D incompressible Navier–Stokes in vorticity form on the periodic unit square (the FNO
 * benchmark): w_t + u·∇w = ν Δw + f, u = (ψ_y, −ψ_x), −Δψ = w.
 *
 * Fourier pseudo-spectral in space with the 2/3 rule on the advection term; in time,
 * Crank–Nicolson for viscosity and Heun (explicit trapezoid) for advection and forcing — a
 * second-order, self-starting IMEX pair. FNO's own generator uses CN with a single explicit
 * Euler advection evaluation (first order); this solver is more accurate at the same step.
 * Grid: x_j = j/n, y_i = i/n, row-major [i][j].
 */
import { FFT2, wavenumbers } from './fft.ts';

/** FNO's forcing 0.1 (sin 2π(x+y) + cos 2π(x+y)) on the n × n grid. */
export function fnoForcing(n: number): Float64Array {
  const f = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const s = (2 * Math.PI * (i + j)) / n;
      f[i * n + j] = 0.1 * (Math.sin(s) + Math.cos(s));
    }
  }
  return f;
}

export interface NavierStokesOptions {
  readonly viscosity: number;
  /** Initial vorticity, length n², row-major; n even. */
  readonly initial: Float64Array;
  /** Time-independent forcing (default none). */
  readonly forcing?: Float64Array;
  readonly tEnd: number;
  readonly steps: number;
  readonly snapshots?: number;
}

export function solveNavierStokes2d(options: NavierStokesOptions): {
  t: Float64Array;
  w: Float64Array;
  n: number;
} {
  const OP = 'solveNavierStokes2d';
  const { viscosity: nu, initial, tEnd, steps } = options;
  const n = Math.round(Math.sqrt(initial.length));
  const snaps = options.snapshots ?? 2;
  if (n * n !== initial.length || n < 4 || n % 2 !== 0) {
    throw new Error(`${OP}: 'initial' must hold n² values for an even n >= 4, got length ${initial.length}`);
  }
  if (!(nu > 0)) throw new Error(`${OP}: 'viscosity' must be positive, got ${nu}`);
  if (!(tEnd > 0)) throw new Error(`${OP}: 'tEnd' must be positive, got ${tEnd}`);
  if (!Number.isInteger(steps) || steps < 1)
    throw new Error(`${OP}: 'steps' must be a positive integer, got ${steps}`);
  if (!Number.isInteger(snaps) || snaps < 2 || steps % (snaps - 1) !== 0) {
    throw new Error(
      `${OP}: 'snapshots' (=${snaps}) must be >= 2 with snapshots − 1 dividing 'steps' (=${steps})`,
    );
  }
  if (options.forcing && options.forcing.length !== n * n)
    throw new Error(`${OP}: 'forcing' must have length n² = ${n * n}`);
  const N = n * n;
  const dt = tEnd / steps;
  const plan = new FFT2(n, n);
  const k = wavenumbers(n);
  const kx = new Float64Array(N);
  const ky = new Float64Array(N);
  const lap = new Float64Array(N);
  const keep = new Uint8Array(N);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const p = i * n + j;
      kx[p] = 2 * Math.PI * k[j];
      ky[p] = 2 * Math.PI * k[i];
      lap[p] = kx[p] ** 2 + ky[p] ** 2;
      keep[p] = Math.abs(k[i]) < n / 3 && Math.abs(k[j]) < n / 3 ? 1 : 0;
    }
  }
  const fr = new Float64Array(N);
  const fi = new Float64Array(N);
  if (options.forcing) {
    fr.set(options.forcing);
    plan.forward(fr, fi);
  }
  const wr = Float64Array.from(initial);
  const wi = new Float64Array(N);
  plan.forward(wr, wi);
  const ar = new Float64Array(N);
  const ai = new Float64Array(N);
  const br = new Float64Array(N);
  const bi = new Float64Array(N);
  const gr = new Float64Array(N);
  const gi = new Float64Array(N);
  // G(ŵ) = −FFT(u w_x + v w_y) + f̂, with two real fields packed per complex inverse transform.
  const explicitTerm = (vr: Float64Array, vi: Float64Array, outR: Float64Array, outI: Float64Array): void => {
    for (let p = 0; p < N; p++) {
      const inv = p === 0 ? 0 : 1 / lap[p];
      // ψ̂ = ŵ/|k|²; u = ψ_y → i ky ψ̂; v = −ψ_x → −i kx ψ̂. Pack u + i v: û + i v̂.
      const psr = vr[p] * inv;
      const psi = vi[p] * inv;
      const ur = -ky[p] * psi;
      const ui = ky[p] * psr;
      const vvr = kx[p] * psi;
      const vvi = -kx[p] * psr;
      ar[p] = ur - vvi;
      ai[p] = ui + vvr;
      // w_x = i kx ŵ, w_y = i ky ŵ, packed the same way.
      const wxr = -kx[p] * vi[p];
      const wxi = kx[p] * vr[p];
      const wyr = -ky[p] * vi[p];
      const wyi = ky[p] * vr[p];
      br[p] = wxr - wyi;
      bi[p] = wxi + wyr;
    }
    plan.inverse(ar, ai);
    plan.inverse(br, bi);
    for (let p = 0; p < N; p++) {
      outR[p] = ar[p] * br[p] + ai[p] * bi[p];
      outI[p] = 0;
    }
    plan.forward(outR, outI);
    for (let p = 0; p < N; p++) {
      outR[p] = keep[p] ? -outR[p] + fr[p] : fr[p];
      outI[p] = keep[p] ? -outI[p] + fi[p] : fi[p];
    }
  };
  const g2r = new Float64Array(N);
  const g2i = new Float64Array(N);
  const sr = new Float64Array(N);
  const si = new Float64Array(N);
  const out = new Float64Array(snaps * N);
  out.set(initial, 0);
  const every = steps / (snaps - 1);
  const phR = new Float64Array(N);
  const phI = new Float64Array(N);
  for (let s = 0; s < steps; s++) {
    explicitTerm(wr, wi, gr, gi);
    // Predictor: CN + explicit Euler.
    for (let p = 0; p < N; p++) {
      const c = 0.5 * dt * nu * lap[p];
      sr[p] = ((1 - c) * wr[p] + dt * gr[p]) / (1 + c);
      si[p] = ((1 - c) * wi[p] + dt * gi[p]) / (1 + c);
    }
    explicitTerm(sr, si, g2r, g2i);
    // Corrector: CN + trapezoid on the explicit part.
    for (let p = 0; p < N; p++) {
      const c = 0.5 * dt * nu * lap[p];
      wr[p] = ((1 - c) * wr[p] + 0.5 * dt * (gr[p] + g2r[p])) / (1 + c);
      wi[p] = ((1 - c) * wi[p] + 0.5 * dt * (gi[p] + g2i[p])) / (1 + c);
    }
    if ((s + 1) % every === 0) {
      phR.set(wr);
      phI.set(wi);
      plan.inverse(phR, phI);
      if (!Number.isFinite(phR[0]))
        throw new Error(`${OP}: solution blew up by t = ${(s + 1) * dt}; raise 'steps'`);
      out.set(phR, ((s + 1) / every) * N);
    }
  }
  return { t: Float64Array.from({ length: snaps }, (_, i) => (i * tEnd) / (snaps - 1)), w: out, n };
}
