/**
 * L-BFGS (Nocedal & Wright 2006, Alg. 7.4/7.5) in plain float64 JS, with a strong-Wolfe line
 * search (Alg. 3.5 bracketing + Alg. 3.6 zoom, safeguarded cubic interpolation).
 *
 * Built to survive objectives computed in float32 (a PINN loss on tfjs), where near the minimum
 * f and g are mostly rounding noise:
 * - every loop is bounded (iterations, evaluations, trials per line search) and the zoom
 *   interval shrinks by >= 10% per trial, so noise can never make it loop;
 * - `snap` maps each trial point to what the objective can represent (float32 for tf
 *   variables); a trial that snaps onto an already evaluated point ends the search instead of
 *   re-evaluating it, which is how float32 convergence is detected;
 * - when f is too coarse to show the decrease (a float32 loss near its minimum), a trial is also
 *   accepted under Hager & Zhang's (2005) approximate Wolfe conditions: f within `fNoise` of
 *   f(0) and -c2 |phi'(0)| <= phi'(alpha) <= (1 - 2 delta) |phi'(0)| with delta = 0.1, i.e. the
 *   gradient, which is still informative, shows a decrease. Runs of such steps are capped;
 * - a line search that finds no Wolfe point still accepts its best point satisfying sufficient
 *   decrease; if none lowers f, the memory is reset and steepest descent tried once, then the
 *   run stops with reason 'lineSearch' (converged to the precision of f);
 * - non-descent directions reset the memory; NaN/Inf values at a trial shrink the step;
 *   pairs with s.y <= 1e-10 y.y (curvature condition failed) are skipped, not stored.
 *
 * The algorithm is a generator (`lbfgsIterator`) that yields trial points and receives their
 * evaluations, so `lbfgs` (synchronous) and `lbfgsAsync` (for objectives that must await, such
 * as a GPU read-back) share one implementation.
 */
import { check, checkInteger, checkNonNegative } from './errors.ts';

/** Value and gradient of the objective at one point. */
export interface Evaluation {
  value: number;
  grad: ArrayLike<number>;
}

export type LbfgsStopReason = 'gradTol' | 'fTol' | 'maxIter' | 'maxEval' | 'lineSearch' | 'callback';

export interface LbfgsIterationInfo {
  /** Iterations (accepted steps) so far, >= 1. */
  iteration: number;
  value: number;
  /** max_i |g_i| at the current point. */
  gradNorm: number;
  evaluations: number;
  /** Current point; read-only (the optimizer owns it). */
  x: Float64Array;
}

export interface LbfgsOptions {
  /** Correction pairs kept (default 10). */
  m?: number;
  /** Maximum iterations, i.e. accepted steps (default 1000). */
  maxIter?: number;
  /** Maximum evaluations of f and g, the start point included (default 2 * maxIter + 20). */
  maxEval?: number;
  /** Stop when max_i |g_i| <= gradTol (default 1e-7). */
  gradTol?: number;
  /**
   * Stop when one iteration lowers f by at most fTol * max(|f_old|, |f_new|) (default 1e-12).
   * Relative, with no absolute floor, so small losses (1e-6 is common for PINNs) are not cut short.
   */
  fTol?: number;
  /** Sufficient-decrease constant of the Wolfe conditions (default 1e-4). */
  c1?: number;
  /** Curvature constant of the strong Wolfe conditions, c1 < c2 < 1 (default 0.9). */
  c2?: number;
  /** Maximum trial points per line search (default 20). */
  maxLineSearch?: number;
  /**
   * Relative uncertainty of f values, >= 0 (default 1e-12, a few float64 roundings; use ~1e-6
   * for float32 losses). Enables the approximate Wolfe acceptance described above; 0 turns it off.
   */
  fNoise?: number;
  /**
   * Maps a trial point in place to the nearest point the objective represents, before it is
   * evaluated (e.g. `Math.fround` on each entry for float32 parameters). Default: none.
   */
  snap?: (x: Float64Array) => void;
  /** Called after every iteration; return `true` to stop (reason 'callback'). */
  callback?: (info: LbfgsIterationInfo) => boolean | undefined;
  /**
   * Correction pairs to start from, updated in place (default: a fresh, empty memory). Pass the
   * same `LbfgsMemory` to consecutive runs to keep the curvature estimate across restarts — e.g.
   * between redraws of a PINN's collocation points, where a cold start spends its first
   * iterations on short steepest-descent steps. Pairs are kept only while the run accepts them.
   */
  memory?: LbfgsMemory;
}

