import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Derivatives,
  initBackend,
  inputJet,
  JetPlan,
  Rng,
  Trainer,
  variablesOf,
  writeNpyFile,
} from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConvBranch } from './conv_branch.ts';
import { cartesianLoss, operatorData, predictCartesian } from './data.ts';
import { DeepONet, type DeepONetConfig } from './deeponet.ts';
import { loadDeepONet, predictNpy, saveDeepONet } from './io.ts';
import { fitPod, PodTrunk, symmetricEigen } from './pod.ts';
import { trainDeepONet } from './train.ts';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

/** Points of an n×n grid on [0, 1]², x fastest: [n², 2]. */
function grid(n: number): Float32Array {
  const y = new Float32Array(n * n * 2);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      y[(i * n + j) * 2] = j / (n - 1);
      y[(i * n + j) * 2 + 1] = i / (n - 1);
    }
  }
  return y;
}

/**
 * Synthetic outputs with a known POD: s_f = m + Σ_k a_fk ψ_k with orthonormal sine products ψ_k
 * on the grid and independent coefficients of standard deviation σ_k = 2^−k.
 */
function lowRank(n: number, F: number, ranks: number, rng: Rng) {
  const P = n * n;
  const pts = grid(n);
  const psi: Float64Array[] = [];
  const freq = [
    [1, 1],
    [2, 1],
    [1, 2],
    [2, 2],
    [3, 1],
  ];
  for (let k = 0; k < ranks; k++) {
    const v = new Float64Array(P);
    let nrm = 0;
    for (let i = 0; i < P; i++) {
      const [a, b] = freq[k];
      v[i] = Math.sin(a * Math.PI * pts[2 * i]) * Math.sin(b * Math.PI * pts[2 * i + 1]);
      nrm += v[i] ** 2;
    }
    psi.push(v.map((x) => x / Math.sqrt(nrm)));
  }
  const s = new Float32Array(F * P);
  const coef = new Float64Array(F * ranks);
  for (let f = 0; f < F; f++) {
    for (let k = 0; k < ranks; k++) coef[f * ranks + k] = 2 ** -k * rng.normal();
    for (let i = 0; i < P; i++) {
      let v = 0.5 * psi[0][i];
      for (let k = 0; k < ranks; k++) v += coef[f * ranks + k] * psi[k][i];
      s[f * P + i] = v;
    }
  }
  return { pts, s, psi, coef, P };
}

