import { describe, expect, it } from 'vitest';
import {
  Ball,
  Box,
  Cuboid,
  Disk,
  difference,
  Ellipse,
  fromRows,
  GeometryError,
  Hypercube,
  Hypersphere,
  Interval,
  PointCloud,
  Polygon,
  points,
  Rectangle,
  SpaceTime,
  Sphere,
  TimeDomain,
  Triangle,
  toRows,
  UnsupportedError,
} from '../src/index.ts';

describe('bad input is rejected with the argument named', () => {
  it.each([
    [() => new Interval(3, 1), "Interval: 'lo' (=3) must be < 'hi' (=1)"],
    [() => new Interval(1, 1), "Interval: 'lo' (=1) must be < 'hi' (=1)"],
    [() => new Interval(Number.NaN, 1), "Interval: 'lo' must be a finite number, got NaN"],
    [() => new TimeDomain(1, 0), "TimeDomain: 'lo' (=1) must be < 'hi' (=0)"],
    [() => new Rectangle([0, 0], [1, 0]), "Rectangle: 'lo[1]' (=0) must be < 'hi[1]' (=0)"],
    [() => new Rectangle([0, 0, 0], [1, 1, 1]), "Rectangle: 'lo' must have length 2, got 3"],
    [() => new Cuboid([0, 0], [1, 1]), "Cuboid: 'lo' must have length 3, got 2"],
    [
      () => new Box([0, Number.POSITIVE_INFINITY], [1, 1]),
      "Box: 'lo[1]' must be a finite number, got Infinity",
    ],
    [() => new Disk([0, 0], 0), "Disk: 'radius' must be > 0, got 0"],
    [() => new Sphere([0, 0, 0], -1), "Sphere: 'radius' must be > 0, got -1"],
    [() => new Ellipse([0, 0], 1, 0), "Ellipse: 'b' must be > 0, got 0"],
    [() => new Triangle([0, 0], [1, 1], [2, 2]), /Triangle: 'vertices' are degenerate/],
    [
      () =>
        new Polygon([
          [0, 0],
          [1, 0],
        ]),
      "Polygon: 'vertices' must have at least 3 points, got 2",
    ],
    [
      () =>
        new Polygon([
          [0, 0],
          [1, 0],
          [1, 0],
          [0, 1],
        ]),
      /'vertices\[1\]' and 'vertices\[2\]' coincide/,
    ],
    [
      () =>
        new Polygon([
          [0, 0],
          [2, 2],
          [2, 0],
          [0, 1],
        ]),
      /Polygon: 'vertices' self-intersect: edge 0 crosses edge 2/,
    ],
    [
      () =>
        new Polygon([
          [0, 0],
          [2, 0],
          [1, 0],
          [1, 1],
        ]),
      /self-intersect/,
    ],
  ])('%#', (make, msg) => {
    expect(make).toThrow(GeometryError);
    expect(make).toThrow(msg);
  });

  it('NaN / Inf points, wrong dims and bad counts', () => {
    const d = new Disk([0, 0], 1);
    expect(() => d.inside(fromRows([[0, Number.NaN]]))).toThrow(
      "Disk.inside: 'x' must be finite, got NaN at point 0, coordinate 1",
    );
    expect(() => d.sdf(fromRows([[Number.POSITIVE_INFINITY, 0]]))).toThrow(/Disk.sdf: 'x' must be finite/);
    expect(() => d.normal(fromRows([[0, 0, 0]]))).toThrow(
      "Disk.normal: 'x' must have dim 2, got 3 (points are [n, dim] row-major)",
    );
    expect(() => d.sample(0, { rng: 1 })).toThrow("Disk.sample: 'n' must be a positive integer, got 0");
    expect(() => d.sampleBoundary(-5, { rng: 1 })).toThrow(
      "Disk.sampleBoundary: 'n' must be a positive integer, got -5",
    );
    expect(() => d.onBoundary(fromRows([[1, 0]]), -1)).toThrow(/'tol' must be a finite number >= 0/);
    expect(() => points([1, 2, 3], 2)).toThrow("points: 'data' length (=3) must be a multiple of 'dim' (=2)");
  });
});