/**
 * The L-BFGS correction pairs (s_k = x_{k+1} − x_k, y_k = g_{k+1} − g_k), oldest first. Opaque
 * to callers except for `size` and `clear`: create one, hand it to several runs over the same
 * parameter vector.
 */
export class LbfgsMemory {
  /** @internal */ readonly s: Float64Array[] = [];
  /** @internal */ readonly y: Float64Array[] = [];
  /** @internal 1 / (s · y) per pair. */ readonly rho: number[] = [];

  /** Number of stored pairs. */
  get size(): number {
    return this.s.length;
  }

  /** Forgets every pair (the next run starts from steepest descent). */
  clear(): void {
    this.s.length = 0;
    this.y.length = 0;
    this.rho.length = 0;
  }
}

export interface LbfgsResult {
  /**
   * Best point found: the last iterate, unless an earlier one had f lower by more than the
   * noise level `fNoise |f|` (possible only after approximate-Wolfe steps).
   */
  x: Float64Array;
  value: number;
  grad: Float64Array;
  iterations: number;
  evaluations: number;
  reason: LbfgsStopReason;
  /** One human-readable sentence on why the run stopped. */
  message: string;
}

const OP = 'lbfgs';
/** Skip pairs whose curvature s.y is not clearly positive relative to y.y (see header). */
const CURVATURE_EPS = 1e-10;
/** Shrink factor for a trial step that produced NaN/Inf. */
const NONFINITE_SHRINK = 0.25;
/** Extrapolation grows the step by a factor in [MIN_GROW, MAX_GROW]. */
const MIN_GROW = 1.1;
const MAX_GROW = 10;
/** Zoom keeps trials this fraction of the interval away from its ends (guaranteed shrink). */
const ZOOM_MARGIN = 0.1;
/** Hager-Zhang's delta in the approximate Wolfe slope bound (1 - 2 delta) |phi'(0)|. */
const APPROX_DELTA = 0.1;
/**
 * Iterations allowed without a measurable decrease (more than fNoise |f| below the last one)
 * before stopping: lucky noise can pass Armijo, so only a decrease beyond noise counts.
 */
const MAX_STALLED = 10;

export interface ResolvedOptions {
  m: number;
  maxIter: number;
  maxEval: number;
  gradTol: number;
  fTol: number;
  c1: number;
  c2: number;
  maxLineSearch: number;
  fNoise: number;
  snap: ((x: Float64Array) => void) | undefined;
  callback: LbfgsOptions['callback'];
  memory: LbfgsMemory | undefined;
}

/** Options with defaults filled in, validated (throws naming the bad option). @internal */
export function resolveOptions(options: LbfgsOptions): ResolvedOptions {
  check(typeof options === 'object' && options !== null, () => `${OP}: 'options' must be an object`);
  const maxIter = options.maxIter ?? 1000;
  const r: ResolvedOptions = {
    m: options.m ?? 10,
    maxIter,
    maxEval: options.maxEval ?? 2 * maxIter + 20,
    gradTol: options.gradTol ?? 1e-7,
    fTol: options.fTol ?? 1e-12,
    c1: options.c1 ?? 1e-4,
    c2: options.c2 ?? 0.9,
    maxLineSearch: options.maxLineSearch ?? 20,
    fNoise: options.fNoise ?? 1e-12,
    snap: options.snap,
    callback: options.callback,
    memory: options.memory,
  };
  checkInteger(OP, 'm', r.m, 1);
  checkInteger(OP, 'maxIter', r.maxIter, 0);
  checkInteger(OP, 'maxEval', r.maxEval, 1);
  checkInteger(OP, 'maxLineSearch', r.maxLineSearch, 1);
  checkNonNegative(OP, 'gradTol', r.gradTol);
  checkNonNegative(OP, 'fTol', r.fTol);
  checkNonNegative(OP, 'fNoise', r.fNoise);
  check(
    r.c1 > 0 && r.c1 < r.c2 && r.c2 < 1,
    () => `${OP}: need 0 < 'c1' < 'c2' < 1, got c1 = ${r.c1}, c2 = ${r.c2}`,
  );
  check(
    r.memory === undefined || r.memory instanceof LbfgsMemory,
    () => `${OP}: 'memory' must be an LbfgsMemory (new LbfgsMemory()), got ${String(r.memory)}`,
  );
  return r;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function normInf(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]);
    if (v > s || Number.isNaN(v)) s = v;
  }
  return s;
}

