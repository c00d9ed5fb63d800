/**
 * Host-side (float64) helpers for evaluating Lagrangian predictions: periodic linear
 * interpolation from moving points to a fixed grid, and the spectral norm the paper prints.
 */

/**
 * Linear interpolation of samples (positions[i], values[i]) of a `period`-periodic function,
 * at the query points. Positions may be anywhere on the line (they are wrapped) and in any
 * order; the segment from the last wrapped position to the first + period closes the circle.
 */
export function interpolatePeriodic(
  positions: ArrayLike<number>,
  values: ArrayLike<number>,
  period: number,
  queries: ArrayLike<number>,
): Float64Array {
  const OP = 'interpolatePeriodic';
  const n = positions.length;
  if (values.length !== n) {
    throw new Error(`${OP}: 'values' (length ${values.length}) must match 'positions' (length ${n})`);
  }
  if (n < 2) throw new Error(`${OP}: need at least 2 samples, got ${n}`);
  if (!(period > 0 && Number.isFinite(period))) {
    throw new Error(`${OP}: 'period' must be a positive number, got ${period}`);
  }
  const wrap = (v: number) => {
    const r = v % period;
    return r < 0 ? r + period : r;
  };
  const order = Array.from({ length: n }, (_, i) => i);
  const w = Float64Array.from(positions, wrap);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(w[i]) || !Number.isFinite(values[i])) {
      throw new Error(`${OP}: sample ${i} is not finite (position ${positions[i]}, value ${values[i]})`);
    }
  }
  order.sort((a, b) => w[a] - w[b]);
  // Sorted knots with one ghost knot on each side, so every query falls inside a segment.
  const xs = new Float64Array(n + 2);
  const ys = new Float64Array(n + 2);
  for (let k = 0; k < n; k++) {
    xs[k + 1] = w[order[k]];
    ys[k + 1] = values[order[k]];
  }
  xs[0] = xs[n] - period;
  ys[0] = ys[n];
  xs[n + 1] = xs[1] + period;
  ys[n + 1] = ys[1];
  const out = new Float64Array(queries.length);
  for (let q = 0; q < queries.length; q++) {
    const x = wrap(queries[q]);
    let lo = 0;
    let hi = n + 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (xs[mid] <= x) lo = mid;
      else hi = mid;
    }
    const h = xs[hi] - xs[lo];
    const s = h > 0 ? (x - xs[lo]) / h : 0;
    out[q] = ys[lo] + s * (ys[hi] - ys[lo]);
  }
  return out;
}

/**
 * Largest singular value of a [rows, cols] row-major matrix, by power iteration on AᵀA
 * (the `np.linalg.norm(A, 2)` of the LPINN paper's printed error).
 */
export function spectralNorm(a: ArrayLike<number>, rows: number, cols: number, iterations = 200): number {
  if (a.length !== rows * cols) {
    throw new Error(`spectralNorm: 'a' has ${a.length} entries, expected rows × cols = ${rows * cols}`);
  }
  let v = new Float64Array(cols).fill(1 / Math.sqrt(cols));
  const av = new Float64Array(rows);
  let sigma = 0;
  for (let it = 0; it < iterations; it++) {
    for (let i = 0; i < rows; i++) {
      let s = 0;
      for (let j = 0; j < cols; j++) s += a[i * cols + j] * v[j];
      av[i] = s;
    }
    const next = new Float64Array(cols);
    for (let i = 0; i < rows; i++) {
      const s = av[i];
      if (s !== 0) for (let j = 0; j < cols; j++) next[j] += a[i * cols + j] * s;
    }
    const norm = Math.hypot(...next);
    if (norm === 0) return 0;
    const prev = sigma;
    sigma = Math.sqrt(norm);
    for (let j = 0; j < cols; j++) next[j] /= norm;
    v = next;
    if (it > 5 && Math.abs(sigma - prev) <= 1e-12 * sigma) break;
  }
  return sigma;
}