describe('POD trunk', () => {
  it('symmetricEigen matches the closed-form spectrum of the 1-D Laplacian', () => {
    const r = 12;
    const a = new Float64Array(r * r);
    for (let i = 0; i < r; i++) {
      a[i * r + i] = 2;
      if (i + 1 < r) {
        a[i * r + i + 1] = -1;
        a[(i + 1) * r + i] = -1;
      }
    }
    const { values, vectors } = symmetricEigen(a, r);
    const got = Array.from(values).sort((x, y) => x - y);
    const exact = Array.from({ length: r }, (_, k) => 2 - 2 * Math.cos(((k + 1) * Math.PI) / (r + 1)));
    for (let k = 0; k < r; k++) expect(got[k]).toBeCloseTo(exact[k], 10);
    // A v = λ v for the first eigenpair.
    for (let i = 0; i < r; i++) {
      let av = 0;
      for (let j = 0; j < r; j++) av += a[i * r + j] * vectors[j * r];
      expect(av).toBeCloseTo(values[0] * vectors[i * r], 10);
    }
  });

  it('fitPod recovers a known low-rank basis: spans the data, eigenvalues ≈ F·σ_k²', () => {
    const n = 12;
    const F = 400;
    const rng = new Rng(3);
    const { pts, s, P } = lowRank(n, F, 4, rng);
    const data = operatorData({ u: new Float32Array(F), y: pts, s, functions: F, points: P, coords: 2 });
    const fit = fitPod(data, 5, { seed: 1 });
    expect(fit.energy[0]).toBeGreaterThan(1 - 1e-6);
    // Sample variances of the coefficients are within sampling error of 4^−k.
    fit.eigenvalues[0].forEach((lam, k) => {
      expect(lam / F).toBeGreaterThan(0.75 * 4 ** -k);
      expect(lam / F).toBeLessThan(1.3 * 4 ** -k);
    });
    // Least-squares projection of a fresh function onto the 5 columns is exact (rank-4 + mean).
    const fresh = lowRank(n, 1, 4, new Rng(99)).s;
    const cols = 5;
    const B = fit.basis;
    const g = new Float64Array(cols * cols);
    const rhs = new Float64Array(cols);
    for (let a = 0; a < cols; a++) {
      for (let i = 0; i < P; i++) rhs[a] += B[i * cols + a] * fresh[i];
      for (let b = 0; b < cols; b++)
        for (let i = 0; i < P; i++) g[a * cols + b] += B[i * cols + a] * B[i * cols + b];
    }
    const { values, vectors } = symmetricEigen(g, cols);
    const c = new Float64Array(cols);
    for (let e = 0; e < cols; e++) {
      let proj = 0;
      for (let a = 0; a < cols; a++) proj += vectors[a * cols + e] * rhs[a];
      for (let a = 0; a < cols; a++) c[a] += (vectors[a * cols + e] * proj) / values[e];
    }
    let num = 0;
    let den = 0;
    for (let i = 0; i < P; i++) {
      let v = 0;
      for (let a = 0; a < cols; a++) v += B[i * cols + a] * c[a];
      num += (v - fresh[i]) ** 2;
      den += fresh[i] ** 2;
    }
    expect(Math.sqrt(num / den)).toBeLessThan(1e-4);
  });

  it('looks points up exactly, and refuses unknown points and jets', () => {
    const t = new PodTrunk({ points: 3, coords: 2, modes: 2 });
    t.setBasis([0, 0, 0.5, 0, 1, 1], [1, 2, 3, 4, 5, 6]);
    const y = tf.tensor2d([1, 1, 0, 0], [2, 2]);
    const out = t.forward(inputJet(y, JetPlan.VALUE)).value;
    expect(Array.from(out.dataSync())).toEqual([5, 6, 1, 2]);
    const bad = tf.tensor2d([0.25, 0], [1, 2]);
    expect(() => t.forward(inputJet(bad, JetPlan.VALUE))).toThrow(/not one of the 3 points/);
    const d = new Derivatives({ inputs: ['x', 'y'], outputs: ['u'], requests: ['u', 'u_x'] });
    expect(() => t.forward(inputJet(y, d.plan))).toThrow(/no derivatives/);
    expect(() => t.setBasis([0, 0], [1, 2, 3, 4, 5, 6])).toThrow(/'points' must have P·d = 6/);
    tf.dispose([y, out, bad]);
  });
});

describe('CNN branch', () => {
  it('filter gradient matches central finite differences (first and later convs)', () => {
    const rng = new Rng(5);
    const br = new ConvBranch(
      { grid: [8, 6], outSize: 3, channels: [3, 4], hidden: [5], activation: 'tanh' },
      rng,
    );
    const x = tf.tensor2d(
      Float32Array.from({ length: 2 * 48 }, () => rng.normal()),
      [2, 48],
    );
    const loss = () => tf.sum(tf.square(br.forward(inputJet(x, JetPlan.VALUE)).value)) as tf.Scalar;
    const vars = variablesOf(br);
    const { grads } = tf.variableGrads(loss, vars);
    for (const v of [br.convs[0].w, br.convs[1].w, br.convs[1].b as tf.Variable]) {
      const g = grads[v.name].dataSync();
      const w0 = v.dataSync().slice();
      for (const idx of [0, Math.min(7, w0.length - 2), w0.length - 1]) {
        const h = 1e-2;
        const at = (d: number) => {
          const w = w0.slice();
          w[idx] += d;
          v.assign(tf.tensor(w, v.shape));
          return tf.tidy(() => loss().dataSync()[0]);
        };
        const fd = (at(h) - at(-h)) / (2 * h);
        v.assign(tf.tensor(w0, v.shape));
        expect(Math.abs(g[idx] - fd)).toBeLessThan(2e-3 * (1 + Math.abs(fd)));
      }
    }
    tf.dispose(Object.values(grads));
    x.dispose();
  });

  it('validates its arguments by name', () => {
    const rng = new Rng(0);
    expect(() => new ConvBranch({ grid: [8, 8], outSize: 2, channels: [4, 4, 4, 4] }, rng)).toThrow(
      /'channels' has 4 stride-2 convs/,
    );
    expect(() => new ConvBranch({ grid: [8, 8], outSize: 2, kernelSize: 4 }, rng)).toThrow(
      /'kernelSize' must be odd/,
    );
    expect(
      () =>
        new DeepONet(
          {
            sensors: 60,
            coords: 2,
            latent: 4,
            branch: { kind: 'cnn', grid: [8, 8] },
            trunk: { hidden: [4] },
          },
          rng,
        ),
    ).toThrow(/'branch.grid' \[8,8\] must hold the 60 sensors/);
  });
});

