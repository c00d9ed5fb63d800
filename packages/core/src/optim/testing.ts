/** Test helpers for the optimizer suites (not exported from the package). */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { Rng } from '../rng.ts';
import type { Evaluation } from './lbfgs.ts';

/** Every backend the optimizers must work on in Node. */
export const NODE_BACKENDS = ['cpu', 'wasm'] as const;

export async function useBackend(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`could not initialise tfjs backend '${name}'`);
  await tf.ready();
}

/** Max |a - b| / max(|b|, floor) over all entries. */
export function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-30): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), floor));
  return e;
}

/** Chained Rosenbrock: sum_i 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2, minimum 0 at (1, ..., 1). */
export function rosenbrock(x: Float64Array): Evaluation {
  const n = x.length;
  const grad = new Float64Array(n);
  let value = 0;
  for (let i = 0; i + 1 < n; i++) {
    const a = x[i + 1] - x[i] * x[i];
    const b = 1 - x[i];
    value += 100 * a * a + b * b;
    grad[i] += -400 * a * x[i] - 2 * b;
    grad[i + 1] += 200 * a;
  }
  return { value, grad };
}

/** Standard start (-1.2, 1, -1.2, 1, ...). */
export const rosenStart = (n: number) => Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1));

/** Least squares 0.5 |A x - b|^2 with a seeded random A (rows x cols) and b. */
export function leastSquares(rows: number, cols: number, seed: number) {
  const rng = new Rng(seed);
  const A = Array.from({ length: rows }, () => Array.from({ length: cols }, () => rng.normal()));
  const b = Array.from({ length: rows }, () => rng.normal() * 3);
  const fg = (x: Float64Array): Evaluation => {
    const grad = new Float64Array(cols);
    let value = 0;
    for (let r = 0; r < rows; r++) {
      let res = -b[r];
      for (let c = 0; c < cols; c++) res += A[r][c] * x[c];
      value += 0.5 * res * res;
      for (let c = 0; c < cols; c++) grad[c] += res * A[r][c];
    }
    return { value, grad };
  };
  // Closed form: normal equations A^T A x = A^T b by Gaussian elimination with partial pivoting.
  const M = Array.from({ length: cols }, (_, i) =>
    Array.from({ length: cols + 1 }, (_, j) => {
      let s = 0;
      for (let r = 0; r < rows; r++) s += A[r][i] * (j < cols ? A[r][j] : b[r]);
      return s;
    }),
  );
  for (let k = 0; k < cols; k++) {
    let p = k;
    for (let i = k + 1; i < cols; i++) if (Math.abs(M[i][k]) > Math.abs(M[p][k])) p = i;
    [M[k], M[p]] = [M[p], M[k]];
    for (let i = k + 1; i < cols; i++) {
      const f = M[i][k] / M[k][k];
      for (let j = k; j <= cols; j++) M[i][j] -= f * M[k][j];
    }
  }
  const xStar = new Float64Array(cols);
  for (let i = cols - 1; i >= 0; i--) {
    let s = M[i][cols];
    for (let j = i + 1; j < cols; j++) s -= M[i][j] * xStar[j];
    xStar[i] = s / M[i][i];
  }
  return { A, b, fg, xStar };
}
