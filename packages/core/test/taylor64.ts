/**
 * Independent float64 reference for jets: truncated multivariate Taylor polynomials in plain
 * JS. Elementary functions are composed as power series (exp, log, reciprocal, sin/cos
 * series, and an integrated series for the normal CDF), so nothing here shares the
 * derivative formulas of src/jets.
 */
export class TaylorSpace {
  readonly monomials: number[][]; // exponent vectors, total degree ≤ order
  readonly index = new Map<string, number>();
  private readonly mulTable: [number, number, number][];

  constructor(
    readonly dim: number,
    readonly order: number,
  ) {
    const monos: number[][] = [];
    const rec = (prefix: number[], left: number) => {
      if (prefix.length === dim) {
        monos.push(prefix);
        return;
      }
      for (let e = 0; e <= left; e++) rec([...prefix, e], left - e);
    };
    rec([], order);
    monos.sort((a, b) => sum(a) - sum(b));
    this.monomials = monos;
    monos.forEach((m, i) => this.index.set(m.join(','), i));
    this.mulTable = [];
    monos.forEach((a, i) =>
      monos.forEach((b, j) => {
        const c = a.map((v, k) => v + b[k]);
        if (sum(c) <= order) this.mulTable.push([i, j, this.index.get(c.join(','))!]);
      }),
    );
  }

  get size(): number {
    return this.monomials.length;
  }

  constant(c: number): Float64Array {
    const p = new Float64Array(this.size);
    p[0] = c;
    return p;
  }

  /** x_i + variable i (the input jet at a point). */
  variable(i: number, at: number): Float64Array {
    const p = this.constant(at);
    const e = new Array(this.dim).fill(0);
    e[i] = 1;
    p[this.index.get(e.join(','))!] = 1;
    return p;
  }

  add(a: Float64Array, b: Float64Array): Float64Array {
    return a.map((v, i) => v + b[i]);
  }

  scale(a: Float64Array, c: number): Float64Array {
    return a.map((v) => v * c);
  }

  mul(a: Float64Array, b: Float64Array): Float64Array {
    const out = new Float64Array(this.size);
    for (const [i, j, k] of this.mulTable) out[k] += a[i] * b[j];
    return out;
  }

  /** Σ_k c_k Q^k where Q = a − a0 (nilpotent part). */
  private series(a: Float64Array, coefs: number[]): Float64Array {
    const q = a.slice();
    q[0] = 0;
    let out = this.constant(coefs[0]);
    let pow = this.constant(1);
    for (let k = 1; k < coefs.length; k++) {
      pow = this.mul(pow, q);
      out = this.add(out, this.scale(pow, coefs[k]));
    }
    return out;
  }

  exp(a: Float64Array): Float64Array {
    const e = Math.exp(a[0]);
    const coefs = [e];
    for (let k = 1; k <= this.order; k++) coefs.push(coefs[k - 1] / k);
    return this.series(a, coefs);
  }

  recip(a: Float64Array): Float64Array {
    // 1/(a0 + q) = (1/a0) Σ (−q/a0)^k
    const coefs = Array.from({ length: this.order + 1 }, (_, k) => (-1) ** k / a[0] ** (k + 1));
    return this.series(a, coefs);
  }

  log(a: Float64Array): Float64Array {
    const coefs = [Math.log(a[0])];
    for (let k = 1; k <= this.order; k++) coefs.push((-1) ** (k + 1) / k / a[0] ** k);
    return this.series(a, coefs);
  }

  sin(a: Float64Array): Float64Array {
    // sin(a0 + q) = sin a0 cos q + cos a0 sin q with the series of cos q and sin q.
    const coefs = [];
    let fact = 1;
    for (let k = 0; k <= this.order; k++) {
      if (k > 0) fact *= k;
      const cosq = k % 2 === 0 ? (-1) ** (k / 2) / fact : 0;
      const sinq = k % 2 === 1 ? (-1) ** ((k - 1) / 2) / fact : 0;
      coefs.push(Math.sin(a[0]) * cosq + Math.cos(a[0]) * sinq);
    }
    return this.series(a, coefs);
  }

  cos(a: Float64Array): Float64Array {
    const shifted = a.slice();
    shifted[0] += Math.PI / 2;
    return this.sin(shifted);
  }

  tanh(a: Float64Array): Float64Array {
    // 1 − 2 / (exp(2a) + 1)
    const e = this.exp(this.scale(a, 2));
    return this.add(this.constant(1), this.scale(this.recip(this.add(e, this.constant(1))), -2));
  }

  sigmoid(a: Float64Array): Float64Array {
    return this.recip(this.add(this.constant(1), this.exp(this.scale(a, -1))));
  }

  softplus(a: Float64Array): Float64Array {
    return this.log(this.add(this.constant(1), this.exp(a)));
  }

  swish(a: Float64Array): Float64Array {
    return this.mul(a, this.sigmoid(a));
  }

  gaussian(a: Float64Array): Float64Array {
    return this.exp(this.scale(this.mul(a, a), -1));
  }

  /** GELU a·Φ(a), with Φ(a0 + q) = Φ(a0) + ∫₀^q φ(a0 + s) ds expanded as a series in q. */
  gelu(a: Float64Array): Float64Array {
    const a0 = a[0];
    // Univariate series of φ(a0 + s) = exp(−(a0+s)²/2)/√(2π) in one variable s.
    const u = new TaylorSpace(1, this.order);
    const s = u.variable(0, a0);
    const phi = u.scale(u.exp(u.scale(u.mul(s, s), -0.5)), 1 / Math.sqrt(2 * Math.PI));
    const coefs = [0.5 * (1 + erf(a0 / Math.SQRT2))];
    for (let k = 1; k <= this.order; k++) coefs.push(phi[k - 1] / k);
    return this.mul(a, this.series(a, coefs));
  }

  /** ∂^α of the polynomial = α! × coefficient. */
  partial(p: Float64Array, alpha: number[]): number {
    const i = this.index.get(alpha.join(','));
    if (i === undefined) throw new Error(`no monomial ${alpha}`);
    return p[i] * alpha.reduce((f, e) => f * factorial(e), 1);
  }
}

function sum(a: number[]): number {
  return a.reduce((s, v) => s + v, 0);
}

function factorial(n: number): number {
  return n <= 1 ? 1 : n * factorial(n - 1);
}

/** erf by its Maclaurin series (|x| < 3) or continued fraction for erfc; ~1e-14 here. */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3) {
    let term = ax;
    let total = ax;
    for (let n = 1; n < 200; n++) {
      term *= (-ax * ax) / n;
      const add = term / (2 * n + 1);
      total += add;
      if (Math.abs(add) < 1e-17 * Math.abs(total)) break;
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * total;
  }
  // erfc(x) = exp(−x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))) (Lentz not needed this far out)
  let f = ax;
  for (let k = 60; k >= 1; k--) f = ax + k / 2 / f;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}
