import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdamOptimizer, initBackend } from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { relativeH1, relativeL2 } from '../losses/relative.ts';
import { Fno } from './fno.ts';
import { Mgno } from './mgno.ts';
import {
  countOperatorParameters,
  type GridOperator,
  loadOperator,
  predict,
  saveOperator,
} from './operator.ts';
import { buildOperator } from './registry.ts';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

/** A smooth, non-trivial target map a ↦ u on an n×n grid (fixed, so a model can fit it). */
function pair(n: number, seed: number): [tf.Tensor4D, tf.Tensor4D] {
  return tf.tidy(() => {
    const a = tf.add(8, tf.mul(3, tf.randomUniform([2, n, n, 1], -1, 1, 'float32', seed))) as tf.Tensor4D;
    const i = tf.linspace(0, 1, n);
    const bump = tf.mul(
      tf.reshape(tf.mul(i, tf.sub(1, i)), [1, n, 1, 1]),
      tf.reshape(tf.mul(i, tf.sub(1, i)), [1, 1, n, 1]),
    );
    return [a, tf.div(tf.mul(bump, 0.5), a) as tf.Tensor4D];
  });
}

const small = (): GridOperator[] => [
  new Mgno({
    channels: 6,
    layers: 2,
    smoothing: [1, 1, 1],
    inputShift: 8,
    inputScale: 3,
    outputScale: 0.02,
    seed: 1,
  }),
  new Fno({
    width: 6,
    modes: 3,
    layers: 2,
    projection: 8,
    inputShift: 8,
    inputScale: 3,
    outputScale: 0.02,
    seed: 1,
  }),
];

describe('MgNO and FNO', { timeout: 60_000 }, () => {
  it('train: loss falls, and a step leaves the tensor count unchanged (odd grid)', () => {
    const [a, u] = pair(13, 1);
    for (const op of small()) {
      const vars = op.parameters().map((p) => p.variable);
      const opt = new AdamOptimizer(vars, { lr: 3e-3 });
      const step = () => {
        const { value, grads } = tf.variableGrads(() => relativeH1(op.apply(a), u) as tf.Scalar, vars);
        opt.applyGradients(vars.map((v) => grads[v.name]));
        const l = value.dataSync()[0];
        tf.dispose([value, ...Object.values(grads)]);
        return l;
      };
      const first = step();
      const before = tf.memory().numTensors;
      let last = first;
      for (let s = 0; s < 25; s++) last = step();
      expect(tf.memory().numTensors).toBe(before);
      expect(last, op.config().type as string).toBeLessThan(0.75 * first);
      opt.dispose();
      op.dispose();
    }
  });

  it('run on even and odd grids and evaluate at another resolution than trained', () => {
    for (const op of small()) {
      for (const n of [12, 13, 25]) {
        const [a] = pair(n, 2);
        const y = op.apply(a);
        expect(y.shape).toEqual([2, n, n, 1]);
        expect(Number.isFinite(tf.sum(y).dataSync()[0])).toBe(true);
      }
      op.dispose();
    }
    // FNO is discretization invariant: a smooth input at 13² and 25² gives matching outputs.
    const fno = small()[1];
    const smooth = (n: number) =>
      tf.tidy(() => {
        const i = tf.linspace(0, 1, n);
        return tf.add(
          8,
          tf.mul(
            2,
            tf.mul(
              tf.reshape(tf.cos(tf.mul(3, i)), [1, n, 1, 1]),
              tf.reshape(tf.sin(tf.mul(2, i)), [1, 1, n, 1]),
            ),
          ),
        ) as tf.Tensor4D;
      });
    const c = fno.apply(smooth(13));
    const f = tf.stridedSlice(fno.apply(smooth(25)), [0, 0, 0, 0], [1, 25, 25, 1], [1, 2, 2, 1]);
    const rel = tf.norm(tf.sub(c, f)).dataSync()[0] / tf.norm(c).dataSync()[0];
    expect(rel).toBeLessThan(0.1);
    fno.dispose();
  });

  it('save → load gives the same predictions; predict batches like apply', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pinnate-ops-'));
    try {
      const [a] = pair(9, 3);
      const data = a.dataSync();
      for (const op of small()) {
        const sub = join(dir, op.config().type as string);
        await saveOperator(sub, op, { note: 'test' });
        const { operator, metadata } = await loadOperator(sub, buildOperator);
        expect(metadata.note).toBe('test');
        expect(countOperatorParameters(operator)).toBe(countOperatorParameters(op));
        const p1 = predict(op, { data, shape: [2, 9, 9] }, { batchSize: 1 });
        const p2 = predict(operator, { data, shape: [2, 9, 9] });
        expect(p1.shape).toEqual([2, 9, 9, 1]);
        expect(Array.from(p2.data)).toEqual(Array.from(op.apply(a).dataSync()));
        expect(Math.max(...p1.data.map((v, i) => Math.abs(v - p2.data[i])))).toBeLessThan(1e-6);
        op.dispose();
        operator.dispose();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('building then disposing MgNO and FNO leaves no tensors', () => {
    const before = tf.memory().numTensors;
    for (const op of small()) op.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('errors name the argument', () => {
    expect(() => new Mgno({ channels: 0 })).toThrow(/'channels'/);
    expect(() => new Fno({ width: 4, modes: 2, inputScale: 0 })).toThrow(/'inputScale'/);
    expect(() => buildOperator({ type: 'Unet' })).toThrow(/'config.type'/);
    const op = new Mgno({ channels: 2, layers: 1, smoothing: [1] });
    expect(() => predict(op, { data: new Float32Array(10), shape: [1, 3, 3] })).toThrow(/'a' has 10 values/);
    expect(() =>
      relativeL2(tf.zeros([1, 3, 3, 1]) as tf.Tensor4D, tf.zeros([1, 3, 3, 2]) as tf.Tensor4D),
    ).toThrow(/'truth'/);
    op.dispose();
  });
});
