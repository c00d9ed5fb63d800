import { Interval, SpaceTime, TimeDomain } from '@pinnate/geometry';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { dirichlet, grid, initial, linspace, manufactured, Pinn, Problem, relL2 } from '../src/index.ts';
import { useWasm } from './setup.ts';

beforeAll(useWasm);

describe('Pinn on a 1-D manufactured Poisson problem', () => {
  it('learns u = sin(πx) from u_xx = f with Dirichlet data (a wrong forcing sign cannot)', async () => {
    const { problem, exact } = manufactured({
      domain: new Interval(-1, 1),
      pde: 'u_xx',
      exact: { u: 'sin(pi*x)' },
      conditions: ['dirichlet'],
    });
    const pinn = new Pinn(problem, { hidden: [32, 32], points: { domain: 256, boundary: 16 }, seed: 1 });
    await pinn.train({ steps: 1000, adam: { lr: 3e-3 }, progress: 'none' });
    const pts = grid([linspace(-1, 1, 101)]);
    const err = relL2(pinn.predict(pts).u, exact(pts).u);
    expect(err).toBeLessThan(0.05);
    pinn.dispose();
  });
});

describe('Burgers from a PDE string', () => {
  const nu = 0.01 / Math.PI;
  const domain = new SpaceTime(new Interval(-1, 1), new TimeDomain(0, 1));

  it('the string residual equals a TypeScript residual over jets, and a step keeps numTensors', async () => {
    const conditions = [dirichlet({ value: 0, name: 'bc' }), initial({ value: '-sin(pi*x)', name: 'ic' })];
    const fromString = new Problem({ domain, constants: { nu }, pde: 'u_t + u*u_x - nu*u_xx', conditions });
    const fromFn = new Problem({
      domain,
      constants: { nu },
      pde: ({ field, constants }) => {
        const u = field('u');
        return tf.sub(tf.add(u.d('t'), tf.mul(u.value, u.d('x'))), tf.mul(u.d('x', 'x'), constants.nu));
      },
      conditions,
    });
    const a = new Pinn(fromString, {
      hidden: [16, 16],
      points: { domain: 128, boundary: 32, initial: 32 },
      seed: 3,
    });
    const b = new Pinn(fromFn, {
      hidden: [16, 16],
      points: { domain: 128, boundary: 32, initial: 32 },
      seed: 3,
    });
    const pts = grid([linspace(0, 1, 7), linspace(-1, 1, 9)], [1, 0]);
    const ra = a.residuals(pts).pde;
    const rb = b.residuals(pts).pde;
    for (let i = 0; i < pts.n; i++) expect(ra[i]).toBeCloseTo(rb[i], 6);
    expect(a.termNames()).toEqual(['pde', 'bc', 'ic']);
    // Initial-condition targets are -sin(pi x) at t = 0.
    const t = a.trainerFor({ steps: 30, adam: { lr: 1e-3 }, progress: 'none' });
    await t.adamStep();
    const before = tf.memory().numTensors;
    const first = await t.adamStep();
    for (let i = 0; i < 25; i++) await t.adamStep();
    const last = await t.adamStep();
    expect(tf.memory().numTensors).toBe(before);
    expect(last.loss).toBeLessThan(first.loss);
    expect(first.terms.ic).toBeGreaterThan(0.05); // the untrained net is far from -sin(pi x)
    t.dispose();
    a.dispose();
    b.dispose();
  });
});
