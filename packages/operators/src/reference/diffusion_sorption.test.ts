import { describe, expect, it } from 'vitest';
import { maxAbsDiff, observedOrders } from './convergence.ts';
import { PDEBENCH_DIFFUSION_SORPTION, solveDiffusionSorption } from './diffusion_sorption.ts';

describe('solveDiffusionSorption (FV + BDF2 + Newton)', () => {
  const P = PDEBENCH_DIFFUSION_SORPTION;
  const kappa = ((1 - P.porosity) / P.porosity) * P.bulkDensity * P.freundlichK;
  const R = (u: number): number => 1 + kappa * P.freundlichN * Math.abs(u + P.epsilon) ** (P.freundlichN - 1);

  it('is second order in space and time on a manufactured solution with the PDEBench retardation', () => {
    const D = 0.05;
    const ex = (x: number, t: number): number => 0.4 + 0.3 * Math.cos(2 * x) * Math.exp(-t) + 0.1 * x * t;
    const ext = (x: number, t: number): number => -0.3 * Math.cos(2 * x) * Math.exp(-t) + 0.1 * x;
    const exx = (x: number, t: number): number => -1.2 * Math.cos(2 * x) * Math.exp(-t);
    const exX = (x: number, t: number): number => -0.6 * Math.sin(2 * x) * Math.exp(-t) + 0.1 * t;
    const ns = [20, 40, 80, 160];
    const errs = ns.map((N) => {
      const x = Float64Array.from({ length: N }, (_, i) => (i + 0.5) / N);
      const sol = solveDiffusionSorption({
        diffusion: D,
        initial: x.map((xi) => ex(xi, 0)),
        tEnd: 1,
        steps: N,
        left: (t) => ex(0, t),
        right: (t) => ex(1, t) + D * exX(1, t),
        source: (xi, t) => R(ex(xi, t)) * ext(xi, t) - D * exx(xi, t),
      });
      return maxAbsDiff(
        sol.u.subarray(N),
        x.map((xi) => ex(xi, 1)),
      );
    });
    const p = observedOrders(errs, ns).map((v) => -v);
    expect(Math.min(...p)).toBeGreaterThan(1.85);
  });

  it('stays in [0, 1] with a monotone inlet profile on PDEBench data', () => {
    const N = 64;
    const sol = solveDiffusionSorption({
      initial: new Float64Array(N).fill(0.1),
      tEnd: 500,
      steps: 500,
      snapshots: 11,
    });
    const last = sol.u.subarray(10 * N);
    for (const v of sol.u) {
      expect(v).toBeGreaterThanOrEqual(-1e-9);
      expect(v).toBeLessThanOrEqual(1 + 1e-9);
    }
    // Solute enters from the left: the profile decreases in x and rose near the inlet.
    expect(last[0]).toBeGreaterThan(0.5);
    for (let i = 1; i < N; i++) expect(last[i]).toBeLessThanOrEqual(last[i - 1] + 1e-12);
    expect(() =>
      solveDiffusionSorption({ initial: new Float64Array(8), tEnd: 1, steps: 3, snapshots: 3 }),
    ).toThrow(/'snapshots'/);
  });
});
