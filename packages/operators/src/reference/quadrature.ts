/**
 * Gauss–Hermite rule for ∫ e^{−z²} g(z) dz by Golub–Welsch: the nodes are the eigenvalues of
 * the symmetric tridiagonal Jacobi matrix (off-diagonal √(j/2)) and the weights √π v₀², with v₀
 * the first eigenvector components. Implicit QL keeps this stable for hundreds of nodes, where
 * Newton iteration from asymptotic guesses silently lands on duplicate roots.
 */
export function gaussHermite(n: number): { nodes: Float64Array; weights: Float64Array } {
  if (!Number.isInteger(n) || n < 1 || n > 2000)
    throw new Error(`gaussHermite: 'n' must be an integer in [1, 2000], got ${n}`);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  for (let j = 0; j < n - 1; j++) e[j] = Math.sqrt((j + 1) / 2);
  const z = new Float64Array(n);
  z[0] = 1;
  for (let l = 0; l < n; l++) {
    let iter = 0;
    let m: number;
    do {
      for (m = l; m < n - 1; m++) {
        const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
        if (Math.abs(e[m]) <= Number.EPSILON * dd) break;
      }
      if (m !== l) {
        if (iter++ === 60) throw new Error(`gaussHermite: QL iteration did not converge for n = ${n}`);
        let g = (d[l + 1] - d[l]) / (2 * e[l]);
        let r = Math.hypot(g, 1);
        g = d[m] - d[l] + e[l] / (g + (g >= 0 ? Math.abs(r) : -Math.abs(r)));
        let s = 1;
        let c = 1;
        let p = 0;
        let i: number;
        let underflow = false;
        for (i = m - 1; i >= l; i--) {
          let f = s * e[i];
          const b = c * e[i];
          r = Math.hypot(f, g);
          e[i + 1] = r;
          if (r === 0) {
            d[i + 1] -= p;
            e[m] = 0;
            underflow = true;
            break;
          }
          s = f / r;
          c = g / r;
          g = d[i + 1] - p;
          r = (d[i] - g) * s + 2 * c * b;
          p = s * r;
          d[i + 1] = g + p;
          g = c * r - b;
          f = z[i + 1];
          z[i + 1] = s * z[i] + c * f;
          z[i] = c * z[i] - s * f;
        }
        if (underflow) continue;
        d[l] -= p;
        e[l] = g;
        e[m] = 0;
      }
    } while (m !== l);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => d[a] - d[b]);
  const sqrtPi = Math.sqrt(Math.PI);
  return {
    nodes: Float64Array.from(order, (i) => d[i]),
    weights: Float64Array.from(order, (i) => sqrtPi * z[i] * z[i]),
  };
}
