/**
 * Viscous Burgers u_t + u u_x = ν u_xx.
 *
 * - `solveBurgersPeriodic`: Fourier pseudo-spectral on [0, L) with ETDRK4 (Cox–Matthews, with
 *   Kassam–Trefethen contour-integral coefficients so small |L dt| does not cancel) and the 2/3
 *   rule on the nonlinear term. Fourth order in time, spectral in space.
 * - `burgersColeHopf`: the exact solution on the whole line for initial data with antiderivative
 *   U0, via Cole–Hopf: u(x,t) = ∫ (x−y)/t e^{−Φ/2ν} dy / ∫ e^{−Φ/2ν} dy, Φ = U0(y) + (x−y)²/(2t).
 *   With y = x − √(4νt) z the Gaussian factor is e^{−z²}, so both integrals are Gauss–Hermite
 *   sums; the huge dynamic range of e^{−U0/2ν} is handled in log space.
 * - `raissiBurgers`: the PINN benchmark u0 = −sin(πx) on [−1, 1], ν = 0.01/π, u(±1) = 0 (the
 *   odd, 2-periodic data make the whole-line solution vanish at ±1).
 */
import { FFT, wavenumbers } from './fft.ts';
import { gaussHermite } from './quadrature.ts';

export interface BurgersPeriodicOptions {
  readonly viscosity: number;
  /** Initial values on x_j = j L / n; n must be even. */
  readonly initial: Float64Array;
  readonly length?: number;
  readonly tEnd: number;
  readonly steps: number;
  /** Snapshots evenly spaced in [0, tEnd] (default 2). snapshots − 1 must divide steps. */
  readonly snapshots?: number;
  /** Apply the 2/3 rule (default true). */
  readonly dealias?: boolean;
}

/** ETDRK4 coefficients for a diagonal real linear part c (one per mode). */
function etdrk4Coefficients(c: Float64Array, dt: number) {
  const n = c.length;
  const E = new Float64Array(n);
  const E2 = new Float64Array(n);
  const Q = new Float64Array(n);
  const f1 = new Float64Array(n);
  const f2 = new Float64Array(n);
  const f3 = new Float64Array(n);
  const M = 32;
  for (let k = 0; k < n; k++) {
    const Ldt = c[k] * dt;
    E[k] = Math.exp(Ldt);
    E2[k] = Math.exp(Ldt / 2);
    let q = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    // Mean over points on a circle of radius 1 around Ldt (real parts; the set is conjugate-symmetric).
    for (let j = 1; j <= M; j++) {
      const th = (Math.PI * (j - 0.5)) / M;
      const zr = Ldt + Math.cos(th);
      const zi = Math.sin(th);
      const ez = Math.exp(zr);
      const er = ez * Math.cos(zi);
      const ei = ez * Math.sin(zi);
      const e2 = Math.exp(zr / 2);
      const e2r = e2 * Math.cos(zi / 2);
      const e2i = e2 * Math.sin(zi / 2);
      // complex helpers
      const div = (ar: number, ai: number, br: number, bi: number): [number, number] => {
        const d = br * br + bi * bi;
        return [(ar * br + ai * bi) / d, (ai * br - ar * bi) / d];
      };
      const mul = (ar: number, ai: number, br: number, bi: number): [number, number] => [
        ar * br - ai * bi,
        ar * bi + ai * br,
      ];
      const [z2r, z2i] = mul(zr, zi, zr, zi);
      const [z3r, z3i] = mul(z2r, z2i, zr, zi);
      q += div(e2r - 1, e2i, zr, zi)[0];
      // f1: (−4 − z + e^z (4 − 3z + z²)) / z³
      let [tr, ti] = mul(er, ei, 4 - 3 * zr + z2r, -3 * zi + z2i);
      a1 += div(-4 - zr + tr, -zi + ti, z3r, z3i)[0];
      // f2: (2 + z + e^z (z − 2)) / z³
      [tr, ti] = mul(er, ei, zr - 2, zi);
      a2 += div(2 + zr + tr, zi + ti, z3r, z3i)[0];
      // f3: (−4 − 3z − z² + e^z (4 − z)) / z³
      [tr, ti] = mul(er, ei, 4 - zr, -zi);
      a3 += div(-4 - 3 * zr - z2r + tr, -3 * zi - z2i + ti, z3r, z3i)[0];
    }
    Q[k] = (dt * q) / M;
    f1[k] = (dt * a1) / M;
    f2[k] = (dt * a2) / M;
    f3[k] = (dt * a3) / M;
  }
  return { E, E2, Q, f1, f2, f3 };
}

