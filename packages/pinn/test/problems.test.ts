import { Disk, Interval, Polygon, SpaceTime, TimeDomain } from '@pinnate/geometry';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  dirichlet,
  distanceExpression,
  grid,
  linspace,
  manufactured,
  observations,
  Pinn,
  Problem,
  periodic,
  relL2,
} from '../src/index.ts';
import { useWasm } from './setup.ts';

beforeAll(useWasm);

const LSHAPE = new Polygon([
  [-1, -1],
  [1, -1],
  [1, 0],
  [0, 0],
  [0, 1],
  [-1, 1],
]);

describe('2-D Poisson on an L-shaped domain (manufactured, soft Dirichlet)', () => {
  it('reaches the exact solution; the untrained network is far from it', async () => {
    const { problem, exact } = manufactured({
      domain: LSHAPE,
      pde: '-lap(u)',
      exact: { u: 'sin(pi*x/2)*cos(pi*y/2) + x*y' },
      conditions: ['dirichlet'],
    });
    expect(problem.equations[0].forcing).not.toBeNull();
    const pinn = new Pinn(problem, {
      hidden: [24, 24],
      points: { domain: 384, boundary: 192 },
      seed: 2,
      sampler: 'sobol',
    });
    const test = LSHAPE.sample(2000, { rng: 99 });
    const ref = exact(test).u;
    const before = relL2(pinn.predict(test).u, ref);
    await pinn.train({ steps: 300, adam: { lr: 5e-3 }, lbfgs: { maxIter: 300 }, progress: 'none' });
    const after = relL2(pinn.predict(test).u, ref);
    expect(before).toBeGreaterThan(0.5);
    expect(after).toBeLessThan(0.03);
    pinn.dispose();
  });
});

describe('hard constraints', () => {
  it('Poisson on a disk with u = d(x)·N from distanceExpression holds u = 0 on the circle exactly', async () => {
    const disk = new Disk([0, 0], 1);
    const { problem, exact } = manufactured({ domain: disk, pde: '-lap(u)', exact: { u: '1 - x^2 - y^2' } });
    const pinn = new Pinn(problem, {
      hidden: [16, 16],
      points: { domain: 256 },
      seed: 1,
      transforms: [{ field: 'u', distance: distanceExpression(disk, problem.inputs) }],
    });
    expect(distanceExpression(disk, ['x', 'y'])).toBe('1-((x-0)^2+(y-0)^2)');
    const circle = grid([linspace(0, 2 * Math.PI, 17)]);
    const pts = { data: new Float64Array(34), n: 17, dim: 2 };
    for (let i = 0; i < 17; i++) {
      pts.data[2 * i] = Math.cos(circle.data[i]);
      pts.data[2 * i + 1] = Math.sin(circle.data[i]);
    }
    for (const v of pinn.predict(pts).u) expect(Math.abs(v)).toBeLessThan(1e-6);
    await pinn.train({ steps: 200, adam: { lr: 5e-3 }, lbfgs: { maxIter: 150 }, progress: 'none' });
    const test = disk.sample(500, { rng: 5 });
    expect(relL2(pinn.predict(test).u, exact(test).u)).toBeLessThan(0.02);
    pinn.dispose();
  });

  it('the Burgers transform gives u(x, 0) = −sin(πx) and u(±1, t) = 0 exactly', () => {
    const problem = new Problem({
      domain: new SpaceTime(new Interval(-1, 1), new TimeDomain(0, 1)),
      constants: { nu: 0.01 },
      pde: 'u_t + u*u_x - nu*u_xx',
    });
    const pinn = new Pinn(problem, {
      hidden: [8],
      transforms: [{ field: 'u', particular: '-sin(pi*x)', distance: 't*(1-x^2)' }],
      points: { domain: 16 },
    });
    const x = linspace(-1, 1, 11);
    const atT0 = pinn.predict(grid([x, Float64Array.of(0)])).u;
    x.forEach((xi, i) => expect(atT0[i]).toBeCloseTo(-Math.sin(Math.PI * xi), 6));
    const sides = pinn.predict(grid([Float64Array.of(-1, 1), linspace(0, 1, 5)])).u;
    for (const v of sides) expect(Math.abs(v)).toBeLessThan(1e-6);
    const inside = pinn.predict(grid([Float64Array.of(0.5), Float64Array.of(0.5)])).u[0];
    expect(Math.abs(inside + Math.sin(Math.PI * 0.5))).toBeGreaterThan(1e-4); // the network does contribute inside
    pinn.dispose();
  });
});

