import { describe, expect, it } from 'vitest';
import {
  adaptiveProbabilities,
  Disk,
  difference,
  gridMask,
  Rectangle,
  rad,
  radFromResiduals,
  rarD,
  regularGrid,
  scatterSvg,
  toRows,
} from '../src/index.ts';

const pool = new Rectangle([0, 0], [1, 1]).sample(2000, { sampler: 'sobol', rng: 1 });
// A residual concentrated near (0.8, 0.8), as a sharp front would be.
const residual = (x: { data: Float64Array; n: number }) =>
  Float64Array.from({ length: x.n }, (_, i) =>
    Math.exp(-50 * ((x.data[2 * i] - 0.8) ** 2 + (x.data[2 * i + 1] - 0.8) ** 2)),
  );

const nearFront = (x: { data: Float64Array; n: number }) => {
  let k = 0;
  for (let i = 0; i < x.n; i++) if (Math.hypot(x.data[2 * i] - 0.8, x.data[2 * i + 1] - 0.8) < 0.25) k++;
  return k / x.n;
};

describe('adaptive resampling (Wu et al. 2023)', () => {
  it('density is eps^k / mean + c, normalised', () => {
    const p = adaptiveProbabilities([1, 3], 1, 1);
    // (1/2 + 1, 3/2 + 1) / 4
    expect(Array.from(p)).toEqual([0.375, 0.625]);
    expect(Array.from(adaptiveProbabilities([0, 0], 2, 1))).toEqual([0.5, 0.5]);
    expect(() => adaptiveProbabilities([0, 0], 2, 0)).toThrow(/every residual is 0 and 'c' is 0/);
    expect(() => adaptiveProbabilities([1, Number.NaN], 2, 0)).toThrow(/residual 1 must be finite/);
  });

  it('RAR-D concentrates new points where the residual is large; RAD less so (c = 1)', async () => {
    const base = nearFront(pool);
    const added = await rarD(pool, residual, 200, { rng: 3 });
    const moved = await rad(pool, async (x) => residual(x), 500, { rng: 3 });
    expect(added.n).toBe(200);
    expect(moved.n).toBe(500);
    expect(nearFront(added)).toBeGreaterThan(0.8);
    expect(nearFront(moved)).toBeGreaterThan(2 * base);
    expect(nearFront(moved)).toBeLessThan(nearFront(added));
    // Without replacement: no duplicates.
    expect(new Set(toRows(moved).map((r) => r.join())).size).toBe(500);
  });

  it('is deterministic per seed and validates its arguments', async () => {
    const a = await rarD(pool, residual, 10, { rng: 9 });
    const b = await rarD(pool, residual, 10, { rng: 9 });
    expect(a.data).toEqual(b.data);
    expect(() => radFromResiduals(pool, [1, 2], 5, { rng: 1 })).toThrow(
      /one value per pool point \(2000\), got 2/,
    );
    expect(() => radFromResiduals(pool, residual(pool), 2001, { rng: 1 })).toThrow(
      /'count' \(=2001\) must be <= the pool size/,
    );
    await expect(rarD(pool, residual, 0, { rng: 1 })).rejects.toThrow(
      "rarD: 'count' must be a positive integer, got 0",
    );
    await expect(rarD(pool, residual, 10, { rng: 1, k: -1 })).rejects.toThrow(
      /'k' must be a finite number >= 0/,
    );
  });
});

describe('grids and masks', () => {
  it('regular grid includes the endpoints, last axis fastest', () => {
    const g = regularGrid({ lo: Float64Array.of(0, 0), hi: Float64Array.of(1, 2) }, [2, 3]);
    expect(toRows(g.points)).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 0],
      [1, 1],
      [1, 2],
    ]);
    expect(() => regularGrid(new Disk([0, 0], 1), [4])).toThrow(/one count per dimension \(2\)/);
    expect(() => regularGrid(new Disk([0, 0], 1), [4, 0])).toThrow(
      "regularGrid: 'shape[1]' must be a positive integer, got 0",
    );
  });

  it('mask marks exactly the nodes in the closed domain', () => {
    const d = difference(new Disk([0, 0], 1), new Rectangle([0, 0], [1, 1]));
    const g = gridMask(d, [5, 5]);
    const rows = toRows(g.points);
    const expected = rows.map(([x, y]) => (Math.hypot(x, y) <= 1 + 1e-12 && !(x > 0 && y > 0) ? 1 : 0));
    expect(Array.from(g.mask)).toEqual(expected);
    const fraction = g.mask.reduce((a, b) => a + b, 0) / g.mask.length;
    const big = gridMask(d, [101, 101]);
    expect(
      Math.abs((4 * big.mask.reduce((a, b) => a + b, 0)) / big.mask.length - (3 * Math.PI) / 4),
    ).toBeLessThan(0.06);
    expect(fraction).toBeGreaterThan(0);
  });
});

describe('SVG scatter', () => {
  it('writes one circle per point, with a legend and escaped title', () => {
    const d = new Disk([0, 0], 1);
    const svg = scatterSvg(
      [
        { points: d.sample(20, { rng: 1 }), label: 'interior' },
        { points: d.sampleBoundary(10, { rng: 1 }), label: 'boundary', color: 'red' },
      ],
      { title: 'disk <1>' },
    );
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<circle /g)?.length).toBe(32);
    expect(svg).toContain('<title>disk &lt;1&gt;</title>');
    expect(svg).toContain('>boundary</text>');
    expect(() => scatterSvg([])).toThrow(/'series' must not be empty/);
  });
});
