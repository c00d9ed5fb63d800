/**
 * PI-HC-MoE Navier–Stokes stretch: grid maps against closed forms, the residual's derivatives
 * against central differences, the reference data against the grid residual, the ansatz, the
 * memory of a training step, and the command end to end.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, Rng } from '@pinnate/core';
import { SolverPool } from '@pinnate/pinn';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  makeNsData,
  NS_CHANNELS,
  NS_VORTICITY_RESIDUAL,
  NsGridOps,
  NsModel,
  trainNs,
} from '../src/hcmoe/ns.ts';
import { NS_QUICK, runNs } from '../src/hcmoe/ns_run.ts';

beforeAll(async () => {
  if (tf.getBackend() !== 'wasm') await initBackend({ backend: 'wasm' });
});

const TW = 2 * Math.PI;
const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('hcmoe NS pieces', () => {
  it('grid maps: spectral ∂x, ∂y, Δ and the Biot–Savart velocity exact on a trigonometric field, ∂τ on a quadratic', () => {
    const n = 12;
    const nt = 5;
    const ops = new NsGridOps(n, nt);
    // ψ = sin(2πx) cos(4πy) · (1 + τ²): ω = −Δψ = 20π² ψ, u = ψ_y, v = −ψ_x.
    const G = nt * n * n;
    const [w, u, v, wx, wy, lap, wt] = Array.from({ length: 7 }, () => new Float32Array(G));
    for (let s = 0; s < nt; s++) {
      const tau = s / (nt - 1);
      const a = 1 + tau * tau;
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          const x = j / n;
          const y = i / n;
          const g = (s * n + i) * n + j;
          const psi = Math.sin(TW * x) * Math.cos(2 * TW * y);
          w[g] = 5 * TW * TW * psi * a;
          u[g] = -2 * TW * Math.sin(TW * x) * Math.sin(2 * TW * y) * a;
          v[g] = -TW * Math.cos(TW * x) * Math.cos(2 * TW * y) * a;
          wx[g] = 5 * TW ** 3 * Math.cos(TW * x) * Math.cos(2 * TW * y) * a;
          wy[g] = -10 * TW ** 3 * Math.sin(TW * x) * Math.sin(2 * TW * y) * a;
          lap[g] = -5 * TW * TW * w[g];
          wt[g] = 5 * TW * TW * psi * 2 * tau;
        }
    }
    const W = tf.tensor5d(w, [1, nt, n, n, 1]);
    const [cu, cv, cx, cy, cl] = ops.spatialChannels(W);
    const ct = ops.dt(W);
    const scale = (a: Float32Array) => Math.max(...Array.from(a, Math.abs));
    for (const [name, got, want] of [
      ['u', cu, u],
      ['v', cv, v],
      ['ω_x', cx, wx],
      ['ω_y', cy, wy],
      ['Δω', cl, lap],
      ['ω_τ', ct, wt],
    ] as const) {
      expect(maxAbs(got.dataSync(), want) / scale(want), name).toBeLessThan(1e-5);
    }
    tf.dispose([W, cu, cv, cx, cy, cl, ct]);
    ops.dispose();
    expect(() => new NsGridOps(7, 5)).toThrow(/'n'/);
  });

  it('residual: gradient and Hessian match central differences (with the ω0 offset)', () => {
    const rng = new Rng(3);
    const v = Float64Array.from({ length: NS_CHANNELS }, () => rng.normal());
    const aux = Float64Array.from({ length: NS_CHANNELS }, () => rng.normal());
    const params = Float64Array.of(5, 1e-2);
    const grad = new Float64Array(NS_CHANNELS);
    const hess = new Float64Array(NS_CHANNELS * NS_CHANNELS);
    NS_VORTICITY_RESIDUAL.evaluate(v, params, aux, 0, grad, hess);
    const h = 1e-5;
    const g2 = new Float64Array(NS_CHANNELS);
    for (let c = 0; c < NS_CHANNELS; c++) {
      const p = Float64Array.from(v);
      const m = Float64Array.from(v);
      p[c] += h;
      m[c] -= h;
      const gp = new Float64Array(NS_CHANNELS);
      const gm = new Float64Array(NS_CHANNELS);
      const rp = NS_VORTICITY_RESIDUAL.evaluate(p, params, aux, 0, gp, null);
      const rm = NS_VORTICITY_RESIDUAL.evaluate(m, params, aux, 0, gm, null);
      expect(Math.abs((rp - rm) / (2 * h) - grad[c])).toBeLessThan(1e-7);
      for (let d = 0; d < NS_CHANNELS; d++)
        expect(Math.abs((gp[d] - gm[d]) / (2 * h) - hess[c * NS_CHANNELS + d])).toBeLessThan(1e-7);
    }
    // r at v + aux: the plain vorticity residual of the shifted channels.
    const s = Array.from(v, (x, c) => x + aux[c]);
    const r = NS_VORTICITY_RESIDUAL.evaluate(v, params, aux, 0, g2, null);
    expect(r).toBeCloseTo(s[0] + 5 * (s[1] * s[3] + s[2] * s[4] - 1e-2 * s[5]), 12);
  });

  it('data: the pseudo-spectral solution satisfies the grid residual better as the grid refines (an independent solver)', () => {
    const ratio = (n: number, nt: number) => {
      // The same trajectory (seed, 64² solver), sampled on n² × nt.
      const data = makeNsData({ n, fine: 64, nt, solverSteps: 256, train: 1, test: 0, seed: 2, icScale: 5 });
      const ops = new NsGridOps(n, nt);
      const [res, wt] = tf.tidy(() => {
        const w = tf.tensor5d(Float32Array.from(data.train[0]), [1, nt, n, n, 1]);
        const rms = (t: tf.Tensor) => Math.sqrt(tf.mean(tf.square(t)).dataSync()[0]);
        return [rms(ops.residual(w)), rms(ops.dt(w))];
      });
      ops.dispose();
      expect(wt).toBeGreaterThan(1e-2); // the field does evolve
      return res / wt;
    };
    const coarse = ratio(16, 9);
    const fine = ratio(32, 17);
    expect(fine).toBeLessThan(0.2);
    expect(fine).toBeLessThan(0.7 * coarse);
  });
});

describe('hcmoe NS model', () => {
  const nt = 5;
  const n = 8;
  const model = (variant: 'soft' | 'hard' | 'moe', points = 6) =>
    new NsModel(
      variant,
      nt,
      { basis: 8, width: 4, modes: 2, layers: 1, projection: 8, seed: 1 },
      variant === 'soft'
        ? null
        : {
            experts: variant === 'moe' ? [2, 2] : [1, 1],
            pointsPerExpert: points,
            ridge: 1e-8,
            lm: { maxIter: 100 },
            pool: SolverPool.inProcess(),
          },
    );
  const data = () => makeNsData({ n, fine: 16, nt, solverSteps: 32, train: 4, test: 1, seed: 1, icScale: 5 });

  it('the IC holds for any weights; with points ≤ N per expert the PDE rows are met to ≤ 1e-6', () => {
    const d = data();
    const ops = new NsGridOps(n, nt);
    for (const variant of ['soft', 'hard', 'moe'] as const) {
      const m = model(variant, 4);
      const w0 = [d.train[0].subarray(0, n * n), d.train[1].subarray(0, n * n)];
      const u = m.forward(ops, w0, m.samplePoints(ops, new Rng(5)));
      const uv = u.dataSync();
      for (let b = 0; b < 2; b++)
        expect(maxAbs(uv.subarray(b * nt * n * n, b * nt * n * n + n * n), w0[b]), variant).toBeLessThan(
          1e-6,
        );
      if (m.moe) {
        for (const r of m.moe.constraint.lastSolve) expect(r.blocks[0].rms, variant).toBeLessThan(1e-6);
      }
      u.dispose();
      m.dispose();
    }
    ops.dispose();
  });

  it('a training step leaves tf.memory().numTensors unchanged (soft, hard, MoE)', () => {
    const d = data();
    const ops = new NsGridOps(n, nt);
    for (const variant of ['soft', 'hard', 'moe'] as const) {
      const m = model(variant);
      const cfg = { steps: 1, batch: 2, lr: 1e-3, decayEvery: 100, clip: 1, seed: 0 };
      trainNs(m, ops, d, cfg);
      const after1 = tf.memory().numTensors;
      const rec = trainNs(m, ops, d, { ...cfg, steps: 2 });
      expect(tf.memory().numTensors, variant).toBe(after1);
      expect(rec.loss.every(Number.isFinite)).toBe(true);
      m.dispose();
    }
    ops.dispose();
  });
});

describe('hcmoe-ns --quick', () => {
  it('trains the three variants, cross-evaluates the expert counts and writes results', async () => {
    const out = await mkdtemp(join(tmpdir(), 'hcmoe-ns-'));
    try {
      const results = await runNs({ ...NS_QUICK, out }, () => {});
      expect(results.map((r) => `${r.variant}${r.experts}`)).toEqual(['soft0', 'hard1', 'moe4']);
      for (const r of results) expect(Number.isFinite(r.mean)).toBe(true);
      expect(results[1].cross?.experts).toBe(4);
      expect(results[2].cross?.experts).toBe(1);
      const md = await readFile(join(out, 'results.md'), 'utf8');
      expect(md).toMatch(/\| moe \(K = 4\) \| 0 \|/);
      for (const v of ['soft', 'hard', 'moe'])
        expect(await readFile(join(out, `field_${v}.svg`), 'utf8')).toMatch(/<svg/);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