describe('CNN branch + POD trunk DeepONet', () => {
  const n = 8;
  const F = 24;
  const cfg: DeepONetConfig = {
    sensors: n * n,
    coords: 2,
    latent: 6,
    bias: false,
    branch: { kind: 'cnn', grid: [n, n], channels: [4, 8], hidden: [16] },
    trunk: { kind: 'pod', points: n * n },
  };
  function data(seed: number) {
    const rng = new Rng(seed);
    const { pts, s, P } = lowRank(n, F, 4, rng);
    // Input: a noisy view of the output (any map the branch can learn will do here).
    const u = Float32Array.from(s, (v) => 10 * v + 0.1 * rng.normal());
    return operatorData({ u, y: pts, s, functions: F, points: P, coords: 2 });
  }

  it('a training step leaves tf.memory().numTensors unchanged, and the loss falls', async () => {
    const d = data(1);
    const model = new DeepONet(cfg, new Rng(2));
    const r0 = await trainDeepONet(model, d, {
      functionBatch: 8,
      loss: 'relative',
      trainer: { steps: 1, progress: 'none' },
    });
    const loss = cartesianLoss(model, d, { functionBatch: 8, loss: 'relative' });
    const stepper = new Trainer(model, loss, { steps: 10, progress: 'none' });
    await stepper.adamStep();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await stepper.adamStep();
    expect(tf.memory().numTensors).toBe(before);
    stepper.dispose();
    const trainer = new Trainer(model, loss, { steps: 60, progress: 'none', adam: { lr: 3e-3 } });
    const res = await trainer.fit();
    trainer.dispose();
    expect(r0.pod?.energy[0]).toBeGreaterThan(0.999);
    expect(res.history.loss.at(-1)).toBeLessThan(0.5 * res.history.loss[0]);
  });

  it('saves, loads and predicts from .npy identically (round trip of the new parts)', async () => {
    const d = data(2);
    const model = new DeepONet(cfg, new Rng(4));
    await trainDeepONet(model, d, { functionBatch: 8, trainer: { steps: 3, progress: 'none' } });
    const before = predictCartesian(model, d.u, d.y);
    const dir = await mkdtemp(join(tmpdir(), 'pod-cnn-'));
    try {
      await saveDeepONet(join(dir, 'model'), model, d.y, { sensors: 'a on 8×8', outputShape: [n, n] });
      const { model: loaded } = await loadDeepONet(join(dir, 'model'));
      expect(loaded.branch).toBeInstanceOf(ConvBranch);
      expect(loaded.trunk).toBeInstanceOf(PodTrunk);
      const again = predictCartesian(loaded, d.u, d.y);
      expect(Array.from(again)).toEqual(Array.from(before));
      await writeNpyFile(join(dir, 'in.npy'), { data: d.u, shape: [F, n, n] });
      const shape = await predictNpy(join(dir, 'model'), join(dir, 'in.npy'), join(dir, 'out.npy'));
      expect(shape).toEqual([F, n, n]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
