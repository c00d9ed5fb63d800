/**
 * 1-D reaction–diffusion u_t = D u_xx + R(u) + f(x, t) on [a, b] with Dirichlet data.
 *
 * Second-order finite differences on a vertex grid and Crank–Nicolson in time; the nonlinear
 * reaction is kept implicit and each step is solved by Newton's method on the tridiagonal
 * Jacobian, so the scheme is second order in space and time and stable for stiff diffusion.
 * Covers DeepONet's diffusion–reaction (R = k u², f = u(x)) and Fisher–KPP (R = r u (1 − u)).
 */
import { solveTridiagonal } from './tridiag.ts';

export interface ReactionDiffusionProblem {
  readonly diffusion: number;
  readonly reaction?: (u: number) => number;
  /** dR/du; required with `reaction` (Newton's Jacobian). */
  readonly reactionDerivative?: (u: number) => number;
  /** f(x, t); a Float64Array on the grid means a time-independent source. */
  readonly source?: ((x: number, t: number) => number) | Float64Array;
  readonly initial: ((x: number) => number) | Float64Array;
  readonly left?: (t: number) => number;
  readonly right?: (t: number) => number;
  readonly domain?: readonly [number, number];
  readonly tEnd: number;
}

export interface ReactionDiffusionSettings {
  /** Grid points including both boundaries. */
  readonly nx: number;
  /** Time steps. */
  readonly steps: number;
  /** Snapshots returned, evenly spaced from t = 0 to tEnd (default 2: initial and final). Must divide `steps` into equal parts. */
  readonly snapshots?: number;
  readonly newtonTol?: number;
}

export interface Solution1d {
  readonly x: Float64Array;
  readonly t: Float64Array;
  /** Row-major [snapshots, nx]. */
  readonly u: Float64Array;
}

