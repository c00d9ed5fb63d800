/**
 * Thomas algorithm for tridiagonal systems (no pivoting: the callers' matrices are
 * diagonally dominant M-matrices from implicit diffusion steps).
 */
export function solveTridiagonal(
  lower: Float64Array,
  diag: Float64Array,
  upper: Float64Array,
  rhs: Float64Array,
  out: Float64Array = new Float64Array(diag.length),
  scratch: Float64Array = new Float64Array(diag.length),
): Float64Array {
  const n = diag.length;
  // lower[i] couples row i to i−1 (lower[0] unused); upper[i] couples row i to i+1.
  let beta = diag[0];
  if (beta === 0) throw new Error('solveTridiagonal: zero pivot in row 0');
  out[0] = rhs[0] / beta;
  for (let i = 1; i < n; i++) {
    scratch[i] = upper[i - 1] / beta;
    beta = diag[i] - lower[i] * scratch[i];
    if (beta === 0) throw new Error(`solveTridiagonal: zero pivot in row ${i}`);
    out[i] = (rhs[i] - lower[i] * out[i - 1]) / beta;
  }
  for (let i = n - 2; i >= 0; i--) out[i] -= scratch[i + 1] * out[i + 1];
  return out;
}
