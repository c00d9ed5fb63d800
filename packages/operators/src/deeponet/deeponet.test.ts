import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Derivatives,
  disposeModule,
  initBackend,
  inputJet,
  Rng,
  readNpyFile,
  Trainer,
  writeNpyFile,
} from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../data/dataset.ts';
import {
  cartesianLoss,
  evaluateRelL2,
  fitNormalization,
  makeBatch,
  operatorData,
  predictCartesian,
  relativeL2,
  relativeSquaredError,
} from './data.ts';
import { DeepONet, type DeepONetConfig } from './deeponet.ts';
import { loadDeepONet, predictNpy, saveDeepONet } from './io.ts';
import { PodTrunk } from './pod.ts';
import { StackedMlp } from './stacked.ts';
import { trainDeepONet } from './train.ts';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

function randomArray(n: number, rng: Rng, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => scale * rng.normal());
}

const BASE: DeepONetConfig = {
  sensors: 5,
  coords: 2,
  latent: 6,
  outputs: 2,
  branch: { hidden: [8] },
  trunk: { hidden: [8] },
  boundaryFactor: [{ input: 0, lo: 0, hi: 1 }],
};

function withNormalization(model: DeepONet, rng: Rng): void {
  model.setNormalization({
    branchMean: randomArray(model.sensors, rng, 0.1),
    branchStd: Float32Array.from({ length: model.sensors }, () => 0.5 + rng.uniform()),
    trunkMean: [0.4, -0.2],
    trunkStd: [0.3, 2],
    outputMean: [0.5, -1].slice(0, model.outputs),
    outputStd: [2, 0.25].slice(0, model.outputs),
  });
}