describe('closed forms', () => {
  it('box: signed distance, corner normals, measures', () => {
    const b = new Rectangle([0, 0], [2, 1]);
    expect(
      Array.from(
        b.sdf(
          fromRows([
            [1, 0.5],
            [3, 2],
            [1, 2],
            [0.1, 0.5],
          ]),
        ),
      ),
    ).toEqual([-0.5, Math.SQRT2, 1, -0.1]);
    const n = toRows(
      b.normal(
        fromRows([
          [2, 1],
          [0, 0.5],
          [1, 0.9],
          [3, 0.5],
        ]),
      ),
    );
    expect(n[0][0]).toBeCloseTo(Math.SQRT1_2, 15);
    expect(n[0][1]).toBeCloseTo(Math.SQRT1_2, 15);
    expect(n.slice(1)).toEqual([
      [-1, 0],
      [0, 1],
      [1, 0],
    ]);
    expect(b.measure()).toEqual({ value: 2, stdError: 0, method: 'exact' });
    expect(b.boundaryMeasure().value).toBe(6);
    const c = Hypercube.unit(4);
    expect(c.measure().value).toBe(1);
    expect(c.boundaryMeasure().value).toBe(8);
    expect(toRows(new Cuboid([0, 0, 0], [1, 1, 1]).normal(fromRows([[1, 1, 1]])))[0][2]).toBeCloseTo(
      1 / Math.sqrt(3),
      15,
    );
  });

  it('box boundary grid spreads points over the faces in proportion to their length', () => {
    const b = new Rectangle([0, 0], [2, 1]);
    const x = b.sampleBoundary(6, { sampler: 'grid', rng: 0 });
    expect(toRows(x).map((r) => r.map((v) => Math.round(v * 1e12) / 1e12))).toEqual([
      [0, 0.5],
      [2, 0.5],
      [0.5, 0],
      [1.5, 0],
      [0.5, 1],
      [1.5, 1],
    ]);
  });

  it('balls: volumes and surface areas in 1..5 dimensions', () => {
    const vol = [2, Math.PI, (4 / 3) * Math.PI, Math.PI ** 2 / 2, (8 / 15) * Math.PI ** 2];
    const area = [2, 2 * Math.PI, 4 * Math.PI, 2 * Math.PI ** 2, (8 / 3) * Math.PI ** 2];
    for (let d = 1; d <= 5; d++) {
      const b = new Hypersphere(new Float64Array(d), 2);
      expect(b.measure().value).toBeCloseTo(vol[d - 1] * 2 ** d, 12);
      expect(b.boundaryMeasure().value).toBeCloseTo(area[d - 1] * 2 ** (d - 1), 12);
    }
    expect(toRows(new Ball([0, 0], 1).normal(fromRows([[0, 0]])))).toEqual([[1, 0]]);
  });

  it('ellipse: distance to the axes, perimeter of a circle, rotation', () => {
    const e = new Ellipse([0, 0], 3, 1);
    expect(
      Array.from(
        e.sdf(
          fromRows([
            [0, 0],
            [5, 0],
            [0, 4],
          ]),
        ),
      ),
    ).toEqual([-1, 2, 3]);
    // Inside the evolute the nearest point is off-axis, so the distance is below b = 1.
    let best = Number.POSITIVE_INFINITY;
    for (let k = 0; k < 200_000; k++) {
      const t = (2 * Math.PI * k) / 200_000;
      best = Math.min(best, Math.hypot(3 * Math.cos(t) - 1.5, Math.sin(t)));
    }
    expect(e.sdf(fromRows([[1.5, 0]]))[0]).toBeCloseTo(-best, 9);
    expect(new Ellipse([0, 0], 2, 2).boundaryMeasure().value).toBeCloseTo(4 * Math.PI, 12);
    // Ramanujan's second approximation is accurate to ~1e-10 relative at this eccentricity.
    const [a, b] = [3, 1];
    const h = ((a - b) / (a + b)) ** 2;
    expect(e.boundaryMeasure().value).toBeCloseTo(
      Math.PI * (a + b) * (1 + (3 * h) / (10 + Math.sqrt(4 - 3 * h))),
      4,
    );
    const r = new Ellipse([1, 1], 2, 1, Math.PI / 2);
    const rn = toRows(r.normal(fromRows([[1, 3]])))[0];
    expect(rn[0]).toBeCloseTo(0, 12);
    expect(rn[1]).toBeCloseTo(1, 12);
    expect(
      Array.from(
        r.inside(
          fromRows([
            [1, 2.9],
            [2.9, 1],
          ]),
        ),
      ),
    ).toEqual([1, 0]);
  });

  it('non-convex polygon: reflex-vertex normal, area, orientation-independent', () => {
    const v: [number, number][] = [
      [0, 0],
      [2, 0],
      [2, 2],
      [1, 1],
      [0, 2],
    ];
    const p = new Polygon(v);
    const q = new Polygon([...v].reverse());
    expect(p.measure().value).toBe(3);
    expect(q.measure().value).toBe(3);
    const nrm = toRows(
      p.normal(
        fromRows([
          [1, 1],
          [1, 0],
          [1, 1.5],
        ]),
      ),
    );
    expect(nrm[0]).toEqual([0, 1]);
    expect(nrm[1]).toEqual([0, -1]);
    expect(p.inside(fromRows([[1, 1.5]]))[0]).toBe(0);
    expect(Array.from(p.sdf(fromRows([[1, 1.5]])))[0]).toBeCloseTo(0.5 * Math.SQRT1_2, 15);
    expect(Array.from(q.sdf(fromRows([[1, 0.5]])))).toEqual(Array.from(p.sdf(fromRows([[1, 0.5]]))));
  });
});

