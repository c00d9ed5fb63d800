/**
 * Evaluation helpers: tensor-product grids, relative L2 error, and `.npy` output for reports.
 */

import { writeNpyFile } from '@pinnate/core';
import type { Points } from '@pinnate/geometry';

/** n evenly spaced values from a to b inclusive (n ≥ 2), in float64. */
export function linspace(a: number, b: number, n: number): Float64Array {
  if (!Number.isInteger(n) || n < 2) throw new Error(`linspace: 'n' must be an integer ≥ 2, got ${n}`);
  return Float64Array.from({ length: n }, (_, i) => (i === n - 1 ? b : a + ((b - a) * i) / (n - 1)));
}

/**
 * The tensor-product grid of the given axes as points, last axis fastest. For
 * grid([t, x]) the values at point (i, j) sit at row i * nx + j: a row-major [nt, nx] array.
 */
export function grid(axes: readonly Float64Array[], order?: readonly number[]): Points {
  if (axes.length === 0) throw new Error(`grid: 'axes' must not be empty`);
  const dim = axes.length;
  const perm = order ?? axes.map((_, i) => i);
  if (perm.length !== dim) throw new Error(`grid: 'order' must have ${dim} entries`);
  const n = axes.reduce((a, x) => a * x.length, 1);
  const data = new Float64Array(n * dim);
  const idx = new Array(dim).fill(0);
  for (let r = 0; r < n; r++) {
    for (let k = 0; k < dim; k++) data[r * dim + perm[k]] = axes[k][idx[k]];
    for (let k = dim - 1; k >= 0; k--) {
      if (++idx[k] < axes[k].length) break;
      idx[k] = 0;
    }
  }
  return { data, n, dim };
}

/** ‖pred − ref‖₂ / ‖ref‖₂ over all entries. */
export function relL2(pred: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (pred.length !== ref.length) {
    throw new Error(`relL2: 'pred' has ${pred.length} values but 'ref' has ${ref.length}`);
  }
  let num = 0;
  let den = 0;
  for (let i = 0; i < ref.length; i++) {
    num += (pred[i] - ref[i]) ** 2;
    den += ref[i] ** 2;
  }
  if (!(den > 0)) throw new Error(`relL2: 'ref' is identically zero`);
  return Math.sqrt(num / den);
}

/** Writes each array as `<dir>/<name>.npy` (float64 unless a Float32Array is given). */
export async function saveArrays(
  dir: string,
  arrays: Readonly<
    Record<string, { readonly data: Float64Array | Float32Array; readonly shape: readonly number[] }>
  >,
): Promise<string[]> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  await fs.mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, a] of Object.entries(arrays)) {
    const size = a.shape.reduce((x, y) => x * y, 1);
    if (size !== a.data.length) {
      throw new Error(`saveArrays: '${name}' has ${a.data.length} values for shape [${a.shape}]`);
    }
    const file = path.join(dir, `${name}.npy`);
    await writeNpyFile(file, { data: a.data, shape: a.shape });
    written.push(file);
  }
  return written;
}
