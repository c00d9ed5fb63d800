import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LbfgsMemory } from './lbfgs.ts';
import { LbfgsOptimizer, type LossAndGrads } from './lbfgs_optimizer.ts';
import { leastSquares, NODE_BACKENDS, useBackend } from './testing.ts';

const ROWS = 60;
const COLS = 12;

/** Least squares 0.5 |A x - b|^2 in float32 with x split over variables of shapes [4, 2] and [4]. */
function tfLeastSquares() {
  const { A, b, xStar } = leastSquares(ROWS, COLS, 3);
  const params = [tf.variable(tf.zeros([4, 2]), true, 'w'), tf.variable(tf.zeros([4]), true, 'c')];
  const At = tf.tensor2d(A);
  const bt = tf.tensor2d(b, [ROWS, 1]);
  const loss = () =>
    tf.tidy(() => {
      const x = tf.concat(params.map((p) => tf.reshape(p, [-1, 1])));
      return tf.mul(0.5, tf.sum(tf.square(tf.sub(tf.matMul(At, x), bt)))) as tf.Scalar;
    });
  const lossAndGrads: LossAndGrads = () => {
    const { value, grads } = tf.variableGrads(loss, params);
    return { loss: value, grads: params.map((p) => grads[p.name]) };
  };
  const read = () => params.flatMap((p) => Array.from(p.dataSync()));
  const lossAt = () => {
    const l = loss();
    const v = l.dataSync()[0];
    l.dispose();
    return v;
  };
  return {
    params,
    xStar,
    loss,
    lossAndGrads,
    read,
    lossAt,
    dispose: () => tf.dispose([At, bt, ...params]),
  };
}

/** Float32 chained Rosenbrock in 10-D through one variable. */
function tfRosenbrock() {
  const x = tf.variable(
    tf.tensor1d(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? -1.2 : 1))),
    true,
    'x',
  );
  const lossAndGrads: LossAndGrads = () => {
    const { value, grads } = tf.variableGrads(
      () =>
        tf.tidy(() => {
          const a = tf.slice(x, 0, 9);
          const b = tf.slice(x, 1, 9);
          return tf.sum(tf.add(tf.mul(100, tf.square(tf.sub(b, tf.square(a)))), tf.square(tf.sub(1, a))));
        }) as tf.Scalar,
      [x],
    );
    return { loss: value, grads: [grads[x.name]] };
  };
  return { x, lossAndGrads };
}

