import { describe, expect, it } from 'vitest';
import { burgersReference, DEFAULT_NU } from '../src/burgers.ts';

/** Independent Cole–Hopf quadrature: trapezoid rule in z on a wide range, in log space. */
function trapezoid(nu: number, x: number, t: number): number {
  const s = Math.sqrt(4 * nu * t);
  const L = 10 + 2 * Math.sqrt(t / (4 * nu));
  const h = 0.005;
  const e: number[] = [];
  const zs: number[] = [];
  let emax = Number.NEGATIVE_INFINITY;
  for (let z = -L; z <= L; z += h) {
    const y = x - s * z;
    const v = -z * z + (1 - Math.cos(Math.PI * y)) / (2 * Math.PI * nu);
    e.push(v);
    zs.push(z);
    emax = Math.max(emax, v);
  }
  let num = 0;
  let den = 0;
  e.forEach((v, i) => {
    const p = Math.exp(v - emax);
    num += p * zs[i];
    den += p;
  });
  return ((s / t) * num) / den;
}

const at = (nu: number, x: number, t: number) =>
  burgersReference(nu, Float64Array.of(x), Float64Array.of(t))[0];

describe('Burgers Cole–Hopf reference', () => {
  for (const nu of [0.002, DEFAULT_NU, 0.02, 0.05]) {
    it(`satisfies the PDE by finite differences (ν = ${nu.toFixed(5)})`, () => {
      const hx = 1e-4;
      const ht = 1e-4;
      let worst = 0;
      for (const t of [0.1, 0.4, 0.7, 0.95]) {
        for (const x of [-0.83, -0.41, -0.07, 0.013, 0.29, 0.66]) {
          const u = at(nu, x, t);
          const up = at(nu, x + hx, t);
          const um = at(nu, x - hx, t);
          const ut = (at(nu, x, t + ht) - at(nu, x, t - ht)) / (2 * ht);
          const ux = (up - um) / (2 * hx);
          const uxx = (up - 2 * u + um) / (hx * hx);
          const scale = Math.abs(ut) + Math.abs(u * ux) + Math.abs(nu * uxx) + 1e-3;
          worst = Math.max(worst, Math.abs(ut + u * ux - nu * uxx) / scale);
        }
      }
      expect(worst).toBeLessThan(1e-3);
    });

    it(`agrees with an independent trapezoid quadrature and vanishes at x = ±1 (ν = ${nu.toFixed(5)})`, () => {
      for (const t of [0.05, 0.5, 1]) {
        for (const x of [-0.9, -0.3, -0.01, 0.02, 0.5]) {
          expect(Math.abs(at(nu, x, t) - trapezoid(nu, x, t))).toBeLessThan(1e-9);
        }
        expect(Math.abs(at(nu, -1, t))).toBeLessThan(1e-10);
        expect(Math.abs(at(nu, 1, t))).toBeLessThan(1e-10);
      }
    });
  }

  it('matches known values: the initial data and Basdevant et al.’s peak slope −152.00516 at t = 1.6037/π', () => {
    const x = Float64Array.of(-0.5, 0.25, 0.9);
    const u0 = burgersReference(DEFAULT_NU, x, Float64Array.of(0));
    x.forEach((xi, i) => expect(u0[i]).toBeCloseTo(-Math.sin(Math.PI * xi), 15));
    const h = 1e-6;
    const tPeak = 1.6037 / Math.PI;
    const slope = (at(DEFAULT_NU, h, tPeak) - at(DEFAULT_NU, -h, tPeak)) / (2 * h);
    expect(Math.abs(slope + 152.00516) / 152).toBeLessThan(2e-5);
  });

  it('rejects ν outside [0.002, 0.05], naming it', () => {
    expect(() => burgersReference(0.001, Float64Array.of(0), Float64Array.of(0.5))).toThrow(
      /'nu' must be in/,
    );
  });
});
