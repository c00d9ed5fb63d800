import { describe, expect, it } from 'vitest';
import {
  burgersColeHopf,
  raissiBurgers,
  raissiInitialAntiderivative,
  solveBurgersPeriodic,
} from './burgers.ts';
import { maxAbsDiff, observedOrders } from './convergence.ts';
import { gaussHermite } from './quadrature.ts';

describe('Gauss–Hermite', () => {
  it('integrates e^{-z²} z^{2k} exactly and e^{-z²} cos z to round-off', () => {
    const { nodes, weights } = gaussHermite(30);
    const moment = (k: number): number => weights.reduce((s, w, i) => s + w * nodes[i] ** k, 0);
    // ∫ e^{-z²} z^{2k} = Γ(k + 1/2)
    expect(moment(0)).toBeCloseTo(Math.sqrt(Math.PI), 13);
    expect(moment(2)).toBeCloseTo(Math.sqrt(Math.PI) / 2, 13);
    expect(moment(6)).toBeCloseTo((15 / 8) * Math.sqrt(Math.PI), 12);
    expect(Math.abs(moment(5))).toBeLessThan(1e-12);
    const big = gaussHermite(400);
    const c = big.weights.reduce((s, w, i) => s + w * Math.cos(big.nodes[i]), 0);
    expect(Math.abs(c - Math.sqrt(Math.PI) * Math.exp(-0.25))).toBeLessThan(1e-13);
    for (let i = 1; i < 400; i++) expect(big.nodes[i]).toBeGreaterThan(big.nodes[i - 1]);
  });
});

/** Periodic exact solution on [0, 2π): u = −2ν φ_x/φ with φ = a + cos(x) e^{−νt} + b cos(2x) e^{−4νt}. */
function periodicExact(nu: number, x: number, t: number): number {
  const e1 = Math.exp(-nu * t);
  const e4 = Math.exp(-4 * nu * t);
  const phi = 1.6 + Math.cos(x) * e1 + 0.3 * Math.cos(2 * x) * e4;
  const phix = -Math.sin(x) * e1 - 0.6 * Math.sin(2 * x) * e4;
  return (-2 * nu * phix) / phi;
}

describe('solveBurgersPeriodic (ETDRK4, 2/3 dealiasing)', () => {
  it('is fourth order in time against a periodic Cole–Hopf solution', () => {
    const nu = 0.2;
    const n = 128;
    const L = 2 * Math.PI;
    const x = Float64Array.from({ length: n }, (_, j) => (j * L) / n);
    const exact = x.map((xi) => periodicExact(nu, xi, 2));
    const stepsList = [4, 8, 16, 32];
    const errs = stepsList.map((steps) => {
      const sol = solveBurgersPeriodic({
        viscosity: nu,
        initial: x.map((xi) => periodicExact(nu, xi, 0)),
        length: L,
        tEnd: 2,
        steps,
      });
      return maxAbsDiff(sol.u.subarray(n), exact);
    });
    const p = observedOrders(errs, stepsList).map((v) => -v);
    expect(Math.min(...p)).toBeGreaterThan(3.7);
    expect(errs.at(-1)!).toBeLessThan(1e-7);
  });

  it('converges spectrally in space', () => {
    const nu = 0.2;
    const L = 2 * Math.PI;
    const errs = [16, 32, 64].map((n) => {
      const x = Float64Array.from({ length: n }, (_, j) => (j * L) / n);
      const sol = solveBurgersPeriodic({
        viscosity: nu,
        initial: x.map((xi) => periodicExact(nu, xi, 0)),
        length: L,
        tEnd: 1,
        steps: 200,
      });
      return maxAbsDiff(
        sol.u.subarray(n),
        x.map((xi) => periodicExact(nu, xi, 1)),
      );
    });
    // Each doubling of n should square the error's small factor, not just divide it by 2^p.
    expect(errs[1]).toBeLessThan(errs[0] * 1e-2);
    expect(errs[2]).toBeLessThan(1e-9);
  });
});

describe('Cole–Hopf references', () => {
  const nu = 0.01 / Math.PI;
  /** Independent reference: trapezoid rule in z (exponentially accurate for this smooth, Gaussian-decaying integrand). */
  function trapezoidReference(x: number, t: number): number {
    const s = Math.sqrt(4 * nu * t);
    let emax = Number.NEGATIVE_INFINITY;
    const e: number[] = [];
    const zs: number[] = [];
    for (let i = -20000; i <= 20000; i++) {
      const z = i * 0.002;
      const v = -z * z - raissiInitialAntiderivative(x - s * z) / (2 * nu);
      e.push(v);
      zs.push(z);
      emax = Math.max(emax, v);
    }
    let num = 0;
    let den = 0;
    for (let i = 0; i < e.length; i++) {
      const p = Math.exp(e[i] - emax);
      num += p * zs[i];
      den += p;
    }
    return ((s / t) * num) / den;
  }

  it('Gauss–Hermite converges spectrally in the node count on the Raissi problem at t = 1 (shock formed)', () => {
    const x = Float64Array.from({ length: 41 }, (_, i) => -1 + i / 20 + 0.003);
    const ref = x.map((xi) => trapezoidReference(xi, 1));
    const errs = [25, 50, 100].map((nodes) =>
      maxAbsDiff(
        burgersColeHopf(x, 1, { viscosity: nu, initialAntiderivative: raissiInitialAntiderivative, nodes }),
        ref,
      ),
    );
    expect(errs[0]).toBeGreaterThan(errs[1] * 100);
    expect(errs[2]).toBeLessThan(1e-11);
  });

  it('raissiBurgers agrees with the pseudo-spectral solver before the shock and keeps u(±1) = 0', () => {
    const n = 512;
    const x = Float64Array.from({ length: n }, (_, j) => -1 + (2 * j) / n);
    const sol = solveBurgersPeriodic({
      viscosity: nu,
      initial: x.map((xi) => -Math.sin(Math.PI * xi)),
      length: 2,
      tEnd: 0.2,
      steps: 200,
    });
    const ref = raissiBurgers({ x, t: Float64Array.from([0.2]) });
    expect(maxAbsDiff(sol.u.subarray(n), ref.u)).toBeLessThan(1e-8);
    const full = raissiBurgers();
    expect(full.u.length).toBe(256 * 100);
    for (let r = 0; r < 100; r++) {
      expect(Math.abs(full.u[r * 256])).toBeLessThan(1e-12);
      expect(Math.abs(full.u[r * 256 + 255])).toBeLessThan(1e-12);
    }
    // Basdevant et al. (1986): the slope at x = 0 peaks at −152.00516 at t = 1.6037/π.
    const slopeAt = (t: number): number => {
      const h = 1e-6;
      const u = burgersColeHopf(Float64Array.from([-h, h]), t, {
        viscosity: nu,
        initialAntiderivative: raissiInitialAntiderivative,
      });
      return (u[1] - u[0]) / (2 * h);
    };
    const tPeak = 1.6037 / Math.PI;
    expect(Math.abs(slopeAt(tPeak) + 152.00516) / 152).toBeLessThan(2e-5);
    expect(slopeAt(tPeak - 0.02)).toBeGreaterThan(slopeAt(tPeak));
    expect(slopeAt(tPeak + 0.02)).toBeGreaterThan(slopeAt(tPeak));
    expect(() =>
      burgersColeHopf(x, 0, { viscosity: nu, initialAntiderivative: raissiInitialAntiderivative }),
    ).toThrow(/'t'/);
  });
});