describe('DeepONet layouts', () => {
  for (const stacked of [false, true]) {
    it(`cartesian, row pairs and indexed pairs agree (stacked=${stacked})`, () => {
      const rng = new Rng(1);
      const model = new DeepONet({ ...BASE, stacked }, rng.split());
      withNormalization(model, rng);
      const B = 3;
      const P = 4;
      const u = randomArray(B * BASE.sensors, rng);
      const y = Float32Array.from({ length: P * 2 }, () => rng.uniform());
      const cart = tf.tidy(() => model.cartesian(tf.tensor2d(u, [B, 5]), tf.tensor2d(y, [P, 2])).arraySync());
      // rows [u_b | y_p]
      const rows: number[] = [];
      const index = new Int32Array(B * P);
      for (let b = 0; b < B; b++) {
        for (let p = 0; p < P; p++) {
          rows.push(...u.subarray(b * 5, b * 5 + 5), ...y.subarray(p * 2, p * 2 + 2));
          index[b * P + p] = b;
        }
      }
      const yRep = Float32Array.from(
        { length: B * P * 2 },
        (_, i) => y[(Math.floor(i / 2) % P) * 2 + (i % 2)],
      );
      const viaRows = tf.tidy(() =>
        (
          model.forward(
            inputJet(
              tf.tensor2d(rows, [B * P, 7]),
              new Derivatives({ inputs: ['a'], outputs: ['u'], requests: [] }).plan,
            ),
          ).value as tf.Tensor2D
        ).arraySync(),
      );
      const viaIdx = tf.tidy(() =>
        (
          model.pairs(tf.tensor2d(u, [B, 5]), index, tf.tensor2d(yRep, [B * P, 2])) as tf.Tensor2D
        ).arraySync(),
      );
      for (let b = 0; b < B; b++) {
        for (let p = 0; p < P; p++) {
          for (let c = 0; c < 2; c++) {
            expect(viaRows[b * P + p][c]).toBeCloseTo(cart[p][c * B + b], 5);
            expect(viaIdx[b * P + p][c]).toBeCloseTo(cart[p][c * B + b], 5);
          }
        }
      }
      // predictCartesian reorders to [F, P, outputs].
      const pc = predictCartesian(model, u, y);
      expect(pc[(1 * P + 2) * 2 + 1]).toBeCloseTo(cart[2][1 * B + 1], 5);
    });
  }

  it('the boundary factor makes outputs vanish at lo and hi, whatever the weights', () => {
    const rng = new Rng(2);
    const model = new DeepONet(BASE, rng);
    withNormalization(model, rng);
    const y = tf.tensor2d([0, 0.3, 1, -0.7, 0.5, 0.5], [3, 2]);
    const g = tf.tidy(() => model.cartesian(tf.tensor2d(randomArray(10, rng), [2, 5]), y).arraySync());
    y.dispose();
    for (const v of [...g[0], ...g[1]]) expect(Math.abs(v)).toBeLessThan(1e-6);
    expect(Math.max(...g[2].map(Math.abs))).toBeGreaterThan(1e-3);
  });

  it('indexed pairs give the same gradients as repeated rows', () => {
    const rng = new Rng(3);
    const model = new DeepONet({ ...BASE, outputs: 1 }, rng);
    const u = tf.tensor2d(randomArray(15, rng), [3, 5]);
    const index = Int32Array.from([0, 2, 2, 1, 0]);
    const y = tf.tensor2d(
      Float32Array.from({ length: 10 }, () => rng.uniform()),
      [5, 2],
    );
    const vars = model
      .parameters()
      .filter((p) => p.variable.trainable)
      .map((p) => p.variable);
    const g1 = tf.variableGrads(
      () => tf.sum(tf.square(model.pairs(u, index, y) as tf.Tensor)) as tf.Scalar,
      vars,
    );
    const rows = tf.concat([tf.gather(u, tf.tensor1d(index, 'int32')), y], 1) as tf.Tensor2D;
    const g2 = tf.variableGrads(
      () =>
        tf.sum(
          tf.square(
            model.forward(
              inputJet(rows, new Derivatives({ inputs: ['a'], outputs: ['u'], requests: [] }).plan),
            ).value,
          ),
        ) as tf.Scalar,
      vars,
    );
    for (const v of vars) {
      const a = g1.grads[v.name].dataSync();
      const b = g2.grads[v.name].dataSync();
      for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], 4);
    }
    tf.dispose([u, y, rows, g1.value, g2.value, ...Object.values(g1.grads), ...Object.values(g2.grads)]);
  });

  it('errors name the argument', () => {
    const model = new DeepONet(BASE, new Rng(0));
    expect(() => new DeepONet({ ...BASE, latent: 0 }, new Rng(0))).toThrow(/'latent'/);
    expect(() => new DeepONet({ ...BASE, boundaryFactor: [{ input: 2, lo: 0 }] }, new Rng(0))).toThrow(
      /boundaryFactor\[0\]\.input/,
    );
    expect(() => tf.tidy(() => model.branchFeatures(tf.zeros([2, 4])))).toThrow(/'u' must be \[B, 5\]/);
    expect(() => model.setNormalization({ ...fitNormalizationStub(), branchMean: [1] })).toThrow(
      /'branchMean'/,
    );
    const d = new Derivatives({
      inputs: ['a', 'b', 'c', 'd', 'e', 'x', 't'],
      outputs: ['u', 'v'],
      requests: ['u_a'],
    });
    expect(() => tf.tidy(() => d.evaluate(model, tf.zeros([2, 7])))).toThrow(/branch inputs/);
    expect(() => operatorData({ u: [1, 2], y: [0], s: [1], functions: 2, points: 1, coords: 1 })).toThrow(
      /'s' must have/,
    );
  });
  it('building then disposing leaves no tensors (statistics, bias, stacked weights, POD trunk)', () => {
    const before = tf.memory().numTensors;
    disposeModule(new DeepONet(BASE, new Rng(0)));
    disposeModule(new DeepONet({ ...BASE, stacked: true }, new Rng(0)));
    disposeModule(new StackedMlp({ inSize: 3, stacks: 2, hidden: [4] }, new Rng(1)));
    disposeModule(new PodTrunk({ points: 3, coords: 2, modes: 2 }));
    expect(tf.memory().numTensors).toBe(before);
  });
});

function fitNormalizationStub() {
  return {
    branchMean: new Float32Array(5),
    branchStd: new Float32Array(5).fill(1),
    trunkMean: [0, 0],
    trunkStd: [1, 1],
    outputMean: [0, 0],
    outputStd: [1, 1],
  };
}

