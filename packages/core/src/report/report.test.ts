import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type NpyArray, serializeNpy } from '../io/npy.ts';
import { buildReport, planReport, type RunData } from './build.ts';
import { escapeHtml, renderReportHtml, scopeSvgIds } from './html.ts';
import { RunDirectory } from './run_directory.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'pinnate-report-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const arr = (data: number[] | Float64Array, shape: number[], order: 'C' | 'F' = 'C'): NpyArray => ({
  dtype: 'float64',
  shape,
  data: Float64Array.from(data),
  order,
});

const emptyData = (arrays: Record<string, NpyArray>, extra: Partial<RunData> = {}): RunData => ({
  info: null,
  config: null,
  summary: null,
  metrics: [],
  arrays: new Map(Object.entries(arrays)),
  ...extra,
});

describe('RunDirectory', () => {
  it('appends and reads metrics, skips a torn last line, and truncates past a step', async () => {
    const run = await RunDirectory.create(join(tmp(), 'run'));
    await run.appendMetrics([
      { step: 10, loss: 1, terms: { pde: 1 } },
      { step: 20, loss: 0.5, terms: { pde: 0.5 } },
    ]);
    await run.appendMetrics({ step: 30, loss: 0.25 });
    expect((await run.readMetrics()).map((r) => r.step)).toEqual([10, 20, 30]);
    writeFileSync(run.path('metrics.jsonl'), `${readFileSync(run.path('metrics.jsonl'), 'utf8')}{"step": 4`);
    expect((await run.readMetrics()).map((r) => r.step)).toEqual([10, 20, 30]);
    expect(await run.truncateMetrics(20)).toBe(1);
    expect((await run.readMetrics()).map((r) => r.step)).toEqual([10, 20]);
    writeFileSync(run.path('metrics.jsonl'), '{"step": 1}\nnot json\n{"step": 2}\n');
    await expect(run.readMetrics()).rejects.toThrow(/metrics.jsonl line 2 is not JSON/);
    await expect(run.appendMetrics({ step: Number.NaN })).rejects.toThrow(
      /record 0 must be an object with a finite 'step'/,
    );
  });

  it('saves arrays under arrays/, finds top-level .npy files too, and validates names', async () => {
    const run = await RunDirectory.create(join(tmp(), 'run'));
    await run.saveArray('u_pred', { data: new Float32Array([1, 2, 3, 4]), shape: [2, 2] });
    writeFileSync(run.path('x.npy'), serializeNpy({ data: new Float64Array([0, 1]), shape: [2] }));
    expect(await run.listArrays()).toEqual(['u_pred', 'x']);
    expect((await run.loadArray('u_pred'))!.shape).toEqual([2, 2]);
    expect(Array.from((await run.loadArray('x'))!.data as Float64Array)).toEqual([0, 1]);
    expect(await run.loadArray('missing')).toBeNull();
    await expect(run.saveArray('../evil', { data: [1], shape: [1] })).rejects.toThrow(
      /'name' must be a file name/,
    );
    await expect(run.saveFigure('f', {})).rejects.toThrow(/figure 'f' has none of 'svg', 'png', 'spec'/);
    await expect(RunDirectory.open(join(tmp(), 'nope'))).rejects.toThrow(
      /run directory '.*nope' does not exist/,
    );
  });

  it('merges run info and summaries', async () => {
    const run = await RunDirectory.create(join(tmp(), 'run'));
    await run.updateInfo({ name: 'a', status: 'running' });
    const info = await run.updateInfo({ status: 'finished' });
    expect(info.name).toBe('a');
    expect(info.status).toBe('finished');
    expect(info.created).toBeDefined();
    await run.writeSummary({ a: 1 });
    await run.writeSummary({ b: 2 });
    expect(await run.readSummary()).toEqual({ a: 1, b: 2 });
  });
});