export function solveBurgersPeriodic(options: BurgersPeriodicOptions): {
  x: Float64Array;
  t: Float64Array;
  u: Float64Array;
} {
  const OP = 'solveBurgersPeriodic';
  const { viscosity: nu, initial, tEnd, steps } = options;
  const n = initial.length;
  const L = options.length ?? 1;
  const snaps = options.snapshots ?? 2;
  if (n < 4 || n % 2 !== 0) throw new Error(`${OP}: 'initial' must have an even length >= 4, got ${n}`);
  if (!(nu > 0)) throw new Error(`${OP}: 'viscosity' must be positive, got ${nu}`);
  if (!(L > 0)) throw new Error(`${OP}: 'length' must be positive, got ${L}`);
  if (!(tEnd > 0)) throw new Error(`${OP}: 'tEnd' must be positive, got ${tEnd}`);
  if (!Number.isInteger(steps) || steps < 1)
    throw new Error(`${OP}: 'steps' must be a positive integer, got ${steps}`);
  if (!Number.isInteger(snaps) || snaps < 2 || steps % (snaps - 1) !== 0) {
    throw new Error(
      `${OP}: 'snapshots' (=${snaps}) must be >= 2 with snapshots − 1 dividing 'steps' (=${steps})`,
    );
  }
  const dt = tEnd / steps;
  const kInt = wavenumbers(n);
  const k = kInt.map((v) => (2 * Math.PI * v) / L);
  const lin = k.map((v) => -nu * v * v);
  const keep = new Uint8Array(n);
  const dealias = options.dealias ?? true;
  for (let i = 0; i < n; i++) keep[i] = !dealias || Math.abs(kInt[i]) < n / 3 ? 1 : 0;
  keep[n / 2] = 0; // the Nyquist mode of a real field has no well-defined derivative
  const { E, E2, Q, f1, f2, f3 } = etdrk4Coefficients(lin, dt);
  const plan = new FFT(n);
  const wr = new Float64Array(n);
  const wi = new Float64Array(n);
  // N(v) = −(ik/2) FFT((IFFT v)²), dealiased.
  const nonlinear = (vr: Float64Array, vi: Float64Array, outR: Float64Array, outI: Float64Array): void => {
    wr.set(vr);
    wi.set(vi);
    plan.inverse(wr, wi);
    for (let j = 0; j < n; j++) {
      wr[j] = wr[j] * wr[j];
      wi[j] = 0;
    }
    plan.forward(wr, wi);
    for (let j = 0; j < n; j++) {
      const s = keep[j] ? -0.5 * k[j] : 0;
      // −(ik/2)(a + ib) = (k/2) b − i (k/2) a
      outR[j] = -s * wi[j];
      outI[j] = s * wr[j];
    }
  };
  const vr = Float64Array.from(initial);
  const vi = new Float64Array(n);
  plan.forward(vr, vi);
  const arrs = Array.from({ length: 14 }, () => new Float64Array(n));
  const [Nvr, Nvi, ar, ai, Nar, Nai, br, bi, Nbr, Nbi, cr, ci, Ncr, Nci] = arrs;
  const x = Float64Array.from({ length: n }, (_, j) => (j * L) / n);
  const out = new Float64Array(snaps * n);
  out.set(initial, 0);
  const every = steps / (snaps - 1);
  const phys = new Float64Array(n);
  const physI = new Float64Array(n);
  for (let s = 0; s < steps; s++) {
    nonlinear(vr, vi, Nvr, Nvi);
    for (let j = 0; j < n; j++) {
      ar[j] = E2[j] * vr[j] + Q[j] * Nvr[j];
      ai[j] = E2[j] * vi[j] + Q[j] * Nvi[j];
    }
    nonlinear(ar, ai, Nar, Nai);
    for (let j = 0; j < n; j++) {
      br[j] = E2[j] * vr[j] + Q[j] * Nar[j];
      bi[j] = E2[j] * vi[j] + Q[j] * Nai[j];
    }
    nonlinear(br, bi, Nbr, Nbi);
    for (let j = 0; j < n; j++) {
      cr[j] = E2[j] * ar[j] + Q[j] * (2 * Nbr[j] - Nvr[j]);
      ci[j] = E2[j] * ai[j] + Q[j] * (2 * Nbi[j] - Nvi[j]);
    }
    nonlinear(cr, ci, Ncr, Nci);
    for (let j = 0; j < n; j++) {
      vr[j] = E[j] * vr[j] + Nvr[j] * f1[j] + 2 * (Nar[j] + Nbr[j]) * f2[j] + Ncr[j] * f3[j];
      vi[j] = E[j] * vi[j] + Nvi[j] * f1[j] + 2 * (Nai[j] + Nbi[j]) * f2[j] + Nci[j] * f3[j];
    }
    if ((s + 1) % every === 0) {
      phys.set(vr);
      physI.set(vi);
      plan.inverse(phys, physI);
      if (!Number.isFinite(phys[0]))
        throw new Error(`${OP}: solution blew up by t = ${(s + 1) * dt}; raise 'steps' or the resolution`);
      out.set(phys, ((s + 1) / every) * n);
    }
  }
  const t = Float64Array.from({ length: snaps }, (_, i) => (i * tEnd) / (snaps - 1));
  return { x, t, u: out };
}

