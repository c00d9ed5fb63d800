/**
 * Other random input functions: thresholded (piecewise-constant) fields as in the FNO Darcy
 * data, and random Chebyshev series as in DeepONet.
 */
import type { Rng } from '@pinnate/core/rng';

export interface ThresholdOptions {
  /** Level separating the two values (default 0). */
  readonly at?: number;
  /** Value where field >= at (FNO Darcy: 12). */
  readonly above: number;
  /** Value where field < at (FNO Darcy: 3). */
  readonly below: number;
}

/** Piecewise-constant field: `above` where `field >= at`, else `below`. */
export function threshold(field: Float64Array, options: ThresholdOptions): Float64Array {
  const at = options.at ?? 0;
  if (!Number.isFinite(options.above) || !Number.isFinite(options.below)) {
    throw new Error(
      `threshold: 'above' and 'below' must be finite, got ${options.above} and ${options.below}`,
    );
  }
  return field.map((v) => (v >= at ? options.above : options.below));
}

/** Evaluates Σ_{k<N} a_k T_k(x) for x in [−1, 1] by Clenshaw's recurrence (stable, O(N)). */
export function chebyshevEval(coeffs: ArrayLike<number>, x: number): number {
  let b1 = 0;
  let b2 = 0;
  for (let k = coeffs.length - 1; k >= 1; k--) {
    const b0 = coeffs[k] + 2 * x * b1 - b2;
    b2 = b1;
    b1 = b0;
  }
  return (coeffs.length > 0 ? coeffs[0] : 0) + x * b1 - b2;
}

export interface ChebyshevInputOptions {
  /** Number of terms N (degree N − 1). */
  readonly terms: number;
  /** Coefficients are uniform in [−amplitude, amplitude]. */
  readonly amplitude: number;
  /** Evaluation points; mapped from [lo, hi] to [−1, 1]. */
  readonly x: Float64Array;
  readonly domain?: readonly [number, number];
}

/** A random Chebyshev series u(x) = Σ a_k T_k(ξ(x)), a_k ~ U[−M, M] (DeepONet's "Chebyshev" inputs). */
export function chebyshevRandom(
  rng: Rng,
  options: ChebyshevInputOptions,
): { coeffs: Float64Array; values: Float64Array } {
  const { terms, amplitude, x } = options;
  if (!Number.isInteger(terms) || terms < 1)
    throw new Error(`chebyshevRandom: 'terms' must be a positive integer, got ${terms}`);
  if (!(amplitude >= 0)) throw new Error(`chebyshevRandom: 'amplitude' must be >= 0, got ${amplitude}`);
  const [lo, hi] = options.domain ?? [0, 1];
  if (!(hi > lo)) throw new Error(`chebyshevRandom: 'domain' must have hi > lo, got [${lo}, ${hi}]`);
  const coeffs = rng.fillUniform(new Float64Array(terms), -amplitude, amplitude);
  const values = x.map((xi) => chebyshevEval(coeffs, (2 * (xi - lo)) / (hi - lo) - 1));
  return { coeffs, values };
}
