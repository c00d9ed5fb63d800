import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdamConfig, AdamOptimizer, groupRanges } from './adam.ts';
import { makeSchedule } from './schedules.ts';
import { maxRelErr, NODE_BACKENDS, useBackend } from './testing.ts';

// Quadratic f(p) = 0.5 sum a_i (p_i - c_i)^2 over two variables of shapes [2, 3] and [4].
const SHAPES = [[2, 3], [4]];
const N = 10;
const A = Array.from({ length: N }, (_, i) => 0.5 + 0.37 * i);
const C = Array.from({ length: N }, (_, i) => Math.sin(1.3 * i) * 2);
const P0 = Array.from({ length: N }, (_, i) => Math.cos(0.7 * i) * 3 + 1);
const quadGrad = (p: ArrayLike<number>) => Array.from(p, (x, i) => A[i] * (x - C[i]));

/** Float64 Adam, written from the formulas in adam.ts's header, independent of tfjs. */
function adamReference(
  config: AdamConfig,
  steps: number,
  grad: (p: number[]) => number[] = quadGrad,
): number[][] {
  const { beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, weightDecay = 0, clipNorm, clipValue } = config;
  const lr = makeSchedule(config.lr as number);
  let p = [...P0];
  const m = new Array(N).fill(0);
  const v = new Array(N).fill(0);
  const out: number[][] = [];
  for (let s = 0; s < steps; s++) {
    let g = grad(p);
    if (clipValue !== undefined) g = g.map((x) => Math.min(clipValue, Math.max(-clipValue, x)));
    if (clipNorm !== undefined) {
      const norm = Math.sqrt(g.reduce((a, x) => a + x * x, 0));
      const scale = Math.min(1, clipNorm / (norm + 1e-6));
      g = g.map((x) => x * scale);
    }
    const t = s + 1;
    const rate = lr(s);
    p = p.map((x, i) => {
      m[i] = beta1 * m[i] + (1 - beta1) * g[i];
      v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
      const mHat = m[i] / (1 - beta1 ** t);
      const vHat = v[i] / (1 - beta2 ** t);
      return x * (1 - rate * weightDecay) - (rate * mHat) / (Math.sqrt(vHat) + epsilon);
    });
    out.push(p);
  }
  return out;
}

function makeParams(values: ArrayLike<number> = P0): tf.Variable[] {
  let o = 0;
  return SHAPES.map((shape) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const v = tf.variable(tf.tensor(Array.from(values).slice(o, o + size), shape));
    o += size;
    return v;
  });
}

function readParams(params: tf.Variable[]): number[] {
  return params.flatMap((p) => Array.from(p.dataSync()));
}

/** Gradients of the quadratic computed with tf ops at the variables' current values. */
function tfGrads(params: tf.Variable[]): tf.Tensor[] {
  return tf.tidy(() => {
    const a = tf.tensor(A);
    const c = tf.tensor(C);
    let o = 0;
    return params.map((p) => {
      const s = p.size;
      const g = tf.mul(tf.slice(a, o, s).reshape(p.shape), tf.sub(p, tf.slice(c, o, s).reshape(p.shape)));
      o += s;
      return g;
    });
  });
}

function run(opt: AdamOptimizer, params: tf.Variable[], steps: number): number[][] {
  const out: number[][] = [];
  for (let s = 0; s < steps; s++) {
    const g = tfGrads(params);
    opt.applyGradients(g);
    tf.dispose(g);
    out.push(readParams(params));
  }
  return out;
}

function expectMatchesReference(config: AdamConfig, steps = 6, tol = 2e-5): number[][] {
  const params = makeParams();
  const opt = new AdamOptimizer(params, config);
  const got = run(opt, params, steps);
  const want = adamReference(config, steps);
  for (let s = 0; s < steps; s++) expect(maxRelErr(got[s], want[s], 1e-3), `step ${s}`).toBeLessThan(tol);
  opt.dispose();
  tf.dispose(params);
  return want;
}

