import { Rng } from '@pinnate/core/rng';
import { describe, expect, it } from 'vitest';
import {
  GeometryError,
  gridShape,
  Halton,
  halton,
  hammersley,
  l2StarDiscrepancy,
  latinHypercube,
  radicalInverse,
  randomUnit,
  SAMPLER_KINDS,
  SOBOL_MAX_DIM,
  Sobol,
  sampleUnitCube,
  sobol,
  sobolDirections,
  unitGrid,
} from '../src/index.ts';
import { JOE_KUO_ROWS } from '../src/samplers/sobol_directions.ts';

/** Multiplication of GF(2) polynomials packed in integers, reduced modulo `mod` of degree `deg`. */
function mulmod(a: number, b: number, mod: number, deg: number): number {
  let r = 0;
  while (b) {
    if (b & 1) r ^= a;
    b >>>= 1;
    a <<= 1;
    if (a & (1 << deg)) a ^= mod;
  }
  return r;
}

describe('Sobol', () => {
  it('matches the published first points of the 2-D sequence', () => {
    expect(Array.from(sobol(8, 2).data)).toEqual([
      0, 0, 0.5, 0.5, 0.75, 0.25, 0.25, 0.75, 0.375, 0.375, 0.875, 0.875, 0.625, 0.125, 0.125, 0.625,
    ]);
  });

  it('has direction numbers for at least 21 dimensions, all from primitive polynomials', () => {
    expect(SOBOL_MAX_DIM).toBeGreaterThanOrEqual(21);
    for (const rowText of JOE_KUO_ROWS) {
      const [s, a, ...m] = rowText.split(' ').map(Number);
      expect(m.length).toBe(s);
      m.forEach((mk, k) => {
        expect(mk % 2).toBe(1);
        expect(mk).toBeLessThan(2 ** (k + 1));
      });
      // x^s + a_1 x^{s-1} + … + a_{s-1} x + 1, inner coefficients = bits of a.
      const poly = (1 << s) | (a << 1) | 1;
      const order = 2 ** s - 1;
      let x = 1;
      let period = 0;
      do {
        x = mulmod(x, 2, poly, s);
        period++;
      } while (x !== 1 && period <= order);
      expect(period, `polynomial of row '${rowText}'`).toBe(order);
    }
  });

  it('every power-of-two prefix stratifies each 1-D projection exactly', () => {
    const n = 256;
    const x = sobol(n, SOBOL_MAX_DIM);
    for (let j = 0; j < x.dim; j++) {
      const bins = new Int32Array(n);
      for (let i = 0; i < n; i++) bins[Math.floor(x.data[i * x.dim + j] * n)]++;
      expect(
        bins.every((b) => b === 1),
        `dimension ${j}`,
      ).toBe(true);
    }
  });

  it('next() continues the sequence; the digital shift is seeded', () => {
    const s = new Sobol(3);
    const a = s.next(5);
    const b = s.next(7);
    expect([...a.data, ...b.data]).toEqual(Array.from(sobol(12, 3).data));
    expect(sobol(16, 3, { scramble: new Rng(4) }).data).toEqual(sobol(16, 3, { scramble: new Rng(4) }).data);
    expect(sobol(16, 3, { scramble: new Rng(4) }).data).not.toEqual(sobol(16, 3).data);
    expect(sobolDirections(0)[0]).toBe(2 ** 31);
  });

  it('rejects dimensions beyond the table', () => {
    expect(() => new Sobol(SOBOL_MAX_DIM + 1)).toThrow(/'dim' \(=54\) must be <= 53/);
    expect(() => new Sobol(0)).toThrow(GeometryError);
  });
});

describe('Halton and Hammersley', () => {
  it('radical inverse mirrors digits', () => {
    expect(radicalInverse(1, 2)).toBe(0.5);
    expect(radicalInverse(6, 2)).toBe(0.375);
    expect(radicalInverse(5, 3)).toBeCloseTo(7 / 9, 15);
    expect(Array.from(halton(4, 2).data)).toEqual([0, 0, 0.5, 1 / 3, 0.25, 2 / 3, 0.75, 1 / 9]);
  });

  it('Halton is extensible and Hammersley covers i/n strata', () => {
    const h = new Halton(2);
    expect([...h.next(3).data, ...h.next(3).data]).toEqual(Array.from(halton(6, 2).data));
    const x = hammersley(10, 3);
    for (let i = 0; i < 10; i++) expect(x.data[i * 3]).toBeCloseTo((i + 0.5) / 10, 15);
  });
});

