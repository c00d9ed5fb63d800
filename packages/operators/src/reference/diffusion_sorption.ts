/**
 * 1-D diffusion–sorption in PDEBench's form: R(u) u_t = D u_xx on x ∈ (0, 1) with Freundlich
 * retardation R(u) = 1 + ((1−φ)/φ) ρ_s k n_f |u + ε|^(n_f−1), u(0, t) = 1 and the outflow
 * (Cauchy) condition u(1, t) = −D u_x(1, t) (PDEBench's simulator sets the right ghost value to
 * D (u_{N−2} − u_{N−1})/Δx; the paper prints the condition as u = D ∂_x u). ε = 1e-6 as in
 * PDEBench keeps R finite at u = 0.
 *
 * Discretisation: cell-centred finite volumes (the Dirichlet value and the Robin condition act
 * on the boundary faces, so the scheme is second order) in conservation form
 * d/dt C(u) = D u_xx + f with C(u) = u + κ sgn(u+ε)|u+ε|^n_f, κ = ((1−φ)/φ) ρ_s k, so C'(u) = R(u)
 * and sorbed plus dissolved mass is conserved exactly. Time: BDF2 (started by one backward
 * Euler step), L-stable enough for the jump between u(0)=1 and a small initial state, with
 * Newton on the tridiagonal Jacobian each step.
 */
import type { Solution1d } from './reaction_diffusion.ts';
import { solveTridiagonal } from './tridiag.ts';

export interface DiffusionSorptionParams {
  readonly diffusion?: number;
  readonly porosity?: number;
  readonly bulkDensity?: number;
  readonly freundlichK?: number;
  readonly freundlichN?: number;
  readonly epsilon?: number;
}

/** PDEBench's constants. */
export const PDEBENCH_DIFFUSION_SORPTION: Required<DiffusionSorptionParams> = {
  diffusion: 5e-4,
  porosity: 0.29,
  bulkDensity: 2880,
  freundlichK: 3.5e-4,
  freundlichN: 0.874,
  epsilon: 1e-6,
};

export interface DiffusionSorptionOptions extends DiffusionSorptionParams {
  /** Cell values at t = 0 (length = number of cells). */
  readonly initial: Float64Array;
  readonly tEnd: number;
  readonly steps: number;
  readonly snapshots?: number;
  /** u at x = 0 (default 1). */
  readonly left?: (t: number) => number;
  /** g in u + D u_x = g at x = 1 (default 0). */
  readonly right?: (t: number) => number;
  /** Extra source f(x, t) (manufactured solutions). */
  readonly source?: (x: number, t: number) => number;
}

