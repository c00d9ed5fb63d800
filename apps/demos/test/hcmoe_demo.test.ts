/**
 * hcmoe demo: the diffusion–sorption residual's hand-written derivatives against finite
 * differences, the grid operators on polynomials, the data against the reference solver's
 * conservation, and the `--quick` run end to end (every variant, the bench, the figures).
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, Rng } from '@pinnate/core';
import { SolverPool } from '@pinnate/pinn';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ConstraintConfig,
  DsModel,
  GridOps,
  makeData,
  paperLoss,
  T_END,
  train,
  type Variant,
} from '../src/hcmoe/ds.ts';
import { DIFFUSION_SORPTION_OFFSET_RESIDUAL, DIFFUSION_SORPTION_RESIDUAL } from '../src/hcmoe/residual.ts';
import { QUICK, runHcmoe } from '../src/hcmoe/run.ts';

/** A small DsModel for the tests: defaults below, `overrides` on top (experts: 1 for hard, 4 otherwise). */
function quickModel(variant: Variant, overrides: Partial<ConstraintConfig> = {}): DsModel {
  return new DsModel(variant, QUICK.model, {
    experts: variant === 'hard' ? 1 : 4,
    pointsPerExpert: 8,
    ridge: 1e-4,
    pdeWeight: 1 / 500,
    lm: { maxIter: 50 },
    pool: SolverPool.inProcess(),
    ...overrides,
  });
}

/** The assembled field of one forward, its boundary values [nt, 2] and each expert's last solve. */
function solvedField(
  model: DsModel,
  ops: GridOps,
  c: Float64Array,
  sample: ReturnType<DsModel['samplePoints']>,
) {
  const u = model.forward(ops, c, sample);
  const bd = ops.boundary(u as tf.Tensor4D);
  const out = {
    uv: u.dataSync(),
    bv: bd.dataSync(), // [1, nt, 2, 1]
    solves: (model.moe as NonNullable<typeof model.moe>).constraint.lastSolve,
  };
  tf.dispose([u, bd]);
  return out;
}

beforeAll(async () => {
  if (tf.getBackend() !== 'wasm') await initBackend({ backend: 'wasm' });
});

