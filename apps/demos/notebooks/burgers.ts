// %% [markdown]
// # Burgers' equation with a PINN: does adaptive sampling help at the shock?
//
//   u_t + u u_x = ν u_xx,  x ∈ [−1, 1], t ∈ [0, 1],  u(x, 0) = −sin(πx),  u(±1, t) = 0
//
// With ν = 0.01/π a shock forms at x = 0 around t ≈ 0.3 (Raissi et al. 2019). Collocation
// points spread uniformly leave the shock under-resolved; RAD (residual-based adaptive
// distribution, Wu et al. 2023) redraws them with density ∝ |residual|, crowding the shock.
// This notebook trains the demo's PINN (`runBurgers`) twice, with and without RAD, and
// compares them in one figure.
//
// Run (from the repository root; about 5 minutes on 2 cores, `--full` for the demo's settings):
//
//   npx tsx apps/demos/notebooks/burgers.ts [outDir=runs/notebook-burgers] [--full]
//
// Output: <outDir>/{uniform,rad}/ (each a run directory with report.html) and <outDir>/
// report.html with the comparison figures; PNGs come from `pinnate report`.

// %%
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  buildReport,
  type MetricsRecord,
  RunDirectory,
  readRunData,
  renderSvg,
  type TopLevelSpec,
} from '@pinnate/core';
import {
  type BurgersOptions,
  type BurgersResult,
  burgersReference,
  DEFAULT_NU,
  runBurgers,
} from '../src/burgers.ts';

const args = process.argv.slice(2);
const full = args.includes('--full');
const outDir = args.find((a) => !a.startsWith('--')) ?? 'runs/notebook-burgers';
const nx = 256;
const nt = 100;
const base: BurgersOptions = full
  ? { nx, nt, progress: 'lines', logEvery: 500 }
  : {
      steps: 600,
      lbfgsIter: 500,
      points: 1024,
      hidden: [32, 32, 32],
      lr: 3e-3,
      nx,
      nt,
      progress: 'lines',
      logEvery: 200,
    };
const table = (rows: (string | number)[][]) =>
  console.log(rows.map((r) => r.map((c) => String(c).padEnd(16)).join(' ')).join('\n'));

// %% [markdown]
// ## 1. The reference and where the difficulty is
// Cole–Hopf gives u exactly (float64 Gauss–Hermite quadrature). The steepest slope |u_x| grows
// from π at t = 0 to over 100 once the shock has formed (table below, finite differences on the
// 256-point grid, which itself under-resolves the shock): that is what the network must fit.

// %%
const linspace = (lo: number, hi: number, n: number) =>
  Float64Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
const x = linspace(-1, 1, nx);
const t = linspace(0, 1, nt);
const uRef = burgersReference(DEFAULT_NU, x, t); // [nt, nx]
const steepest = (row: number) => {
  let m = 0;
  for (let i = 1; i < nx; i++)
    m = Math.max(m, Math.abs(uRef[row * nx + i] - uRef[row * nx + i - 1]) / (x[i] - x[i - 1]));
  return m;
};
console.log('\nReference: steepest slope max |u_x| on the grid');
table([
  ['t', 'max |u_x|'],
  ...[0, 0.25, 0.5, 0.75, 0.99].map((tt) => {
    const row = Math.round(tt * (nt - 1));
    return [t[row].toFixed(2), steepest(row).toFixed(1)];
  }),
]);

// %% [markdown]
// ## 2. Two settings, same budget
// Same network, points, optimiser and seed; only the point distribution differs.

// %%
const settings: { name: string; key: string; options: BurgersOptions }[] = [
  { name: 'uniform (Sobol)', key: 'uniform', options: { ...base, radEvery: 0 } },
  { name: 'RAD', key: 'rad', options: { ...base, radEvery: full ? 500 : 150 } },
];
const results: Record<string, BurgersResult> = {};
for (const s of settings) {
  console.log(`\n--- training: ${s.name} ---`);
  results[s.key] = await runBurgers({ ...s.options, out: `${outDir}/${s.key}` });
}
console.log('\nResults');
table([
  ['setting', 'rel. L2', 'Adam', 'L-BFGS', 'seconds'],
  ...settings.map((s) => {
    const r = results[s.key];
    return [s.name, r.relL2.toExponential(2), r.steps, r.lbfgsIterations, r.wallSeconds.toFixed(0)];
  }),
]);

// %% [markdown]
// ## 3. Compare: loss, error over time, slices through the shock
// The loss histories come from each run's checkpoint (the report reads them the same way).

