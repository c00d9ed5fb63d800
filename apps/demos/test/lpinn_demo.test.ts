import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { burgersFrontReference } from '../src/lpinn/burgers.ts';
import { parseLpinnArgs } from '../src/lpinn/cli.ts';
import { errors } from '../src/lpinn/common.ts';
import { convectionExact, runConvection } from '../src/lpinn/convection.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('lpinn CLI arguments', () => {
  it('parses the command and flags, rejects unknown ones', () => {
    const o = parseLpinnArgs([
      '--',
      'convection',
      '--quick',
      '--betas',
      '1,50',
      '--steps',
      '20',
      '--models',
      'lpinn',
    ]);
    expect(o.command).toBe('convection');
    expect(o.quick).toBe(true);
    expect(o.betas).toEqual([1, 50]);
    expect(o.steps).toBe(20);
    expect(o.models).toEqual(['lpinn']);
    expect(o.out).toBe('runs/lpinn-convection-quick');
    expect(() => parseLpinnArgs(['wave'])).toThrow(/first argument/);
    expect(() => parseLpinnArgs(['burgers', '--frobnicate'])).toThrow(/unknown argument '--frobnicate'/);
    expect(() => parseLpinnArgs(['burgers', '--steps', 'x'])).toThrow(/'--steps' needs a number/);
  });
});

describe('references', () => {
  it('the moving-front Burgers reference satisfies Galilean invariance u_C(x, t) = C + u_0(x − Ct, t)', () => {
    // C = 2π moves the profile by 16 of 64 grid points per quarter time unit: exact grid shifts.
    const nx = 64;
    const nt = 5;
    const C = 2 * Math.PI;
    const moving = burgersFrontReference(0.05, C, nx, nt, 256, 256);
    const still = burgersFrontReference(0.05, 0, nx, nt, 256, 256);
    let maxDiff = 0;
    let maxFluct = 0;
    for (let j = 0; j < nt; j++) {
      const shift = 16 * j;
      for (let i = 0; i < nx; i++) {
        const a = moving[j * nx + i] - C;
        const b = still[j * nx + ((i - shift + 16 * nx) % nx)];
        maxDiff = Math.max(maxDiff, Math.abs(a - b));
        maxFluct = Math.max(maxFluct, Math.abs(b));
      }
    }
    expect(maxFluct).toBeGreaterThan(0.5);
    expect(maxDiff).toBeLessThan(1e-6);
    // Not the same field: without the shift, the profiles disagree at t > 0.
    expect(Math.abs(moving[2 * nx + 5] - C - still[2 * nx + 5])).toBeGreaterThan(1e-2);
  });

  it('errors(): zero for the exact field, the spectral metric ≤ Frobenius·√rank', () => {
    const x = Float64Array.from({ length: 32 }, (_, i) => (i * 2 * Math.PI) / 32);
    const t = Float64Array.from({ length: 10 }, (_, j) => j / 9);
    const ref = convectionExact(3, 0.1, x, t);
    expect(errors(ref, ref, 10, 32, 0).relL2).toBe(0);
    const pred = ref.map((v, k) => v + 0.01 * Math.cos(k));
    const e = errors(pred, ref, 10, 32, 0);
    expect(e.relL2).toBeGreaterThan(0);
    expect(e.relL2Fluctuation).toBeCloseTo(e.relL2, 12);
    expect(Number.isFinite(e.paperMetric) && e.paperMetric > 0).toBe(true);
  });
});

describe('runConvection (tiny budget)', () => {
  it('writes the table, results and figures; the LPINN beats the PINN at β = 20 even after 60 steps', async () => {
    const out = mkdtempSync(join(tmpdir(), 'pinnate-lpinn-'));
    dirs.push(out);
    const recipe = {
      steps: 60,
      lbfgs: 0,
      lr: 1e-2,
      nx: 16,
      nt: 16,
      hidden: [16, 16],
      hiddenX: [8],
      logEvery: 0,
    };
    const r = await runConvection({ ...recipe, betas: [20], plotBetas: [20], out });
    const row = r.rows[0];
    expect(row.beta).toBe(20);
    const l = row.runs.lpinn?.relL2 ?? Number.NaN;
    const p = row.runs.pinn?.relL2 ?? Number.NaN;
    expect(l).toBeLessThan(p);
    const report = readFileSync(join(out, 'report.md'), 'utf8');
    expect(report).toMatch(/\| 20 \| \d\.\d\de[-+]\d+ \| \d\.\d\de[-+]\d+ \|/);
    for (const f of [
      'results.json',
      'error_vs_beta.svg',
      'map_lpinn_beta20.svg',
      'map_pinn_beta20.svg',
      'characteristics_beta20.svg',
    ]) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    expect(readFileSync(join(out, 'error_vs_beta.svg'), 'utf8')).toMatch(/^<svg/);
    // A second run into the same directory with the same recipe adds its β to the table.
    const again = await runConvection({ ...recipe, betas: [5], models: ['lpinn'], plotBetas: [], out });
    expect(again.rows.map((r) => r.beta)).toEqual([5, 20]);
    expect(again.rows[1].runs.pinn?.relL2).toBe(p);
  });
});
