import { check, checkCount } from './errors.ts';
import { checkPoints, type Points, take } from './points.ts';
import { type RngLike, toRng } from './samplers/stream.ts';

/** PDE residual at each point of a batch (any sign; its absolute value is used). */
export type ResidualFn = (x: Points) => ArrayLike<number> | Promise<ArrayLike<number>>;

export interface AdaptiveOptions {
  /** Exponent on |residual|. Defaults: RAD 1, RAR-D 2 (Wu et al. 2023). */
  readonly k?: number;
  /** Uniform floor added to the normalised density. Defaults: RAD 1, RAR-D 0. */
  readonly c?: number;
  readonly rng: RngLike;
}

/**
 * The sampling density of Wu et al. (2023), "A comprehensive study of non-adaptive and
 * residual-based adaptive sampling for PINNs", eq. (2): p(x) ∝ ε(x)^k / E[ε^k] + c, with
 * ε = |residual| and the mean taken over the candidate pool. Returns probabilities summing to 1.
 */
export function adaptiveProbabilities(
  residuals: ArrayLike<number>,
  k: number,
  c: number,
  op = 'adaptiveProbabilities',
): Float64Array {
  check(Number.isFinite(k) && k >= 0, () => `${op}: 'k' must be a finite number >= 0, got ${k}`);
  check(Number.isFinite(c) && c >= 0, () => `${op}: 'c' must be a finite number >= 0, got ${c}`);
  const n = residuals.length;
  check(n > 0, () => `${op}: 'residuals' must not be empty`);
  const w = new Float64Array(n);
  let mean = 0;
  for (let i = 0; i < n; i++) {
    const r = residuals[i];
    check(Number.isFinite(r), () => `${op}: residual ${i} must be finite, got ${r}`);
    w[i] = Math.abs(r) ** k;
    mean += w[i] / n;
  }
  let total = 0;
  for (let i = 0; i < n; i++) {
    w[i] = (mean > 0 ? w[i] / mean : 0) + c;
    total += w[i];
  }
  check(total > 0, () => `${op}: every residual is 0 and 'c' is 0, so there is no density to sample`);
  for (let i = 0; i < n; i++) w[i] /= total;
  return w;
}

/**
 * `count` distinct indices drawn with probabilities `p`, without replacement, by
 * Efraimidis–Spirakis keys log(u) / p (the `count` largest win), in increasing index order.
 */
function weightedWithoutReplacement(
  p: Float64Array,
  count: number,
  rngLike: RngLike,
  op: string,
): Int32Array {
  const rng = toRng(rngLike, op);
  const n = p.length;
  let positive = 0;
  for (let i = 0; i < n; i++) if (p[i] > 0) positive++;
  check(
    count <= positive,
    () => `${op}: 'count' (=${count}) exceeds the ${positive} candidates with non-zero probability`,
  );
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let u = rng.uniform();
    while (u === 0) u = rng.uniform();
    keys[i] = p[i] > 0 ? Math.log(u) / p[i] : Number.NEGATIVE_INFINITY;
  }
  const idx = Array.from({ length: n }, (_, i) => i);
  idx.sort((a, b) => keys[b] - keys[a] || a - b);
  return Int32Array.from(idx.slice(0, count)).sort();
}

function checkPool(pool: Points, residuals: ArrayLike<number>, count: number, op: string): void {
  check(pool != null && pool.data instanceof Float64Array, () => `${op}: 'pool' must be Points`);
  checkPoints(pool, pool.dim, op, 'pool');
  checkCount(count, 'count', op);
  check(count <= pool.n, () => `${op}: 'count' (=${count}) must be <= the pool size (=${pool.n})`);
  check(
    residuals != null && residuals.length === pool.n,
    () => `${op}: residuals must have one value per pool point (${pool.n}), got ${residuals?.length}`,
  );
}

/**
 * RAD (residual-based adaptive distribution): a whole new collocation set of `count` points
 * drawn from `pool` with the density above (k = 1, c = 1 by default). Given residuals.
 */
export function radFromResiduals(
  pool: Points,
  residuals: ArrayLike<number>,
  count: number,
  opts: AdaptiveOptions,
): Points {
  const op = 'rad';
  checkPool(pool, residuals, count, op);
  const p = adaptiveProbabilities(residuals, opts.k ?? 1, opts.c ?? 1, op);
  return take(pool, weightedWithoutReplacement(p, count, opts.rng, op));
}

/**
 * RAR-D (residual-based adaptive refinement with distribution): `count` new points drawn from
 * `pool` with the density above (k = 2, c = 0 by default), to be appended to the current set.
 * k → ∞, c = 0 approaches greedy RAR (the largest residuals).
 */
export function rarDFromResiduals(
  pool: Points,
  residuals: ArrayLike<number>,
  count: number,
  opts: AdaptiveOptions,
): Points {
  const op = 'rarD';
  checkPool(pool, residuals, count, op);
  const p = adaptiveProbabilities(residuals, opts.k ?? 2, opts.c ?? 0, op);
  return take(pool, weightedWithoutReplacement(p, count, opts.rng, op));
}

/** RAD with a residual callback evaluated once on the whole pool (it may be async, e.g. tfjs). */
export async function rad(
  pool: Points,
  residual: ResidualFn,
  count: number,
  opts: AdaptiveOptions,
): Promise<Points> {
  check(typeof residual === 'function', () => `rad: 'residual' must be a function of Points`);
  return radFromResiduals(pool, await residual(pool), count, opts);
}

/** RAR-D with a residual callback evaluated once on the whole pool; returns only the new points. */
export async function rarD(
  pool: Points,
  residual: ResidualFn,
  count: number,
  opts: AdaptiveOptions,
): Promise<Points> {
  check(typeof residual === 'function', () => `rarD: 'residual' must be a function of Points`);
  return rarDFromResiduals(pool, await residual(pool), count, opts);
}
