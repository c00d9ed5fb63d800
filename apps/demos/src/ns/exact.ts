/**
 * Closed-form incompressible Navier–Stokes solutions (float64), used as references the
 * networks never see except through boundary/initial data. Both are checked against the
 * equations by finite differences in `test/ns_exact.test.ts`.
 *
 * Equations (density 1, viscosity ν = 1/Re):
 *   u_t + u u_x + v u_y + p_x − ν Δu = 0,   v_t + u v_x + v v_y + p_y − ν Δv = 0,   u_x + v_y = 0.
 */

/** The Kovasznay (1948) flow's decay rate λ = Re/2 − sqrt(Re²/4 + 4π²) (< 0). */
export function kovasznayLambda(re: number): number {
  checkRe(re, 'kovasznayLambda');
  return re / 2 - Math.sqrt((re * re) / 4 + 4 * Math.PI * Math.PI);
}

/**
 * Kovasznay flow, the steady wake behind a grid:
 *   u = 1 − e^{λx} cos 2πy,   v = λ/(2π) e^{λx} sin 2πy,   p = (1 − e^{2λx}) / 2.
 */
export function kovasznay(re: number, x: number, y: number): { u: number; v: number; p: number } {
  const lam = kovasznayLambda(re);
  const e = Math.exp(lam * x);
  return {
    u: 1 - e * Math.cos(2 * Math.PI * y),
    v: (lam / (2 * Math.PI)) * e * Math.sin(2 * Math.PI * y),
    p: 0.5 * (1 - Math.exp(2 * lam * x)),
  };
}

/** The Kovasznay fields as mathjs expressions of x, y (constant `lam` must be defined). */
export const KOVASZNAY_EXPRESSIONS = {
  u: '1 - exp(lam*x)*cos(2*pi*y)',
  v: 'lam/(2*pi)*exp(lam*x)*sin(2*pi*y)',
  p: '0.5*(1 - exp(2*lam*x))',
} as const;

/**
 * The 2-D Taylor–Green vortex on the periodic square [0, 2π]²:
 *   u = −cos x sin y e^{−2νt},   v = sin x cos y e^{−2νt},   p = −(cos 2x + cos 2y) e^{−4νt} / 4.
 */
export function taylorGreen(
  re: number,
  x: number,
  y: number,
  t: number,
): { u: number; v: number; p: number } {
  checkRe(re, 'taylorGreen');
  const nu = 1 / re;
  const f = Math.exp(-2 * nu * t);
  return {
    u: -Math.cos(x) * Math.sin(y) * f,
    v: Math.sin(x) * Math.cos(y) * f,
    p: (-(Math.cos(2 * x) + Math.cos(2 * y)) * f * f) / 4,
  };
}

export function checkRe(re: number, op: string): void {
  if (!(Number.isFinite(re) && re > 0)) throw new Error(`${op}: 're' must be a positive number, got ${re}`);
}
