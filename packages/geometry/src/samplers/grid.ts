import { check, checkCount } from '../errors.ts';
import type { Points } from '../points.ts';

/**
 * Per-axis counts of a grid with at least `n` cells whose spacing is as even as possible
 * across axes of relative lengths `aspect` (default all equal).
 */
export function gridShape(n: number, dim: number, aspect?: readonly number[]): number[] {
  checkCount(n, 'n', 'gridShape');
  const a = aspect ?? new Array<number>(dim).fill(1);
  check(a.length === dim, () => `gridShape: 'aspect' must have length ${dim}, got ${a.length}`);
  let vol = 1;
  for (const s of a) vol *= s;
  check(vol > 0, () => `gridShape: 'aspect' entries must be > 0, got [${a.join(', ')}]`);
  const h = (vol / n) ** (1 / dim);
  const shape = a.map((s) => Math.max(1, Math.round(s / h)));
  // Rounding may land below n: grow the axis whose cells are currently widest.
  for (;;) {
    let total = 1;
    for (const k of shape) total *= k;
    if (total >= n) return shape;
    let worst = 0;
    for (let j = 1; j < dim; j++) if (a[j] / shape[j] > a[worst] / shape[worst]) worst = j;
    shape[worst]++;
  }
}

/** Indices `floor(i * m / n)`, i < n: an evenly spread subset of `0..m-1`. */
export function evenSubset(m: number, n: number): Int32Array {
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = Math.floor((i * m) / n);
  return idx;
}

/**
 * Exactly `n` points of the cell-centred grid of [0, 1)^dim with `gridShape(n, dim, aspect)`
 * cells. When the grid has more than `n` cells it is thinned evenly (in row-major order), so
 * the result is an exact grid only when `n` is a product of the shape.
 */
export function unitGrid(n: number, dim: number, aspect?: readonly number[]): Points {
  const shape = gridShape(n, dim, aspect);
  let m = 1;
  for (const k of shape) m *= k;
  const pick = evenSubset(m, n);
  const data = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    let r = pick[i];
    for (let j = dim - 1; j >= 0; j--) {
      const k = shape[j];
      data[i * dim + j] = ((r % k) + 0.5) / k;
      r = Math.floor(r / k);
    }
  }
  return { data, n, dim };
}