describe('periodic, Neumann and Robin conditions', () => {
  it('periodic: u_xx + sin x = 0 on [0, 2π] with u(π/2) = 1 has only u = sin x when u, u_x are periodic', async () => {
    const domain = new Interval(0, 2 * Math.PI);
    const problem = new Problem({
      domain,
      pde: 'u_xx + sin(x)',
      conditions: [
        periodic({ input: 'x', name: 'periodic' }),
        observations({
          name: 'anchor',
          points: { data: Float64Array.of(Math.PI / 2), n: 1, dim: 1 },
          values: { u: [1] },
        }),
      ],
    });
    const pinn = new Pinn(problem, { hidden: [24, 24], points: { domain: 256, boundary: 8 }, seed: 4 });
    await pinn.train({ steps: 300, adam: { lr: 5e-3 }, lbfgs: { maxIter: 300 }, progress: 'none' });
    const pts = grid([linspace(0, 2 * Math.PI, 101)]);
    const u = pinn.predict(pts).u;
    const ref = pts.data.map(Math.sin);
    // Without periodicity sin x + a(x − π/2) fits too; periodicity forces a = 0.
    expect(relL2(u, ref)).toBeLessThan(0.03);
    expect(Math.abs(u[0] - u[100])).toBeLessThan(0.02);
    pinn.dispose();
  });

  for (const kind of ['neumann', 'robin'] as const) {
    it(`${kind}: −u_xx + u = f on [0, 1] with ${kind} data from the exact solution`, async () => {
      const { problem, exact } = manufactured({
        domain: new Interval(0, 1),
        pde: '-u_xx + u',
        exact: { u: 'cos(pi*x) + x^2' },
        conditions: [kind === 'neumann' ? 'neumann' : { kind: 'robin', a: 1, b: 0.5 }],
      });
      // ∂u/∂n at x = 1 is u_x(1) = 2 (outward normal +1) and at x = 0 it is −u_x(0) = 0.
      const pinn = new Pinn(problem, { hidden: [24, 24], points: { domain: 128, boundary: 16 }, seed: 6 });
      await pinn.train({ steps: 200, adam: { lr: 5e-3 }, lbfgs: { maxIter: 200 }, progress: 'none' });
      const pts = grid([linspace(0, 1, 51)]);
      expect(relL2(pinn.predict(pts).u, exact(pts).u)).toBeLessThan(0.03);
      pinn.dispose();
    });
  }
});

describe('inverse problem', () => {
  it('learns k in k·u_xx + π² sin(πx) = 0 from observations of u = sin(πx)', async () => {
    const n = 64;
    const data = Float64Array.from({ length: n }, (_, i) => -1 + (2 * (i + 0.5)) / n);
    const problem = new Problem({
      domain: new Interval(-1, 1),
      parameters: { k: { init: 0.3, positive: true } },
      pde: 'k*u_xx + pi^2*sin(pi*x)',
      conditions: [
        observations({
          name: 'data',
          points: { data, n, dim: 1 },
          values: { u: data.map((x) => Math.sin(Math.PI * x)) },
        }),
      ],
    });
    const pinn = new Pinn(problem, { hidden: [24, 24], points: { domain: 128 }, seed: 7 });
    expect(pinn.model.parameters().map((p) => p.name)).toContain('coefficients.k');
    expect(pinn.coefficients().k).toBeCloseTo(0.3, 6);
    await pinn.train({ steps: 300, adam: { lr: 5e-3 }, lbfgs: { maxIter: 300 }, progress: 'none' });
    expect(Math.abs(pinn.coefficients().k - 1)).toBeLessThan(0.01);
    pinn.dispose();
  });
});