describe('planReport', () => {
  const nx = 5;
  const nt = 4;
  const x = Float64Array.from({ length: nx }, (_, i) => i / (nx - 1));
  const t = Float64Array.from({ length: nt }, (_, j) => j / (nt - 1));
  /** u(x_i, t_j) = i + 10 j in [nx, nt] order. */
  const field = Float64Array.from({ length: nx * nt }, (_, k) => Math.floor(k / nt) + 10 * (k % nt));

  it('puts t on the horizontal axis and slices along x; computes the errors', () => {
    const ref = field.map((v) => v + 1);
    const plan = planReport(
      emptyData({
        x: arr(x, [nx]),
        t: arr(t, [nt]),
        u_pred: arr(field, [nx, nt]),
        u_exact: arr(ref, [nx, nt]),
      }),
    );
    expect(plan.figures.map((f) => f.name)).toEqual(['u_heatmap', 'u_slices']);
    const heat = plan.figures[0].spec as unknown as {
      hconcat: { layer: { encoding: { x?: { title: string } } }[] }[];
    };
    expect(heat.hconcat).toHaveLength(3);
    expect(heat.hconcat[0].layer[0].encoding.x!.title).toBe('t');
    const slices = plan.figures[1].spec as unknown as {
      data: { values: { slice: string; x: number; value: number; kind: string }[] };
    };
    // Slice at t = 0.25·max → nearest node t_1 = 1/3: u = i + 10.
    const first = slices.data.values.filter((r) => r.slice === 't = 0.333' && r.kind === 'prediction');
    expect(first.map((r) => r.value)).toEqual([10, 11, 12, 13, 14]);
    const rel = plan.computed.find(([k]) => k === 'rel. L2 error (u)')![1];
    let num = 0;
    let den = 0;
    for (let k = 0; k < field.length; k++) {
      num += 1;
      den += ref[k] ** 2;
    }
    expect(rel).toBeCloseTo(Math.sqrt(num / den), 12);
    expect(plan.computed.find(([k]) => k === 'max abs error (u)')![1]).toBe(1);
  });

  it('reads [nt, nx] fields, flat fields, Fortran order and notes what it cannot place', () => {
    const tx = new Float64Array(nx * nt);
    for (let i = 0; i < nx; i++) for (let j = 0; j < nt; j++) tx[j * nx + i] = field[i * nt + j];
    const a = planReport(emptyData({ x: arr(x, [nx]), t: arr(t, [nt]), u_pred: arr(tx, [nt, nx]) }));
    const b = planReport(emptyData({ x: arr(x, [nx]), t: arr(t, [nt]), u_pred: arr(field, [nx * nt]) }));
    // The same array in Fortran order: data laid out first index fastest.
    const c = planReport(emptyData({ x: arr(x, [nx]), t: arr(t, [nt]), u_pred: arr(tx, [nx, nt], 'F') }));
    const slice = (p: ReturnType<typeof planReport>) =>
      (p.figures[1].spec as unknown as { data: { values: { slice: string; value: number }[] } }).data.values
        .filter((r) => r.slice === 't = 0.667')
        .map((r) => r.value);
    expect(slice(a)).toEqual([20, 21, 22, 23, 24]);
    expect(slice(b)).toEqual(slice(a));
    expect(slice(c)).toEqual(slice(a));
    const d = planReport(emptyData({ x: arr(x, [nx]), u_pred: arr([1, 2, 3], [3]), u_ref: arr([1], [1]) }));
    expect(d.figures).toHaveLength(0);
    expect(d.notes.join('\n')).toMatch(/u_ref has shape \[1\] but u_pred has \[3\]/);
    expect(d.notes.join('\n')).toMatch(/u_pred has shape \[3\], which matches no grid/);
  });

  it('plots 1-D fields, points, parameters, operator results and loss histories', () => {
    const plan = planReport(
      emptyData(
        {
          x: arr(x, [nx]),
          u_pred: arr(x, [nx, 1]),
          u_ref: arr(x, [nx]),
          points_interior: arr([0.1, 0.2, 0.3], [3, 1]),
          points_boundary: arr([0, 1], [2, 1]),
          operator_input: arr([1, 2, 3, 4, 5, 6], [2, 3]),
          operator_pred: arr([1, 2, 3, 4], [2, 2]),
          operator_truth: arr([1, 2, 3, 5], [2, 2]),
        },
        {
          metrics: [
            { step: 1, phase: 'adam', loss: 2, terms: { pde: 1, bc: 1 }, params: { nu: 0.5 } },
            { step: 2, phase: 'adam', loss: 1, terms: { pde: 0.5, bc: 0.5 }, params: { nu: 0.2 } },
            { step: 1, phase: 'lbfgs', loss: 0.5, terms: { pde: 0.25, bc: 0.25 } },
          ],
          summary: { params_true: { nu: 0.1 } },
        },
      ),
    );
    expect(plan.figures.map((f) => f.name)).toEqual(['loss', 'params', 'u_line', 'points', 'operator']);
    const loss = plan.figures[0];
    expect(loss.caption).toMatch(/L-BFGS iterations follow Adam from step 2/);
    const steps = (loss.spec as unknown as { data: { values: { term: string; step: number }[] } }).data.values
      .filter((r) => r.term === 'pde')
      .map((r) => r.step);
    expect(steps).toEqual([1, 2, 3]);
    expect(plan.computed).toContainEqual(['rel. L2 error (u)', 0]);
    expect(plan.computed.find(([k]) => k === 'rel. L2 error (operator)')![1]).toBeCloseTo(
      1 / Math.sqrt(39),
      12,
    );
    expect(JSON.stringify(plan.figures[1].spec)).toContain('"truth":0.1');
  });

  it('falls back to the checkpoint history and says when there is none', () => {
    const withCkpt = planReport(
      emptyData({}, { checkpointHistory: { loss: [3, 2, 1], terms: { a: [1, 1, 0.5], b: [2, 1, 0.5] } } }),
    );
    expect(withCkpt.figures[0].caption).toMatch(/From the latest checkpoint/);
    expect(planReport(emptyData({})).notes[0]).toMatch(/No loss history/);
  });
});

