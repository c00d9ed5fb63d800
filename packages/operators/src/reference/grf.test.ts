import { Rng } from '@pinnate/core/rng';
import { describe, expect, it } from 'vitest';
import { Grf1d, Grf2d, type GrfOptions } from './grf.ts';
import { chebyshevEval, chebyshevRandom, threshold } from './inputs.ts';

/** Exact covariance of a linear sampler: A Aᵀ from the images of unit vectors. */
function samplerCovariance(
  s: { xiLength: number; synthesize(xi: Float64Array): Float64Array },
  size: number,
): Float64Array {
  const cov = new Float64Array(size * size);
  const xi = new Float64Array(s.xiLength);
  for (let k = 0; k < s.xiLength; k++) {
    xi.fill(0);
    xi[k] = 1;
    const col = s.synthesize(xi);
    for (let i = 0; i < size; i++) {
      if (col[i] === 0) continue;
      for (let j = 0; j < size; j++) cov[i * size + j] += col[i] * col[j];
    }
  }
  return cov;
}

describe('Grf1d', () => {
  it('free squared exponential reproduces the kernel exactly (circulant embedding)', () => {
    const g = new Grf1d({
      n: 24,
      boundary: 'free',
      covariance: { kind: 'squaredExponential', lengthScale: 0.2, variance: 2 },
    });
    expect(g.embeddingClipped).toBeLessThan(1e-13);
    const cov = samplerCovariance(g, 24);
    let err = 0;
    for (let i = 0; i < 24; i++) {
      for (let j = 0; j < 24; j++) {
        const r = g.x[i] - g.x[j];
        err = Math.max(err, Math.abs(cov[i * 24 + j] - 2 * Math.exp(-(r * r) / 0.08)));
      }
    }
    expect(err).toBeLessThan(1e-10);
  });

  it('periodic squared exponential equals the periodised kernel', () => {
    const g = new Grf1d({
      n: 20,
      boundary: 'periodic',
      covariance: { kind: 'squaredExponential', lengthScale: 0.3 },
    });
    const cov = samplerCovariance(g, 20);
    const k = (r: number): number => {
      let s = 0;
      for (let w = -6; w <= 6; w++) s += Math.exp(-((r + w) ** 2) / (2 * 0.09));
      return s;
    };
    let err = 0;
    for (let i = 0; i < 20; i++)
      for (let j = 0; j < 20; j++) err = Math.max(err, Math.abs(cov[i * 20 + j] - k(g.x[i] - g.x[j])));
    expect(err).toBeLessThan(1e-10);
  });

  it('inverse-Laplacian fields match their Fourier / cosine KL sums', () => {
    const cases: GrfOptions[] = [
      {
        n: 16,
        boundary: 'periodic',
        covariance: { kind: 'inverseLaplacian', alpha: 2, tau: 5, sigma: 25 },
        length: 2,
      },
      {
        n: 13,
        boundary: 'neumann',
        covariance: { kind: 'inverseLaplacian', alpha: 2, tau: 3, sigma: 3 },
        zeroMean: true,
      },
    ];
    for (const o of cases) {
      const g = new Grf1d(o);
      const cov = samplerCovariance(g, o.n);
      const L = o.length ?? 1;
      const c = o.covariance as { alpha: number; tau: number; sigma: number };
      const direct = (xi: number, xj: number): number => {
        let s = 0;
        if (o.boundary === 'periodic') {
          for (let k = -Math.floor((o.n - 1) / 2); k <= o.n / 2; k++) {
            if (k === 0 && o.zeroMean) continue;
            const ev = c.sigma ** 2 * (((2 * Math.PI * k) / L) ** 2 + c.tau ** 2) ** -c.alpha;
            s += (ev / L) * Math.cos((2 * Math.PI * k * (xi - xj)) / L);
          }
        } else {
          for (let k = o.zeroMean ? 1 : 0; k < o.n; k++) {
            const ev = c.sigma ** 2 * (((k * Math.PI) / L) ** 2 + c.tau ** 2) ** -c.alpha;
            s +=
              ((ev * (k === 0 ? 1 : 2)) / L) *
              Math.cos((k * Math.PI * xi) / L) *
              Math.cos((k * Math.PI * xj) / L);
          }
        }
        return s;
      };
      let err = 0;
      let scale = 0;
      for (let i = 0; i < o.n; i++) {
        for (let j = 0; j < o.n; j++) {
          const d = direct(g.x[i], g.x[j]);
          scale = Math.max(scale, Math.abs(d));
          err = Math.max(err, Math.abs(cov[i * o.n + j] - d));
        }
      }
      expect(err / scale).toBeLessThan(1e-12);
    }
  });

  it('sample variance converges to the kernel at the Monte Carlo rate M^-1/2', () => {
    const g = new Grf1d({
      n: 32,
      boundary: 'free',
      covariance: { kind: 'squaredExponential', lengthScale: 0.2 },
    });
    const rng = new Rng(7);
    const errAt = (M: number): number => {
      let e = 0;
      // Average over 8 independent batches so the slope estimate is not one noisy draw.
      for (let b = 0; b < 8; b++) {
        let s = 0;
        for (let m = 0; m < M; m++) s += g.sample(rng)[10] ** 2;
        e += Math.abs(s / M - 1);
      }
      return e / 8;
    };
    const e1 = errAt(100);
    const e2 = errAt(1600);
    const order = Math.log(e1 / e2) / Math.log(16);
    expect(order).toBeGreaterThan(0.3);
    expect(order).toBeLessThan(0.8);
  });

  it('same seed gives the same field; bad options name the argument', () => {
    const g = new Grf1d({
      n: 50,
      boundary: 'periodic',
      covariance: { kind: 'inverseLaplacian', alpha: 2, tau: 5, sigma: 25 },
    });
    expect(Array.from(g.sample(new Rng(3)))).toEqual(Array.from(g.sample(new Rng(3))));
    expect(
      () =>
        new Grf1d({ n: 1, boundary: 'periodic', covariance: { kind: 'squaredExponential', lengthScale: 1 } }),
    ).toThrow(/'n'/);
    expect(
      () =>
        new Grf1d({ n: 8, boundary: 'neumann', covariance: { kind: 'squaredExponential', lengthScale: 1 } }),
    ).toThrow(/'neumann' needs covariance 'inverseLaplacian'/);
    expect(
      () =>
        new Grf1d({ n: 8, boundary: 'free', covariance: { kind: 'squaredExponential', lengthScale: -1 } }),
    ).toThrow(/lengthScale/);
  });
});

