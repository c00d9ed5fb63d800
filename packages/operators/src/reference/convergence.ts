/** Observed orders of convergence from errors on successively refined grids: log(e_i/e_{i+1}) / log(h_i/h_{i+1}). */
export function observedOrders(errors: readonly number[], h: readonly number[]): number[] {
  if (errors.length !== h.length || errors.length < 2) {
    throw new Error(
      `observedOrders: 'errors' and 'h' need equal lengths >= 2, got ${errors.length} and ${h.length}`,
    );
  }
  const p: number[] = [];
  for (let i = 0; i + 1 < errors.length; i++)
    p.push(Math.log(errors[i] / errors[i + 1]) / Math.log(h[i] / h[i + 1]));
  return p;
}

/** Max-norm difference of two arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`maxAbsDiff: lengths differ (${a.length} vs ${b.length})`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