describe('report HTML', () => {
  it('escapes text and scopes SVG ids per figure', () => {
    expect(escapeHtml(`<a href="x">&'`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;');
    const svg =
      '<svg><defs><clipPath id="clip1"/></defs><g clip-path="url(#clip1)"/><use xlink:href="#clip1"/></svg>';
    expect(scopeSvgIds(svg, 'f2')).toBe(
      '<svg><defs><clipPath id="f2-clip1"/></defs><g clip-path="url(#f2-clip1)"/><use xlink:href="#f2-clip1"/></svg>',
    );
    const html = renderReportHtml({
      title: 'Run <1>',
      metrics: [['rel. L2 error (u)', 0.000123]],
      figures: [
        { name: 'a', title: 'A', svg },
        { name: 'b', title: 'B', svg },
      ],
      environment: [['backend', 'wasm']],
      config: { note: '</pre><script>' },
    });
    expect(html).toContain('<title>Run &lt;1&gt;</title>');
    expect(html).toContain('<td>1.230e-4</td>');
    expect(html).toContain('id="f0-clip1"');
    expect(html).toContain('id="f1-clip1"');
    expect(html).not.toContain('<script');
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
  });

  it('buildReport writes figures and a report for a run written by another tool (top-level .npy, checkpoint history)', async () => {
    const dir = tmp();
    const w = (name: string, data: number[], shape: number[]) =>
      writeFileSync(join(dir, `${name}.npy`), serializeNpy({ data: Float64Array.from(data), shape }));
    w('x', [0, 0.5, 1], [3]);
    w('t', [0, 1], [2]);
    w('u_pred', [0, 1, 2, 3, 4, 5], [3, 2]);
    w('residual', [0, 1, 2, 3, 4, 5], [3, 2]);
    writeFileSync(join(dir, 'metrics.json'), JSON.stringify({ rel_l2_error: 0.01, nested: { a: 1 } }));
    // The Burgers demo's layout: checkpoint/ (singular) next to the arrays.
    const ck = join(dir, 'checkpoint', 'ckpt-000002');
    await (await import('node:fs/promises')).mkdir(ck, { recursive: true });
    writeFileSync(join(dir, 'checkpoint', 'LATEST'), 'ckpt-000002');
    writeFileSync(
      join(ck, 'state.json'),
      JSON.stringify({ history: { loss: [1, 0.5], terms: { pde: [1, 0.5] } } }),
    );
    // A figure a script saved as a vega-lite spec is rendered too.
    const run = await RunDirectory.open(dir);
    await run.saveFigure('compare', {
      spec: {
        title: 'Two settings',
        description: 'custom caption',
        data: { values: [{ a: 1, b: 2 }] },
        mark: 'point',
        encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'b', type: 'quantitative' } },
      },
    });
    const built = await buildReport(dir, { rasterize: () => new Uint8Array([1, 2, 3]) });
    expect(built.figures.map((f) => f.name)).toEqual([
      'loss',
      'u_heatmap',
      'u_slices',
      'residual_heatmap',
      'compare',
    ]);
    expect(await run.listFigures()).toContain('u_heatmap.png');
    expect(await run.listFigures()).toContain('compare.svg');
    const html = readFileSync(built.path, 'utf8');
    expect(html.match(/<figure /g)).toHaveLength(5);
    expect(html).toContain('<b>Two settings</b> — custom caption');
    expect(html).toContain('>residual<');
    expect(html).toContain('<td>rel_l2_error</td><td>0.01</td>');
    expect(html).toContain('<td>nested.a</td>');
    expect(html).toContain('Prediction (no reference array found).');
  });
});
