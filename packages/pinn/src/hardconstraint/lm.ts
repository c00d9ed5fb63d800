/**
 * Levenberg–Marquardt for small dense nonlinear least squares min_w ½‖r(w)‖², in float64 typed
 * arrays: the hard-constraint layer solves one such problem per trajectory (and per expert) with
 * a few dozen unknowns and up to ~10⁴ residual rows, so the normal equations (n × n) are formed
 * and solved by Cholesky. Damping follows Nielsen (1999): A + μI with μ updated from the gain
 * ratio, which needs no line search.
 */

export interface LeastSquaresFunction {
  /** Unknowns. */
  readonly n: number;
  /** Residual rows. */
  readonly m: number;
  /** Writes r(w) (length m) into `r`. */
  residual(w: Float64Array, r: Float64Array): void;
  /** Writes the Jacobian ∂r/∂w row-major [m, n] into `J` (and r(w) into `r`). */
  jacobian(w: Float64Array, J: Float64Array, r: Float64Array): void;
}

export interface LmOptions {
  /** Stop when ‖Jᵀr‖∞ ≤ gtol (default 1e-12). */
  readonly gtol?: number;
  /** Stop when the step is ≤ xtol·(‖w‖ + xtol) (default 1e-12). */
  readonly xtol?: number;
  /** Stop when ½‖r‖² ≤ ftol (default 0: off). */
  readonly ftol?: number;
  /** Iteration cap (default 100; the paper caps at 50–100). */
  readonly maxIter?: number;
  /** Initial damping μ₀ = tau · max diag(JᵀJ) (default 1e-3). */
  readonly tau?: number;
}

export type LmStopReason = 'gtol' | 'xtol' | 'ftol' | 'maxIter';

export interface LmResult {
  readonly w: Float64Array;
  /** ½‖r(w)‖² at the returned w. */
  readonly cost: number;
  /** ‖Jᵀr‖∞ at the returned w. */
  readonly gradNorm: number;
  readonly iterations: number;
  readonly reason: LmStopReason;
  /**
   * The last accepted step h (w = w_prev + h; zeros when none was accepted) and the cost change
   * ½‖r(w_prev)‖² − ½‖r(w)‖² it made: what step/cost-change stopping rules such as optimistix's
   * (|h_k| < atol + rtol·|w_k| and |Δcost| < atol + rtol·cost) test.
   */
  readonly lastStep: Float64Array;
  readonly lastCostChange: number;
}

/**
 * In-place Cholesky of the symmetric positive definite A [n, n] (lower factor in the lower
 * triangle). Returns false when a pivot is not positive.
 */
export function cholesky(A: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = A[j * n + j];
    for (let k = 0; k < j; k++) d -= A[j * n + k] * A[j * n + k];
    if (!(d > 0)) return false;
    const l = Math.sqrt(d);
    A[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let s = A[i * n + j];
      for (let k = 0; k < j; k++) s -= A[i * n + k] * A[j * n + k];
      A[i * n + j] = s / l;
    }
  }
  return true;
}

/** Solves L Lᵀ x = b in place in b, with L from `cholesky`. */
export function choleskySolve(L: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * b[k];
    b[i] = s / L[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * b[k];
    b[i] = s / L[i * n + i];
  }
}

/**
 * Solves the symmetric system A x = b (A [n, n] row-major, not modified) by Cholesky; when A is
 * only semi-definite a growing multiple of the identity is added (reported as `shift`).
 */
export function solveSpd(A: Float64Array, n: number, b: Float64Array): { x: Float64Array; shift: number } {
  const L = new Float64Array(n * n);
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, Math.abs(A[i * n + i]));
  let shift = 0;
  for (let attempt = 0; attempt < 30; attempt++) {
    L.set(A);
    for (let i = 0; i < n; i++) L[i * n + i] += shift;
    if (cholesky(L, n)) {
      const x = Float64Array.from(b);
      choleskySolve(L, n, x);
      return { x, shift };
    }
    shift = shift === 0 ? 1e-14 * (maxDiag || 1) : shift * 10;
  }
  throw new Error(`solveSpd: matrix is not positive semi-definite (max |diag| ${maxDiag})`);
}

/** JᵀJ [n, n] and Jᵀr [n] of J [m, n]. */
export function normalEquations(
  J: Float64Array,
  r: Float64Array,
  m: number,
  n: number,
  A: Float64Array,
  g: Float64Array,
): void {
  A.fill(0);
  g.fill(0);
  for (let i = 0; i < m; i++) {
    const row = i * n;
    const ri = r[i];
    for (let a = 0; a < n; a++) {
      const ja = J[row + a];
      if (ja === 0) continue;
      g[a] += ja * ri;
      const arow = a * n;
      for (let b = a; b < n; b++) A[arow + b] += ja * J[row + b];
    }
  }
  for (let a = 0; a < n; a++) for (let b = 0; b < a; b++) A[a * n + b] = A[b * n + a];
}

function halfSquaredNorm(r: Float64Array): number {
  let s = 0;
  for (let i = 0; i < r.length; i++) s += r[i] * r[i];
  return 0.5 * s;
}

function maxAbs(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s = Math.max(s, Math.abs(v[i]));
  return s;
}

