import { Rng } from '@pinnate/core/rng';
import { describe, expect, it } from 'vitest';
import { antiderivative } from './antiderivative.ts';
import { maxAbsDiff, observedOrders } from './convergence.ts';
import { DEEPONET_GRF, Grf1d } from './grf.ts';
import { diffusionReaction1d, fisherKpp1d, solveReactionDiffusion1d } from './reaction_diffusion.ts';

describe('antiderivative', () => {
  it('trapezoid is second order and cubic fourth order on exp(sin 3x)', () => {
    const u = (x: number): number => Math.exp(Math.sin(3 * x)) * 3 * Math.cos(3 * x);
    const s = (x: number): number => Math.exp(Math.sin(3 * x)) - 1;
    const ns = [21, 41, 81, 161];
    for (const [method, expected] of [
      ['trapezoid', 2],
      ['cubic', 4],
    ] as const) {
      const errs = ns.map((n) => {
        const h = 1 / (n - 1);
        const x = Float64Array.from({ length: n }, (_, j) => j * h);
        return maxAbsDiff(antiderivative(x.map(u), { h, method }), x.map(s));
      });
      const p = observedOrders(
        errs,
        ns.map((n) => 1 / (n - 1)),
      );
      expect(p.at(-1)!).toBeGreaterThan(expected - 0.15);
      expect(p.at(-1)!).toBeLessThan(expected + 0.3);
    }
  });
});

describe('reaction–diffusion (Crank–Nicolson + Newton)', () => {
  it('diffusion–reaction with k s² is second order on a manufactured solution', () => {
    // s = sin(πx) sin(t) + x(1−x) t² solves s_t = D s_xx + k s² + f for the f below.
    const D = 0.05;
    const k = 0.7;
    const s = (x: number, t: number): number => Math.sin(Math.PI * x) * Math.sin(t) + x * (1 - x) * t * t;
    const st = (x: number, t: number): number => Math.sin(Math.PI * x) * Math.cos(t) + 2 * x * (1 - x) * t;
    const sxx = (x: number, t: number): number =>
      -(Math.PI ** 2) * Math.sin(Math.PI * x) * Math.sin(t) - 2 * t * t;
    const f = (x: number, t: number): number => st(x, t) - D * sxx(x, t) - k * s(x, t) ** 2;
    const ns = [11, 21, 41, 81];
    const errs = ns.map((nx) => {
      const sol = solveReactionDiffusion1d(
        {
          diffusion: D,
          reaction: (v) => k * v * v,
          reactionDerivative: (v) => 2 * k * v,
          source: f,
          initial: () => 0,
          tEnd: 1,
        },
        { nx, steps: nx - 1 },
      );
      return maxAbsDiff(
        sol.u.subarray(nx),
        sol.x.map((x) => s(x, 1)),
      );
    });
    const p = observedOrders(errs, ns);
    expect(Math.min(...p.map((v) => -v))).toBeGreaterThan(1.9);
    expect(errs.at(-1)!).toBeLessThan(1e-4);
  });

  it('Fisher–KPP matches the Ablowitz–Zeppetella travelling wave at second order', () => {
    const D = 1;
    const r = 1;
    const exact = (x: number, t: number): number =>
      (1 + Math.exp(Math.sqrt(r / (6 * D)) * x - (5 * r * t) / 6)) ** -2;
    const ns = [26, 51, 101, 201];
    const errs = ns.map((nx) => {
      const sol = fisherKpp1d(
        {
          diffusion: D,
          rate: r,
          initial: (x) => exact(x, 0),
          left: (t) => exact(-10, t),
          right: (t) => exact(10, t),
          domain: [-10, 10],
          tEnd: 2,
        },
        { nx, steps: 2 * (nx - 1) },
      );
      return maxAbsDiff(
        sol.u.subarray(nx),
        sol.x.map((x) => exact(x, 2)),
      );
    });
    const p = observedOrders(errs, ns).map((v) => -v);
    expect(Math.min(...p)).toBeGreaterThan(1.9);
  });

  it('Fisher–KPP with a source is second order (manufactured)', () => {
    const ex = (x: number, t: number): number => 0.5 + 0.4 * Math.sin(2 * Math.PI * x) * Math.exp(-t);
    const D = 0.1;
    const rate = 2;
    const f = (x: number, t: number): number => {
      const u = ex(x, t);
      const ut = -0.4 * Math.sin(2 * Math.PI * x) * Math.exp(-t);
      const uxx = -0.4 * (2 * Math.PI) ** 2 * Math.sin(2 * Math.PI * x) * Math.exp(-t);
      return ut - D * uxx - rate * u * (1 - u);
    };
    const ns = [21, 41, 81];
    const errs = ns.map((nx) => {
      const sol = fisherKpp1d(
        {
          diffusion: D,
          rate,
          source: f,
          initial: (x) => ex(x, 0),
          left: () => 0.5,
          right: () => 0.5,
          tEnd: 1,
        },
        { nx, steps: nx - 1, snapshots: 3 },
      );
      return maxAbsDiff(
        sol.u.subarray(2 * nx),
        sol.x.map((x) => ex(x, 1)),
      );
    });
    expect(Math.min(...observedOrders(errs, ns).map((v) => -v))).toBeGreaterThan(1.9);
  });

  it("DeepONet's diffusion–reaction runs on a GRF source and is reproducible", () => {
    const g = new Grf1d({ n: 51, boundary: 'free', covariance: DEEPONET_GRF });
    const src = g.sample(new Rng(0));
    const a = diffusionReaction1d(src);
    expect(a.u.length).toBe(51 * 51);
    expect(Array.from(a.u)).toEqual(Array.from(diffusionReaction1d(src).u));
    expect(Number.isFinite(a.u[51 * 51 - 26])).toBe(true);
    expect(() =>
      solveReactionDiffusion1d(
        { diffusion: 1, initial: () => 0, tEnd: 1 },
        { nx: 11, steps: 10, snapshots: 4 },
      ),
    ).toThrow(/'snapshots'/);
  });
});