export interface ColeHopfOptions {
  readonly viscosity: number;
  /** U0(y) = ∫_0^y u0(s) ds, the antiderivative of the initial data. */
  readonly initialAntiderivative: (y: number) => number;
  /** Gauss–Hermite nodes (default 200). */
  readonly nodes?: number;
}

/** Whole-line Cole–Hopf solution u(x, t) at the points `x` and time t > 0 (t = 0 returns NaN: pass u0 yourself). */
export function burgersColeHopf(x: Float64Array, t: number, options: ColeHopfOptions): Float64Array {
  const nu = options.viscosity;
  if (!(nu > 0)) throw new Error(`burgersColeHopf: 'viscosity' must be positive, got ${nu}`);
  if (!(t > 0)) throw new Error(`burgersColeHopf: 't' must be positive, got ${t}`);
  const { nodes: z, weights: w } = gaussHermite(options.nodes ?? 200);
  const s = Math.sqrt(4 * nu * t);
  const U0 = options.initialAntiderivative;
  const logw = w.map((v) => Math.log(v));
  const e = new Float64Array(z.length);
  return x.map((xi) => {
    let emax = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < z.length; i++) {
      e[i] = logw[i] - U0(xi - s * z[i]) / (2 * nu);
      if (e[i] > emax) emax = e[i];
    }
    let num = 0;
    let den = 0;
    for (let i = 0; i < z.length; i++) {
      const p = Math.exp(e[i] - emax);
      num += p * z[i];
      den += p;
    }
    // (x − y)/t = s z / t
    return ((s / t) * num) / den;
  });
}

/** U0 for u0 = −sin(πx). */
export const raissiInitialAntiderivative = (y: number): number => (Math.cos(Math.PI * y) - 1) / Math.PI;

/**
 * Reference for the PINN Burgers benchmark (Raissi et al.): u_t + u u_x = (0.01/π) u_xx on
 * x ∈ [−1, 1], u(x, 0) = −sin(πx), u(±1, t) = 0. Defaults match `burgers_shock.mat`:
 * x = linspace(−1, 1, 256), t = 0, 0.01, …, 0.99. Returns u row-major [nt, nx].
 */
export function raissiBurgers(
  options: { readonly x?: Float64Array; readonly t?: Float64Array; readonly nodes?: number } = {},
): { x: Float64Array; t: Float64Array; u: Float64Array } {
  const x = options.x ?? Float64Array.from({ length: 256 }, (_, i) => -1 + (2 * i) / 255);
  const t = options.t ?? Float64Array.from({ length: 100 }, (_, i) => i / 100);
  const nu = 0.01 / Math.PI;
  const u = new Float64Array(t.length * x.length);
  t.forEach((ti, r) => {
    const row =
      ti === 0
        ? x.map((xi) => -Math.sin(Math.PI * xi))
        : burgersColeHopf(x, ti, {
            viscosity: nu,
            initialAntiderivative: raissiInitialAntiderivative,
            nodes: options.nodes ?? 200,
          });
    u.set(row, r * x.length);
  });
  return { x, t, u };
}