describe.each(NODE_BACKENDS)('AdamOptimizer on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  afterAll(() => tf.disposeVariables());

  it('matches a float64 reference for the first steps (bias correction)', () => {
    expectMatchesReference({ lr: 0.1 });
    // Large epsilon makes the update proportional to m: checks the 1 - beta2^t correction inside sqrt.
    expectMatchesReference({ lr: 0.1, beta1: 0.5, beta2: 0.9, epsilon: 0.5 });
  });

  it('follows a schedule', () => {
    expectMatchesReference(
      { lr: { kind: 'warmup', warmupSteps: 3, schedule: { kind: 'cosine', lr: 0.2, steps: 5 } } },
      8,
    );
  });

  it('AdamW: decoupled weight decay', () => {
    const want = expectMatchesReference({ lr: 0.1, weightDecay: 0.5 });
    expect(maxRelErr(want[5], adamReference({ lr: 0.1 }, 6)[5], 1e-3)).toBeGreaterThan(1e-2);
    // With zero gradients only the decay acts: p_t = p_0 (1 - lr wd)^t exactly as in float32.
    const params = makeParams();
    const opt = new AdamOptimizer(params, { lr: 0.1, weightDecay: 0.5 });
    const zeros = params.map((p) => tf.zerosLike(p));
    for (let s = 0; s < 3; s++) opt.applyGradients(zeros);
    expect(
      maxRelErr(
        readParams(params),
        P0.map((x) => x * 0.95 ** 3),
      ),
    ).toBeLessThan(1e-6);
    tf.dispose([...zeros, ...params]);
    opt.dispose();
  });

  it('clips by global norm and by value', () => {
    // Gradients here have norm ~20 at the start and shrink, so clipping is active then inactive.
    const clipped = expectMatchesReference({ lr: 0.5, epsilon: 1, clipNorm: 2 }, 8);
    expect(maxRelErr(clipped[7], adamReference({ lr: 0.5, epsilon: 1 }, 8)[7], 1e-3)).toBeGreaterThan(1e-2);
    const byValue = expectMatchesReference({ lr: 0.5, epsilon: 1, clipValue: 0.7 }, 8);
    expect(maxRelErr(byValue[7], adamReference({ lr: 0.5, epsilon: 1 }, 8)[7], 1e-3)).toBeGreaterThan(1e-2);
    expectMatchesReference({ lr: 0.5, epsilon: 1, clipValue: 3, clipNorm: 2 }, 8);
  });

  it('resumes bit-identically from a JSON round trip of its state', async () => {
    const config: AdamConfig = {
      lr: { kind: 'exponential', lr: 0.05, decayRate: 0.5, decaySteps: 3 },
      weightDecay: 0.1,
    };
    const pa = makeParams();
    const a = new AdamOptimizer(pa, config);
    run(a, pa, 5);
    const state = JSON.parse(JSON.stringify(await a.getState()));
    expect(state.step).toBe(5);
    const pb = makeParams(readParams(pa));
    const b = new AdamOptimizer(pb, config);
    b.setState(state);
    expect(b.step).toBe(5);
    const ca = run(a, pa, 5);
    const cb = run(b, pb, 5);
    expect(cb).toEqual(ca);
    expect(await b.getState()).toEqual(await a.getState());
    // Typed arrays are accepted too (e.g. moments read from .npy).
    b.setState({ ...state, m: Float32Array.from(state.m), v: Float32Array.from(state.v) });
    a.dispose();
    b.dispose();
    tf.dispose([...pa, ...pb]);
  });

  it('updates large models in groups, with the global clip norm of one flat buffer', () => {
    // 50k + 30k + 20k values: two update groups ([50k], [30k, 20k]) under the 65 536 cap.
    expect(groupRanges([50_000, 30_000, 20_000], 65_536)).toEqual([
      { start: 0, end: 1, size: 50_000 },
      { start: 1, end: 3, size: 50_000 },
    ]);
    expect(groupRanges([3, 4], 65_536)).toEqual([{ start: 0, end: 2, size: 7 }]);
    const sizes = [50_000, 30_000, 20_000];
    const total = 100_000;
    const p0 = Float32Array.from({ length: total }, (_, i) => Math.cos(0.001 * i));
    const g0 = Float32Array.from({ length: total }, (_, i) => Math.fround(Math.sin(0.37 * i) * 0.01));
    let o = 0;
    const params = sizes.map((n) => {
      const v = tf.variable(tf.tensor1d(p0.subarray(o, o + n)));
      o += n;
      return v;
    });
    const config = { lr: 1e-2, clipNorm: 0.5 };
    const opt = new AdamOptimizer(params, config);
    const before = tf.memory().numTensors;
    // Step 2 scales the first variable's gradient by 4: per-group clip norms would then scale
    // the groups' two steps differently than the global norm does (Adam is not invariant to that).
    const gradAt = (step: number, i: number) => (step === 1 && i < 50_000 ? 4 : 1) * g0[i];
    const norms = [0, 1].map((step) => Math.sqrt(g0.reduce((a, _, i) => a + gradAt(step, i) ** 2, 0)));
    for (let step = 0; step < 2; step++) {
      o = 0;
      const grads = sizes.map((n) => {
        const g = tf.tensor1d(Float32Array.from({ length: n }, (_, j) => gradAt(step, o + j)));
        o += n;
        return g;
      });
      opt.applyGradients(grads);
      tf.dispose(grads);
    }
    expect(tf.memory().numTensors).toBe(before);
    // Float64 reference: each step's gradient clipped by its global norm.
    const got = params.flatMap((v) => Array.from(v.dataSync()));
    let worst = 0;
    for (let i = 0; i < total; i++) {
      let p = p0[i];
      let m = 0;
      let v = 0;
      for (let t = 1; t <= 2; t++) {
        const g = gradAt(t - 1, i) * Math.min(1, 0.5 / (norms[t - 1] + 1e-6));
        m = 0.9 * m + 0.1 * g;
        v = 0.999 * v + 0.001 * g * g;
        p -= (1e-2 * (m / (1 - 0.9 ** t))) / (Math.sqrt(v / (1 - 0.999 ** t)) + 1e-8);
      }
      worst = Math.max(worst, Math.abs(got[i] - p));
    }
    expect(worst).toBeLessThan(1e-6);
    opt.dispose();
    tf.dispose(params);
  });

  it('leaves tf.memory().numTensors unchanged on every step', () => {
    const params = makeParams();
    const opt = new AdamOptimizer(params, { lr: 0.01, weightDecay: 0.01, clipNorm: 1, clipValue: 5 });
    const before = tf.memory().numTensors;
    for (let s = 0; s < 5; s++) {
      const g = tfGrads(params);
      opt.applyGradients(g);
      tf.dispose(g);
      expect(tf.memory().numTensors).toBe(before);
    }
    const single = [tf.variable(tf.ones([3]))];
    const opt1 = new AdamOptimizer(single, { lr: 0.01 });
    const g = tf.ones([3]);
    const before1 = tf.memory().numTensors;
    opt1.applyGradients([g]);
    opt1.applyGradients([g]);
    expect(tf.memory().numTensors).toBe(before1);
    opt.dispose();
    opt1.dispose();
    const afterDispose = tf.memory().numTensors;
    expect(before1 - afterDispose).toBe(2 * (2 + 5));
    tf.dispose([g, ...single, ...params]);
  });

  it('construction then dispose leaves no tensors behind', () => {
    const params = makeParams();
    const before = tf.memory().numTensors;
    new AdamOptimizer(params, { lr: 0.01 }).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(params);
  });

  it('rejects bad arguments with messages naming them', async () => {
    const params = makeParams();
    expect(() => new AdamOptimizer(params, { lr: 0 })).toThrow(/'lr' must be a finite number > 0, got 0/);
    expect(() => new AdamOptimizer(params, { lr: -1e-3 })).toThrow(/'lr'/);
    expect(() => new AdamOptimizer(params, { lr: 1e-3, beta2: 1 })).toThrow(/'beta2' must be in \[0, 1\)/);
    expect(() => new AdamOptimizer(params, { lr: 1e-3, clipNorm: 0 })).toThrow(/'clipNorm'/);
    expect(() => new AdamOptimizer([], { lr: 1e-3 })).toThrow(/'params' must be a non-empty array/);
    const opt = new AdamOptimizer(params, { lr: 1e-3 });
    const g = params.map((p) => tf.zerosLike(p));
    expect(() => opt.applyGradients(g.slice(1))).toThrow(
      /'grads' must have one tensor per parameter \(2\), got 1/,
    );
    const wrong = tf.zeros([3, 2]);
    expect(() => opt.applyGradients([wrong, g[1]])).toThrow(/'grads\[0\]' has shape \[3,2\] but params\[0\]/);
    const state = await opt.getState();
    const other = [tf.variable(tf.zeros([10]))];
    const opt2 = new AdamOptimizer(other, { lr: 1e-3 });
    expect(() => opt2.setState(state)).toThrow(/'state.shapes'/);
    expect(opt.step).toBe(0);
    opt.dispose();
    expect(() => opt.applyGradients(g)).toThrow(/disposed/);
    opt2.dispose();
    tf.dispose([...g, wrong, ...params, ...other]);
  });
});
