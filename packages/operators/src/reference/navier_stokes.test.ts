import { Rng } from '@pinnate/core/rng';
import { describe, expect, it } from 'vitest';
import { maxAbsDiff, observedOrders } from './convergence.ts';
import { FNO_NS_GRF, Grf2d } from './grf.ts';
import { fnoForcing, solveNavierStokes2d } from './navier_stokes.ts';

function field(n: number, f: (x: number, y: number) => number): Float64Array {
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) w[i * n + j] = f(j / n, i / n);
  return w;
}

describe('solveNavierStokes2d (pseudo-spectral, CN + Heun)', () => {
  it('reproduces Taylor–Green decay at second order in time', () => {
    // A sum of modes with one |k|: J(ψ, w) = 0 exactly, so w decays like e^{−ν|k|²t}.
    const n = 16;
    const nu = 0.05;
    const tg = (x: number, y: number): number =>
      Math.sin(2 * Math.PI * x) * Math.sin(2 * Math.PI * y) +
      0.5 * Math.cos(2 * Math.PI * x) * Math.cos(2 * Math.PI * y);
    const w0 = field(n, tg);
    const decay = Math.exp(-nu * 8 * Math.PI ** 2 * 1);
    const stepsList = [5, 10, 20, 40];
    const errs = stepsList.map((steps) => {
      const r = solveNavierStokes2d({ viscosity: nu, initial: w0, tEnd: 1, steps });
      return maxAbsDiff(
        r.w.subarray(n * n),
        w0.map((v) => v * decay),
      );
    });
    const p = observedOrders(errs, stepsList).map((v) => -v);
    expect(Math.min(...p)).toBeGreaterThan(1.9);
    expect(errs.at(-1)!).toBeLessThan(1e-4);
  });

  it('is second order in time with advection and FNO forcing (self-convergence), and keeps zero mean', () => {
    const n = 32;
    const g = new Grf2d({ n, boundary: 'periodic', covariance: FNO_NS_GRF, zeroMean: true });
    const w0 = g.sample(new Rng(5));
    const f = fnoForcing(n);
    const run = (steps: number): Float64Array =>
      solveNavierStokes2d({ viscosity: 1e-3, initial: w0, forcing: f, tEnd: 1, steps }).w.subarray(n * n);
    const w = [25, 50, 100, 200].map(run);
    const d = [maxAbsDiff(w[0], w[1]), maxAbsDiff(w[1], w[2]), maxAbsDiff(w[2], w[3])];
    const p = observedOrders(d, [2, 1, 0.5]);
    expect(Math.min(...p)).toBeGreaterThan(1.85);
    expect(Math.abs(w[3].reduce((s, v) => s + v, 0) / (n * n))).toBeLessThan(1e-12);
    // Advection did something: the field differs from pure viscous decay + forcing response.
    const linear = solveNavierStokes2d({
      viscosity: 1e-3,
      initial: w0.map((v) => v * 1e-6),
      forcing: f,
      tEnd: 1,
      steps: 100,
    });
    expect(maxAbsDiff(linear.w.subarray(n * n), w[2])).toBeGreaterThan(0.1);
  });

  it('advects with the right sign: w_t(0) = −u·∇w + νΔw for w = sin 2πy + sin 4πx', () => {
    // ψ = sin(2πy)/(4π²) + sin(4πx)/(16π²) gives u·∇w = 1.5 cos(2πy) cos(4πx).
    const n = 32;
    const nu = 0.01;
    const w0 = field(n, (x, y) => Math.sin(2 * Math.PI * y) + Math.sin(4 * Math.PI * x));
    const wt = field(
      n,
      (x, y) =>
        -1.5 * Math.cos(2 * Math.PI * y) * Math.cos(4 * Math.PI * x) -
        nu * (4 * Math.PI ** 2 * Math.sin(2 * Math.PI * y) + 16 * Math.PI ** 2 * Math.sin(4 * Math.PI * x)),
    );
    const dt = 1e-6;
    const r = solveNavierStokes2d({ viscosity: nu, initial: w0, tEnd: dt, steps: 1 });
    const fd = r.w.subarray(n * n).map((v, p) => (v - w0[p]) / dt);
    expect(maxAbsDiff(fd, wt)).toBeLessThan(1e-4);
  });

  it('names bad arguments', () => {
    expect(() =>
      solveNavierStokes2d({ viscosity: 1e-3, initial: new Float64Array(10), tEnd: 1, steps: 1 }),
    ).toThrow(/'initial'/);
    expect(() =>
      solveNavierStokes2d({ viscosity: 0, initial: new Float64Array(16), tEnd: 1, steps: 1 }),
    ).toThrow(/'viscosity'/);
  });
});