describe('StackedMlp', () => {
  it('each output depends only on its own block (off-block weights are masked)', () => {
    const rng = new Rng(4);
    const net = new StackedMlp({ inSize: 3, stacks: 4, hidden: [5, 5] }, rng);
    const x = tf.tensor2d(randomArray(6, rng), [2, 3]);
    const run = () =>
      tf.tidy(() =>
        Array.from(
          net
            .forward(inputJet(x, new Derivatives({ inputs: ['a'], outputs: ['u'], requests: [] }).plan))
            .value.dataSync(),
        ),
      );
    const before = run();
    // Change layer 1's weights in stack 0's block only: only output 0 may change.
    const w = net.parameters()[2].variable;
    const data = w.arraySync() as number[][];
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) data[i][j] += 0.5;
    // and an off-block entry (masked): must change nothing.
    data[0][7] += 10;
    tf.tidy(() => w.assign(tf.tensor2d(data)));
    const after = run();
    for (let r = 0; r < 2; r++) {
      expect(after[r * 4]).not.toBeCloseTo(before[r * 4], 4);
      for (let k = 1; k < 4; k++) expect(after[r * 4 + k]).toBeCloseTo(before[r * 4 + k], 6);
    }
    x.dispose();
  });
});

describe('physics-informed DeepONet jets', () => {
  it('trunk derivatives from jets match finite differences (cartesian and pairs)', () => {
    const rng = new Rng(5);
    const model = new DeepONet({ ...BASE, outputs: 1 }, rng.split());
    withNormalization(model, rng);
    const u = tf.tensor2d(randomArray(10, rng), [2, 5]);
    const y0 = [0.3, 0.6, 0.7, 0.2];
    const d = new Derivatives({ inputs: ['x', 't'], outputs: ['u'], requests: ['u', 'u_x', 'u_t', 'u_xx'] });
    const r = tf.tidy(() => {
      const out = d.extract(model.cartesianJet(u, inputJet(tf.tensor2d(y0, [2, 2]), d.plan)));
      return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.arraySync() as number[][]]));
    });
    const h = 1e-2;
    const at = (dx: number, dt: number) =>
      tf.tidy(() =>
        model
          .cartesian(
            u,
            tf.tensor2d(
              y0.map((v, i) => v + (i % 2 === 0 ? dx : dt)),
              [2, 2],
            ),
          )
          .arraySync(),
      );
    const px = at(h, 0);
    const mx = at(-h, 0);
    const pt = at(0, h);
    const mt = at(0, -h);
    const c0 = at(0, 0);
    for (let p = 0; p < 2; p++) {
      for (let b = 0; b < 2; b++) {
        expect(r.u[p][b]).toBeCloseTo(c0[p][b], 5);
        expect(r.u_x[p][b]).toBeCloseTo((px[p][b] - mx[p][b]) / (2 * h), 2);
        expect(r.u_t[p][b]).toBeCloseTo((pt[p][b] - mt[p][b]) / (2 * h), 2);
        const fd2 = (px[p][b] - 2 * c0[p][b] + mx[p][b]) / (h * h);
        expect(Math.abs(r.u_xx[p][b] - fd2)).toBeLessThan(2e-2 * (1 + Math.abs(fd2)));
      }
    }
    // Pairs via the Module view: rows [u_b | y_p] with inputs named per column.
    const names = ['a', 'b', 'c', 'e', 'f', 'x', 't'];
    const dp = new Derivatives({ inputs: names, outputs: ['u'], requests: ['u_x', 'u_xx'] });
    const rows = tf.tidy(() =>
      tf.concat([tf.slice(u, [1, 0], [1, 5]), tf.tensor2d(y0.slice(2), [1, 2])], 1),
    ) as tf.Tensor2D;
    const rp = tf.tidy(() => {
      const o = dp.evaluate(model, rows);
      return [o.u_x.dataSync()[0], o.u_xx.dataSync()[0]];
    });
    expect(rp[0]).toBeCloseTo(r.u_x[1][1], 4);
    expect(rp[1]).toBeCloseTo(r.u_xx[1][1], 3);
    tf.dispose([u, rows]);
  });

  it('physics-only training (s_x = u, s(0) = 0 by the factor) learns the antiderivative', async () => {
    const ds = await generateDataset('antiderivative', { n: 120, res: 40, seed: 11 });
    const x = Float32Array.from(ds.arrays.x.data as Float64Array);
    const data = operatorData({
      u: ds.arrays.u.data as Float32Array,
      y: x,
      s: ds.arrays.s.data as Float32Array,
      functions: 120,
      points: 40,
      coords: 1,
    });
    const model = new DeepONet(
      {
        sensors: 40,
        coords: 1,
        latent: 32,
        branch: { hidden: [32] },
        trunk: { hidden: [32] },
        boundaryFactor: [{ input: 0, lo: 0 }],
      },
      new Rng(0),
    );
    model.setNormalization({ ...fitNormalization(data), outputMean: [0], outputStd: [0.3] });
    const d = new Derivatives({ inputs: ['x'], outputs: ['s'], requests: ['s_x'] });
    const fns = new Int32Array(32);
    const pde = ({ rng }: { rng: Rng }) => {
      for (let i = 0; i < fns.length; i++) fns[i] = Math.floor(rng.uniform() * 120);
      // Residual at the sensors: the target of s_x is u itself, laid out [P, B].
      const batch = makeBatch({ ...data, s: data.u }, fns, null);
      const sx = d.extract(model.cartesianJet(batch.u, inputJet(batch.y, d.plan))).s_x;
      return { pde: tf.mean(tf.square(tf.sub(sx, batch.target))) as tf.Scalar };
    };
    const before = evaluateRelL2(model, data).mean;
    const trainer = new Trainer(model, pde, { steps: 400, adam: { lr: 3e-3 }, progress: 'none', seed: 1 });
    await trainer.fit();
    trainer.dispose();
    const after = evaluateRelL2(model, data).mean;
    expect(before).toBeGreaterThan(0.5);
    expect(after).toBeLessThan(0.2);
  }, 60_000);
});