describe('training aids', () => {
  const problem = () =>
    new Problem({
      domain: new SpaceTime(new Interval(-1, 1), new TimeDomain(0, 1)),
      constants: { nu: 0.05 },
      pde: 'u_t + u*u_x - nu*u_xx',
    });
  const transforms = [{ field: 'u', particular: '-sin(pi*x)', distance: 't*(1-x^2)' }];

  it('causal weighting: ε = 0 gives the plain mean; ε > 0 down-weights later chunks', () => {
    const plain = new Pinn(problem(), { hidden: [8, 8], points: { domain: 256 }, seed: 1, transforms });
    const c0 = new Pinn(problem(), {
      hidden: [8, 8],
      points: { domain: 256 },
      seed: 1,
      transforms,
      causal: { chunks: 8, epsilon: 0 },
    });
    const c1 = new Pinn(problem(), {
      hidden: [8, 8],
      points: { domain: 256 },
      seed: 1,
      transforms,
      causal: { chunks: 8, epsilon: 100 },
    });
    const v = (p: Pinn) => tf.tidy(() => p.lossTerms().pde.dataSync()[0]);
    expect(v(c0)).toBeCloseTo(v(plain), 5);
    expect(v(c1)).toBeLessThan(0.5 * v(plain));
    // Chunks follow time: the sorted points' t is non-decreasing.
    const pts = c1.domainPoints;
    for (let i = 1; i < pts.n; i++) expect(pts.data[2 * i + 1]).toBeGreaterThanOrEqual(pts.data[2 * i - 1]);
    for (const p of [plain, c0, c1]) p.dispose();
  });

  it('RAD moves collocation points toward large residuals; adaptive weights equalise weighted gradient norms', async () => {
    const pinn = new Pinn(
      new Problem({
        domain: new Interval(-1, 1),
        pde: 'u_xx + 100*exp(-100*x^2)',
        conditions: [
          observations({
            name: 'zero',
            points: { data: Float64Array.of(-1, 1), n: 2, dim: 1 },
            values: { u: [0, 0] },
          }),
        ],
      }),
      {
        hidden: [8],
        points: { domain: 512 },
        seed: 3,
        adaptiveSampling: { method: 'rad', every: 2, k: 2, c: 0 },
        adaptiveWeights: { every: 1000 },
      },
    );
    const near = (p: { data: Float64Array }) =>
      p.data.filter((x) => Math.abs(x) < 0.2).length / p.data.length;
    const before = near(pinn.domainPoints);
    await pinn.train({ steps: 2, adam: { lr: 1e-4 }, progress: 'none' });
    expect(before).toBeLessThan(0.3);
    expect(near(pinn.domainPoints)).toBeGreaterThan(0.5);
    // A replacing update (α = 0) sets λ_k = Σ_j ‖∇L_j‖ / ‖∇L_k‖, so λ_k ‖∇L_k‖ is the same for every k.
    const norms = pinn.updateAdaptiveWeights(0);
    const w = pinn.weights;
    expect(norms.pde / norms.zero).not.toBeCloseTo(1, 1);
    expect(w.pde * norms.pde).toBeCloseTo(w.zero * norms.zero, 3);
    expect(w.pde * norms.pde).toBeCloseTo(norms.pde + norms.zero, 3);
    pinn.dispose();
  });
});

describe('errors name the argument', () => {
  it('problem and pinn configuration', () => {
    const domain = new Interval(0, 1);
    expect(() => new Problem({ domain, pde: 'u_xx + f' })).toThrow(/unknown symbol 'f'/);
    expect(() => new Problem({ domain, pde: 'u_xx', conditions: [periodic({ input: 'y' })] })).toThrow(
      /'input' must be one of x/,
    );
    expect(() => new Problem({ domain, pde: 'u_xx', inputs: ['x', 't'] })).toThrow(
      /'inputs' has 2 names but the domain has dim 1/,
    );
    expect(() => new Problem({ domain, pde: 'u_xx', constants: { x: 1 } })).toThrow(/'x' is declared twice/);
    const stringWhere = { value: 0, name: 'left', where: 'x < 0.5' } as unknown as Parameters<
      typeof dirichlet
    >[0];
    expect(() => new Problem({ domain, pde: 'u_xx', conditions: [dirichlet(stringWhere)] })).toThrow(
      /condition 'left': 'where' must be a function of a point/,
    );
    const p = new Problem({ domain, pde: 'u_xx' });
    expect(() => new Pinn(p, { weights: { bc: 2 } })).toThrow(
      /'weights' names unknown term 'bc'; terms are pde/,
    );
    expect(() => new Pinn(p, { causal: { chunks: 4 } })).toThrow(/'causal' weighting needs a time-dependent/);
    expect(() => new Pinn(p, { points: { domain: 0 } })).toThrow(
      /'points.domain' must be a positive integer/,
    );
  });
});
