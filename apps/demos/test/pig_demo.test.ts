/**
 * The PIG demo commands at toy sizes: they train (the loss drops between L-BFGS rounds), are
 * deterministic per seed, write metrics, arrays, the model and a report with the Gaussians, and
 * reject bad arguments with the option's name.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, loadModel } from '@pinnate/core';
import { PIG_MODULES, Pig } from '@pinnate/pinn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPigCommand } from '../src/pig/commands.ts';
import { FLOW_MIXING, flowMixingExact } from '../src/pig/flow_mixing.ts';
import { runHelmholtz } from '../src/pig/helmholtz.ts';
import { KLEIN_GORDON, kleinGordonExact, runKleinGordon, runSpaceTime } from '../src/pig/klein_gordon.ts';

const dirs: string[] = [];
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'pinnate-pig-'));
  dirs.push(d);
  return d;
}

describe('pig demos (toy sizes)', () => {
  it('helmholtz: L-BFGS rounds lower the loss; same seed, same result; warm vs cold memory', async () => {
    const small = {
      gaussians: 60,
      sigma: 0.25,
      points: 300,
      boundaryPoints: 80,
      iterations: 40,
      roundIterations: 20,
      testGrid: 21,
    };
    const a = await runHelmholtz({ ...small, seed: 3 });
    expect(a.records.length).toBe(2);
    // Toy size: far from converged (sin 4πy with 60 Gaussians), but the second round improves.
    expect(a.records[1].loss).toBeLessThan(a.records[0].loss);
    expect(Number.isFinite(a.relL2)).toBe(true);
    expect(a.overlay?.mu.length).toBe(120);
    const b = await runHelmholtz({ ...small, seed: 3 });
    expect(b.relL2).toBe(a.relL2);
    expect(a.evaluations).toBeGreaterThanOrEqual(a.iterations);
    expect(a.records[1].evaluations).toBe(a.evaluations);
    // The L-BFGS memory carried into the second round changes its steps (the first round, from
    // an empty memory either way, is identical).
    const cold = await runHelmholtz({ ...small, seed: 3, warmStart: false });
    expect(cold.records[0].loss).toBe(a.records[0].loss);
    expect(cold.records[1].loss).not.toBe(a.records[1].loss);
  });

  it('helmholtz: tail averaging leaves the iterates alone and returns their mean', async () => {
    const small = {
      gaussians: 60,
      sigma: 0.25,
      points: 300,
      boundaryPoints: 80,
      roundIterations: 10,
      testGrid: 21,
    };
    const raw = await runHelmholtz({ ...small, iterations: 30, seed: 4, averageLast: 0 });
    const snaps: Float32Array[] = [];
    const dir = tmp();
    const avg = await runHelmholtz({
      ...small,
      iterations: 30,
      seed: 4,
      average: { from: 10 },
      modelDir: dir,
      onRound: (it, net) => {
        if (it > 10)
          snaps.push(Float32Array.from(net.parameters().flatMap((p) => [...p.variable.dataSync()])));
      },
    });
    // Same raw iterates (averaging reads them, never steers them).
    expect(avg.records.map((r) => r.relL2)).toEqual(raw.records.map((r) => r.relL2));
    expect(avg.records.map((r) => r.relL2Average === undefined)).toEqual([true, false, false]);
    expect(avg.relL2).not.toBe(raw.relL2);
    // The saved model is the mean of the iterates after rounds 2 and 3.
    expect(snaps.length).toBe(2);
    const { module } = await loadModel(join(dir), PIG_MODULES);
    const saved = module.parameters().flatMap((p) => [...p.variable.dataSync()]);
    saved.forEach((v, i) => expect(v).toBeCloseTo((snaps[0][i] + snaps[1][i]) / 2, 5));
    for (const p of module.parameters()) p.variable.dispose();
  });

  it('helmholtz: Adam with decay and boundary redraws is seeded; kernel threads change nothing', async () => {
    const small = { gaussians: 60, sigma: 0.25, points: 1200, boundaryPoints: 80, testGrid: 21, seed: 2 };
    const adam = { ...small, optimizer: 'adam' as const, iterations: 6, decay: 0.9 };
    const a = await runHelmholtz({ ...adam, redrawBoundary: true, threads: 1 });
    const b = await runHelmholtz({ ...adam, redrawBoundary: true, threads: 2 });
    // 1 200 points × 60 Gaussians is large enough to split the kernel: bit-identical anyway.
    expect(b.relL2).toBe(a.relL2);
    expect(b.loss).toBe(a.loss);
    const fixed = await runHelmholtz({ ...adam, redrawBoundary: false, threads: 1 });
    expect(fixed.loss).not.toBe(a.loss);
  });

  it('helmholtz command writes metrics, arrays, the model and the report', async () => {
    const out = tmp();
    await runPigCommand([
      'helmholtz',
      '--out',
      out,
      '--gaussians',
      '40',
      '--points',
      '200',
      '--boundary',
      '40',
      '--iterations',
      '10',
      '--round',
      '10',
      '--pinn-iterations',
      '3',
    ]);
    const m = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect(m.runs.map((r: { model: string }) => r.model)).toEqual(['pig', 'pinn']);
    expect(Number.isFinite(m.runs[0].relL2)).toBe(true);
    for (const f of [
      'report.html',
      'gaussians.svg',
      'curves.svg',
      'pig-seed0/u_pred.npy',
      'pig-seed0/model/model.json',
    ])
      expect(existsSync(join(out, f)), f).toBe(true);
    expect(readFileSync(join(out, 'gaussians.svg'), 'utf8').match(/<ellipse/g)?.length).toBe(40);
    const { module } = await loadModel(join(out, 'pig-seed0', 'model'), PIG_MODULES);
    expect(module).toBeInstanceOf(Pig);
    for (const p of module.parameters()) p.variable.dispose();
  });

  it('klein-gordon runs with Adam and with L-BFGS rounds (the loss drops)', async () => {
    const toy = { gaussians: 30, points: 200, testGrid: 8, seed: 1 };
    const r = await runKleinGordon({ ...toy, optimizer: 'adam', iterations: 20 });
    expect(Number.isFinite(r.relL2)).toBe(true);
    expect(r.iterations).toBe(20);
    const l = await runKleinGordon({ ...toy, optimizer: 'lbfgs', iterations: 20, roundIterations: 10 });
    expect(l.records).toHaveLength(2);
    expect(l.records[1].loss).toBeLessThan(l.records[0].loss);
  });

  it('klein-gordon: --sampler and --average reach the run', async () => {
    const toy = { gaussians: 30, points: 200, testGrid: 8, seed: 1, iterations: 40, roundIterations: 5 };
    const random = await runKleinGordon({ ...toy, sampler: 'random' });
    const sobol = await runKleinGordon({ ...toy, sampler: 'sobol' });
    expect(sobol.records[0].loss).not.toBe(random.records[0].loss);
    expect(random.records.every((r) => r.relL2Average === undefined)).toBe(true);
    // Averaging the last 10 of 40 iterations folds in the iterates after rounds 7 and 8 (35, 40);
    // the raw path is unchanged and the returned model is their mean.
    const avg = await runKleinGordon({ ...toy, sampler: 'sobol', averageLast: 10 });
    expect(avg.records.map((r) => r.relL2)).toEqual(sobol.records.map((r) => r.relL2));
    expect(avg.records.map((r) => r.relL2Average !== undefined)).toEqual([
      ...Array(6).fill(false),
      true,
      true,
    ]);
    expect(avg.records[6].relL2Average).toBe(avg.records[6].relL2);
    expect(avg.records[7].relL2Average).not.toBe(avg.records[7].relL2);
    expect(avg.relL2).toBeCloseTo(avg.records[7].relL2Average ?? Number.NaN, 5);
    const out = tmp();
    await runPigCommand([
      'klein-gordon',
      '--out',
      out,
      '--gaussians',
      '20',
      '--points',
      '100',
      '--initial',
      '20',
      '--boundary',
      '40',
      '--iterations',
      '20',
      '--round',
      '10',
      '--sampler',
      'halton',
      '--average',
      '10',
      '--mean-sampler',
      'random',
    ]);
    const m = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect(m.options.sampler).toBe('halton');
    expect(m.options.averageLast).toBe(10);
    expect(m.options.meanSampler).toBe('random');
    await expect(runPigCommand(['klein-gordon', '--sampler', 'grid'])).rejects.toThrow(/'--sampler'/);
    await expect(runPigCommand(['klein-gordon', '--mean-sampler', 'lhs'])).rejects.toThrow(
      /'--mean-sampler'/,
    );
    await expect(runKleinGordon({ ...toy, averageLast: -1 })).rejects.toThrow(/'averageLast'/);
  });

  it('klein-gordon: the initial means are a Sobol design by default (--mean-sampler)', async () => {
    // Counts of the 32 means per eighth of each axis of the box, e.g. '44444444'.
    const counts = async (meanSampler?: 'random' | 'sobol') => {
      const dir = tmp();
      await runSpaceTime(KLEIN_GORDON, {
        gaussians: 32,
        iterations: 0,
        testGrid: 4,
        meanSampler,
        modelDir: dir,
      });
      const { module } = await loadModel(dir, PIG_MODULES);
      const mu = (module as Pig).features.mu.dataSync();
      for (const p of module.parameters()) p.variable.dispose();
      return [0, 1, 2].map((j) => {
        const b = new Array(8).fill(0);
        const [lo, hi] = [KLEIN_GORDON.lo[j], KLEIN_GORDON.hi[j]];
        for (let i = 0; i < 32; i++) b[Math.min(7, Math.floor(((mu[i * 3 + j] - lo) / (hi - lo)) * 8))]++;
        return b.join('');
      });
    };
    // Each coordinate of a shifted Sobol prefix of 2^5 points is a (0, 5, 1)-net: every eighth of
    // every axis holds exactly 32 / 8 of the means.
    expect(await counts()).toEqual(['44444444', '44444444', '44444444']);
    expect(await counts('sobol')).toEqual(['44444444', '44444444', '44444444']);
    expect((await counts('random')).some((c) => c !== '44444444')).toBe(true);
  });

  it('flow-mixing core Gaussians start in the vortex disc with their own σ', async () => {
    const core = FLOW_MIXING.core;
    if (!core) throw new Error('flow mixing has a core region');
    const r = await runSpaceTime(FLOW_MIXING, {
      gaussians: 30,
      coreGaussians: 12,
      iterations: 0,
      testGrid: 6,
    });
    const o = r.overlay;
    if (!o) throw new Error('PIG runs have an overlay');
    for (let i = 0; i < 30; i++) {
      const inDisc = Math.hypot(o.mu[2 * i] - core.centre[0], o.mu[2 * i + 1] - core.centre[1]) < core.radius;
      if (i < 12) {
        expect(inDisc).toBe(true);
        expect(o.sigma[2 * i]).toBeCloseTo(core.sigma[0], 5);
      } else expect(o.sigma[2 * i]).toBeCloseTo(FLOW_MIXING.sigma[0], 5);
    }
    await expect(
      runSpaceTime(FLOW_MIXING, { gaussians: 30, coreGaussians: 31, iterations: 0 }),
    ).rejects.toThrow(/coreGaussians/);
  });

  it('flow-mixing runs at toy size, half of its Gaussians in the core by default', async () => {
    const r = await runSpaceTime(FLOW_MIXING, {
      gaussians: 30,
      points: 200,
      initialPoints: 50,
      iterations: 10,
      testGrid: 8,
      seed: 2,
    });
    expect(Number.isFinite(r.relL2)).toBe(true);
    const s = r.overlay?.sigma ?? new Float32Array();
    // Ten Adam steps at lr 1e-2 move log σ by at most ~0.1: the two populations stay apart.
    const small = Array.from({ length: 30 }, (_, i) => s[2 * i] < 0.33).filter(Boolean).length;
    expect(small).toBe(15);
  });

  it('the exact solutions satisfy their PDEs (central differences)', () => {
    const h = 1e-4;
    const v = 0.385;
    for (const [x, y, t] of [
      [0.7, -1.3, 2.1],
      [-3.1, 2.2, 0.4],
    ]) {
      const r = Math.hypot(x, y);
      const vt = Math.tanh(r) / Math.cosh(r) ** 2;
      const f = flowMixingExact;
      const ut = (f(x, y, t + h) - f(x, y, t - h)) / (2 * h);
      const ux = (f(x + h, y, t) - f(x - h, y, t)) / (2 * h);
      const uy = (f(x, y + h, t) - f(x, y - h, t)) / (2 * h);
      expect(Math.abs(ut - (vt / v) * (y / r) * ux + (vt / v) * (x / r) * uy)).toBeLessThan(1e-6);
      const g = kleinGordonExact;
      const [X, Y, T, H] = [x / 4, y / 4, 2.5 * t, 1e-3];
      const u = g(X, Y, T);
      const utt = (g(X, Y, T + H) - 2 * u + g(X, Y, T - H)) / H ** 2;
      const lap = (g(X + H, Y, T) + g(X - H, Y, T) + g(X, Y + H, T) + g(X, Y - H, T) - 4 * u) / H ** 2;
      expect(Math.abs(utt - lap + u * u - (u * u - 4 * u))).toBeLessThan(1e-4);
    }
  });

  it('rejects unknown commands and bad options by name', async () => {
    await expect(runPigCommand(['nope'])).rejects.toThrow(/unknown command 'nope'/);
    await expect(runPigCommand(['helmholtz', '--iterations', 'x'])).rejects.toThrow(
      /'--iterations' needs a number/,
    );
    await expect(runPigCommand(['helmholtz', '--bogus', '1'])).rejects.toThrow(/unknown option\(s\) --bogus/);
    await expect(runPigCommand(['helmholtz', '--optimizer', 'sgd'])).rejects.toThrow(/'--optimizer'/);
    await expect(runPigCommand(['helmholtz', '--sampler', 'grid'])).rejects.toThrow(/'--sampler'/);
    await expect(
      runPigCommand(['helmholtz', '--average', '-5', '--no-baseline', '--out', tmp()]),
    ).rejects.toThrow(/'averageLast'/);
  });
});