// %%
const histories: Record<string, number[]> = {};
for (const s of settings) {
  const data = await readRunData(await RunDirectory.open(`${outDir}/${s.key}`));
  histories[s.name] = data.checkpointHistory?.loss ?? [];
}
const lossRows = Object.entries(histories).flatMap(([setting, h]) =>
  h.flatMap((loss, i) => (i % 5 === 0 && loss > 0 ? [{ step: i + 1, loss, setting }] : [])),
);
// t = 0 is exact by construction (hard constraint), so it is left out of the log plot.
const errorRows = settings.flatMap((s) =>
  Array.from(t, (tt, row) => {
    let num = 0;
    let den = 0;
    for (let i = 0; i < nx; i++) {
      num += (results[s.key].uPred[row * nx + i] - uRef[row * nx + i]) ** 2;
      den += uRef[row * nx + i] ** 2;
    }
    return { t: tt, error: Math.sqrt(num / Math.max(den, 1e-30)), setting: s.name };
  }).filter((r) => r.t > 0),
);
const sliceRows = [0.25, 0.5, 0.75].flatMap((tt) => {
  const row = Math.round(tt * (nt - 1));
  const label = `t = ${t[row].toFixed(2)}`;
  const near = (i: number) => Math.abs(x[i]) < 0.35; // zoom on the shock
  return [
    ...Array.from(x, (xx, i) => ({ x: xx, u: uRef[row * nx + i], series: 'reference', slice: label })).filter(
      (_, i) => near(i),
    ),
    ...settings.flatMap((s) =>
      Array.from(x, (xx, i) => ({
        x: xx,
        u: results[s.key].uPred[row * nx + i],
        series: s.name,
        slice: label,
      })).filter((_, i) => near(i)),
    ),
  ];
});
const colours = {
  domain: ['reference', ...settings.map((s) => s.name)],
  range: ['#333', '#4c78a8', '#e45756'],
};
const comparison = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  title: 'Burgers: uniform points vs RAD',
  description:
    'Left: training loss; middle: relative L2 error per time; right: u across the shock (|x| < 0.35).',
  config: { font: 'DejaVu Sans, Liberation Sans, Helvetica, Arial, sans-serif', background: 'white' },
  hconcat: [
    {
      title: 'training loss',
      width: 260,
      height: 200,
      data: { values: lossRows },
      mark: { type: 'line', strokeWidth: 1.5 },
      encoding: {
        x: { field: 'step', type: 'quantitative' },
        y: { field: 'loss', type: 'quantitative', scale: { type: 'log' }, axis: { format: '.0e' } },
        color: { field: 'setting', type: 'nominal', scale: colours, title: null },
      },
    },
    {
      title: 'rel. L2 error at each t',
      width: 260,
      height: 200,
      data: { values: errorRows },
      mark: { type: 'line', strokeWidth: 2 },
      encoding: {
        x: { field: 't', type: 'quantitative' },
        y: {
          field: 'error',
          type: 'quantitative',
          scale: { type: 'log' },
          axis: { format: '.0e' },
          title: 'rel. L2 error',
        },
        color: { field: 'setting', type: 'nominal', scale: colours, title: null },
      },
    },
    {
      data: { values: sliceRows },
      facet: { column: { field: 'slice', type: 'nominal', title: null } },
      spec: {
        width: 150,
        height: 200,
        mark: { type: 'line', strokeWidth: 2 },
        encoding: {
          x: { field: 'x', type: 'quantitative' },
          y: { field: 'u', type: 'quantitative' },
          color: { field: 'series', type: 'nominal', scale: colours, title: null },
          strokeDash: {
            field: 'series',
            type: 'nominal',
            scale: {
              domain: colours.domain,
              range: [
                [4, 2],
                [1, 0],
                [1, 0],
              ],
            },
            legend: null, // one legend: the shared colour scale's
          },
        },
      },
    },
  ],
  resolve: { scale: { color: 'shared' } },
} as unknown as TopLevelSpec;

// %% [markdown]
// ## 4. Save: a run directory for the comparison, and reports for all three
// The comparison directory holds the reference and the RAD prediction (so its report shows the
// standard heatmaps and slices), the comparison as a custom figure, and the results table.

// %%
const cmp = await RunDirectory.create(outDir);
await cmp.writeConfig({ notebook: 'burgers', nu: DEFAULT_NU, full, settings });
await cmp.updateInfo({
  name: 'burgers notebook: uniform vs RAD',
  status: 'finished',
  backend: results.rad.backend,
  inputs: ['x', 't'],
  outputs: ['u'],
});
await cmp.saveArray('x', { data: x, shape: [nx] });
await cmp.saveArray('t', { data: t, shape: [nt] });
await cmp.saveArray('u_ref', { data: uRef, shape: [nt, nx] });
await cmp.saveArray('u_pred', { data: results.rad.uPred, shape: [nt, nx] });
await cmp.saveFigure('comparison', { spec: comparison, svg: await renderSvg(comparison, 'comparison') });
const summary: Record<string, number> = {};
for (const s of settings) summary[`rel. L2 error (${s.name})`] = results[s.key].relL2;
await cmp.writeSummary(summary);
await cmp.truncateMetrics(-1); // a rerun replaces the records
const records: MetricsRecord[] = (histories.RAD ?? []).map((loss, i) => ({
  step: i + 1,
  loss,
  terms: { pde: loss },
}));
await cmp.appendMetrics(records.filter((_, i) => i % 5 === 0));

// PNGs and report.html for each directory through the CLI (resvg lives in @pinnate/cli).
const cli = fileURLToPath(new URL('../../../packages/cli/bin/pinnate.mjs', import.meta.url));
for (const dir of [`${outDir}/uniform`, `${outDir}/rad`, outDir]) {
  try {
    execFileSync(process.execPath, [cli, 'report', dir], { stdio: 'inherit' });
  } catch {
    console.log(`(pinnate report failed for ${dir}; writing SVG figures and report.html only)`);
    await buildReport(dir);
  }
}
console.log(`\nOpen ${outDir}/report.html (comparison) and ${outDir}/{uniform,rad}/report.html.`);

// %% [markdown]
// ## 5. What the numbers say
// Read the error-over-time panel: where the two curves separate is where the point
// distribution matters. With the quick settings the budget is small and the answer can differ
// from the full run (`--full`), so the verdict is computed, not written in advance.

// %%
const [u, r] = [results.uniform.relL2, results.rad.relL2];
console.log(
  `\nWith these settings ${r < u ? 'RAD' : 'uniform points'} ends with the lower error ` +
    `(${Math.min(u, r).toExponential(2)} vs ${Math.max(u, r).toExponential(2)}, ratio ${(Math.max(u, r) / Math.min(u, r)).toFixed(1)}).`,
);
