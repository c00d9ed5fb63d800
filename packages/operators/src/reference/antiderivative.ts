/**
 * Antiderivative s(x) = ∫_{x_0}^{x} u(t) dt on a uniform grid (DeepONet's first operator).
 *
 * `trapezoid` is second order; `cubic` integrates, on each cell, the cubic through the four
 * nearest samples (one-sided at the ends), which is fourth order for smooth u.
 */
export type AntiderivativeMethod = 'trapezoid' | 'cubic';

export function antiderivative(
  u: Float64Array,
  options: { readonly h: number; readonly method?: AntiderivativeMethod },
): Float64Array {
  const { h } = options;
  const method = options.method ?? 'cubic';
  const n = u.length;
  if (!(h > 0)) throw new Error(`antiderivative: 'h' must be positive, got ${h}`);
  if (n < 1) throw new Error("antiderivative: 'u' must not be empty");
  const s = new Float64Array(n);
  switch (method) {
    case 'trapezoid':
      for (let j = 1; j < n; j++) s[j] = s[j - 1] + (h * (u[j - 1] + u[j])) / 2;
      return s;
    case 'cubic': {
      if (n < 4)
        throw new Error(`antiderivative: method 'cubic' needs at least 4 samples, got ${n}; use 'trapezoid'`);
      for (let j = 0; j < n - 1; j++) {
        let cell: number;
        if (j === 0) cell = 9 * u[0] + 19 * u[1] - 5 * u[2] + u[3];
        else if (j === n - 2) cell = u[n - 4] - 5 * u[n - 3] + 19 * u[n - 2] + 9 * u[n - 1];
        else cell = -u[j - 1] + 13 * u[j] + 13 * u[j + 1] - u[j + 2];
        s[j + 1] = s[j] + (h * cell) / 24;
      }
      return s;
    }
    default: {
      const never: never = method;
      throw new Error(
        `antiderivative: 'method' must be 'trapezoid' or 'cubic', got ${JSON.stringify(never)}`,
      );
    }
  }
}
