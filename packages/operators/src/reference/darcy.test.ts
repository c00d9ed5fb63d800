import { Rng } from '@pinnate/core/rng';
import { describe, expect, it } from 'vitest';
import { maxAbsDiff, observedOrders } from './convergence.ts';
import { darcyMask, solveDarcy } from './darcy.ts';
import { FNO_DARCY_GRF, Grf2d } from './grf.ts';
import { threshold } from './inputs.ts';

/** Manufactured problem: u and a given, f = −∇·(a∇u) = −(a_x u_x + a_y u_y + a Δu). */
function manufactured(
  n: number,
  u: (x: number, y: number) => [number, number, number, number],
  a: (x: number, y: number) => [number, number, number],
) {
  const h = 1 / (n - 1);
  const coef = new Float64Array(n * n);
  const src = new Float64Array(n * n);
  const exact = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const x = j * h;
      const y = i * h;
      const [uv, ux, uy, lap] = u(x, y);
      const [av, ax, ay] = a(x, y);
      coef[i * n + j] = av;
      src[i * n + j] = -(ax * ux + ay * uy + av * lap);
      exact[i * n + j] = uv;
    }
  }
  return { coef, src, exact };
}

const smoothA = (x: number, y: number): [number, number, number] => [
  1 + 0.5 * Math.sin(2 * Math.PI * x) * Math.cos(Math.PI * y),
  Math.PI * Math.cos(2 * Math.PI * x) * Math.cos(Math.PI * y),
  -0.5 * Math.PI * Math.sin(2 * Math.PI * x) * Math.sin(Math.PI * y),
];

function masked(u: Float64Array, mask: Uint8Array): Float64Array {
  return u.map((v, p) => (mask[p] ? v : 0));
}

describe('solveDarcy', () => {
  it('is second order on the unit square with a smooth variable coefficient', () => {
    const uex = (x: number, y: number): [number, number, number, number] => {
      const s = Math.sin(Math.PI * x) * Math.sin(2 * Math.PI * y);
      return [
        s,
        Math.PI * Math.cos(Math.PI * x) * Math.sin(2 * Math.PI * y),
        2 * Math.PI * Math.sin(Math.PI * x) * Math.cos(2 * Math.PI * y),
        -5 * Math.PI ** 2 * s,
      ];
    };
    const ns = [17, 33, 65, 129];
    const errs = ns.map((n) => {
      const { coef, src, exact } = manufactured(n, uex, smoothA);
      const res = solveDarcy({ n, coefficient: coef, source: src, tol: 1e-12 });
      return maxAbsDiff(res.u, exact);
    });
    const p = observedOrders(
      errs,
      ns.map((n) => 1 / (n - 1)),
    );
    expect(Math.min(...p)).toBeGreaterThan(1.9);
  });

  it('is second order on the L-shape (boundary on grid lines)', () => {
    const uex = (x: number, y: number): [number, number, number, number] => {
      const s = Math.sin(2 * Math.PI * x) * Math.sin(2 * Math.PI * y);
      const c = 2 * Math.PI;
      return [
        s,
        c * Math.cos(c * x) * Math.sin(c * y),
        c * Math.sin(c * x) * Math.cos(c * y),
        -2 * c * c * s,
      ];
    };
    const ns = [17, 33, 65, 129];
    const errs = ns.map((n) => {
      const mask = darcyMask('lshape', n);
      const { coef, src, exact } = manufactured(n, uex, smoothA);
      return maxAbsDiff(solveDarcy({ n, coefficient: coef, source: src, mask }).u, masked(exact, mask));
    });
    expect(
      Math.min(
        ...observedOrders(
          errs,
          ns.map((n) => 1 / (n - 1)),
        ),
      ),
    ).toBeGreaterThan(1.9);
  });

  it('is second order on the disk (cut-cell wall distance), first order as a staircase mask', () => {
    // u = 0.25 − r² vanishes on the circle; a = 1 + x.
    const uex = (x: number, y: number): [number, number, number, number] => [
      0.25 - (x - 0.5) ** 2 - (y - 0.5) ** 2,
      -2 * (x - 0.5),
      -2 * (y - 0.5),
      -4,
    ];
    const ns = [33, 65, 129, 257];
    const errs = ns.map((n) => {
      const mask = darcyMask('disk', n);
      const { coef, src, exact } = manufactured(n, uex, (x) => [1 + x, 1, 0]);
      const cut = maxAbsDiff(
        solveDarcy({ n, coefficient: coef, source: src, geometry: 'disk' }).u,
        masked(exact, mask),
      );
      const stair = maxAbsDiff(
        solveDarcy({ n, coefficient: coef, source: src, mask }).u,
        masked(exact, mask),
      );
      return [cut, stair];
    });
    const h = ns.map((n) => 1 / (n - 1));
    const pCut = observedOrders(
      errs.map((e) => e[0]),
      h,
    );
    const mean = (e: number[]): number => Math.log(e[0] / e.at(-1)!) / Math.log(8);
    expect(mean(errs.map((e) => e[0]))).toBeGreaterThan(1.85);
    expect(Math.min(...pCut)).toBeGreaterThan(1.5);
    const stairMean = mean(errs.map((e) => e[1]));
    expect(stairMean).toBeGreaterThan(0.7);
    expect(stairMean).toBeLessThan(1.4);
  });

  it('solves FNO-style piecewise-constant coefficients; MIC beats IC; u > 0 inside every geometry', () => {
    const n = 65;
    const g = new Grf2d({ n, boundary: 'neumann', covariance: FNO_DARCY_GRF, zeroMean: true });
    const a = threshold(g.sample(new Rng(0)), { above: 12, below: 3 });
    const mic = solveDarcy({ n, coefficient: a, preconditioner: 'mic' });
    const ic = solveDarcy({ n, coefficient: a, preconditioner: 'ic' });
    expect(mic.iterations).toBeLessThan(ic.iterations);
    expect(maxAbsDiff(mic.u, ic.u)).toBeLessThan(1e-9);
    for (const geo of ['square', 'lshape', 'disk', 'holes'] as const) {
      const mask = darcyMask(geo, n);
      const res = solveDarcy({ n, coefficient: a, geometry: geo });
      for (let p = 0; p < n * n; p++) {
        if (mask[p]) expect(res.u[p]).toBeGreaterThan(0);
        else expect(res.u[p]).toBe(0);
      }
    }
  });

  it('names bad arguments', () => {
    expect(() => solveDarcy({ n: 5, coefficient: new Float64Array(24) })).toThrow(/'coefficient'/);
    expect(() => solveDarcy({ n: 3, coefficient: Float64Array.from([1, 1, 1, 1, -1, 1, 1, 1, 1]) })).toThrow(
      /a\[4\] = -1/,
    );
    expect(() => darcyMask('lshape', 2)).toThrow(/'n'/);
  });
});