describe('Grf2d', () => {
  it('free squared exponential in 2-D reproduces the isotropic kernel', () => {
    const n = 6;
    const g = new Grf2d({
      n,
      boundary: 'free',
      covariance: { kind: 'squaredExponential', lengthScale: 0.4, variance: 1.5 },
    });
    const cov = samplerCovariance(g, n * n);
    let err = 0;
    for (let a = 0; a < n * n; a++) {
      for (let b = 0; b < n * n; b++) {
        const r2 = (g.x[Math.floor(a / n)] - g.x[Math.floor(b / n)]) ** 2 + (g.x[a % n] - g.x[b % n]) ** 2;
        err = Math.max(err, Math.abs(cov[a * n * n + b] - 1.5 * Math.exp(-r2 / 0.32)));
      }
    }
    expect(err).toBeLessThan(1e-9);
  });

  it('Neumann and periodic inverse-Laplacian variances match the KL sums', () => {
    const n = 9;
    const gn = new Grf2d({
      n,
      boundary: 'neumann',
      covariance: { kind: 'inverseLaplacian', alpha: 2, tau: 3, sigma: 3 },
    });
    const cov = samplerCovariance(gn, n * n);
    // Corner (0,0): every cosine is 1 there, so Var = Σ λ_k · norm².
    let v = 0;
    for (let ky = 0; ky < n; ky++) {
      for (let kx = 0; kx < n; kx++)
        v += 9 * (Math.PI ** 2 * (kx * kx + ky * ky) + 9) ** -2 * (ky ? 2 : 1) * (kx ? 2 : 1);
    }
    expect(Math.abs(cov[0] - v) / v).toBeLessThan(1e-12);
    const gp = new Grf2d({
      n: 8,
      boundary: 'periodic',
      covariance: { kind: 'inverseLaplacian', alpha: 2.5, tau: 7, sigma: 2 },
    });
    const cp = samplerCovariance(gp, 64);
    let vp = 0;
    for (let ky = -3; ky <= 4; ky++)
      for (let kx = -3; kx <= 4; kx++) vp += 4 * (4 * Math.PI ** 2 * (kx * kx + ky * ky) + 49) ** -2.5;
    for (const i of [0, 9, 63]) expect(Math.abs(cp[i * 64 + i] - vp) / vp).toBeLessThan(1e-12);
  });
});

describe('inputs', () => {
  it('Clenshaw evaluates T_k(cos θ) = cos kθ', () => {
    for (const k of [0, 1, 5, 12]) {
      const a = new Float64Array(k + 1);
      a[k] = 1;
      for (const th of [0.1, 1.3, 2.9])
        expect(chebyshevEval(a, Math.cos(th))).toBeCloseTo(Math.cos(k * th), 12);
    }
    const x = Float64Array.from([0, 0.5, 1]);
    const { coeffs, values } = chebyshevRandom(new Rng(1), { terms: 4, amplitude: 1, x });
    expect(Math.max(...Array.from(coeffs, Math.abs))).toBeLessThanOrEqual(1);
    // x = 1 maps to ξ = 1 where every T_k = 1.
    expect(values[2]).toBeCloseTo(
      coeffs.reduce((s, c) => s + c, 0),
      12,
    );
  });

  it('threshold gives a two-valued field', () => {
    expect(Array.from(threshold(Float64Array.from([-1, 0, 2]), { above: 12, below: 3 }))).toEqual([
      3, 12, 12,
    ]);
  });
});