describe('hcmoe pieces', () => {
  it('residual: gradient and Hessian match central differences', () => {
    const params = Float64Array.of(0.25, 2.16, 0.874, 1e-6);
    const aux = new Float64Array(0);
    const f = (v: Float64Array) =>
      DIFFUSION_SORPTION_RESIDUAL.evaluate(v, params, aux, 0, new Float64Array(3), null);
    const grad = (v: Float64Array) => {
      const g = new Float64Array(3);
      DIFFUSION_SORPTION_RESIDUAL.evaluate(v, params, aux, 0, g, null);
      return g;
    };
    for (const v of [Float64Array.of(0.3, 0.2, -1.5), Float64Array.of(0.05, -0.1, 4)]) {
      const g = new Float64Array(3);
      const H = new Float64Array(9);
      DIFFUSION_SORPTION_RESIDUAL.evaluate(v, params, aux, 0, g, H);
      const h = 1e-6;
      for (let c = 0; c < 3; c++) {
        const up = Float64Array.from(v);
        const dn = Float64Array.from(v);
        up[c] += h;
        dn[c] -= h;
        expect(Math.abs((f(up) - f(dn)) / (2 * h) - g[c])).toBeLessThan(1e-6 * (1 + Math.abs(g[c])));
        const gu = grad(up);
        const gd = grad(dn);
        for (let d = 0; d < 3; d++) {
          const fd = (gu[d] - gd[d]) / (2 * h);
          expect(Math.abs(fd - H[d * 3 + c])).toBeLessThan(1e-5 * (1 + Math.abs(fd)));
        }
      }
    }
  });

  it('offset residual: the residual, gradient and Hessian of the base residual at v + aux', () => {
    const params = Float64Array.of(0.25, 2.16, 0.874, 1e-6);
    const v = Float64Array.of(0.1, -0.3, 2);
    const aux = Float64Array.of(9, 0.2, 0.5, -1.5); // offset 1: (0.2, 0.5, -1.5)
    const g = new Float64Array(3);
    const H = new Float64Array(9);
    const r = DIFFUSION_SORPTION_OFFSET_RESIDUAL.evaluate(v, params, aux, 1, g, H);
    const g0 = new Float64Array(3);
    const H0 = new Float64Array(9);
    const r0 = DIFFUSION_SORPTION_RESIDUAL.evaluate(
      v.map((x, c) => x + aux[1 + c]),
      params,
      new Float64Array(0),
      0,
      g0,
      H0,
    );
    expect(r).toBeCloseTo(r0, 12);
    expect(Array.from(g)).toEqual(Array.from(g0));
    expect(Array.from(H)).toEqual(Array.from(H0));
  });

  it('project / offset: u = g + project(v) meets the IC and both boundary rows for any v', () => {
    const nt = 7;
    const nx = 12;
    const ops = new GridOps(nx, nt);
    const rng = new Rng(3);
    const v = tf.tensor4d(
      Float32Array.from({ length: 2 * nt * nx * 3 }, () => rng.normal()),
      [2, nt, nx, 3],
    );
    const c = Float64Array.of(0.07, 0.16);
    for (const lift of ['smooth', 'cell'] as const) {
      const g = ops.offset(c, lift);
      // Three channels = three fields u_i = g + project(v_i); the rows are affine, so each must hold.
      const u = tf.add(ops.project(v, lift), tf.tensor4d(g, [2, nt, nx, 1])) as tf.Tensor4D;
      const uv = u.dataSync();
      const bv = ops.boundary(u).dataSync(); // [2, nt, 2, 3]
      for (let b = 0; b < 2; b++)
        for (let ch = 0; ch < 3; ch++) {
          for (let j = 0; j < nx; j++) expect(uv[(b * nt * nx + j) * 3 + ch]).toBeCloseTo(c[b], 6);
          for (let s = 1; s < nt; s++) {
            expect(bv[(b * nt + s) * 2 * 3 + ch]).toBeCloseTo(1, 5);
            expect(bv[((b * nt + s) * 2 + 1) * 3 + ch]).toBeCloseTo(0, 4);
          }
        }
      // 'cell': cells 1 … nx − 2 of rows τ > 0 are v itself; 'smooth' changes every cell.
      const vv = v.dataSync();
      const at = ((1 * nt + 3) * nx + 5) * 3 + 2;
      if (lift === 'cell') expect(uv[at]).toBeCloseTo(vv[at], 6);
      else expect(Math.abs(uv[at] - vv[at])).toBeGreaterThan(1e-4);
      u.dispose();
    }
    v.dispose();
    ops.dispose();
  });

  it('grid operators are exact on quadratics (τ², x²) and the boundary rows on linear u', () => {
    const nt = 6;
    const nx = 8;
    const ops = new GridOps(nx, nt);
    const vals = new Float32Array(nt * nx);
    for (let s = 0; s < nt; s++) {
      for (let j = 0; j < nx; j++) {
        const tau = s / (nt - 1);
        const x = (j + 0.5) / nx;
        vals[s * nx + j] = tau * tau + 3 * x * x;
      }
    }
    const u = tf.tensor4d(vals, [1, nt, nx, 1]);
    const ut = ops.dt(u).dataSync();
    const uxx = ops.dxx(u).dataSync();
    for (let s = 0; s < nt; s++) {
      for (let j = 0; j < nx; j++) {
        expect(ut[s * nx + j]).toBeCloseTo((2 * s) / (nt - 1), 3);
        expect(uxx[s * nx + j]).toBeCloseTo(6, 2);
      }
    }
    // u = 1 − x: u(0) = 1 and u(1) + D u_x(1) = −D.
    const lin = tf.tensor4d(
      Float32Array.from({ length: nt * nx }, (_, i) => 1 - ((i % nx) + 0.5) / nx),
      [1, nt, nx, 1],
    );
    const bd = ops.boundary(lin).dataSync();
    expect(bd[0]).toBeCloseTo(1, 5);
    expect(bd[1]).toBeCloseTo(-5e-4, 5);
    tf.dispose([u, lin]);
    ops.dispose();
  });

  it('paperLoss: norms of the physical-units residual, relative IC and BC match a float64 evaluation', () => {
    // u = a τ² + b x² per trajectory: the grid operators are exact on it, so every term has a
    // closed form (u_τ = 2aτ, u_xx = 2b, u(0) = aτ², u(1) + D u_x(1) = aτ² + b + 2bD).
    const nt = 5;
    const nx = 8;
    const coef = [
      [0.3, 0.1],
      [-0.2, 0.4],
    ];
    const c = Float64Array.of(0.05, 0.15);
    const D = 5e-4;
    const kn = ((1 - 0.29) / 0.29) * 2880 * 3.5e-4 * 0.874;
    const vals = new Float32Array(2 * nt * nx);
    let pde = 0;
    let left = 0;
    let right = 0;
    let icNum = 0;
    let icDen = 0;
    for (let i = 0; i < 2; i++) {
      const [a, b] = coef[i];
      let ss = 0;
      let sl = 0;
      let sr = 0;
      for (let s = 0; s < nt; s++) {
        const tau = s / (nt - 1);
        for (let j = 0; j < nx; j++) {
          const x = (j + 0.5) / nx;
          const u = Math.fround(a * tau * tau + b * x * x);
          vals[(i * nt + s) * nx + j] = u;
          const R = 1 + kn * (Math.max(u, 0) + 1e-6) ** (0.874 - 1);
          ss += ((2 * a * tau - (T_END * D * 2 * b) / R) / T_END) ** 2;
          if (s === 0) {
            icNum += (u - c[i]) ** 2;
            icDen += c[i] ** 2;
          }
        }
        sl += (a * tau * tau - 1) ** 2;
        sr += (a * tau * tau + b + 2 * b * D) ** 2;
      }
      pde += Math.sqrt(ss) / 2;
      left += Math.sqrt(sl) / 2;
      right += Math.sqrt(sr) / 2;
    }
    const expected = pde + Math.sqrt(icNum / icDen) + left + right;
    const ops = new GridOps(nx, nt);
    const u = tf.tensor4d(vals, [2, nt, nx, 1]);
    const before = tf.memory().numTensors;
    const got = paperLoss(ops, u, c);
    expect(tf.memory().numTensors).toBe(before + 2);
    expect(got.pde.dataSync()[0]).toBeCloseTo(pde, 4);
    expect(Math.abs(got.total.dataSync()[0] - expected)).toBeLessThan(1e-4 * expected);
    tf.dispose([u, got.total, got.pde]);
    ops.dispose();
  });

  it('data: boundary value 1 enters, the initial constant is kept, values stay in [0, 1]', () => {
    const d = makeData({ nx: 16, nt: 6, fine: 2, solverSteps: 50, train: 2, test: 1, seed: 3 });
    expect(d.uTrain.length).toBe(2 * 6 * 16);
    for (let j = 0; j < 16; j++) expect(d.uTrain[j]).toBeCloseTo(d.cTrain[0], 12);
    const last = d.uTrain.subarray(5 * 16, 6 * 16);
    expect(last[0]).toBeGreaterThan(last[15]);
    for (const v of d.uTrain) {
      expect(v).toBeGreaterThanOrEqual(-1e-9);
      expect(v).toBeLessThanOrEqual(1 + 1e-9);
    }
  });
});