export function solveDiffusionSorption(options: DiffusionSorptionOptions): Solution1d {
  const OP = 'solveDiffusionSorption';
  const p = {
    ...PDEBENCH_DIFFUSION_SORPTION,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  };
  const { initial, tEnd, steps } = options;
  const N = initial.length;
  const snaps = options.snapshots ?? 2;
  if (N < 3) throw new Error(`${OP}: 'initial' needs at least 3 cells, got ${N}`);
  if (!(p.diffusion > 0)) throw new Error(`${OP}: 'diffusion' must be positive, got ${p.diffusion}`);
  if (!(p.porosity > 0 && p.porosity <= 1))
    throw new Error(`${OP}: 'porosity' must be in (0, 1], got ${p.porosity}`);
  if (!(p.freundlichN > 0)) throw new Error(`${OP}: 'freundlichN' must be positive, got ${p.freundlichN}`);
  if (!(tEnd > 0)) throw new Error(`${OP}: 'tEnd' must be positive, got ${tEnd}`);
  if (!Number.isInteger(steps) || steps < 1)
    throw new Error(`${OP}: 'steps' must be a positive integer, got ${steps}`);
  if (!Number.isInteger(snaps) || snaps < 2 || steps % (snaps - 1) !== 0) {
    throw new Error(
      `${OP}: 'snapshots' (=${snaps}) must be >= 2 with snapshots − 1 dividing 'steps' (=${steps})`,
    );
  }
  const D = p.diffusion;
  const kappa = ((1 - p.porosity) / p.porosity) * p.bulkDensity * p.freundlichK;
  const nf = p.freundlichN;
  const eps = p.epsilon;
  const C = (u: number): number => {
    const v = u + eps;
    return u + kappa * Math.sign(v) * Math.abs(v) ** nf;
  };
  const R = (u: number): number => 1 + kappa * nf * Math.max(Math.abs(u + eps), 1e-300) ** (nf - 1);
  const h = 1 / N;
  const dt = tEnd / steps;
  const x = Float64Array.from({ length: N }, (_, i) => (i + 0.5) * h);
  const left = options.left ?? (() => 1);
  const right = options.right ?? (() => 0);
  const beta = (2 * D) / h;
  // Flux divergence (1/h)(F_{i−1/2} − F_{i+1/2}) = (M u)_i + c_i(t), with tridiagonal M.
  const lo = new Float64Array(N);
  const di = new Float64Array(N);
  const up = new Float64Array(N);
  const g = D / (h * h);
  for (let i = 0; i < N; i++) {
    lo[i] = i > 0 ? g : 0;
    up[i] = i < N - 1 ? g : 0;
    di[i] = -(i > 0 ? g : 0) - (i < N - 1 ? g : 0);
  }
  di[0] -= (2 * D) / (h * h); // Dirichlet wall at h/2
  const robin = beta / (1 + beta) / h; // outflow flux per unit u_{N−1}
  di[N - 1] -= robin;
  const boundaryTerm = (i: number, t: number): number => {
    let c = 0;
    if (i === 0) c += ((2 * D) / (h * h)) * left(t);
    if (i === N - 1) c += (beta * right(t)) / ((1 + beta) * h);
    return c;
  };
  const f = options.source;
  const u = Float64Array.from(initial);
  const uPrev = new Float64Array(N);
  const out = new Float64Array(snaps * N);
  out.set(u, 0);
  const every = steps / (snaps - 1);
  const rhsConst = new Float64Array(N);
  const res = new Float64Array(N);
  const jd = new Float64Array(N);
  const jl = new Float64Array(N);
  const ju = new Float64Array(N);
  const du = new Float64Array(N);
  const scratch = new Float64Array(N);
  for (let n = 0; n < steps; n++) {
    const t1 = (n + 1) * dt;
    // BDF2: (a0 C(u¹) + a1 C(u⁰) + a2 C(u⁻¹)) / dt = M u¹ + c(t¹) + f(t¹); BE on the first step.
    const bdf2 = n > 0;
    const a0 = bdf2 ? 1.5 : 1;
    for (let i = 0; i < N; i++) {
      const hist = bdf2 ? -2 * C(u[i]) + 0.5 * C(uPrev[i]) : -C(u[i]);
      rhsConst[i] = hist / dt - boundaryTerm(i, t1) - (f ? f(x[i], t1) : 0);
    }
    uPrev.set(u);
    for (let it = 0; it < 50; it++) {
      let rmax = 0;
      for (let i = 0; i < N; i++) {
        const Mu = di[i] * u[i] + (i > 0 ? lo[i] * u[i - 1] : 0) + (i < N - 1 ? up[i] * u[i + 1] : 0);
        res[i] = -((a0 * C(u[i])) / dt + rhsConst[i] - Mu);
        rmax = Math.max(rmax, Math.abs(res[i]));
        jd[i] = (a0 * R(u[i])) / dt - di[i];
        jl[i] = -lo[i];
        ju[i] = -up[i];
      }
      solveTridiagonal(jl, jd, ju, res, du, scratch);
      let dmax = 0;
      for (let i = 0; i < N; i++) {
        u[i] += du[i];
        dmax = Math.max(dmax, Math.abs(du[i]));
      }
      if (!Number.isFinite(dmax)) throw new Error(`${OP}: Newton diverged at t = ${t1}; raise 'steps'`);
      if (dmax <= 1e-13 * (1 + Math.abs(u[0])) || rmax === 0) break;
      if (it === 49) throw new Error(`${OP}: Newton did not converge at t = ${t1}; raise 'steps'`);
    }
    if ((n + 1) % every === 0) out.set(u, ((n + 1) / every) * N);
  }
  return { x, t: Float64Array.from({ length: snaps }, (_, i) => (i * tEnd) / (snaps - 1)), u: out };
}
