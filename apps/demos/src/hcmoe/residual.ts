/**
 * Diffusion–sorption's PDE residual as a pointwise function of the channels (u, u_τ, u_xx) for
 * the hard-constraint layer, in normalised time τ = t / T:
 *   f = u_τ − T·D / R(u) · u_xx,   R(u) = 1 + κ n_f (u⁺ + ε)^(n_f − 1),   κ = (1−φ)/φ ρ_s k,
 * with the paper code's guard: R uses ε^(n_f−1) where u ≤ 0 (R' = 0 there).
 * params = [T·D, κ n_f, n_f, ε].
 */
import type { PointwiseResidual } from '@pinnate/pinn';

export const DIFFUSION_SORPTION_RESIDUAL: PointwiseResidual = {
  name: 'DIFFUSION_SORPTION_RESIDUAL',
  module: import.meta.url,
  channels: 3,
  auxWidth: 0,
  evaluate(v, params, _aux, _off, grad, hess) {
    const a = params[0];
    const kn = params[1];
    const nf = params[2];
    const eps = params[3];
    const u = v[0];
    const pos = u > 0;
    const base = pos ? u + eps : eps;
    const R = 1 + kn * base ** (nf - 1);
    const R1 = pos ? kn * (nf - 1) * base ** (nf - 2) : 0;
    const R2 = pos ? kn * (nf - 1) * (nf - 2) * base ** (nf - 3) : 0;
    const uxx = v[2];
    grad[0] = (a * uxx * R1) / (R * R);
    grad[1] = 1;
    grad[2] = -a / R;
    if (hess) {
      hess.fill(0);
      hess[0] = a * uxx * (R2 / (R * R) - (2 * R1 * R1) / (R * R * R));
      hess[2] = (a * R1) / (R * R);
      hess[6] = hess[2];
    }
    return v[1] - (a * uxx) / R;
  },
};

// Scratch for the shifted channels (evaluate is called per row in the LM's inner loop).
const SHIFTED = new Float64Array(3);

/**
 * The same residual at u = v + a, where the per-point aux a = (g, g_τ, g_xx) is a fixed field
 * added to the basis expansion — the particular solution that carries the initial and boundary
 * values when they are built into the ansatz (`--constraint ansatz`). aux = [g, g_τ, g_xx].
 */
export const DIFFUSION_SORPTION_OFFSET_RESIDUAL: PointwiseResidual = {
  name: 'DIFFUSION_SORPTION_OFFSET_RESIDUAL',
  module: import.meta.url,
  channels: 3,
  auxWidth: 3,
  evaluate(v, params, aux, off, grad, hess) {
    const shifted = SHIFTED;
    for (let c = 0; c < 3; c++) shifted[c] = v[c] + aux[off + c];
    return DIFFUSION_SORPTION_RESIDUAL.evaluate(shifted, params, aux, off, grad, hess);
  },
};
