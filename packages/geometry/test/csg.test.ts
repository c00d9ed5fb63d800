import { Rng } from '@pinnate/core/rng';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Ball,
  Disk,
  type Domain,
  difference,
  fromRows,
  GeometryError,
  intersection,
  type Points,
  Rectangle,
  union,
} from '../src/index.ts';
import { diskArb, ellipseArb, polygonArb, rectangleArb } from './shapes.ts';

const prim = fc.oneof(rectangleArb, diskArb, ellipseArb, polygonArb);

function cloud(seed: number, n = 400): Points {
  const rng = new Rng(seed);
  return { data: rng.fillUniform(new Float64Array(2 * n), -3.5, 3.5), n, dim: 2 };
}

/** Inside as a set, ignoring points within tol of any operand's boundary (where closure differs). */
function agree(x: Points, lhs: Uint8Array, rhs: Uint8Array, ...near: Domain[]): void {
  const skip = new Uint8Array(x.n);
  for (const d of near) {
    const onB = d.onBoundary(x, 1e-6);
    for (let i = 0; i < x.n; i++) skip[i] |= onB[i];
  }
  for (let i = 0; i < x.n; i++)
    if (!skip[i]) expect(lhs[i], `point ${x.data[2 * i]}, ${x.data[2 * i + 1]}`).toBe(rhs[i]);
}

describe('CSG set laws', () => {
  const runs = { numRuns: 20, seed: 7 };

  it('union, intersection and difference are the set operations on inside', () => {
    fc.assert(
      fc.property(prim, prim, fc.nat(1000), (a, b, seed) => {
        const A = a.domain;
        const B = b.domain;
        const x = cloud(seed);
        const ia = A.inside(x);
        const ib = B.inside(x);
        agree(
          x,
          union(A, B).inside(x),
          ia.map((v, i) => v | ib[i]),
          A,
          B,
        );
        agree(
          x,
          difference(A, B).inside(x),
          ia.map((v, i) => v & (1 - ib[i])),
          A,
          B,
        );
        const ab = A.bbox();
        const bb = B.bbox();
        if (ab.lo.every((v, j) => Math.max(v, bb.lo[j]) <= Math.min(ab.hi[j], bb.hi[j]))) {
          agree(
            x,
            intersection(A, B).inside(x),
            ia.map((v, i) => v & ib[i]),
            A,
            B,
          );
        }
      }),
      runs,
    );
  });

  it('commutative, associative, distributive; A \\ B = A \\ (A ∩ B)', () => {
    fc.assert(
      fc.property(prim, prim, prim, fc.nat(1000), (a, b, c, seed) => {
        const [A, B, C] = [a.domain, b.domain, c.domain];
        const x = cloud(seed);
        agree(x, union(A, B).inside(x), union(B, A).inside(x), A, B);
        agree(x, union(union(A, B), C).inside(x), union(A, union(B, C)).inside(x), A, B, C);
        // Build the distributive law without empty intersections: A ∩ (B ∪ C) via (A∖(A∖B)) ...
        const lhs = difference(A, difference(A, union(B, C))).inside(x);
        const rhs = union(difference(A, difference(A, B)), difference(A, difference(A, C))).inside(x);
        agree(x, lhs, rhs, A, B, C);
        // Signed distance obeys the same laws exactly: min/max are commutative and associative.
        expect(union(A, B).sdf(x)).toEqual(union(B, A).sdf(x));
      }),
      runs,
    );
  });

  it('nested CSG: a disk with two holes has the right area and samples', () => {
    const d = difference(difference(new Disk([0, 0], 1), new Disk([0.4, 0], 0.2)), new Disk([-0.4, 0], 0.2));
    const m = d.measure();
    expect(Math.abs(m.value - Math.PI * (1 - 0.08))).toBeLessThan(4 * m.stdError + 1e-12);
    expect(d.boundaryMeasure().value).toBeCloseTo(2 * Math.PI * 1.4, 1);
    const x = d.sample(500, { sampler: 'sobol', rng: 1 });
    const inHole = new Disk([0.4, 0], 0.2).sdf(x);
    expect(inHole.every((v) => v >= -1e-9)).toBe(true);
  });

  it('a face shared by two touching boxes is not boundary of their union', () => {
    const u = union(new Rectangle([0, 0], [1, 1]), new Rectangle([1, 0], [2, 1]));
    expect(
      Array.from(
        u.onBoundary(
          fromRows([
            [1, 0.5],
            [0, 0.5],
            [2, 0.3],
            [1.5, 1],
          ]),
        ),
      ),
    ).toEqual([0, 1, 1, 1]);
    const b = u.sampleBoundary(400, { rng: 2 });
    for (let i = 0; i < b.n; i++)
      expect(
        Math.abs(b.data[2 * i] - 1) > 1e-6 || b.data[2 * i + 1] < 1e-9 || b.data[2 * i + 1] > 1 - 1e-9,
      ).toBe(true);
    expect(Math.abs(u.boundaryMeasure().value - 6)).toBeLessThan(4 * u.boundaryMeasure().stdError + 1e-9);
  });

  it('normals at a seam are the normalised sum of both faces', () => {
    const d = difference(new Rectangle([0, 0], [2, 2]), new Rectangle([1, 1], [3, 3]));
    const n = d.normal(
      fromRows([
        [1, 1.5],
        [1.5, 1],
        [1, 1],
      ]),
    );
    expect(Array.from(n.data)).toEqual([1, 0, 0, 1, Math.SQRT1_2, Math.SQRT1_2]);
  });

  it('rejects dimension mismatches and disjoint intersections, naming the operands', () => {
    expect(() => union(new Disk([0, 0], 1), new Ball([0, 0, 0], 1))).toThrow(
      "Union: dimension mismatch: 'a' (Disk) has dim 2, 'b' (Ball) has dim 3",
    );
    expect(() => difference(new Disk([0, 0], 1), new Ball([0, 0, 0], 1))).toThrow(GeometryError);
    expect(() => intersection(new Disk([0, 0], 1), new Disk([5, 0], 1))).toThrow(/do not overlap/);
    expect(() => union(new Disk([0, 0], 1), {} as Domain)).toThrow("Union: 'b' must be a Domain");
  });
});