describe('hcmoe training', () => {
  it('a training step of the 4-expert model leaves tf.memory().numTensors unchanged (both loss forms, shared and local conditions)', () => {
    const data = makeData({ nx: 16, nt: 11, fine: 1, solverSteps: 50, train: 4, test: 1, seed: 1 });
    const ops = new GridOps(16, 11);
    for (const conditions of ['shared', 'local'] as const) {
      const model = quickModel('moe', { conditions });
      for (const loss of ['paper', 'ms'] as const) {
        const cfg = { ...QUICK.train, batch: 2, steps: 1, loss };
        train(model, ops, data, cfg);
        const after1 = tf.memory().numTensors;
        const rec = train(model, ops, data, { ...cfg, steps: 3 });
        expect(tf.memory().numTensors, `${conditions} ${loss}`).toBe(after1);
        expect(rec.loss.every(Number.isFinite)).toBe(true);
      }
      model.dispose();
    }
    ops.dispose();
  });
  it("form 'ic-ansatz': the IC holds exactly, the solve fits the PDE rows and the boundary rows of the returned field", () => {
    const nx = 16;
    const nt = 11;
    const ops = new GridOps(nx, nt);
    const c = Float64Array.of(0.03, 0.17);
    const model = quickModel('hard', { pointsPerExpert: 12, form: 'ic-ansatz' });
    const u = model.forward(ops, c, model.samplePoints(ops, new Rng(6)));
    const uv = u.dataSync();
    const bv = ops.boundary(u).dataSync(); // [2, nt, 2, 1]
    const solves = (model.moe as NonNullable<typeof model.moe>).constraint.lastSolve;
    for (let b = 0; b < 2; b++) {
      for (let j = 0; j < nx; j++) expect(uv[b * nt * nx + j]).toBe(Math.fround(c[b]));
      let ss = 0;
      for (let s = 1; s < nt; s++) ss += (bv[(b * nt + s) * 2] - 1) ** 2 + bv[(b * nt + s) * 2 + 1] ** 2;
      const rms = Math.sqrt(ss / (2 * (nt - 1)));
      expect(solves[b].blocks).toHaveLength(2);
      expect(Math.abs(solves[b].blocks[1].rms - rms)).toBeLessThan(1e-4 * (1 + rms));
    }
    u.dispose();
    model.dispose();
    ops.dispose();
  });
  it("blend: the experts' fields are mixed by a partition of unity that keeps IC and BC exact (ansatz-smooth)", () => {
    const nx = 16;
    const nt = 11;
    const ops = new GridOps(nx, nt);
    const c = Float64Array.of(0.09);
    const sample = { owner: new Int32Array(0), points: [] as Int32Array[] };
    const mk = (blend: number) => quickModel('moe', { pointsPerExpert: 20, form: 'ansatz-smooth', blend });
    const hardSwitch = mk(0);
    const blended = mk(1);
    const pts = hardSwitch.samplePoints(ops, new Rng(8));
    Object.assign(sample, pts);
    const u0 = hardSwitch.forward(ops, c, sample).dataSync();
    const w = (hardSwitch.moe as NonNullable<typeof hardSwitch.moe>).constraint.lastSolve.map((r) => r.w);
    const u2 = blended.forward(ops, c, sample);
    const u2v = u2.dataSync();
    // Same FNO seed and points: the same expert weights; the fields differ only near the seams.
    const w2 = (blended.moe as NonNullable<typeof blended.moe>).constraint.lastSolve.map((r) => r.w);
    expect(w2.map((x) => Array.from(x))).toEqual(w.map((x) => Array.from(x)));
    for (let s = 0; s < nt; s++)
      for (let j = 0; j < nx; j++) {
        const far = [4, 8, 12].every((seam) => Math.abs(j + 0.5 - seam) >= 1);
        if (far) expect(u2v[s * nx + j]).toBeCloseTo(u0[s * nx + j], 5);
      }
    const bv = ops.boundary(u2).dataSync();
    for (let j = 0; j < nx; j++) expect(u2v[j]).toBeCloseTo(0.09, 6);
    for (let s = 1; s < nt; s++) {
      expect(bv[s * 2]).toBeCloseTo(1, 4);
      expect(Math.abs(bv[s * 2 + 1])).toBeLessThan(1e-4);
    }
    expect(() => mk(-1)).toThrow(/'blend'/);
    // A ramp reaching the three cells of a boundary row would break that row.
    const wide = mk(2);
    expect(() => wide.forward(ops, c, sample)).toThrow(/'blend'/);
    wide.dispose();
    u2.dispose();
    hardSwitch.dispose();
    blended.dispose();
    ops.dispose();
  });
  it('hard and MoE of one seed see the same minibatches: with weightless PDE rows they train identically', () => {
    // Every expert then solves the same IC/BC rows, so only the minibatch order could differ;
    // the constraint points come from their own stream and do not shift it.
    const data = makeData({ nx: 16, nt: 11, fine: 1, solverSteps: 50, train: 6, test: 1, seed: 2 });
    const ops = new GridOps(16, 11);
    const losses = (['hard', 'moe'] as const).map((variant) => {
      const model = quickModel(variant, { pointsPerExpert: variant === 'hard' ? 8 : 3, pdeWeight: 1e-12 });
      const rec = train(model, ops, data, { ...QUICK.train, batch: 2, steps: 5, loss: 'paper' });
      model.dispose();
      return rec.loss;
    });
    for (let i = 0; i < 5; i++)
      expect(Math.abs(losses[0][i] - losses[1][i])).toBeLessThan(1e-5 * losses[0][i]);
    ops.dispose();
  });
  it('training that diverges stops with a message naming the variant and step, and leaks no tensors; a batch larger than the data is an error', () => {
    const data = makeData({ nx: 16, nt: 11, fine: 1, solverSteps: 50, train: 4, test: 1, seed: 1 });
    const ops = new GridOps(16, 11);
    const model = quickModel('soft');
    // One normal step first: the grid operators build their constant matrices on first use.
    train(model, ops, data, { ...QUICK.train, batch: 2, steps: 1 });
    const before = tf.memory().numTensors;
    // Adam moves each weight by ~lr per step: 1e30 overflows float32 within a few steps.
    expect(() =>
      train(model, ops, data, { ...QUICK.train, batch: 2, steps: 20, lr: 1e30, clip: 1e38 }),
    ).toThrow(/soft: training diverged at step \d+ \(loss (NaN|Infinity)\)/);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => train(model, ops, data, { ...QUICK.train, batch: 5, steps: 1 })).toThrow(
      /soft: 'batch' must be in \[1, 4\]/,
    );
    model.dispose();
    ops.dispose();
  });

  it("form 'ansatz': IC and boundary rows hold exactly, the solve has the PDE rows alone, numTensors per step unchanged", () => {
    const data = makeData({ nx: 16, nt: 11, fine: 1, solverSteps: 50, train: 4, test: 1, seed: 1 });
    const ops = new GridOps(16, 11);
    const model = quickModel('moe', {
      pointsPerExpert: 3,
      ridge: 1e-8,
      pdeWeight: 1,
      form: 'ansatz',
      lm: { maxIter: 100 },
    });
    const c = Float64Array.of(0.12);
    const u = model.forward(ops, c, model.samplePoints(ops, new Rng(2)));
    const uv = u.dataSync();
    const bv = ops.boundary(u).dataSync();
    for (let j = 0; j < 16; j++) expect(uv[j]).toBeCloseTo(0.12, 6);
    for (let s = 1; s < 11; s++) {
      expect(bv[s * 2]).toBeCloseTo(1, 4);
      expect(Math.abs(bv[s * 2 + 1])).toBeLessThan(1e-4);
    }
    const solves = (model.moe as NonNullable<typeof model.moe>).constraint.lastSolve;
    expect(solves.map((r) => r.blocks.length)).toEqual([1, 1, 1, 1]);
    // 3 PDE rows, 4 weights: met up to the tiny ridge.
    for (const r of solves) expect(r.blocks[0].maxAbs).toBeLessThan(1e-6);
    u.dispose();
    const cfg = { ...QUICK.train, batch: 2, steps: 1, loss: 'paper' as const };
    train(model, ops, data, cfg);
    const after1 = tf.memory().numTensors;
    const rec = train(model, ops, data, { ...cfg, steps: 3 });
    expect(tf.memory().numTensors).toBe(after1);
    expect(rec.loss.every(Number.isFinite)).toBe(true);
    expect(() =>
      quickModel('moe', { pointsPerExpert: 3, pdeWeight: 1, form: 'ansatz', conditions: 'local', lm: {} }),
    ).toThrow(/'ansatz'.*'local'/);
    model.dispose();
    ops.dispose();
  });
  it("trainResidual 'expert': each point's owner's derivatives — the grid's differences of u for one expert and away from the seams, not across them", () => {
    const nx = 16;
    const nt = 11;
    const ops = new GridOps(nx, nt);
    const c = Float64Array.of(0.05, 0.15);
    for (const [variant, form] of [
      ['hard', 'lsq'],
      ['moe', 'lsq'],
      ['moe', 'ansatz-smooth'],
    ] as const) {
      // Local IC rows make the 4 experts' fields differ, so the seams show.
      const model = quickModel(variant, {
        form,
        trainResidual: 'expert',
        conditions: form === 'lsq' ? 'ic-local' : 'shared',
      });
      const { u, ut, uxx } = model.forwardFields(ops, c, model.samplePoints(ops, new Rng(3)));
      const [a, b, fd, fdxx] = tf.tidy(() => [ut, uxx, ops.dt(u), ops.dxx(u)].map((t) => t.dataSync()));
      // float32 sums Σ w_i b_i with |w| ≫ |u| cancel: compare on the field's own scale.
      const scaleT = 1 + Math.max(...fd.map(Math.abs));
      const scaleXX = 1 + Math.max(...fdxx.map(Math.abs));
      let seamGap = 0;
      for (let i = 0; i < a.length; i++) {
        const j = i % nx;
        // Columns whose 3-point x-stencil stays in one slab of 4 cells (cells 0 and 15 use one-sided stencils inside the slab).
        const inside = variant === 'hard' || (j % 4 !== 0 && j % 4 !== 3) || j === 0 || j === nx - 1;
        expect(Math.abs(a[i] - fd[i]), `${variant} ${form} u_τ at ${i}`).toBeLessThan(1e-3 * scaleT);
        if (inside)
          expect(Math.abs(b[i] - fdxx[i]), `${variant} ${form} u_xx at ${i}`).toBeLessThan(1e-3 * scaleXX);
        else seamGap = Math.max(seamGap, Math.abs(b[i] - fdxx[i]) / scaleXX);
      }
      if (variant === 'moe')
        expect(seamGap, `${form}: the grid differences see the seams`).toBeGreaterThan(3e-2);
      // One expert: the residual from its derivatives is the grid residual of u.
      if (variant === 'hard') {
        const [gap, size] = tf.tidy(() => {
          const r0 = ops.residual(u);
          return [
            tf.max(tf.abs(tf.sub(ops.residualFrom(u, ut, uxx), r0))).dataSync()[0],
            tf.max(tf.abs(r0)).dataSync()[0],
          ];
        });
        expect(gap).toBeLessThan(1e-4 * (1 + size));
      }
      tf.dispose([u, ut, uxx]);
      model.dispose();
    }
    expect(() => quickModel('moe', { form: 'ansatz-smooth', blend: 1, trainResidual: 'expert' })).toThrow(
      /'trainResidual'.*'blend'/,
    );
    ops.dispose();
  });
  it('a training step of the ic-ansatz, ansatz-smooth and blended MoE leaves tf.memory().numTensors unchanged', () => {
    const data = makeData({ nx: 16, nt: 11, fine: 1, solverSteps: 50, train: 4, test: 1, seed: 1 });
    const ops = new GridOps(16, 11);
    for (const [form, blend, trainResidual] of [
      ['ic-ansatz', 0, 'grid'],
      ['ansatz-smooth', 0, 'grid'],
      ['ansatz-smooth', 1, 'grid'],
      ['lsq', 0, 'expert'],
      ['ansatz-smooth', 0, 'expert'],
    ] as const) {
      const model = quickModel('moe', { form, blend, trainResidual });
      const cfg = { ...QUICK.train, batch: 2, steps: 1, loss: 'paper' as const };
      train(model, ops, data, cfg);
      const after1 = tf.memory().numTensors;
      const rec = train(model, ops, data, { ...cfg, steps: 3 });
      expect(tf.memory().numTensors, `${form} blend ${blend} ${trainResidual}`).toBe(after1);
      expect(rec.loss.every(Number.isFinite)).toBe(true);
      model.dispose();
    }
    ops.dispose();
  });
  it("conditions 'local': expert k solves only its slab's IC cells and the boundary it owns ('ic-local': both boundaries)", () => {
    const nx = 16;
    const nt = 11;
    const K = 4;
    const ops = new GridOps(nx, nt);
    const c = Float64Array.of(0.08);
    const model = quickModel('moe', { pointsPerExpert: 6, conditions: 'local' });
    const m = nx + 2 * (nt - 1);
    const mask = model.conditionMask(nx, nt);
    const kept = Array.from({ length: K }, (_, k) =>
      mask.subarray(k * m, (k + 1) * m).reduce((a, v) => a + v, 0),
    );
    expect(kept).toEqual([4 + 10, 4, 4, 4 + 10]);
    // 'ic-local': the same IC cells, and both boundaries' rows for every expert.
    const icLocal = quickModel('moe', { pointsPerExpert: 6, conditions: 'ic-local' });
    const mask2 = icLocal.conditionMask(nx, nt);
    icLocal.dispose();
    for (let k = 0; k < K; k++) {
      expect(Array.from(mask2.subarray(k * m, k * m + nx))).toEqual(
        Array.from(mask.subarray(k * m, k * m + nx)),
      );
      expect(mask2.subarray(k * m + nx, (k + 1) * m).every((v) => v === 1)).toBe(true);
    }
    // With a blend of half-width W, expert k fits the IC cells where its weight is > 0: its slab ± W.
    const blended = quickModel('moe', { pointsPerExpert: 6, conditions: 'ic-local', blend: 1 });
    const mask3 = blended.conditionMask(nx, nt);
    blended.dispose();
    expect(
      Array.from({ length: K }, (_, k) => Array.from(mask3.subarray(k * m, k * m + nx)).join('')),
    ).toEqual(['1111100000000000', '0001111110000000', '0000000111111000', '0000000000011111']);
    const { uv, bv, solves } = solvedField(model, ops, c, model.samplePoints(ops, new Rng(5)));
    for (let k = 0; k < K; k++) {
      // The assembled field in slab k is expert k's: its kept rows, recomputed from u.
      let ss = 0;
      for (let j = (k * nx) / K; j < ((k + 1) * nx) / K; j++) ss += (uv[j] - c[0]) ** 2;
      for (let s = 1; s < nt; s++) {
        if (k === 0) ss += (bv[s * 2] - 1) ** 2;
        if (k === K - 1) ss += bv[s * 2 + 1] ** 2;
      }
      // blocks[1].rms averages over all m rows, the dropped ones being exactly zero.
      const rms = Math.sqrt(ss / m);
      expect(Math.abs(solves[k].blocks[1].rms - rms)).toBeLessThan(1e-4 * (1 + rms));
    }
    expect(() => quickModel('moe', { pointsPerExpert: 6, conditions: 'none' as never, lm: {} })).toThrow(
      /'conditions'/,
    );
    model.dispose();
    ops.dispose();
  });
  it("split 't': experts own time windows; with 'local' conditions the IC rows are the first window's and each window keeps its own boundary rows", () => {
    const nx = 16;
    const nt = 9;
    const K = 4;
    const ops = new GridOps(nx, nt);
    const c = Float64Array.of(0.12);
    const model = quickModel('moe', { pointsPerExpert: 6, conditions: 'local', split: 't' });
    // Rows 1..8 in four windows of two rows; row 0 (t = 0) with the first window.
    const owner = model.owners(nt, nx);
    const rowOwner = Array.from({ length: nt }, (_, j) => owner[j * nx]);
    expect(rowOwner).toEqual([0, 0, 0, 1, 1, 2, 2, 3, 3]);
    for (let j = 0; j < nt; j++)
      expect(owner.subarray(j * nx, (j + 1) * nx).every((e) => e === rowOwner[j])).toBe(true);
    const sample = model.samplePoints(ops, new Rng(3));
    sample.points.forEach((pts, k) => {
      expect(pts.length).toBe(6);
      for (const g of pts) {
        expect(g).toBeGreaterThanOrEqual(nx); // τ > 0
        expect(owner[g]).toBe(k);
      }
    });
    const m = nx + 2 * (nt - 1);
    const mask = model.conditionMask(nx, nt);
    const kept = Array.from({ length: K }, (_, k) =>
      mask.subarray(k * m, (k + 1) * m).reduce((a, v) => a + v, 0),
    );
    expect(kept).toEqual([nx + 4, 4, 4, 4]);
    const { uv, bv, solves } = solvedField(model, ops, c, sample);
    for (let k = 0; k < K; k++) {
      // Expert k's kept rows, recomputed from the assembled field: its window is its own expansion.
      let ss = 0;
      if (k === 0) for (let j = 0; j < nx; j++) ss += (uv[j] - c[0]) ** 2;
      for (let s = 1; s < nt; s++) {
        if (rowOwner[s] !== k) continue;
        ss += (bv[s * 2] - 1) ** 2 + bv[s * 2 + 1] ** 2;
      }
      const rms = Math.sqrt(ss / m);
      expect(Math.abs(solves[k].blocks[1].rms - rms)).toBeLessThan(1e-4 * (1 + rms));
    }
    // The windows' solves differ: no row is shared.
    expect(Math.abs(solves[1].w[0] - solves[2].w[0])).toBeGreaterThan(1e-6);
    // 'ic-ansatz' with local BC rows: the BC part of the mask, each window its own rows.
    const icAnsatz = quickModel('moe', {
      pointsPerExpert: 6,
      conditions: 'local',
      split: 't',
      form: 'ic-ansatz',
    });
    const bcMask = icAnsatz.conditionMask(nx, nt, false);
    expect(Array.from(bcMask.subarray(0, 2 * (nt - 1)))).toEqual([
      1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0,
    ]);
    const u2 = icAnsatz.forward(ops, c, sample);
    const u2v = u2.dataSync();
    for (let j = 0; j < nx; j++) expect(Math.abs(u2v[j] - c[0])).toBeLessThan(1e-6);
    icAnsatz.dispose();
    expect(() => quickModel('moe', { split: 't', blend: 2 })).toThrow(/'blend'/);
    expect(() => quickModel('moe', { split: 't', conditions: 'ic-local' })).toThrow(/'ic-local'/);
    expect(() => quickModel('moe', { split: 'y' as never })).toThrow(/'split'/);
    u2.dispose();
    model.dispose();
    ops.dispose();
  });

  it("icWeight 'paper': the solved IC rows are (u − c)/c of the returned field, 'unit' u − c", () => {
    const nx = 16;
    const nt = 11;
    const ops = new GridOps(nx, nt);
    const c = Float64Array.of(0.05, 0.15);
    for (const icWeight of ['paper', 'unit'] as const) {
      const model = quickModel('hard', { pointsPerExpert: 12, icWeight });
      const sample = model.samplePoints(ops, new Rng(4));
      const u = model.forward(ops, c, sample);
      const uv = u.dataSync();
      const bd = ops.boundary(u as tf.Tensor4D);
      const bv = bd.dataSync(); // [2, nt, 2, 1]
      const solves = (model.moe as NonNullable<typeof model.moe>).constraint.lastSolve;
      for (let b = 0; b < 2; b++) {
        let ss = 0;
        for (let j = 0; j < nx; j++) {
          const e = uv[b * nt * nx + j] - c[b];
          ss += (icWeight === 'paper' ? e / c[b] : e) ** 2;
        }
        for (let s = 1; s < nt; s++) {
          ss += (bv[(b * nt + s) * 2] - 1) ** 2 + bv[(b * nt + s) * 2 + 1] ** 2;
        }
        const rms = Math.sqrt(ss / (nx + 2 * (nt - 1)));
        expect(Math.abs(solves[b].blocks[1].rms - rms)).toBeLessThan(1e-4 * (1 + rms));
      }
      tf.dispose([u, bd]);
      model.dispose();
    }
    ops.dispose();
  });
});

