/**
 * The NS demos at toy sizes: hard constraints hold exactly on untrained networks, a few
 * training steps lower the loss without leaking tensors, each run writes its run directory
 * (metrics.json keys, arrays, report), and the CLI parses flags and names bad ones.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, readNpyFile } from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cavityPinn, runCavity } from '../src/ns/cavity.ts';
import { parseNsArgs } from '../src/ns/cli.ts';
import { kovasznay } from '../src/ns/exact.ts';
import { inversePinn, kovasznayObservations, runInverse } from '../src/ns/inverse.ts';
import { KOVASZNAY_BOX, kovasznayPinn, runKovasznay } from '../src/ns/kovasznay.ts';
import { runTaylorGreen, taylorGreenPinn } from '../src/ns/taylor_green.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'pinnate-ns-'));
  dirs.push(d);
  return d;
};
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const tiny = { hidden: [8, 8], points: 64, progress: 'none' as const, backend: 'wasm' as const, grid: 9 };

describe('hard constraints hold before training', () => {
  it('Kovasznay: u, v equal the exact boundary data on all four sides', () => {
    const pinn = kovasznayPinn({ ...tiny, re: 20 });
    try {
      const {
        x: [a, b],
        y: [c, d],
      } = KOVASZNAY_BOX;
      const side: number[] = [];
      for (let k = 0; k <= 10; k++) {
        const s = k / 10;
        side.push(a, c + s * (d - c), b, c + s * (d - c), a + s * (b - a), c, a + s * (b - a), d);
      }
      const pts = { data: Float64Array.from(side), n: side.length / 2, dim: 2 };
      const p = pinn.predict(pts);
      for (let i = 0; i < pts.n; i++) {
        const e = kovasznay(20, side[2 * i], side[2 * i + 1]);
        expect(Math.abs(p.u[i] - e.u)).toBeLessThan(2e-5);
        expect(Math.abs(p.v[i] - e.v)).toBeLessThan(2e-5);
      }
      // Inside, the untrained network is not the exact solution (the constraint is not a copy of it).
      const mid = pinn.predict({ data: Float64Array.of(0.25, 0.25), n: 1, dim: 2 });
      expect(Math.abs(mid.u[0] - kovasznay(20, 0.25, 0.25).u)).toBeGreaterThan(1e-3);
    } finally {
      pinn.dispose();
    }
  });

  it('cavity: regularised lid on top, no slip elsewhere', () => {
    const pinn = cavityPinn({ ...tiny, lidPower: 16 });
    try {
      const xs = [0, 0.1, 0.3, 0.5, 0.7, 1];
      const top = pinn.predict({ data: Float64Array.from(xs.flatMap((x) => [x, 1])), n: xs.length, dim: 2 });
      xs.forEach((x, i) => {
        expect(top.u[i]).toBeCloseTo((1 - (2 * x - 1) ** 16) ** 2, 5);
        expect(Math.abs(top.v[i])).toBeLessThan(1e-6);
      });
      const walls = [0, 0.3, 0.3, 0, 1, 0.6, 0.8, 0];
      const w = pinn.predict({ data: Float64Array.from(walls), n: 4, dim: 2 });
      for (let i = 0; i < 4; i++) {
        expect(Math.abs(w.u[i])).toBeLessThan(1e-6);
        expect(Math.abs(w.v[i])).toBeLessThan(1e-6);
      }
    } finally {
      pinn.dispose();
    }
  });

  it('Taylor–Green: the t = 0 field is the initial condition and the fields are 2π-periodic', () => {
    const pinn = taylorGreenPinn({ ...tiny });
    try {
      const pts = [
        0.3,
        1.1,
        0,
        2.0,
        4.5,
        0,
        0.3,
        1.1,
        0.7,
        0.3 + 2 * Math.PI,
        1.1,
        0.7,
        0.3,
        1.1 + 2 * Math.PI,
        0.7,
      ];
      const p = pinn.predict({ data: Float64Array.from(pts), n: 5, dim: 3 });
      for (const i of [0, 1]) {
        const [x, y] = [pts[3 * i], pts[3 * i + 1]];
        expect(p.u[i]).toBeCloseTo(-Math.cos(x) * Math.sin(y), 5);
        expect(p.v[i]).toBeCloseTo(Math.sin(x) * Math.cos(y), 5);
      }
      for (const f of ['u', 'v', 'p'] as const) {
        expect(p[f][3]).toBeCloseTo(p[f][2], 4);
        expect(p[f][4]).toBeCloseTo(p[f][2], 4);
      }
    } finally {
      pinn.dispose();
    }
  });
});

describe('training', () => {
  it('a few Kovasznay steps lower the loss, and a loss+gradient evaluation leaks no tensors', async () => {
    const pinn = kovasznayPinn({ ...tiny });
    try {
      const vars = pinn.model.parameters().map((p) => p.variable);
      const step = () => {
        const { value, grads } = tf.variableGrads(
          () => tf.addN(Object.values(pinn.lossTerms())) as tf.Scalar,
          vars,
        );
        const v = value.dataSync()[0];
        tf.dispose([value, ...Object.values(grads)]);
        return v;
      };
      step();
      const before = tf.memory().numTensors;
      const loss0 = step();
      expect(tf.memory().numTensors).toBe(before);
      // Tensor count across training steps (Adam and L-BFGS evaluations): constant.
      const counts: number[] = [];
      const r = await pinn.train({
        steps: 6,
        adam: { lr: 1e-3 },
        lbfgs: { maxIter: 15 },
        progress: 'none',
        callbacks: [{ onStep: () => void counts.push(tf.memory().numTensors) }],
      });
      expect(counts).toHaveLength(6);
      expect(new Set(counts.slice(1)).size).toBe(1);
      expect(r.loss).toBeLessThan(0.5 * loss0);
    } finally {
      pinn.dispose();
    }
  });

  it('inverse: observations are the exact velocity (clean) and seeded; ν is trainable and moves', async () => {
    const a = kovasznayObservations(20, 50, 0, 3);
    const b = kovasznayObservations(20, 50, 0, 3);
    expect(Array.from(a.points.data)).toEqual(Array.from(b.points.data));
    for (let i = 0; i < 50; i++) {
      const e = kovasznay(20, a.points.data[2 * i], a.points.data[2 * i + 1]);
      expect(a.u[i]).toBeCloseTo(e.u, 12);
      expect(a.v[i]).toBeCloseTo(e.v, 12);
    }
    const noisy = kovasznayObservations(20, 50, 0.05, 3);
    expect(noisy.u.some((u, i) => Math.abs(u - a.u[i]) > 1e-4)).toBe(true);
    const { pinn } = inversePinn({ ...tiny, observations: 50, nuInit: 0.1 });
    try {
      expect(pinn.coefficients().nu).toBeCloseTo(0.1, 6);
      await pinn.train({ steps: 5, adam: { lr: 1e-2 }, progress: 'none' });
      expect(pinn.coefficients().nu).not.toBeCloseTo(0.1, 6);
      expect(pinn.coefficients().nu).toBeGreaterThan(0);
    } finally {
      pinn.dispose();
    }
  });
});

describe('run directories', () => {
  const expectRun = async (out: string, keys: string[], arrays: string[]) => {
    const m = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    for (const k of [...keys, 'wallSeconds', 'msPerStep', 'backend', 're', 'seed'])
      expect(m).toHaveProperty(k);
    for (const a of arrays) expect(existsSync(join(out, 'arrays', `${a}.npy`))).toBe(true);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
    return m;
  };

  it('kovasznay, taylor-green, cavity and inverse write metrics, arrays and a report', async () => {
    const k = tmp();
    const rk = await runKovasznay({ ...tiny, steps: 3, lbfgsIter: 2, out: k });
    expect(rk.relL2.u).toBeGreaterThan(0);
    const mk = await expectRun(k, ['relL2'], ['x', 'y', 'u_pred', 'u_exact', 'p_pred']);
    expect(mk.re).toBe(20);
    expect((await readNpyFile(join(k, 'arrays', 'u_pred.npy'))).shape).toEqual([9, 9]);

    const t = tmp();
    const rt = await runTaylorGreen({ ...tiny, steps: 2, lbfgsIter: 0, times: 3, out: t });
    expect(rt.relL2ByTime.u).toHaveLength(3);
    // At t = 0 the hard constraint makes the velocity exact.
    expect(rt.relL2ByTime.u[0]).toBeLessThan(1e-5);
    await expectRun(t, ['relL2'], ['u_pred', 'u_exact', 'relL2_u_by_time']);
    expect(existsSync(join(t, 'figures', 'error_by_time.svg'))).toBe(true);

    const c = tmp();
    const rc = await runCavity({ ...tiny, steps: 2, lbfgsIter: 0, out: c });
    expect(rc.uAtGhia).toHaveLength(17);
    // The lid point (y = 1, x = 0.5) is exact by construction: u_lid(0.5) = 1 = Ghia's value.
    expect(rc.uAtGhia[0]).toBeCloseTo(1, 5);
    await expectRun(
      c,
      ['maxAbsDeviation'],
      ['u_centerline', 'u_centerline_y', 'v_centerline', 'v_centerline_x'],
    );
    expect(readFileSync(join(c, 'u_centerline.csv'), 'utf8').split('\n')[0]).toBe('y,u');
    expect(existsSync(join(c, 'figures', 'centerlines.svg'))).toBe(true);

    const i = tmp();
    const ri = await runInverse({ ...tiny, steps: 2, lbfgsIter: 0, observations: 20, out: i });
    expect(ri.truth.nu).toBeCloseTo(0.05, 12);
    const mi = await expectRun(i, ['estimate', 'relError'], ['points_observations']);
    expect(mi.params_true.nu).toBeCloseTo(0.05, 12);
  });
});

describe('CLI', () => {
  it('parses the case and flags, and names bad ones', () => {
    const a = parseNsArgs([
      'kovasznay',
      '--re',
      '40',
      '--seed',
      '3',
      '--steps',
      '10',
      '--out',
      'o',
      '--soft',
    ]);
    expect(a).toEqual({ case: 'kovasznay', options: { re: 40, seed: 3, steps: 10, out: 'o', hard: false } });
    const b = parseNsArgs(['inverse', '--', '--unknowns', 'lambda', '--noise', '0.01', '--lbfgs', '5']);
    expect(b.options).toEqual({ unknowns: 'lambda', noise: 0.01, lbfgsIter: 5 });
    expect(() => parseNsArgs(['channel'])).toThrow(/first argument must be one of kovasznay/);
    expect(() => parseNsArgs(['cavity', '--re'])).toThrow(/'--re' needs a number/);
    expect(() => parseNsArgs(['cavity', '--soft'])).toThrow(/'--soft' applies to kovasznay only/);
    expect(() => parseNsArgs(['cavity', '--bogus'])).toThrow(/unknown argument '--bogus'/);
  });

  it('validates options with the argument named', async () => {
    expect(() => cavityPinn({ re: 1000 })).toThrow(/'re' must be 100 or 400/);
    expect(() => cavityPinn({ lidPower: 3 })).toThrow(/'lidPower' must be an even integer/);
    expect(() => kovasznayPinn({ points: 0 })).toThrow(/'points' must be a positive integer/);
    expect(() => taylorGreenPinn({ hidden: [] })).toThrow(/'hidden'/);
    expect(() => inversePinn({ noise: -1 })).toThrow(/'noise'/);
  });
});