describe('low discrepancy', () => {
  it.each([2, 4])('Sobol, Halton, Hammersley and LHS beat pseudo-random at n = 256 in %i-D', (dim) => {
    const n = 256;
    let rnd = 0;
    const R = 8;
    for (let s = 0; s < R; s++) rnd += l2StarDiscrepancy(randomUnit(n, dim, new Rng(s))) / R;
    expect(l2StarDiscrepancy(sobol(n, dim, { scramble: new Rng(1) }))).toBeLessThan(0.5 * rnd);
    expect(l2StarDiscrepancy(halton(n, dim, { scramble: new Rng(1) }))).toBeLessThan(0.7 * rnd);
    expect(l2StarDiscrepancy(hammersley(n, dim))).toBeLessThan(0.7 * rnd);
    expect(l2StarDiscrepancy(latinHypercube(n, dim, new Rng(1)))).toBeLessThan(rnd);
  });

  // In 8-D the L2-star discrepancy is dominated by the anchored corner until n is larger.
  it('scrambled Sobol beats pseudo-random in 8-D at n = 1024', () => {
    let rnd = 0;
    for (let s = 0; s < 4; s++) rnd += l2StarDiscrepancy(randomUnit(1024, 8, new Rng(s))) / 4;
    expect(l2StarDiscrepancy(sobol(1024, 8, { scramble: new Rng(1) }))).toBeLessThan(0.8 * rnd);
  });
});

describe('Latin hypercube and grid', () => {
  it('LHS puts one point per stratum in every coordinate', () => {
    const n = 50;
    const x = latinHypercube(n, 3, new Rng(2));
    for (let j = 0; j < 3; j++) {
      const seen = new Set<number>();
      for (let i = 0; i < n; i++) seen.add(Math.floor(x.data[i * 3 + j] * n));
      expect(seen.size).toBe(n);
    }
  });

  it('grid shapes follow the aspect ratio and cover n', () => {
    expect(gridShape(100, 2)).toEqual([10, 10]);
    expect(gridShape(200, 2, [2, 1])).toEqual([20, 10]);
    expect(gridShape(27, 3)).toEqual([3, 3, 3]);
    const g = unitGrid(9, 2);
    expect(Array.from(g.data).map((v) => v * 6)).toEqual([
      1, 1, 1, 3, 1, 5, 3, 1, 3, 3, 3, 5, 5, 1, 5, 3, 5, 5,
    ]);
    expect(unitGrid(10, 2).n).toBe(10);
  });

  it('every kind returns exactly n points in [0, 1) and is deterministic', () => {
    for (const sampler of SAMPLER_KINDS) {
      const a = sampleUnitCube(37, 5, { sampler, rng: 3 });
      expect(a.n).toBe(37);
      expect(a.data.every((v) => v >= 0 && v < 1)).toBe(true);
      expect(sampleUnitCube(37, 5, { sampler, rng: 3 }).data).toEqual(a.data);
    }
  });

  it('rejects bad counts, samplers and seeds with the argument named', () => {
    expect(() => sampleUnitCube(0, 2, { rng: 1 })).toThrow(
      "sampleUnitCube: 'n' must be a positive integer, got 0",
    );
    expect(() => sampleUnitCube(-3, 2, { rng: 1 })).toThrow(/'n'/);
    expect(() => sampleUnitCube(2.5, 2, { rng: 1 })).toThrow(/'n'/);
    expect(() => sampleUnitCube(4, 2, { sampler: 'owen' as never, rng: 1 })).toThrow(
      /'sampler' must be one of/,
    );
    expect(() => sampleUnitCube(4, 2, { rng: Number.NaN })).toThrow(/'rng' must be an Rng or a finite seed/);
  });
});
