/** Fresh boundary and initial points (`Pinn.resampleConditions`, option `resampleConditions`). */
import { Interval, Rectangle, SpaceTime, TimeDomain } from '@pinnate/geometry';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { dirichlet, initial, Pinn, Problem } from '../src/index.ts';
import { useWasm } from './setup.ts';

beforeAll(useWasm);

const exact = (x: number, y: number) => Math.sin(Math.PI * x) + y * y;

/** The points of each condition group (private; read for the test only). */
function conditionPoints(pinn: Pinn): { n: number; dim: number; data: Float64Array }[] {
  const groups = (pinn as unknown as { groups: { host: { n: number; dim: number; data: Float64Array } }[] })
    .groups;
  return groups.slice(1).map((g) => g.host);
}

describe('Pinn.resampleConditions', () => {
  const problem = () =>
    new Problem({
      domain: new Rectangle([-1, -1], [1, 1]),
      pde: { expression: 'lap(u)', forcing: '-pi^2*sin(pi*x) + 2' },
      conditions: [dirichlet({ value: 'sin(pi*x) + y^2', name: 'bc' })],
    });

  it('draws new boundary points with matching targets, seeded, without leaking tensors', () => {
    const a = new Pinn(problem(), { hidden: [8], points: { domain: 64, boundary: 50 }, seed: 3 });
    const b = new Pinn(problem(), { hidden: [8], points: { domain: 64, boundary: 50 }, seed: 3 });
    const p0 = Float64Array.from(conditionPoints(a)[0].data);
    const before = tf.memory().numTensors;
    a.resampleConditions();
    b.resampleConditions();
    expect(tf.memory().numTensors).toBe(before);
    const p1 = conditionPoints(a)[0];
    expect(p1.n).toBe(50);
    expect(Array.from(p1.data)).not.toEqual(Array.from(p0));
    // On the boundary, and the same draw for the same seed.
    for (let r = 0; r < p1.n; r++) {
      const [x, y] = [p1.data[2 * r], p1.data[2 * r + 1]];
      expect(Math.min(1 - Math.abs(x), 1 - Math.abs(y))).toBeLessThan(1e-12);
    }
    expect(Array.from(conditionPoints(b)[0].data)).toEqual(Array.from(p1.data));
    // The bc term is the mean squared misfit at the new points against the new targets.
    const terms = a.lossTerms();
    const bc = terms.bc.dataSync()[0];
    tf.dispose(Object.values(terms));
    const u = a.predict(p1).u;
    let want = 0;
    for (let r = 0; r < p1.n; r++) want += (u[r] - exact(p1.data[2 * r], p1.data[2 * r + 1])) ** 2;
    expect(bc).toBeCloseTo(want / p1.n, 5);
    a.dispose();
    b.dispose();
  });

  it('with the option set, Adam resampling redraws boundary and initial points too', async () => {
    const st = new Problem({
      domain: new SpaceTime(new Interval(-1, 1), new TimeDomain(0, 1)),
      pde: 'u_t - 0.1*u_xx',
      conditions: [dirichlet({ value: 0, name: 'bc' }), initial({ value: '-sin(pi*x)', name: 'ic' })],
    });
    const opts = {
      hidden: [8],
      points: { domain: 32, boundary: 16, initial: 16 },
      seed: 1,
      resampleEvery: 1,
    };
    const on = new Pinn(st, { ...opts, resampleConditions: true });
    const off = new Pinn(st, opts);
    const start = conditionPoints(on).map((p) => Array.from(p.data));
    const startOff = conditionPoints(off).map((p) => Array.from(p.data));
    const before = tf.memory().numTensors;
    await on.train({ steps: 3, adam: { lr: 1e-3 }, progress: 'none' });
    await off.train({ steps: 3, adam: { lr: 1e-3 }, progress: 'none' });
    expect(tf.memory().numTensors).toBe(before);
    conditionPoints(on).forEach((p, i) => {
      expect(Array.from(p.data)).not.toEqual(start[i]);
    });
    conditionPoints(off).forEach((p, i) => {
      expect(Array.from(p.data)).toEqual(startOff[i]);
    });
    on.dispose();
    off.dispose();
  });
});
