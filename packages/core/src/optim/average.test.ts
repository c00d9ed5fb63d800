import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ParameterAverage } from './average.ts';
import { useBackend } from './testing.ts';

/** A toy trajectory: values x_t = a + t·b (t = 1..T) in a [2, 2] and a [3] variable. */
function toy() {
  const w = tf.variable(tf.zeros([2, 2]));
  const c = tf.variable(tf.zeros([3]));
  const a = [0.5, -1, 2, 0.25, 3, -2, 1];
  const b = [1, 0.5, -0.25, 2, -1, 0.125, 4];
  const set = (t: number) => {
    const x = a.map((ai, i) => ai + t * b[i]);
    const tw = tf.tensor2d(x.slice(0, 4), [2, 2]);
    const tc = tf.tensor1d(x.slice(4));
    w.assign(tw);
    c.assign(tc);
    tw.dispose();
    tc.dispose();
  };
  return { w, c, a, b, set, dispose: () => tf.dispose([w, c]) };
}

describe('ParameterAverage', () => {
  beforeAll(() => useBackend('cpu'));

  it('mean equals the closed form a + b(T+1)/2 and leaves numTensors unchanged', () => {
    const m = toy();
    const avg = new ParameterAverage([m.w, m.c]);
    const before = tf.memory().numTensors;
    const T = 7;
    for (let t = 1; t <= T; t++) {
      m.set(t);
      avg.update();
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(avg.count).toBe(T);
    const flat = avg.values().flatMap((v) => [...v]);
    flat.forEach((v, i) => expect(v).toBeCloseTo(m.a[i] + (m.b[i] * (T + 1)) / 2, 5));
    m.dispose();
  });

  it('ema equals the closed form, withAverage restores the raw values, assign writes the average', () => {
    const m = toy();
    const d = 0.75;
    const avg = new ParameterAverage([m.w, m.c], { kind: 'ema', decay: d });
    const T = 5;
    for (let t = 1; t <= T; t++) {
      m.set(t);
      avg.update();
    }
    // avg_T = Σ_{t=2..T} (1−d) d^{T−t} x_t + d^{T−1} x_1
    const expected = m.a.map((ai, i) => {
      let s = d ** (T - 1) * (ai + m.b[i]);
      for (let t = 2; t <= T; t++) s += (1 - d) * d ** (T - t) * (ai + t * m.b[i]);
      return s;
    });
    const before = tf.memory().numTensors;
    const seen = avg.withAverage(() => [...m.w.dataSync(), ...m.c.dataSync()]);
    expect(tf.memory().numTensors).toBe(before);
    seen.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    const raw = [...m.w.dataSync(), ...m.c.dataSync()];
    raw.forEach((v, i) => expect(v).toBeCloseTo(m.a[i] + T * m.b[i], 5));
    avg.assign();
    [...m.w.dataSync(), ...m.c.dataSync()].forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    avg.reset();
    expect(avg.count).toBe(0);
    expect(() => avg.values()).toThrow(/no update/);
    m.dispose();
  });

  it('rejects bad arguments by name', () => {
    const m = toy();
    expect(() => new ParameterAverage([])).toThrow(/variables/);
    expect(() => new ParameterAverage([m.w], { kind: 'ema', decay: 1 })).toThrow(/decay/);
    expect(() => new ParameterAverage([m.w], { kind: 'median' as 'mean' })).toThrow(/kind/);
    m.dispose();
  });
});