function sameArray(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Minimizer of the cubic through (a, fa, ga), (b, fb, gb) (N&W eq. 3.59); NaN if it has none. */
function cubicMinimizer(a: number, fa: number, ga: number, b: number, fb: number, gb: number): number {
  const d1 = ga + gb - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - ga * gb;
  if (!(disc >= 0)) return Number.NaN;
  const d2 = Math.sign(b - a) * Math.sqrt(disc);
  return b - ((b - a) * (gb + d2 - d1)) / (gb - ga + 2 * d2);
}

/** One evaluated point on the search line x + alpha d. */
interface LinePoint {
  alpha: number;
  x: Float64Array;
  f: number;
  g: Float64Array;
  /** Directional derivative g.d. */
  dphi: number;
}

interface LineSearchResult {
  /**
   * 'wolfe': strong Wolfe holds; 'approx': approximate Wolfe holds (f within noise);
   * 'decrease': only sufficient decrease; 'none': f not lowered.
   */
  status: 'wolfe' | 'approx' | 'decrease' | 'none';
  point: LinePoint;
  evaluations: number;
}

/**
 * Strong-Wolfe line search from `start` (alpha = 0) along `d`. Every trial costs one evaluation;
 * at most `maxTrials` are made. Returns the Wolfe point, else the lowest point satisfying
 * sufficient decrease, else `start` with status 'none'.
 */
function* lineSearch(
  start: LinePoint,
  d: Float64Array,
  alpha1: number,
  maxTrials: number,
  o: ResolvedOptions,
  evaluate: (x: Float64Array) => Generator<Float64Array, { f: number; g: Float64Array }, Evaluation>,
): Generator<Float64Array, LineSearchResult, Evaluation> {
  const { c1, c2 } = o;
  const f0 = start.f;
  const dphi0 = start.dphi;
  let evaluations = 0;
  let best = start;
  // Strict f < f0: when c1 alpha phi'(0) is below the ulp of f0 the bound alone would accept
  // f == f0, a step that f cannot vouch for (the approximate test decides those).
  const armijo = (alpha: number, f: number) => f < f0 && f <= f0 + c1 * alpha * dphi0;
  const fCeiling = f0 + o.fNoise * Math.abs(f0);
  const approxWolfe = (p: LinePoint) =>
    o.fNoise > 0 && p.f <= fCeiling && p.dphi >= c2 * dphi0 && p.dphi <= -(1 - 2 * APPROX_DELTA) * dphi0;

  const pointAt = (alpha: number): Float64Array => {
    const x = new Float64Array(start.x.length);
    for (let i = 0; i < x.length; i++) x[i] = start.x[i] + alpha * d[i];
    o.snap?.(x);
    return x;
  };
  function* probe(alpha: number, x: Float64Array): Generator<Float64Array, LinePoint, Evaluation> {
    evaluations++;
    const { f, g } = yield* evaluate(x);
    const p: LinePoint = { alpha, x, f, g, dphi: dot(g, d) };
    if (Number.isFinite(p.f) && Number.isFinite(p.dphi) && armijo(alpha, p.f) && p.f < best.f) best = p;
    return p;
  }
  const finite = (p: LinePoint) => Number.isFinite(p.f) && Number.isFinite(p.dphi);
  const done = (status: LineSearchResult['status'], point: LinePoint): LineSearchResult => ({
    status,
    point,
    evaluations,
  });
  const fallback = () => done(best === start ? 'none' : 'decrease', best);

  // Bracketing (Alg. 3.5): grow the step until an interval is known to contain a Wolfe point.
  let prev = start;
  let alpha = alpha1;
  let alphaBad = Number.POSITIVE_INFINITY; // smallest step known to give NaN/Inf
  let bracketLo: LinePoint | undefined;
  let bracketHi: LinePoint | undefined;
  for (let trials = 0; trials < maxTrials && bracketLo === undefined; trials++) {
    const x = pointAt(alpha);
    if (sameArray(x, prev.x)) {
      // The step is below the resolution of x: only a longer one can tell anything.
      if (!(alpha * MAX_GROW < alphaBad)) return fallback();
      alpha *= MAX_GROW;
      continue;
    }
    const p = yield* probe(alpha, x);
    if (!finite(p)) {
      alphaBad = alpha;
      alpha = prev.alpha + NONFINITE_SHRINK * (alpha - prev.alpha);
      continue;
    }
    if (!armijo(alpha, p.f) && approxWolfe(p)) return done('approx', p);
    if (!armijo(alpha, p.f) || (prev !== start && p.f >= prev.f)) {
      bracketLo = prev;
      bracketHi = p;
    } else if (Math.abs(p.dphi) <= -c2 * dphi0) {
      return done('wolfe', p);
    } else if (p.dphi >= 0) {
      bracketLo = p;
      bracketHi = prev;
    } else {
      let lower = alpha * MIN_GROW;
      let upper = alpha * MAX_GROW;
      if (Number.isFinite(alphaBad)) upper = Math.min(upper, alpha + 0.5 * (alphaBad - alpha));
      lower = Math.min(lower, upper);
      const c = cubicMinimizer(prev.alpha, prev.f, prev.dphi, alpha, p.f, p.dphi);
      prev = p;
      alpha = Number.isFinite(c) ? Math.min(upper, Math.max(lower, c)) : upper;
    }
  }
  if (bracketLo === undefined || bracketHi === undefined) return fallback();
  let lo: LinePoint = bracketLo;
  let hi: LinePoint = bracketHi;

  // Zoom (Alg. 3.6): `lo` is the lowest point satisfying sufficient decrease, and the interval
  // between lo and hi contains a Wolfe point. `hi` may be non-finite (NaN region).
  while (evaluations < maxTrials) {
    const left = Math.min(lo.alpha, hi.alpha);
    const right = Math.max(lo.alpha, hi.alpha);
    const margin = ZOOM_MARGIN * (right - left);
    let a = finite(hi) ? cubicMinimizer(lo.alpha, lo.f, lo.dphi, hi.alpha, hi.f, hi.dphi) : Number.NaN;
    a = Number.isFinite(a) ? Math.min(right - margin, Math.max(left + margin, a)) : 0.5 * (left + right);
    const x = pointAt(a);
    // Snapped onto an end: the interval is below the resolution of x, nothing new to learn.
    if (sameArray(x, lo.x) || sameArray(x, hi.x)) break;
    const p = yield* probe(a, x);
    if (finite(p) && !armijo(a, p.f) && approxWolfe(p)) return done('approx', p);
    if (!finite(p) || !armijo(a, p.f) || p.f >= lo.f) {
      hi = p;
    } else {
      if (Math.abs(p.dphi) <= -c2 * dphi0) return done('wolfe', p);
      if (p.dphi * (hi.alpha - lo.alpha) >= 0) hi = lo;
      lo = p;
    }
  }
  return fallback();
}

/**
 * The algorithm as a generator: yields each point to evaluate (a fresh array the caller must
 * not modify), expects its `Evaluation` back from `next()`, and returns the result. Use
 * `lbfgs` or `lbfgsAsync` unless you need to drive evaluations yourself.
 */
export function* lbfgsIterator(
  x0: ArrayLike<number>,
  options: LbfgsOptions = {},
): Generator<Float64Array, LbfgsResult, Evaluation> {
  const o = resolveOptions(options);
  check(
    x0 !== null && typeof x0 === 'object' && typeof x0.length === 'number' && x0.length > 0,
    () => `${OP}: 'x0' must be a non-empty array of numbers`,
  );
  const n = x0.length;
  for (let i = 0; i < n; i++) {
    check(Number.isFinite(x0[i]), () => `${OP}: 'x0[${i}]' is ${x0[i]}; the start point must be finite`);
  }
  let evaluations = 0;
  function* evaluate(x: Float64Array): Generator<Float64Array, { f: number; g: Float64Array }, Evaluation> {
    const e = yield x;
    evaluations++;
    check(
      e !== null && typeof e === 'object' && typeof e.value === 'number',
      () => `${OP}: the objective must return {value: number, grad}, got ${String(e)}`,
    );
    check(
      e.grad !== null && typeof e.grad === 'object' && e.grad.length === n,
      () => `${OP}: the objective returned 'grad' of length ${e.grad?.length}, expected ${n}`,
    );
    // Copy: the objective may reuse its gradient buffer between calls.
    return { f: e.value, g: Float64Array.from(e.grad) };
  }

  const x = Float64Array.from(x0);
  o.snap?.(x);
  const first = yield* evaluate(x);
  check(
    Number.isFinite(first.f) && first.g.every(Number.isFinite),
    () =>
      `${OP}: the objective is not finite at 'x0' (value ${first.f}` +
      `${first.g.every(Number.isFinite) ? '' : ', gradient has NaN/Inf'}); start elsewhere`,
  );
  let cur: LinePoint = { alpha: 0, x, f: first.f, g: first.g, dphi: 0 };
  const memory = o.memory ?? new LbfgsMemory();
  check(
    memory.size === 0 || memory.s[0].length === n,
    () =>
      `${OP}: 'memory' holds pairs for ${memory.s[0].length} parameters but 'x0' has ${n}; ` +
      'use one LbfgsMemory per parameter vector (or clear() it)',
  );
  const { s: S, y: Y, rho } = memory;
  // A memory filled under a larger m keeps only its newest m pairs.
  while (S.length > o.m) {
    S.shift();
    Y.shift();
    rho.shift();
  }
  const alphas = new Float64Array(o.m);
  let iterations = 0;
  let best = cur;
  let lastMeasurable = cur.f;
  let stalled = 0;

  const finish = (reason: LbfgsStopReason, message: string): LbfgsResult => {
    const p = cur.f <= best.f + o.fNoise * Math.abs(best.f) ? cur : best;
    return { x: p.x, value: p.f, grad: p.g, iterations, evaluations, reason, message };
  };
  const gradTolMessage = () => `max |grad| = ${normInf(cur.g)} <= gradTol = ${o.gradTol}`;

  if (normInf(cur.g) <= o.gradTol) return finish('gradTol', gradTolMessage());
  /** Direction of the two-loop recursion, -H g, with H0 = (s.y / y.y) I from the newest pair. */
  const direction = (): Float64Array => {
    const q = Float64Array.from(cur.g);
    const k = S.length;
    for (let j = k - 1; j >= 0; j--) {
      const a = rho[j] * dot(S[j], q);
      alphas[j] = a;
      const y = Y[j];
      for (let i = 0; i < n; i++) q[i] -= a * y[i];
    }
    if (k > 0) {
      const gamma = 1 / (rho[k - 1] * dot(Y[k - 1], Y[k - 1]));
      for (let i = 0; i < n; i++) q[i] *= gamma;
    }
    for (let j = 0; j < k; j++) {
      const b = rho[j] * dot(Y[j], q);
      const s = S[j];
      const c = alphas[j] - b;
      for (let i = 0; i < n; i++) q[i] += c * s[i];
    }
    for (let i = 0; i < n; i++) q[i] = -q[i];
    return q;
  };
  const resetMemory = () => memory.clear();

  for (;;) {
    if (iterations >= o.maxIter) return finish('maxIter', `reached maxIter = ${o.maxIter} iterations`);
    if (evaluations >= o.maxEval) return finish('maxEval', `reached maxEval = ${o.maxEval} evaluations`);
    let d = direction();
    let dphi0 = dot(cur.g, d);
    if (S.length > 0 && !(dphi0 < 0)) {
      // Not a descent direction (noisy pairs can spoil H): restart from steepest descent.
      resetMemory();
      d = direction();
      dphi0 = dot(cur.g, d);
    }
    const fresh = S.length === 0;
    // Without curvature information, make the first trial step at most 1 long.
    const alpha1 = fresh ? Math.min(1, 1 / Math.sqrt(-dphi0)) : 1;
    const start: LinePoint = { ...cur, alpha: 0, dphi: dphi0 };
    const trials = Math.min(o.maxLineSearch, o.maxEval - evaluations);
    const ls = yield* lineSearch(start, d, alpha1, trials, o, evaluate);
    if (ls.status === 'none') {
      if (evaluations >= o.maxEval) return finish('maxEval', `reached maxEval = ${o.maxEval} evaluations`);
      if (!fresh) {
        resetMemory();
        continue;
      }
      return finish(
        'lineSearch',
        `no step along steepest descent lowers f (${ls.evaluations} trials); converged to the ` +
          `precision of f and g (max |grad| = ${normInf(cur.g)})`,
      );
    }
    const next = ls.point;
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = next.x[i] - cur.x[i];
      y[i] = next.g[i] - cur.g[i];
    }
    const sy = dot(s, y);
    const yy = dot(y, y);
    if (sy > CURVATURE_EPS * yy && yy > 0) {
      if (S.length === o.m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }
    const fOld = cur.f;
    cur = next;
    iterations++;
    if (cur.f < best.f) best = cur;
    const gradNorm = normInf(cur.g);
    if (o.callback?.({ iteration: iterations, value: cur.f, gradNorm, evaluations, x: cur.x }) === true) {
      return finish('callback', `stopped by the callback at iteration ${iterations}`);
    }
    if (gradNorm <= o.gradTol) return finish('gradTol', gradTolMessage());
    if (cur.f < lastMeasurable - o.fNoise * Math.abs(lastMeasurable)) {
      lastMeasurable = cur.f;
      stalled = 0;
    } else if (++stalled >= MAX_STALLED) {
      return finish(
        'fTol',
        `f did not decrease by more than fNoise * |f| (fNoise = ${o.fNoise}) in ${MAX_STALLED} ` +
          `iterations; converged to the precision of f`,
      );
    }
    // After an approximate-Wolfe step f's change is noise, so fTol cannot judge it.
    if (ls.status !== 'approx' && fOld - cur.f <= o.fTol * Math.max(Math.abs(fOld), Math.abs(cur.f))) {
      return finish('fTol', `f decreased by ${fOld - cur.f} <= fTol * |f| (fTol = ${o.fTol})`);
    }
  }
}

/**
 * Minimizes `fg` from `x0` with L-BFGS. `fg(x)` returns the value and gradient at `x` (it must
 * not modify `x`). A non-finite value at `x0` throws; elsewhere NaN/Inf is treated as "step too
 * long". See `LbfgsOptions` for defaults and `LbfgsResult.reason` for how it stopped.
 */
export function lbfgs(
  fg: (x: Float64Array) => Evaluation,
  x0: ArrayLike<number>,
  options?: LbfgsOptions,
): LbfgsResult {
  check(typeof fg === 'function', () => `${OP}: 'fg' must be a function x => {value, grad}`);
  const it = lbfgsIterator(x0, options);
  let r = it.next();
  while (!r.done) r = it.next(fg(r.value));
  return r.value;
}

/** `lbfgs` for an objective that returns a promise (e.g. reads a GPU tensor with `data()`). */
export async function lbfgsAsync(
  fg: (x: Float64Array) => Evaluation | Promise<Evaluation>,
  x0: ArrayLike<number>,
  options?: LbfgsOptions,
): Promise<LbfgsResult> {
  check(typeof fg === 'function', () => `${OP}: 'fg' must be a function x => {value, grad}`);
  const it = lbfgsIterator(x0, options);
  let r = it.next();
  while (!r.done) r = it.next(await fg(r.value));
  return r.value;
}
