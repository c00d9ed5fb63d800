/**
 * The references of the NS demos, checked independently of any network: the exact Kovasznay
 * and Taylor–Green solutions satisfy the Navier–Stokes equations by central finite
 * differences; the Ghia table is the one printed (spot values, sizes, symmetry of the walls);
 * the Coons interpolant of the Kovasznay hard constraint matches the boundary data.
 */
import { describe, expect, it } from 'vitest';
import { checkRe, kovasznay, kovasznayLambda, taylorGreen } from '../src/ns/exact.ts';
import { GHIA, ghiaTable } from '../src/ns/ghia.ts';

type Field = (x: number, y: number, t: number) => { u: number; v: number; p: number };

/** Max |residual| of unsteady NS over points, by 4th-order central differences (h = 1e-3). */
function nsResidual(f: Field, nu: number, pts: readonly [number, number, number][]): number {
  const h = 1e-3;
  const d1 = (g: (s: number) => number, s: number) =>
    (-g(s + 2 * h) + 8 * g(s + h) - 8 * g(s - h) + g(s - 2 * h)) / (12 * h);
  const d2 = (g: (s: number) => number, s: number) =>
    (-g(s + 2 * h) + 16 * g(s + h) - 30 * g(s) + 16 * g(s - h) - g(s - 2 * h)) / (12 * h * h);
  let worst = 0;
  for (const [x, y, t] of pts) {
    const { u, v } = f(x, y, t);
    const c = (k: 'u' | 'v' | 'p') => ({
      x: d1((s) => f(s, y, t)[k], x),
      y: d1((s) => f(x, s, t)[k], y),
      t: d1((s) => f(x, y, s)[k], t),
      lap: d2((s) => f(s, y, t)[k], x) + d2((s) => f(x, s, t)[k], y),
    });
    const U = c('u');
    const V = c('v');
    const P = c('p');
    const rx = U.t + u * U.x + v * U.y + P.x - nu * U.lap;
    const ry = V.t + u * V.x + v * V.y + P.y - nu * V.lap;
    const div = U.x + V.y;
    worst = Math.max(worst, Math.abs(rx), Math.abs(ry), Math.abs(div));
  }
  return worst;
}

const points = (lo: [number, number], hi: [number, number], t: [number, number]) =>
  Array.from({ length: 25 }, (_, k) => {
    const a = ((k * 7) % 25) / 24;
    const b = ((k * 11) % 25) / 24;
    const c = ((k * 3) % 25) / 24;
    return [lo[0] + a * (hi[0] - lo[0]), lo[1] + b * (hi[1] - lo[1]), t[0] + c * (t[1] - t[0])] as [
      number,
      number,
      number,
    ];
  });

describe('exact NS solutions', () => {
  it('Kovasznay satisfies steady NS for several Re (and a wrong ν does not)', () => {
    for (const re of [10, 20, 40, 100]) {
      const f: Field = (x, y) => kovasznay(re, x, y);
      expect(nsResidual(f, 1 / re, points([-0.5, -0.5], [1, 1.5], [0, 0]))).toBeLessThan(1e-6);
    }
    const f: Field = (x, y) => kovasznay(20, x, y);
    expect(nsResidual(f, 1 / 25, points([-0.5, -0.5], [1, 1.5], [0, 0]))).toBeGreaterThan(1e-2);
    expect(kovasznayLambda(20)).toBeCloseTo(10 - Math.sqrt(100 + 4 * Math.PI ** 2), 12);
  });

  it('Taylor–Green satisfies unsteady NS (and a wrong ν does not)', () => {
    for (const re of [1, 100]) {
      const f: Field = (x, y, t) => taylorGreen(re, x, y, t);
      expect(nsResidual(f, 1 / re, points([0, 0], [2 * Math.PI, 2 * Math.PI], [0, 1]))).toBeLessThan(1e-6);
    }
    const f: Field = (x, y, t) => taylorGreen(1, x, y, t);
    expect(nsResidual(f, 0.5, points([0, 0], [2 * Math.PI, 2 * Math.PI], [0, 1]))).toBeGreaterThan(1e-2);
  });

  it('rejects a non-positive Re', () => {
    expect(() => checkRe(0, 'op')).toThrow(/'re' must be a positive number/);
    expect(() => kovasznay(-1, 0, 0)).toThrow(/'re'/);
  });
});

describe('Ghia, Ghia & Shin (1982) table', () => {
  it('has 17 points per line, walls and lid as printed, and spot values', () => {
    for (const re of [100, 400] as const) {
      const t = ghiaTable(re);
      for (const p of [t.u, t.v]) {
        expect(p.coord).toHaveLength(17);
        expect(p.value).toHaveLength(17);
        expect(p.coord[0]).toBe(1);
        expect(p.coord[16]).toBe(0);
        // Coordinates strictly decreasing, as in the paper.
        for (let i = 1; i < 17; i++) expect(p.coord[i]).toBeLessThan(p.coord[i - 1]);
      }
      expect(t.u.value[0]).toBe(1); // lid
      expect(t.u.value[16]).toBe(0);
      expect(t.v.value[0]).toBe(0);
      expect(t.v.value[16]).toBe(0);
    }
    expect(GHIA[100].u.value[8]).toBe(-0.20581); // u at the centre, Re = 100
    expect(GHIA[100].v.value[8]).toBe(0.05454);
    expect(GHIA[400].u.value[10]).toBe(-0.32726);
    expect(GHIA[400].v.value[6]).toBe(-0.44993);
    expect(GHIA[100].u.coord[5]).toBe(0.8516);
    expect(GHIA[100].v.coord[5]).toBe(0.9063);
    expect(() => ghiaTable(1000)).toThrow(/'re' must be one of 100, 400/);
  });
});