describe.each(NODE_BACKENDS)('LbfgsOptimizer on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  afterAll(() => tf.disposeVariables());

  it('solves least squares in float32 to the float64 closed form, leaving no tensors behind', () => {
    const p = tfLeastSquares();
    const opt = new LbfgsOptimizer(p.params);
    const before = tf.memory().numTensors;
    const r = opt.minimize(p.lossAndGrads);
    expect(tf.memory().numTensors).toBe(before);
    console.log(
      `[${backend}] tf least squares: ${r.iterations} it, ${r.evaluations} evals, ${r.reason}: ${r.message}`,
    );
    expect(['gradTol', 'fTol', 'lineSearch']).toContain(r.reason);
    const scale = Math.max(...p.xStar.map(Math.abs));
    const err = Math.max(...p.read().map((v, i) => Math.abs(v - p.xStar[i]))) / scale;
    console.log(`[${backend}] max |x - x*| / max |x*| = ${err}`);
    expect(err).toBeLessThan(1e-6);
    // The variables hold the point whose loss was reported.
    expect(p.lossAt()).toBe(r.value);
    p.dispose();
  });

  it('minimizes float32 Rosenbrock 10-D and terminates cleanly', async () => {
    const { x, lossAndGrads } = tfRosenbrock();
    const start = x.dataSync().slice();
    const opt = new LbfgsOptimizer([x], { gradTol: 0, fTol: 0 });
    const r = opt.minimize(lossAndGrads);
    console.log(
      `[${backend}] tf rosenbrock 10-D: ${r.iterations} it, ${r.evaluations} evals, f = ${r.value}, ${r.reason}`,
    );
    expect(['gradTol', 'fTol', 'lineSearch']).toContain(r.reason);
    expect(Math.max(...Array.from(x.dataSync(), (v) => Math.abs(v - 1)))).toBeLessThan(1e-3);
    // minimizeAsync reads with data() but takes exactly the same path.
    x.assign(tf.tensor1d(start));
    const ra = await opt.minimizeAsync(lossAndGrads);
    expect(ra).toEqual(r);
    x.dispose();
  });

  it('carries the curvature pairs between minimize calls through a shared LbfgsMemory', () => {
    const { x, lossAndGrads } = tfRosenbrock();
    const start = x.dataSync().slice();
    const whole = new LbfgsOptimizer([x], { gradTol: 0, fTol: 0, maxIter: 12 });
    whole.minimize(lossAndGrads);
    const end = x.dataSync().slice();
    x.assign(tf.tensor1d(start));
    const memory = new LbfgsMemory();
    const rounds = new LbfgsOptimizer([x], { gradTol: 0, fTol: 0, maxIter: 4, memory });
    for (let r = 0; r < 3; r++) rounds.minimize(lossAndGrads);
    // float32 variables round-trip exactly, so the rounds retrace the single run.
    expect(Array.from(x.dataSync())).toEqual(Array.from(end));
    expect(memory.size).toBe(10);
    x.dispose();
  });

  it('calls back with the variables at the current point and stops on request', () => {
    const p = tfLeastSquares();
    const opt = new LbfgsOptimizer(p.params);
    const seen: number[] = [];
    const r = opt.minimize(p.lossAndGrads, {
      callback: ({ iteration, value }) => {
        expect(p.lossAt()).toBe(value);
        seen.push(value);
        return iteration === 3;
      },
    });
    expect(r).toMatchObject({ reason: 'callback', iterations: 3 });
    expect(seen).toHaveLength(3);
    expect(p.lossAt()).toBe(r.value);
    expect(opt.minimize(p.lossAndGrads, { maxIter: 2 }).reason).toBe('maxIter');
    p.dispose();
  });

  it('rejects wrong gradients with a clear error and restores the last good point', () => {
    const p = tfLeastSquares();
    const opt = new LbfgsOptimizer(p.params);
    const start = p.read();
    const before = tf.memory().numTensors;
    const missing: LossAndGrads = () => {
      const { loss, grads } = p.lossAndGrads();
      tf.dispose(grads[1]);
      return { loss, grads: [grads[0]] };
    };
    expect(() => opt.minimize(missing)).toThrow(/'grads' must have one tensor per parameter \(2\), got 1/);
    const wrongShape: LossAndGrads = () => {
      const { loss, grads } = p.lossAndGrads();
      const flat = tf.reshape(grads[0], [8]);
      grads[0].dispose();
      return { loss, grads: [flat, grads[1]] };
    };
    expect(() => opt.minimize(wrongShape)).toThrow(
      /'grads\[0\]' has shape \[8\] but params\[0\] \('w'\) has shape \[4,2\]/,
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(p.read()).toEqual(start);
    let calls = 0;
    const failsLater: LbfgsOptimizer['minimize'] extends (f: infer F, ...a: never[]) => unknown ? F : never =
      () => {
        if (++calls === 6) throw new Error('boom');
        return p.lossAndGrads();
      };
    let accepted = Number.NaN;
    expect(() =>
      opt.minimize(failsLater, {
        callback: ({ value }) => {
          accepted = value;
          return undefined;
        },
      }),
    ).toThrow('boom');
    expect(p.lossAt()).toBe(accepted);
    expect(() => new LbfgsOptimizer(p.params, { m: 0 })).toThrow(/'m' must be an integer >= 1/);
    expect(() => new LbfgsOptimizer([])).toThrow(/'params' must be a non-empty array/);
    p.dispose();
  });
});
