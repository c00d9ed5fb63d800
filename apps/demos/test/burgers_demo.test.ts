import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNpyFile } from '@pinnate/core';
import { relL2 } from '@pinnate/pinn';
import { afterAll, describe, expect, it } from 'vitest';
import { runBurgers } from '../src/burgers.ts';
import { parseBurgersArgs } from '../src/burgers_cli.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('runBurgers (small)', () => {
  it('writes metrics, grid arrays and a checkpoint; beats the initial-data baseline; resumes', async () => {
    const out = mkdtempSync(join(tmpdir(), 'pinnate-burgers-'));
    dirs.push(out);
    const small = {
      nu: 0.05,
      steps: 120,
      lbfgsIter: 60,
      lbfgsRounds: 3,
      points: 512,
      hidden: [16, 16],
      radEvery: 60,
      nx: 64,
      nt: 20,
      progress: 'none' as const,
      backend: 'wasm' as const,
      threads: 2,
      out,
    };
    const r = await runBurgers(small);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    for (const k of ['relL2', 'steps', 'wallSeconds', 'msPerStep', 'backend', 'nu'])
      expect(metrics).toHaveProperty(k);
    expect(metrics.nu).toBe(0.05);
    expect(metrics.steps).toBe(120);
    const u = await readNpyFile(join(out, 'u_pred.npy'));
    expect(u.shape).toEqual([20, 64]);
    expect((await readNpyFile(join(out, 'x.npy'))).shape).toEqual([64]);
    expect((await readNpyFile(join(out, 't.npy'))).shape).toEqual([20]);
    // Hard constraints: row t = 0 is −sin(πx), columns x = ±1 are 0.
    for (let j = 0; j < 64; j++) expect(r.uPred[j]).toBeCloseTo(-Math.sin(Math.PI * r.x[j]), 5);
    for (let i = 0; i < 20; i++)
      expect(Math.abs(r.uPred[i * 64]) + Math.abs(r.uPred[i * 64 + 63])).toBeLessThan(1e-5);
    // Baseline: u = −sin(πx) for all t (what the transform gives with N = 0).
    const baseline = relL2(
      Float64Array.from(r.uRef, (_, k) => -Math.sin(Math.PI * r.x[k % 64])),
      r.uRef,
    );
    expect(r.relL2).toBeLessThan(0.5 * baseline);
    // Every L-BFGS round is checkpointed: resuming the finished run redoes nothing...
    const rec = JSON.parse(readFileSync(join(out, 'checkpoint', 'lbfgs_rounds.json'), 'utf8'));
    expect(rec.done).toEqual({ rounds: 3, iterations: r.lbfgsIterations });
    const same = await runBurgers({ ...small, resume: true });
    expect(same.lbfgsIterations).toBe(r.lbfgsIterations);
    expect(same.relL2).toBe(r.relL2);
    // ...and with a record of two finished rounds (of three) it runs one more round only.
    writeFileSync(
      join(out, 'checkpoint', 'lbfgs_rounds.json'),
      JSON.stringify({ ...rec, done: { rounds: 2, iterations: 1000 } }),
    );
    const cut = await runBurgers({ ...small, resume: true });
    expect(cut.lbfgsIterations).toBeGreaterThan(1000);
    expect(cut.lbfgsIterations).toBeLessThanOrEqual(1020);
    // Resume continues from the checkpoint step count.
    const again = await runBurgers({ ...small, steps: 150, lbfgsIter: 0, resume: true });
    expect(again.steps).toBe(150);
  });

  it('one thread with L-BFGS rounds (RAD redraw per round) trains too', async () => {
    const r = await runBurgers({
      nu: 0.05,
      steps: 100,
      lbfgsIter: 60,
      lbfgsRounds: 3,
      points: 512,
      hidden: [16, 16],
      radEvery: 50,
      nx: 64,
      nt: 20,
      progress: 'none',
      backend: 'wasm',
      threads: 1,
    });
    expect(r.threads).toBe(1);
    expect(r.lbfgsIterations).toBeGreaterThan(30);
    const baseline = relL2(
      Float64Array.from(r.uRef, (_, k) => -Math.sin(Math.PI * r.x[k % 64])),
      r.uRef,
    );
    expect(r.relL2).toBeLessThan(0.5 * baseline);
  });

  it('CLI flags parse, and bad ones are named', () => {
    expect(
      parseBurgersArgs([
        '--nu',
        '0.02',
        '--steps',
        '10',
        '--seed',
        '3',
        '--out',
        'd',
        '--backend',
        'cpu',
        '--resume',
        '--threads',
        '1',
        '--lbfgs-warm',
      ]),
    ).toEqual({
      nu: 0.02,
      steps: 10,
      seed: 3,
      out: 'd',
      backend: 'cpu',
      resume: true,
      threads: 1,
      lbfgsWarmStart: true,
    });
    expect(() => parseBurgersArgs(['--nu', 'abc'])).toThrow(/'--nu' needs a number/);
    expect(() => parseBurgersArgs(['--bogus'])).toThrow(/unknown argument '--bogus'/);
    expect(() => parseBurgersArgs(['--resume'])).toThrow(/'--resume' needs '--out DIR'/);
  });
});