describe('training and data', () => {
  it('a training step leaves tf.memory().numTensors unchanged', async () => {
    const rng = new Rng(6);
    const F = 20;
    const P = 10;
    const data = operatorData({
      u: randomArray(F * 5, rng),
      y: Float32Array.from({ length: P * 2 }, () => rng.uniform()),
      s: randomArray(F * P * 2, rng),
      functions: F,
      points: P,
      coords: 2,
      outputs: 2,
      mask: Float32Array.from({ length: F * P }, (_, i) => (i % 3 === 0 ? 0 : 1)),
    });
    const model = new DeepONet({ ...BASE, stacked: true }, rng);
    model.setNormalization(fitNormalization(data));
    const trainer = new Trainer(model, cartesianLoss(model, data, { functionBatch: 4, pointBatch: 6 }), {
      steps: 10,
      progress: 'none',
    });
    await trainer.adamStep();
    const n = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await trainer.adamStep();
    expect(tf.memory().numTensors).toBe(n);
    trainer.dispose();
  });

  it('relativeSquaredError is the mean over functions (columns) of masked ‖e‖²/‖s‖²', () => {
    const pred = tf.tensor2d([
      [1, 0],
      [2, 5],
      [9, 1],
    ]);
    const target = tf.tensor2d([
      [1, 1],
      [1, 2],
      [3, 1],
    ]);
    const mask = tf.tensor2d([
      [1, 1],
      [1, 1],
      [0, 1],
    ]);
    const v = tf.tidy(() => relativeSquaredError(pred, target, mask).dataSync()[0]);
    // column 0: e² = 0 + 1 (row 2 masked), s² = 1 + 1; column 1: e² = 1 + 9 + 0, s² = 1 + 4 + 1.
    expect(v).toBeCloseTo((1 / 2 + 10 / 6) / 2, 6);
    const u = tf.tidy(() => relativeSquaredError(pred, target, null).dataSync()[0]);
    expect(u).toBeCloseTo((37 / 11 + 10 / 6) / 2, 5);
    tf.dispose([pred, target, mask]);
  });

  it('the masked loss ignores targets outside the mask (MT-DeepONet geometries)', () => {
    const rng = new Rng(8);
    const F = 6;
    const P = 5;
    const mask = Float32Array.from({ length: F * P }, (_, i) => (i % P < 3 ? 1 : 0));
    const s = randomArray(F * P, rng);
    const base = {
      u: randomArray(F * 3, rng),
      y: Float32Array.from({ length: P }, (_, i) => i / P),
      functions: F,
      points: P,
      coords: 1,
      mask,
    };
    const changed = Float32Array.from(s, (v, i) => (mask[i] ? v : v + 100));
    const model = new DeepONet(
      { sensors: 3, coords: 1, latent: 4, branch: { hidden: [4] }, trunk: { hidden: [4] } },
      rng,
    );
    for (const loss of ['mse', 'relative'] as const) {
      const value = (target: Float32Array) =>
        tf.tidy(
          () =>
            cartesianLoss(model, operatorData({ ...base, s: target }), { functionBatch: F, loss })({
              rng: new Rng(0),
              step: 0,
              phase: 'adam',
            }).data.dataSync()[0],
        );
      expect(value(changed)).toBeCloseTo(value(s), 6);
      const inside = Float32Array.from(s, (v, i) => (i === 1 ? v + 1 : v));
      expect(Math.abs(value(inside) - value(s))).toBeGreaterThan(1e-4);
    }
  });

  it('relativeL2 with a mask ignores points outside', () => {
    const truth = [1, 2, 100, 3, 4, 5];
    const pred = [1, 2, -7, 3, 4, 6];
    const r = relativeL2(pred, truth, 2, [1, 1, 0, 1, 1, 1]);
    expect(r.perFunction[0]).toBe(0);
    expect(r.perFunction[1]).toBeCloseTo(1 / Math.sqrt(9 + 16 + 25), 12);
  });

  it('learns the antiderivative (small), saves, loads and predicts from .npy identically', async () => {
    const mk = async (n: number, seed: number) => {
      const ds = await generateDataset('antiderivative', { n, res: 50, seed });
      return operatorData({
        u: ds.arrays.u.data as Float32Array,
        y: Float32Array.from(ds.arrays.x.data as Float64Array),
        s: ds.arrays.s.data as Float32Array,
        functions: n,
        points: 50,
        coords: 1,
      });
    };
    const train = await mk(300, 21);
    const test = await mk(50, 22);
    const model = new DeepONet(
      {
        sensors: 50,
        coords: 1,
        latent: 40,
        branch: { hidden: [64] },
        trunk: { hidden: [64] },
        boundaryFactor: [{ input: 0, lo: 0 }],
      },
      new Rng(0),
    );
    const before = evaluateRelL2(model, test).mean;
    await trainDeepONet(model, train, {
      functionBatch: 50,
      trainer: { steps: 600, adam: { lr: 2e-3 }, progress: 'none', seed: 0 },
    });
    const ev = evaluateRelL2(model, test);
    expect(before).toBeGreaterThan(0.5);
    expect(ev.mean).toBeLessThan(0.15);

    const dir = await mkdtemp(join(tmpdir(), 'deeponet-'));
    try {
      await saveDeepONet(join(dir, 'model'), model, test.y, {
        sensors: 'linspace(0, 1, 50)',
        outputShape: [50],
      });
      const loaded = await loadDeepONet(join(dir, 'model'));
      expect(loaded.model.normalization().branchStd[3]).toBeCloseTo(model.normalization().branchStd[3], 5);
      await writeNpyFile(join(dir, 'in.npy'), { data: test.u.subarray(0, 4 * 50), shape: [4, 50] });
      const shape = await predictNpy(join(dir, 'model'), join(dir, 'in.npy'), join(dir, 'out.npy'));
      expect(shape).toEqual([4, 50]);
      const out = await readNpyFile(join(dir, 'out.npy'));
      for (let i = 0; i < 200; i++) expect(out.data[i]).toBeCloseTo(ev.prediction[i], 5);
      await writeNpyFile(join(dir, 'bad.npy'), { data: new Float32Array(8), shape: [2, 4] });
      await expect(predictNpy(join(dir, 'model'), join(dir, 'bad.npy'), join(dir, 'o.npy'))).rejects.toThrow(
        /reads 50 sensors/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
