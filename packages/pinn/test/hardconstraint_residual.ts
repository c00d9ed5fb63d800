/**
 * A residual shaped like diffusion–sorption's u_t − D/R(u) u_xx for the hard-constraint tests:
 * f(v) = v1 − p0 · v2 / (1 + v0²) − aux, with exact first and second derivatives.
 */
import type { PointwiseResidual } from '../src/index.ts';

export const TOY_RESIDUAL: PointwiseResidual = {
  name: 'TOY_RESIDUAL',
  module: import.meta.url,
  channels: 3,
  auxWidth: 1,
  evaluate(v, params, aux, off, grad, hess) {
    const p0 = params[0];
    const R = 1 + v[0] * v[0];
    grad[0] = (p0 * v[2] * 2 * v[0]) / (R * R);
    grad[1] = 1;
    grad[2] = -p0 / R;
    if (hess) {
      hess.fill(0);
      hess[0] = (p0 * v[2] * (2 * R - 8 * v[0] * v[0])) / (R * R * R);
      hess[2] = (2 * p0 * v[0]) / (R * R);
      hess[6] = hess[2];
    }
    return v[1] - (p0 * v[2]) / R - aux[off];
  },
};
