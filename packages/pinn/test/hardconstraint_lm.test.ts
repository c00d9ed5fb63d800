/**
 * Levenberg–Marquardt on problems with closed-form minimisers: Rosenbrock as residuals (zero
 * residual at (1, 1)), exponential fitting of exact data, and an inconsistent system whose
 * least-squares solution is known (non-zero residual at the optimum).
 */
import { describe, expect, it } from 'vitest';
import { cholesky, choleskySolve, levenbergMarquardt, solveSpd } from '../src/hardconstraint/lm.ts';

describe('levenbergMarquardt', () => {
  it('finds the Rosenbrock minimum (1, 1) to tolerance from (−1.2, 1)', () => {
    const res = levenbergMarquardt(
      {
        n: 2,
        m: 2,
        residual: (w, r) => {
          r[0] = 10 * (w[1] - w[0] * w[0]);
          r[1] = 1 - w[0];
        },
        jacobian: (w, J, r) => {
          r[0] = 10 * (w[1] - w[0] * w[0]);
          r[1] = 1 - w[0];
          J[0] = -20 * w[0];
          J[1] = 10;
          J[2] = -1;
          J[3] = 0;
        },
      },
      Float64Array.of(-1.2, 1),
    );
    expect(res.w[0]).toBeCloseTo(1, 10);
    expect(res.w[1]).toBeCloseTo(1, 10);
    expect(res.cost).toBeLessThan(1e-20);
    expect(['gtol', 'xtol']).toContain(res.reason);
  });

  it('fits y = a exp(b x) to exact data (a = 2, b = −1.5)', () => {
    const xs = Float64Array.from({ length: 20 }, (_, i) => i / 19);
    const ys = xs.map((x) => 2 * Math.exp(-1.5 * x));
    const f = {
      n: 2,
      m: xs.length,
      residual: (w: Float64Array, r: Float64Array) => {
        for (let i = 0; i < xs.length; i++) r[i] = w[0] * Math.exp(w[1] * xs[i]) - ys[i];
      },
      jacobian: (w: Float64Array, J: Float64Array, r: Float64Array) => {
        for (let i = 0; i < xs.length; i++) {
          const e = Math.exp(w[1] * xs[i]);
          r[i] = w[0] * e - ys[i];
          J[2 * i] = e;
          J[2 * i + 1] = w[0] * xs[i] * e;
        }
      },
    };
    const res = levenbergMarquardt(f, Float64Array.of(1, 0));
    expect(Math.abs(res.w[0] - 2)).toBeLessThan(1e-10);
    expect(Math.abs(res.w[1] + 1.5)).toBeLessThan(1e-10);
    expect(res.iterations).toBeLessThan(50);
    // lastStep / lastCostChange describe the final accepted step: the cost at w − h, minus the
    // cost at w (exact data: the last step is tiny and lowers a cost that is already ~0).
    const prev = Float64Array.from(res.w, (wk, k) => wk - res.lastStep[k]);
    const r = new Float64Array(xs.length);
    f.residual(prev, r);
    const costPrev = 0.5 * r.reduce((a, v) => a + v * v, 0);
    expect(res.lastStep.some((h) => h !== 0)).toBe(true);
    expect(res.lastCostChange).toBeGreaterThanOrEqual(0);
    expect(Math.abs(costPrev - res.cost - res.lastCostChange)).toBeLessThan(1e-14 + 1e-9 * costPrev);
  });

  it('returns the least-squares solution of an inconsistent system (non-zero residual)', () => {
    // r = [w0 + w1 − 1, w0 − w1 − 1, w0 − 3] has no exact zero; the minimiser solves the normal
    // equations 3 w0 = 5, 2 w1 = 0 (to the solver's gradient tolerance 1e-12).
    const res = levenbergMarquardt(
      {
        n: 2,
        m: 3,
        residual: (w, r) => {
          r[0] = w[0] + w[1] - 1;
          r[1] = w[0] - w[1] - 1;
          r[2] = w[0] - 3;
        },
        jacobian: (w, J, r) => {
          r[0] = w[0] + w[1] - 1;
          r[1] = w[0] - w[1] - 1;
          r[2] = w[0] - 3;
          J.set([1, 1, 1, -1, 1, 0]);
        },
      },
      Float64Array.of(0, 0),
    );
    expect(res.w[0]).toBeCloseTo(5 / 3, 10);
    expect(res.w[1]).toBeCloseTo(0, 10);
    expect(res.cost).toBeCloseTo(0.5 * ((2 / 3) ** 2 * 2 + (4 / 3) ** 2), 12);
  });

  it('names the bad argument', () => {
    const f = { n: 2, m: 1, residual: () => {}, jacobian: () => {} };
    expect(() => levenbergMarquardt(f, new Float64Array(3))).toThrow(/'w0'/);
    expect(() => levenbergMarquardt(f, new Float64Array(2), { maxIter: -1 })).toThrow(/'maxIter'/);
  });
});

describe('dense solves', () => {
  it('Cholesky solves an SPD system and solveSpd shifts a singular one', () => {
    const A = Float64Array.of(4, 2, 0.4, 2, 5, 1, 0.4, 1, 3);
    const x = Float64Array.of(1, -2, 0.5);
    const b = Float64Array.of(
      4 * 1 + 2 * -2 + 0.4 * 0.5,
      2 * 1 + 5 * -2 + 1 * 0.5,
      0.4 * 1 + 1 * -2 + 3 * 0.5,
    );
    const L = Float64Array.from(A);
    expect(cholesky(L, 3)).toBe(true);
    const y = Float64Array.from(b);
    choleskySolve(L, 3, y);
    for (let i = 0; i < 3; i++) expect(y[i]).toBeCloseTo(x[i], 12);
    const singular = Float64Array.of(1, 1, 1, 1);
    const s = solveSpd(singular, 2, Float64Array.of(2, 2));
    expect(s.shift).toBeGreaterThan(0);
    expect(s.x[0] + s.x[1]).toBeCloseTo(2, 6);
  });
});