describe('hcmoe --quick', () => {
  it('trains the three variants, benches 1 vs 4 experts on 1 and 2 workers, writes figures', async () => {
    const out = await mkdtemp(join(tmpdir(), 'hcmoe-'));
    try {
      const { results, bench } = await runHcmoe(
        { ...QUICK, out, crossEval: true, saveFields: true },
        () => {},
      );
      // QUICK trains every variant with 2 seeds.
      expect(results.map((r) => `${r.variant}${r.seed}`)).toEqual([
        'soft0',
        'hard0',
        'moe0',
        'soft1',
        'hard1',
        'moe1',
      ]);
      for (const r of results) {
        expect(Number.isFinite(r.test.mean)).toBe(true);
        expect(r.test.relL2.length).toBe(QUICK.data.test);
      }
      // Different seeds train different models.
      expect(results[1].test.mean).not.toBe(results[4].test.mean);
      const moe = results[2];
      expect(moe.test.lmIterations.length).toBe(QUICK.data.test * QUICK.experts);
      // The paper's stop test is reported per solve, from the LM's last accepted step.
      expect(moe.test.paperStepRatio.length).toBe(QUICK.data.test * QUICK.experts);
      expect(moe.test.paperStepRatio.every((x) => Number.isFinite(x) && x >= 0)).toBe(true);
      // Each solve says which LM rule stopped it.
      expect(moe.test.lmReason).toHaveLength(QUICK.data.test * QUICK.experts);
      expect(moe.test.lmReason.every((r) => ['gtol', 'ftol', 'xtol', 'maxIter'].includes(r))).toBe(true);
      expect(bench.map((b) => [b.experts, b.workers])).toEqual([
        [1, 1],
        [4, 1],
        [1, 2],
        [4, 2],
      ]);
      for (const f of [
        'field_soft.svg',
        'field_hard.svg',
        'field_moe.svg',
        'profiles.svg',
        'loss.svg',
        'results.md',
      ]) {
        expect((await stat(join(out, f))).size).toBeGreaterThan(100);
      }
      const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
      expect(metrics.variants).toHaveLength(6);
      const mm = metrics.variants.find((v: { variant: string }) => v.variant === 'moe').test;
      const counted = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
      expect(counted(mm.lmReasons)).toBe(mm.solves);
      expect(counted(mm.lmReasonsPaperMissed)).toBe(mm.solves - mm.paperStopMet);
      // --cross-eval: each hard/MoE basis also solved with the other expert count.
      expect(results.map((r) => r.cross?.experts ?? 0)).toEqual([0, 4, 1, 0, 4, 1]);
      expect(metrics.variants[2].cross.relL2).toHaveLength(QUICK.data.test);
      expect(await readFile(join(out, 'results.md'), 'utf8')).toContain('solved with K experts');
      // --save-fields: [test, nt, nx] float32 per run and the float64 reference.
      const G = QUICK.data.nt * QUICK.data.nx;
      expect((await stat(join(out, 'fields_moe_s1.f32'))).size).toBe(4 * QUICK.data.test * G);
      expect((await stat(join(out, 'fields_reference.f64'))).size).toBe(8 * QUICK.data.test * G);
      const hm = metrics.summary.hardMinusMoe;
      expect(hm.perSeed).toHaveLength(2);
      expect(hm.perSeed[0]).toBeCloseTo(results[1].test.mean - results[2].test.mean, 12);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 300_000);
});
