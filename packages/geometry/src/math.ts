/**
 * Inverse of the standard normal CDF (Acklam's rational approximation, relative error
 * < 1.2e-9). Used to turn unit-cube points into Gaussian directions, which keeps
 * quasi-random structure when sampling balls and spheres. `u` is clamped away from 0 and 1 so
 * the Sobol point at the origin maps to a finite value.
 */
export function normalInv(u: number): number {
  const p = Math.min(Math.max(u, 1e-300), 1 - 2 ** -53);
  const a1 = -39.69683028665376;
  const a2 = 220.9460984245205;
  const a3 = -275.9285104469687;
  const a4 = 138.357751867269;
  const a5 = -30.66479806614716;
  const a6 = 2.506628277459239;
  const b1 = -54.47609879822406;
  const b2 = 161.5858368580409;
  const b3 = -155.6989798598866;
  const b4 = 66.80131188771972;
  const b5 = -13.28068155288572;
  const c1 = -0.007784894002430293;
  const c2 = -0.3223964580411365;
  const c3 = -2.400758277161838;
  const c4 = -2.549732539343734;
  const c5 = 4.374664141464968;
  const c6 = 2.938163982698783;
  const d1 = 0.007784695709041462;
  const d2 = 0.3224671290700398;
  const d3 = 2.445134137142996;
  const d4 = 3.754408661907416;
  const lowCut = 0.02425;
  if (p < lowCut) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c1 * q + c2) * q + c3) * q + c4) * q + c5) * q + c6) /
      ((((d1 * q + d2) * q + d3) * q + d4) * q + 1)
    );
  }
  if (p > 1 - lowCut) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return (
      -(((((c1 * q + c2) * q + c3) * q + c4) * q + c5) * q + c6) /
      ((((d1 * q + d2) * q + d3) * q + d4) * q + 1)
    );
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a1 * r + a2) * r + a3) * r + a4) * r + a5) * r + a6) * q) /
    (((((b1 * r + b2) * r + b3) * r + b4) * r + b5) * r + 1)
  );
}

/** Normalises `v[o .. o+dim)` in place; a zero vector becomes the first axis (a defined answer). */
export function normalizeInPlace(v: Float64Array, o: number, dim: number): void {
  let s = 0;
  for (let j = 0; j < dim; j++) s += v[o + j] * v[o + j];
  if (s === 0 || !Number.isFinite(s)) {
    for (let j = 0; j < dim; j++) v[o + j] = j === 0 ? 1 : 0;
    return;
  }
  const inv = 1 / Math.sqrt(s);
  for (let j = 0; j < dim; j++) v[o + j] *= inv;
}

/** `lgamma`-free volume of the unit d-ball: pi^(d/2) / Gamma(d/2 + 1), by the recurrence V_d = V_{d-2} 2 pi / d. */
export function unitBallVolume(d: number): number {
  let v = d % 2 === 0 ? 1 : 2;
  for (let k = d % 2 === 0 ? 2 : 3; k <= d; k += 2) v *= (2 * Math.PI) / k;
  return v;
}
