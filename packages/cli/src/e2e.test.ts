/**
 * train → interrupt → resume → report → predict, through the same `run(argv)` the binary
 * calls, plus one real Ctrl-C (SIGINT) on a spawned `pinnate train`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, parseNpy, Rng, serializeNpy } from '@pinnate/core';
import { predict as applyOperator, Mgno, saveOperator } from '@pinnate/operators';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from './main.ts';

const root = mkdtempSync(join(tmpdir(), 'pinnate-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, {
    stdout: { write: (s: string) => (out += s), isTTY: false },
    stderr: { write: (s: string) => (err += s) },
    handleSignals: false,
  });
  return { code, out, err };
}

const npy = (file: string) => parseNpy(readFileSync(file));
const lossLines = (dir: string) =>
  readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .map(({ step, phase, loss, terms }) => ({ step, phase, loss, terms }));

const ODE = {
  name: 'decay',
  problem: { type: 'ode', lambda: 1.5, T: 1, points: { interior: 32 } },
  model: { hidden: [8, 8] },
  training: { steps: 60, lr: 0.01, checkpointEvery: 20, metricsEvery: 5, logEvery: 20 },
  evaluation: { points: 21 },
};

describe('pinnate CLI end to end', () => {
  const config = join(root, 'ode.json');
  writeFileSync(config, JSON.stringify(ODE));

  it('interrupted + resumed training equals uninterrupted training; report and predict work on the run', async () => {
    const straight = join(root, 'straight');
    const broken = join(root, 'broken');
    const a = await cli('train', config, '--out', straight, '--backend', 'cpu', '--no-report');
    expect(a.err).toBe('');
    expect(a.code).toBe(0);
    expect(a.out).toMatch(/finished 60 steps/);

    const b1 = await cli('train', config, '--out', broken, '--backend', 'cpu', '--stop-after', '27');
    expect(b1.code).toBe(0);
    expect(b1.out).toMatch(/interrupted at step 27; checkpoint written/);
    expect(JSON.parse(readFileSync(join(broken, 'run.json'), 'utf8')).status).toBe('interrupted');
    expect(readFileSync(join(broken, 'checkpoints', 'LATEST'), 'utf8').trim()).toBe('ckpt-000027');
    expect(existsSync(join(broken, 'model'))).toBe(false);

    // Training into the same directory again is refused, naming the option.
    const again = await cli('train', config, '--out', broken, '--backend', 'cpu');
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/--out: '.*broken' already holds a run; continue it with `pinnate resume/);

    const b2 = await cli('resume', broken, '--backend', 'cpu');
    expect(b2.code).toBe(0);
    expect(b2.out).toMatch(/resuming .* at step 27 of 60/);
    expect(b2.out).toMatch(/finished 33 steps/);
    expect(b2.out).toMatch(/report: .*report.html \(3 figures: loss, u_line, points;/);

    // Bit-identical continuation: same predictions, same loss records, no duplicate steps.
    const pa = npy(join(straight, 'arrays', 'u_pred.npy'));
    const pb = npy(join(broken, 'arrays', 'u_pred.npy'));
    expect(pb.shape).toEqual([21]);
    expect(Array.from(pb.data as Float32Array)).toEqual(Array.from(pa.data as Float32Array));
    expect(lossLines(broken)).toEqual(lossLines(straight));
    expect(lossLines(broken).map((r) => r.step)).toEqual(Array.from({ length: 12 }, (_, i) => 5 * (i + 1)));
    const info = JSON.parse(readFileSync(join(broken, 'run.json'), 'utf8'));
    expect(info).toMatchObject({ status: 'finished', backend: 'cpu', inputs: ['t'], outputs: ['u'] });
    expect(info.versions['@tensorflow/tfjs']).toBe('4.22.0');
    const summary = JSON.parse(readFileSync(join(broken, 'metrics.json'), 'utf8'));
    expect(summary.steps).toBe(60);
    expect(summary.rel_l2_error).toBeGreaterThan(0);

    // The report: PNGs and a self-contained page with the errors in its table.
    const png = readFileSync(join(broken, 'figures', 'u_line.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const html = readFileSync(join(broken, 'report.html'), 'utf8');
    expect(html.match(/<figure /g)).toHaveLength(3);
    expect(html).toContain('<td>rel. L2 error (u)</td>');
    expect(html).toContain('&quot;type&quot;: &quot;ode&quot;');
    expect(html).not.toMatch(/<script|src="http|href="http/);

    // report again, SVG only.
    rmSync(join(broken, 'figures'), { recursive: true });
    const r = await cli('report', broken, '--no-png');
    expect(r.code).toBe(0);
    expect(existsSync(join(broken, 'figures', 'loss.svg'))).toBe(true);
    expect(existsSync(join(broken, 'figures', 'loss.png'))).toBe(false);

    // predict at the evaluation grid reproduces the saved prediction.
    const t = npy(join(broken, 'arrays', 't.npy'));
    const points = join(root, 'points.npy');
    writeFileSync(
      points,
      serializeNpy({ data: Float32Array.from(t.data as Float64Array), shape: [t.shape[0], 1] }),
    );
    const values = join(root, 'values.npy');
    const p = await cli('predict', broken, '--input', points, '--out', values, '--backend', 'cpu');
    expect(p.err).toBe('');
    expect(p.out).toMatch(/predict: 21 points/);
    const v = npy(values);
    expect(v.shape).toEqual([21, 1]);
    expect(v.dtype).toBe('float32');
    expect(Array.from(v.data as Float32Array)).toEqual(Array.from(pb.data as Float32Array));

    // Bad input shapes and missing options are reported by name.
    writeFileSync(points, serializeNpy({ data: new Float32Array(6), shape: [3, 2] }));
    const bad = await cli('predict', broken, '--input', points, '--out', values, '--backend', 'cpu');
    expect(bad.code).toBe(1);
    expect(bad.err).toBe('pinnate: --input: points must have shape [N, 1] (t), got [3, 2]\n');
    const missing = await cli('predict', broken, '--input', points);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/required option '-o, --out <values.npy>' not specified/);
    const finished = await cli('resume', broken, '--backend', 'cpu');
    expect(finished.out).toMatch(/already finished at step 60; pass --steps N/);

    // --force starts over: no records of the old run survive.
    const forced = await cli(
      'train',
      config,
      '--out',
      straight,
      '--backend',
      'cpu',
      '--no-report',
      '--force',
    );
    expect(forced.code).toBe(0);
    expect(lossLines(straight)).toEqual(lossLines(broken));
  }, 60_000);

  it('trains, resumes and predicts the Burgers PINN (tiny budget)', async () => {
    const dir = join(root, 'burgers');
    const cfg = join(root, 'burgers.json');
    writeFileSync(
      cfg,
      JSON.stringify({
        problem: { type: 'burgers', points: { interior: 64 }, radEvery: 0 },
        model: { hidden: [8] },
        training: { steps: 4, checkpointEvery: 2, metricsEvery: 1 },
        evaluation: { points: 9 },
      }),
    );
    const a = await cli('train', cfg, '--out', dir, '--backend', 'cpu', '--stop-after', '2', '--no-report');
    expect(a.err).toBe('');
    expect(a.out).toMatch(/interrupted at step 2/);
    const b = await cli('resume', dir, '--backend', 'cpu', '--no-report');
    expect(b.out).toMatch(/resuming .* at step 2 of 4/);
    expect(lossLines(dir).map((r) => [r.step, Object.keys(r.terms)])).toEqual(
      [1, 2, 3, 4].map((s) => [s, ['pde']]),
    );
    // The reference is Cole–Hopf: u(x, 0) = −sin(πx) and u(±1, t) = 0 on the grid.
    const ref = npy(join(dir, 'arrays', 'u_ref.npy'));
    expect(ref.shape).toEqual([9, 9]);
    const u = ref.data as Float64Array;
    for (let i = 0; i < 9; i++) expect(u[i * 9]).toBeCloseTo(-Math.sin(Math.PI * (-1 + i / 4)), 12);
    for (let j = 0; j < 9; j++) expect(Math.abs(u[j]) + Math.abs(u[8 * 9 + j])).toBeLessThan(1e-9);
    // predict rebuilds the PINN (hard constraint included) from config.json: u(x, 0) = −sin(πx).
    const points = join(root, 'burgers-points.npy');
    writeFileSync(
      points,
      serializeNpy({ data: new Float64Array([0.5, 0, -0.25, 0, 1, 0.7]), shape: [3, 2] }),
    );
    const values = join(root, 'burgers-values.npy');
    const p = await cli('predict', dir, '--input', points, '--out', values, '--backend', 'cpu');
    expect(p.err).toBe('');
    const v = Array.from(npy(values).data as Float32Array);
    expect(v[0]).toBeCloseTo(-1, 6);
    expect(v[1]).toBeCloseTo(Math.sin(Math.PI / 4), 6);
    expect(v[2]).toBeCloseTo(0, 6);
    const saved = npy(join(dir, 'arrays', 'u_pred.npy'));
    expect(saved.shape).toEqual([9, 9]);
  }, 60_000);

  it('reports config errors by field and exits 1', async () => {
    const bad = join(root, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...ODE, training: { ...ODE.training, steps: -3 } }));
    const r = await cli('train', bad, '--out', join(root, 'bad-run'));
    expect(r.code).toBe(1);
    expect(r.err).toBe(`pinnate: ${bad}: 'training.steps' must be an integer ≥ 1 (got -3)\n`);
    expect((await cli('resume', join(root, 'nowhere'))).err).toMatch(
      /run directory '.*nowhere' does not exist/,
    );
  });

  it('Ctrl-C on a running `pinnate train` writes a checkpoint that `resume` continues', async () => {
    const dir = join(root, 'sigint');
    const heat = join(root, 'heat.json');
    writeFileSync(
      heat,
      JSON.stringify({
        problem: { type: 'heat1d', points: { interior: 64, boundary: 16, initial: 16 } },
        model: { hidden: [8] },
        training: { steps: 100_000, checkpointEvery: 10_000, metricsEvery: 5, logEvery: 5 },
        evaluation: { points: 11 },
      }),
    );
    const bin = fileURLToPath(new URL('../bin/pinnate.mjs', import.meta.url));
    const child = spawn(
      process.execPath,
      [bin, 'train', heat, '--out', dir, '--backend', 'cpu', '--progress', 'lines'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => {
      child.stdout.on('data', (d) => {
        out += d;
        if (/adam 10\//.test(out) && !child.killed) child.kill('SIGINT');
      });
      child.on('exit', (c) => resolve(c));
    });
    expect(err).toMatch(/interrupt: stopping after this step/);
    expect(code).toBe(0);
    const step = Number(/interrupted at step (\d+)/.exec(out)?.[1]);
    expect(step).toBeGreaterThanOrEqual(10);
    expect(readFileSync(join(dir, 'checkpoints', 'LATEST'), 'utf8').trim()).toBe(
      `ckpt-${String(step).padStart(6, '0')}`,
    );
    const r = await cli('resume', dir, '--steps', String(step + 5), '--no-report', '--backend', 'cpu');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`resuming .* at step ${step} of ${step + 5}`));
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).training.steps).toBe(step + 5);
    const steps = lossLines(dir).map((l) => l.step);
    expect(new Set(steps).size).toBe(steps.length);
    expect(steps[steps.length - 1]).toBe(step + 5);
    expect(npy(join(dir, 'arrays', 'u_pred.npy')).shape).toEqual([11, 11]);
  }, 60_000);

  it('predict applies a saved grid operator (MgNO) to coefficient fields at any grid size', async () => {
    await initBackend({ backend: 'cpu' });
    const op = new Mgno({ channels: 3, layers: 1, smoothing: [1, 1], inputShift: 8, inputScale: 3, seed: 2 });
    const dir = join(root, 'mgno');
    await saveOperator(dir, op);
    const rng = new Rng(5);
    for (const [n, h] of [
      [2, 9],
      [1, 12],
    ]) {
      const a = Float32Array.from({ length: n * h * h }, () => (rng.uniform() < 0.5 ? 3 : 12));
      const fields = join(root, `a${h}.npy`);
      const out = join(root, `u${h}.npy`);
      writeFileSync(fields, serializeNpy({ data: a, shape: [n, h, h] }));
      const r = await cli('predict', dir, '--input', fields, '--out', out, '--backend', 'cpu');
      expect(r.err).toBe('');
      expect(r.out).toMatch(new RegExp(`predict: ${n} fields \\[${h} × ${h}\\]`));
      const u = npy(out);
      expect(u.shape).toEqual([n, h, h]);
      expect(Array.from(u.data as Float32Array)).toEqual(
        Array.from(applyOperator(op, { data: a, shape: [n, h, h] }).data),
      );
    }
    writeFileSync(join(root, 'bad.npy'), serializeNpy({ data: new Float32Array(4), shape: [2, 2] }));
    const bad = await cli('predict', dir, '--input', join(root, 'bad.npy'), '--out', join(root, 'x.npy'));
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(
      /--input: input fields must have shape \[N, H, W\] or \[N, H, W, C\], got \[2, 2\]/,
    );
    op.dispose();
  });
});
