import type { Points } from '../points.ts';

/**
 * L2-star discrepancy of points in [0, 1]^dim (Warnock's formula, O(n^2 dim)). Lower means
 * more uniform; used to compare quasi-random against pseudo-random sets.
 */
export function l2StarDiscrepancy(x: Points): number {
  const { n, dim, data } = x;
  let t1 = 0;
  for (let i = 0; i < n; i++) {
    let p = 1;
    for (let j = 0; j < dim; j++) {
      const u = data[i * dim + j];
      p *= (1 - u * u) / 2;
    }
    t1 += p;
  }
  let t2 = 0;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      let p = 1;
      for (let j = 0; j < dim; j++) p *= 1 - Math.max(data[i * dim + j], data[k * dim + j]);
      t2 += p;
    }
  }
  return Math.sqrt(3 ** -dim - (2 / n) * t1 + t2 / (n * n));
}