export function solveReactionDiffusion1d(
  problem: ReactionDiffusionProblem,
  settings: ReactionDiffusionSettings,
): Solution1d {
  const OP = 'solveReactionDiffusion1d';
  const { nx, steps } = settings;
  const snaps = settings.snapshots ?? 2;
  const [a, b] = problem.domain ?? [0, 1];
  if (!Number.isInteger(nx) || nx < 3) throw new Error(`${OP}: 'nx' must be an integer >= 3, got ${nx}`);
  if (!Number.isInteger(steps) || steps < 1)
    throw new Error(`${OP}: 'steps' must be a positive integer, got ${steps}`);
  if (!Number.isInteger(snaps) || snaps < 2 || steps % (snaps - 1) !== 0) {
    throw new Error(
      `${OP}: 'snapshots' (=${snaps}) must be >= 2 with snapshots − 1 dividing 'steps' (=${steps})`,
    );
  }
  if (!(problem.diffusion >= 0)) throw new Error(`${OP}: 'diffusion' must be >= 0, got ${problem.diffusion}`);
  if (!(problem.tEnd > 0)) throw new Error(`${OP}: 'tEnd' must be positive, got ${problem.tEnd}`);
  if (problem.reaction && !problem.reactionDerivative)
    throw new Error(`${OP}: 'reaction' needs 'reactionDerivative'`);
  if (!(b > a)) throw new Error(`${OP}: 'domain' must have b > a, got [${a}, ${b}]`);
  const h = (b - a) / (nx - 1);
  const dt = problem.tEnd / steps;
  const x = Float64Array.from({ length: nx }, (_, j) => a + j * h);
  const R = problem.reaction ?? (() => 0);
  const dR = problem.reactionDerivative ?? (() => 0);
  const left = problem.left ?? (() => 0);
  const right = problem.right ?? (() => 0);
  const src = problem.source;
  if (src instanceof Float64Array && src.length !== nx)
    throw new Error(`${OP}: 'source' array must have length nx = ${nx}, got ${src.length}`);
  const f = (j: number, t: number): number =>
    src === undefined ? 0 : src instanceof Float64Array ? src[j] : src(x[j], t);
  const u =
    problem.initial instanceof Float64Array
      ? Float64Array.from(problem.initial)
      : x.map((xi) => (problem.initial as (x: number) => number)(xi));
  if (u.length !== nx) throw new Error(`${OP}: 'initial' array must have length nx = ${nx}, got ${u.length}`);
  const out = new Float64Array(snaps * nx);
  const tOut = Float64Array.from({ length: snaps }, (_, i) => (i * problem.tEnd) / (snaps - 1));
  out.set(u, 0);
  const every = steps / (snaps - 1);
  const D = problem.diffusion;
  const c = (D * dt) / (2 * h * h);
  const explicitPart = new Float64Array(nx);
  const lower = new Float64Array(nx);
  const diag = new Float64Array(nx);
  const upper = new Float64Array(nx);
  const res = new Float64Array(nx);
  const du = new Float64Array(nx);
  const scratch = new Float64Array(nx);
  const tol = settings.newtonTol ?? 1e-12;
  for (let n = 0; n < steps; n++) {
    const t0 = n * dt;
    const t1 = t0 + dt;
    for (let j = 1; j < nx - 1; j++) {
      explicitPart[j] =
        u[j] + c * (u[j - 1] - 2 * u[j] + u[j + 1]) + (dt / 2) * (R(u[j]) + f(j, t0) + f(j, t1));
    }
    // Newton on G(v) = v − c Δv − (dt/2) R(v) − explicit = 0, boundary rows fixed.
    const v = u;
    v[0] = left(t1);
    v[nx - 1] = right(t1);
    for (let it = 0; it < 50; it++) {
      let rmax = 0;
      for (let j = 1; j < nx - 1; j++) {
        res[j] = -(v[j] - c * (v[j - 1] - 2 * v[j] + v[j + 1]) - (dt / 2) * R(v[j]) - explicitPart[j]);
        rmax = Math.max(rmax, Math.abs(res[j]));
        diag[j] = 1 + 2 * c - (dt / 2) * dR(v[j]);
        lower[j] = j > 1 ? -c : 0;
        upper[j] = j < nx - 2 ? -c : 0;
      }
      if (rmax <= tol && it > 0) break;
      solveTridiagonal(
        lower.subarray(1, nx - 1),
        diag.subarray(1, nx - 1),
        upper.subarray(1, nx - 1),
        res.subarray(1, nx - 1),
        du.subarray(1, nx - 1),
        scratch,
      );
      let dmax = 0;
      for (let j = 1; j < nx - 1; j++) {
        v[j] += du[j];
        dmax = Math.max(dmax, Math.abs(du[j]));
      }
      if (!Number.isFinite(dmax))
        throw new Error(`${OP}: Newton diverged at t = ${t1}; reduce the time step (raise 'steps')`);
      if (dmax <= tol * (1 + Math.abs(v[1]))) break;
      if (it === 49) throw new Error(`${OP}: Newton did not converge at t = ${t1}; raise 'steps'`);
    }
    if ((n + 1) % every === 0) out.set(u, ((n + 1) / every) * nx);
  }
  return { x, t: tOut, u: out };
}

/** DeepONet's diffusion–reaction: s_t = D s_xx + k s² + u(x) on [0,1]², zero initial and boundary data. */
export function diffusionReaction1d(
  source: Float64Array,
  options: {
    readonly diffusion?: number;
    readonly k?: number;
    readonly tEnd?: number;
    readonly steps?: number;
    readonly snapshots?: number;
  } = {},
): Solution1d {
  const k = options.k ?? 0.01;
  const nx = source.length;
  return solveReactionDiffusion1d(
    {
      diffusion: options.diffusion ?? 0.01,
      reaction: (s) => k * s * s,
      reactionDerivative: (s) => 2 * k * s,
      source,
      initial: new Float64Array(nx),
      tEnd: options.tEnd ?? 1,
    },
    { nx, steps: options.steps ?? nx - 1, snapshots: options.snapshots ?? nx },
  );
}

/** Fisher–KPP u_t = D u_xx + r u (1 − u) + f(x, t) with Dirichlet data. */
export function fisherKpp1d(
  options: Omit<ReactionDiffusionProblem, 'diffusion' | 'reaction' | 'reactionDerivative'> & {
    readonly diffusion: number;
    readonly rate: number;
  },
  settings: ReactionDiffusionSettings,
): Solution1d {
  const r = options.rate;
  if (!Number.isFinite(r)) throw new Error(`fisherKpp1d: 'rate' must be finite, got ${r}`);
  return solveReactionDiffusion1d(
    { ...options, reaction: (u) => r * u * (1 - u), reactionDerivative: (u) => r * (1 - 2 * u) },
    settings,
  );
}