describe('time and space-time', () => {
  const st = new SpaceTime(new Disk([0, 0], 1), new TimeDomain(0, 2));

  it('product measure, lateral boundary, initial slice', () => {
    expect(st.dim).toBe(3);
    expect(st.measure().value).toBeCloseTo(2 * Math.PI, 14);
    expect(st.boundaryMeasure().value).toBeCloseTo(4 * Math.PI, 14);
    const x = fromRows([
      [1, 0, 1],
      [0, 0, 0],
      [0, 0, 1],
      [1, 0, 3],
    ]);
    expect(Array.from(st.onBoundary(x))).toEqual([1, 0, 0, 0]);
    expect(Array.from(st.onInitial(x))).toEqual([0, 1, 0, 0]);
    expect(Array.from(st.sdf(x))).toEqual([0, 0, -1, 1]);
    expect(toRows(st.normal(fromRows([[0, 2, 1]])))).toEqual([[0, 1, 0]]);
    const ic = st.sampleInitial(10, { rng: 1 });
    expect(Array.from(st.onInitial(ic))).toEqual(new Array(10).fill(1));
    const bc = st.sampleBoundary(50, { sampler: 'sobol', rng: 1 });
    expect(st.onBoundary(bc).every((v) => v === 1)).toBe(true);
    expect(new TimeDomain(0, 1).onInitial(points([0, 0.5], 1))).toEqual(Uint8Array.of(1, 0));
  });

  it('works over a CSG space, pairing boundary times by permutation', () => {
    const space = difference(new Rectangle([0, 0], [1, 1]), new Disk([1, 1], 0.5));
    const s = new SpaceTime(space, new TimeDomain(0, 1));
    const x = s.sample(200, { sampler: 'halton', rng: 4 });
    expect(s.inside(x).every((v) => v === 1)).toBe(true);
    const b = s.sampleBoundary(200, { sampler: 'sobol', rng: 4 });
    expect(s.onBoundary(b).every((v) => v === 1)).toBe(true);
    expect(Math.abs(s.measure().value - (1 - Math.PI / 16))).toBeLessThan(4 * s.measure().stdError + 1e-12);
  });
});

describe('point cloud', () => {
  const interior = fromRows([
    [0.5, 0.5],
    [0.25, 0.75],
    [0.6, 0.1],
  ]);
  const boundary = fromRows([
    [0, 0.5],
    [1, 0.5],
  ]);
  const normals = fromRows([
    [-1, 0],
    [1, 0],
  ]);
  const pc = new PointCloud(interior, { boundary, normals });

  it('answers membership by lookup and normals by nearest boundary point', () => {
    expect(
      Array.from(
        pc.inside(
          fromRows([
            [0.5, 0.5],
            [0, 0.5],
            [0.5, 0.51],
          ]),
        ),
      ),
    ).toEqual([1, 1, 0]);
    expect(
      Array.from(
        pc.onBoundary(
          fromRows([
            [0.5, 0.5],
            [1, 0.5],
          ]),
        ),
      ),
    ).toEqual([0, 1]);
    expect(toRows(pc.normal(fromRows([[0.9, 0.4]])))).toEqual([[1, 0]]);
    const s = pc.sample(5, { rng: 2 });
    expect(pc.inside(s).every((v) => v === 1)).toBe(true);
    expect(toRows(pc.sample(3, { rng: 2 })).sort()).toEqual(toRows(interior).sort());
  });

  it('has no distance or measure, and cannot be quasi-randomly sampled', () => {
    expect(() => pc.sdf(interior)).toThrow(UnsupportedError);
    expect(() => pc.measure()).toThrow(UnsupportedError);
    expect(() => pc.sample(2, { sampler: 'sobol', rng: 1 })).toThrow(/only be subsampled with 'random'/);
    expect(() => new PointCloud(interior, { normals })).toThrow(
      "PointCloud: 'normals' given without 'boundary'",
    );
  });
});