/** Minimises ½‖r(w)‖² from `w0` (not modified). */
export function levenbergMarquardt(
  f: LeastSquaresFunction,
  w0: Float64Array,
  options: LmOptions = {},
): LmResult {
  const OP = 'levenbergMarquardt';
  const { n, m } = f;
  if (!Number.isInteger(n) || n < 1) throw new Error(`${OP}: 'n' must be a positive integer, got ${n}`);
  if (!Number.isInteger(m) || m < 1) throw new Error(`${OP}: 'm' must be a positive integer, got ${m}`);
  if (w0.length !== n) throw new Error(`${OP}: 'w0' has length ${w0.length}, expected n = ${n}`);
  const gtol = options.gtol ?? 1e-12;
  const xtol = options.xtol ?? 1e-12;
  const ftol = options.ftol ?? 0;
  const maxIter = options.maxIter ?? 100;
  const tau = options.tau ?? 1e-3;
  for (const [k, v] of Object.entries({ gtol, xtol, ftol, tau })) {
    if (!(v >= 0)) throw new Error(`${OP}: '${k}' must be >= 0, got ${v}`);
  }
  if (!Number.isInteger(maxIter) || maxIter < 0)
    throw new Error(`${OP}: 'maxIter' must be a non-negative integer, got ${maxIter}`);

  const w = Float64Array.from(w0);
  const wNew = new Float64Array(n);
  const r = new Float64Array(m);
  const rNew = new Float64Array(m);
  const J = new Float64Array(m * n);
  const A = new Float64Array(n * n);
  const L = new Float64Array(n * n);
  const g = new Float64Array(n);
  const h = new Float64Array(n);
  const Jn = new Float64Array(m * n);
  const An = new Float64Array(n * n);
  const gn = new Float64Array(n);

  f.jacobian(w, J, r);
  normalEquations(J, r, m, n, A, g);
  let cost = halfSquaredNorm(r);
  if (!Number.isFinite(cost)) throw new Error(`${OP}: residual is not finite at 'w0'`);
  let gNorm = maxAbs(g);
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, A[i * n + i]);
  let mu = tau * (maxDiag || 1);
  let nu = 2;
  let reason: LmStopReason = 'maxIter';
  let it = 0;
  const lastStep = new Float64Array(n);
  let lastCostChange = 0;
  if (gNorm <= gtol) reason = 'gtol';
  else if (cost <= ftol) reason = 'ftol';
  else {
    for (it = 0; it < maxIter; ) {
      L.set(A);
      for (let i = 0; i < n; i++) L[i * n + i] += mu;
      if (!cholesky(L, n)) {
        mu *= nu;
        nu *= 2;
        it++;
        continue;
      }
      for (let i = 0; i < n; i++) h[i] = -g[i];
      choleskySolve(L, n, h);
      let hNorm = 0;
      let wNorm = 0;
      for (let i = 0; i < n; i++) {
        hNorm += h[i] * h[i];
        wNorm += w[i] * w[i];
      }
      hNorm = Math.sqrt(hNorm);
      wNorm = Math.sqrt(wNorm);
      it++;
      if (hNorm <= xtol * (wNorm + xtol)) {
        reason = 'xtol';
        break;
      }
      for (let i = 0; i < n; i++) wNew[i] = w[i] + h[i];
      f.residual(wNew, rNew);
      const costNew = halfSquaredNorm(rNew);
      // Predicted decrease of the damped quadratic model: ½ hᵀ(μh − g).
      let pred = 0;
      for (let i = 0; i < n; i++) pred += h[i] * (mu * h[i] - g[i]);
      pred *= 0.5;
      const rho = Number.isFinite(costNew) && pred > 0 ? (cost - costNew) / pred : -1;
      // Near the optimum the decrease falls below the rounding of the cost itself; there a step
      // is judged by the gradient instead, so the solution is polished to the gradient floor
      // (the implicit gradient assumes ∇ = 0).
      let accept = rho > 0;
      if (!accept && Number.isFinite(costNew) && Math.abs(cost - costNew) <= 1e-14 * cost) {
        f.jacobian(wNew, Jn, rNew);
        normalEquations(Jn, rNew, m, n, An, gn);
        accept = maxAbs(gn) < 0.5 * gNorm;
      }
      if (accept) {
        w.set(wNew);
        lastStep.set(h);
        f.jacobian(w, J, r);
        normalEquations(J, r, m, n, A, g);
        const costPrev = cost;
        cost = halfSquaredNorm(r);
        lastCostChange = costPrev - cost;
        gNorm = maxAbs(g);
        mu *= rho > 0 ? Math.max(1 / 3, 1 - (2 * rho - 1) ** 3) : 1;
        nu = 2;
        if (gNorm <= gtol) {
          reason = 'gtol';
          break;
        }
        if (cost <= ftol) {
          reason = 'ftol';
          break;
        }
      } else {
        mu *= nu;
        nu *= 2;
        if (!Number.isFinite(mu)) {
          reason = 'xtol';
          break;
        }
      }
    }
  }
  return { w, cost, gradNorm: gNorm, iterations: it, reason, lastStep, lastCostChange };
}
