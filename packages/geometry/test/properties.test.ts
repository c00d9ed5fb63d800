import { Rng } from '@pinnate/core/rng';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Domain, type Points, row, type SamplerKind } from '../src/index.ts';
import {
  ball3Arb,
  ball5Arb,
  csgArb,
  cuboidArb,
  diskArb,
  ellipseArb,
  intervalArb,
  polygonArb,
  rectangleArb,
  type Shape,
  shapes2d,
  triangleArb,
} from './shapes.ts';

const RUNS = { numRuns: 12, seed: 20240604 } as const;
const FAMILIES: [string, fc.Arbitrary<Shape>][] = [
  ['interval', intervalArb],
  ['rectangle', rectangleArb],
  ['disk', diskArb],
  ['ellipse', ellipseArb],
  ['triangle', triangleArb],
  ['polygon', polygonArb],
  ['cuboid', cuboidArb],
  ['ball 3-D', ball3Arb],
  ['ball 5-D', ball5Arb],
  ['csg', csgArb],
];
const KINDS: SamplerKind[] = ['random', 'sobol', 'halton', 'lhs', 'hammersley', 'grid'];

const count = (m: Uint8Array) => m.reduce((a, b) => a + b, 0);

function shift(x: Points, nrm: Points, h: number): Points {
  return { data: x.data.map((v, k) => v + h * nrm.data[k]), n: x.n, dim: x.dim };
}

/** Uniform points in the bounding box grown by 20%, so both sides of the boundary are hit. */
function around(d: Domain, n: number, seed: number): Points {
  const b = d.bbox();
  const rng = new Rng(seed);
  const data = new Float64Array(n * d.dim);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d.dim; j++) {
      const w = b.hi[j] - b.lo[j];
      data[i * d.dim + j] = rng.uniformIn(b.lo[j] - 0.2 * w, b.hi[j] + 0.2 * w);
    }
  }
  return { data, n, dim: d.dim };
}

describe.each(FAMILIES)('%s', (_name, arb) => {
  it('interior samples: exact count, inside or on the boundary, for every sampler', () => {
    fc.assert(
      fc.property(
        arb,
        fc.constantFrom(...KINDS),
        fc.integer({ min: 1, max: 400 }),
        ({ domain }, sampler, n) => {
          const x = domain.sample(n, { sampler, rng: 7 });
          expect(x.n).toBe(n);
          const ok = domain.inside(x);
          const onB = domain.onBoundary(x);
          for (let i = 0; i < n; i++) expect(ok[i] | onB[i]).toBe(1);
        },
      ),
      RUNS,
    );
  });

  it('boundary samples lie on the boundary; normals are unit and point outward', () => {
    fc.assert(
      fc.property(arb, fc.constantFrom(...KINDS), ({ domain }, sampler) => {
        const x = domain.sampleBoundary(150, { sampler, rng: 3 });
        expect(x.n).toBe(150);
        expect(count(domain.onBoundary(x))).toBe(150);
        const nrm = domain.normal(x);
        for (let i = 0; i < x.n; i++) expect(Math.hypot(...row(nrm, i))).toBeCloseTo(1, 12);
        const h = 1e-5 * (1 + Math.hypot(...domain.bbox().hi.map((v, j) => v - domain.bbox().lo[j])));
        const out = domain.sdf(shift(x, nrm, h));
        const inn = domain.sdf(shift(x, nrm, -h));
        for (let i = 0; i < x.n; i++) {
          expect(out[i], `step out of point ${row(x, i)}`).toBeGreaterThan(0);
          expect(inn[i], `step in from point ${row(x, i)}`).toBeLessThan(0);
        }
      }),
      RUNS,
    );
  });

  it('signed distance sign agrees with inside', () => {
    fc.assert(
      fc.property(arb, fc.integer({ min: 0, max: 1000 }), ({ domain }, seed) => {
        const x = around(domain, 300, seed);
        const d = domain.sdf(x);
        const ins = domain.inside(x);
        const onB = domain.onBoundary(x);
        for (let i = 0; i < x.n; i++) {
          if (onB[i]) continue;
          expect(ins[i], `sdf ${d[i]} at ${row(x, i)}`).toBe(d[i] < 0 ? 1 : 0);
        }
      }),
      RUNS,
    );
  });

  it('measure agrees with Monte Carlo within the stated error', () => {
    fc.assert(
      fc.property(arb, ({ domain }) => {
        const m = domain.measure();
        const N = 20_000;
        const b = domain.bbox();
        let vol = 1;
        for (let j = 0; j < domain.dim; j++) vol *= b.hi[j] - b.lo[j];
        const rng = new Rng(99);
        const data = new Float64Array(N * domain.dim);
        for (let i = 0; i < N; i++) {
          for (let j = 0; j < domain.dim; j++) data[i * domain.dim + j] = rng.uniformIn(b.lo[j], b.hi[j]);
        }
        const p = count(domain.inside({ data, n: N, dim: domain.dim })) / N;
        const se = vol * Math.sqrt((p * (1 - p)) / N);
        expect(Math.abs(m.value - vol * p)).toBeLessThanOrEqual(
          4.5 * Math.hypot(se, m.stdError) + 1e-9 * vol,
        );
      }),
      { ...RUNS, numRuns: 8 },
    );
  });

  it('same seed gives the same samples; another seed does not', () => {
    fc.assert(
      fc.property(
        arb,
        fc.constantFrom<SamplerKind>('random', 'sobol', 'halton', 'lhs', 'hammersley'),
        ({ domain }, sampler) => {
          const a = domain.sample(64, { sampler, rng: 11 });
          const b = domain.sample(64, { sampler, rng: new Rng(11) });
          const c = domain.sample(64, { sampler, rng: 12 });
          expect(b.data).toEqual(a.data);
          expect(c.data).not.toEqual(a.data);
          expect(domain.sampleBoundary(32, { sampler, rng: 5 }).data).toEqual(
            domain.sampleBoundary(32, { sampler, rng: 5 }).data,
          );
        },
      ),
      { ...RUNS, numRuns: 6 },
    );
  });
});

describe('signed distance magnitude vs brute force over dense boundary samples (2-D)', () => {
  it('exact kinds match, bound kinds never exceed', () => {
    fc.assert(
      fc.property(shapes2d, fc.integer({ min: 0, max: 1000 }), ({ domain }, seed) => {
        const M = 4000;
        const bnd = domain.sampleBoundary(M, { sampler: 'grid', rng: 1 });
        const perimeter = domain.boundaryMeasure().value;
        // Grid boundary points are at most ~perimeter / M apart (CSG thinning may double gaps).
        const gap = (4 * perimeter) / M;
        const x = around(domain, 60, seed);
        const d = domain.sdf(x);
        for (let i = 0; i < x.n; i++) {
          let best = Number.POSITIVE_INFINITY;
          for (let k = 0; k < M; k++) {
            best = Math.min(
              best,
              Math.hypot(x.data[2 * i] - bnd.data[2 * k], x.data[2 * i + 1] - bnd.data[2 * k + 1]),
            );
          }
          expect(Math.abs(d[i]), `${domain.kind} at ${row(x, i)}`).toBeLessThanOrEqual(best + 1e-9);
          if (domain.sdfKind === 'exact') expect(Math.abs(d[i])).toBeGreaterThanOrEqual(best - gap);
        }
      }),
      { ...RUNS, numRuns: 15 },
    );
  });
});
