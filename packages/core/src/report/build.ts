/**
 * Build report.html (and figures/) from whatever a run directory holds:
 *
 *   loss curves            metrics.jsonl records with `terms`/`loss`, else the loss history of
 *                          the latest checkpoint (checkpoints/ or the run directory itself)
 *   parameter trajectories metrics.jsonl records with `params` (true values from
 *                          metrics.json `params_true`, if present)
 *   field heatmaps+slices  <f>_pred.npy with <f>_ref|_exact|_true|_reference|_star.npy on a
 *                          grid of 1-D coordinate arrays (x, y, z, t, or run.json `inputs`):
 *                          shape [len(A), len(B)], or flat of that length with A, B in the
 *                          order x, y, z, t (run.json `inputs` order first)
 *   1-D fields             <f>_pred.npy on one coordinate array: prediction vs reference
 *   collocation points     points_<kind>.npy or collocation_<kind>.npy, shape [n, 1 | 2]
 *   operator results       operator_input [S, m], operator_input_x [m], operator_x [n],
 *                          operator_pred [S, n], operator_truth [S, n]
 *   other grid fields      any other array on a grid (e.g. residual.npy): a single heatmap
 *   custom figures         figures/<name>.vl.json saved by a script (RunDirectory.saveFigure
 *                          with `spec`): rendered after the standard figures
 *
 * `planReport` is pure (data in, specs out); `buildReport` reads the directory, renders SVG
 * (and PNG through `rasterize`, which the CLI provides with resvg) and writes everything.
 */
import type { NpyArray } from '../io/npy.ts';
import { renderSvg, type TopLevelSpec } from '../plot/render.ts';
import {
  collocationPoints,
  fieldHeatmaps,
  lineSlices,
  lossCurves,
  type OperatorSample,
  operatorResults,
  type PointSet,
  parameterTrajectories,
  sliceField,
} from '../plot/specs.ts';
import { type ReportFigure, renderReportHtml } from './html.ts';
import { type MetricsRecord, RunDirectory, type RunInfo } from './run_directory.ts';

export interface RunData {
  readonly info: RunInfo | null;
  readonly config: unknown;
  readonly summary: Record<string, unknown> | null;
  readonly metrics: readonly MetricsRecord[];
  /** Loss history of the latest checkpoint, used when metrics.jsonl has no losses. */
  readonly checkpointHistory?: { readonly loss: number[]; readonly terms: Record<string, number[]> } | null;
  readonly arrays: ReadonlyMap<string, NpyArray>;
}

export interface FigurePlan {
  readonly name: string;
  readonly title: string;
  readonly caption?: string;
  readonly spec: TopLevelSpec;
}

export interface ReportPlan {
  readonly figures: FigurePlan[];
  /** Metrics computed from the arrays (rel. L2 error, max error), added to the table. */
  readonly computed: [string, number][];
  readonly notes: string[];
}

const AXES = ['x', 'y', 'z', 't'];
const PRED = /^(.+?)_(pred|prediction)$/;
const REF_SUFFIXES = ['ref', 'exact', 'true', 'reference', 'star'];
const POINTS = /^(?:points|collocation)_([A-Za-z0-9]+)$/;

function toNumbers(a: NpyArray): Float64Array {
  if (a.data instanceof BigInt64Array) return Float64Array.from(a.data, (v) => Number(v));
  return a.data instanceof Float64Array ? a.data : Float64Array.from(a.data as ArrayLike<number>);
}

/** Data in C order (F-ordered arrays are transposed). */
function cOrder(a: NpyArray): Float64Array {
  const d = toNumbers(a);
  if (a.order === 'C' || a.shape.length < 2) return d;
  const shape = a.shape;
  const n = d.length;
  const out = new Float64Array(n);
  const rank = shape.length;
  const idx = new Array(rank).fill(0);
  for (let f = 0; f < n; f++) {
    // f walks F order: first index fastest.
    let c = 0;
    for (let k = 0; k < rank; k++) c = c * shape[k] + idx[k];
    out[c] = d[f];
    for (let k = 0; k < rank; k++) {
      if (++idx[k] < shape[k]) break;
      idx[k] = 0;
    }
  }
  return out;
}

/** Effective shape without trailing singleton dims ([n, 1] → [n]). */
function squeezeTrailing(shape: readonly number[]): number[] {
  const s = [...shape];
  while (s.length > 1 && s[s.length - 1] === 1) s.pop();
  return s;
}

function transpose(v: Float64Array, m: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j * m + i] = v[i * n + j];
  return out;
}

function relL2(pred: ArrayLike<number>, ref: ArrayLike<number>): { rel: number; max: number } {
  let num = 0;
  let den = 0;
  let max = 0;
  for (let i = 0; i < pred.length; i++) {
    const e = pred[i] - ref[i];
    num += e * e;
    den += ref[i] * ref[i];
    max = Math.max(max, Math.abs(e));
  }
  return { rel: Math.sqrt(num / (den || 1)), max };
}

function lossFigure(data: RunData, notes: string[]): FigurePlan | null {
  const recs = data.metrics.filter((r) => r.terms !== undefined || r.loss !== undefined);
  let steps: number[];
  let total: number[] | undefined;
  let terms: Record<string, number[]>;
  let caption = 'Unweighted loss terms and the weighted total, log scale.';
  if (recs.length > 0) {
    const names = [...new Set(recs.flatMap((r) => Object.keys(r.terms ?? {})))];
    let lastAdam = 0;
    let lbfgsStart: number | null = null;
    steps = recs.map((r) => {
      if (r.phase === 'lbfgs') {
        lbfgsStart ??= lastAdam;
        return lastAdam + r.step;
      }
      lastAdam = r.step;
      return r.step;
    });
    terms = Object.fromEntries(names.map((n) => [n, recs.map((r) => r.terms?.[n] ?? Number.NaN)]));
    total = recs.some((r) => r.loss !== undefined) ? recs.map((r) => r.loss ?? Number.NaN) : undefined;
    if (lbfgsStart !== null) caption += ` L-BFGS iterations follow Adam from step ${lbfgsStart}.`;
  } else if (data.checkpointHistory && data.checkpointHistory.loss.length > 0) {
    const h = data.checkpointHistory;
    steps = h.loss.map((_, i) => i + 1);
    terms = h.terms;
    total = h.loss;
    caption += ' From the latest checkpoint (metrics.jsonl has no losses).';
  } else {
    notes.push('No loss history: metrics.jsonl has no loss records and no checkpoint was found.');
    return null;
  }
  if (Object.keys(terms).length === 1 && total) {
    const [k, v] = Object.entries(terms)[0];
    if (v.every((x, i) => x === total![i] || (Number.isNaN(x) && Number.isNaN(total![i])))) total = undefined;
    terms = { [k]: v };
  }
  return {
    name: 'loss',
    title: 'Training loss',
    caption,
    spec: lossCurves({ terms, ...(total ? { total } : {}), steps }),
  };
}

function paramsFigure(data: RunData): FigurePlan | null {
  const recs = data.metrics.filter((r) => r.params !== undefined);
  if (recs.length === 0) return null;
  const names = [...new Set(recs.flatMap((r) => Object.keys(r.params ?? {})))];
  const params = Object.fromEntries(names.map((n) => [n, recs.map((r) => r.params?.[n] ?? Number.NaN)]));
  const truthRaw = data.summary?.params_true;
  const truth =
    truthRaw && typeof truthRaw === 'object'
      ? Object.fromEntries(
          Object.entries(truthRaw as Record<string, unknown>).filter(
            (e): e is [string, number] => typeof e[1] === 'number' && names.includes(e[0]),
          ),
        )
      : undefined;
  return {
    name: 'params',
    title: 'Parameter trajectories',
    caption: 'Estimated parameters against step; dashed: true value.',
    spec: parameterTrajectories({ params, steps: recs.map((r) => r.step), ...(truth ? { truth } : {}) }),
  };
}

/** Plan every figure the data supports. Pure. */
export function planReport(data: RunData, options: { slicesAt?: readonly number[] } = {}): ReportPlan {
  const figures: FigurePlan[] = [];
  const notes: string[] = [];
  const computed: [string, number][] = [];
  const loss = lossFigure(data, notes);
  if (loss) figures.push(loss);
  const params = paramsFigure(data);
  if (params) figures.push(params);

  const arrays = data.arrays;
  const inputs = (data.info?.inputs ?? []).filter((n) => typeof n === 'string');
  const axisOrder = [...inputs, ...AXES.filter((a) => !inputs.includes(a))];
  const coords = new Map<string, Float64Array>();
  for (const name of axisOrder) {
    const a = arrays.get(name);
    if (a && squeezeTrailing(a.shape).length === 1) coords.set(name, toNumbers(a));
  }

  for (const name of [...arrays.keys()].sort()) {
    const m = PRED.exec(name);
    if (!m) continue;
    const base = m[1];
    const pred = arrays.get(name)!;
    const refName = REF_SUFFIXES.map((s) => `${base}_${s}`).find((r) => arrays.has(r));
    const ref = refName ? arrays.get(refName)! : undefined;
    const shape = squeezeTrailing(pred.shape);
    if (ref && ref.data.length !== pred.data.length) {
      notes.push(`${refName} has shape [${ref.shape}] but ${name} has [${pred.shape}]; reference ignored.`);
    }
    const useRef = ref && ref.data.length === pred.data.length ? ref : undefined;
    const p = cOrder(pred);
    const r = useRef ? cOrder(useRef) : undefined;
    if (r) {
      const e = relL2(p, r);
      computed.push([`rel. L2 error (${base})`, e.rel], [`max abs error (${base})`, e.max]);
    }
    // Which grid is it on?
    const names = [...coords.keys()];
    let grid: [string, string] | null = null;
    let line: string | null = null;
    if (shape.length === 2) {
      for (const A of names)
        for (const B of names)
          if (!grid && A !== B && coords.get(A)!.length === shape[0] && coords.get(B)!.length === shape[1])
            grid = [A, B];
    } else if (shape.length === 1) {
      line = names.find((A) => coords.get(A)!.length === shape[0]) ?? null;
      if (!line) {
        for (let i = 0; i < names.length && !grid; i++)
          for (let j = i + 1; j < names.length && !grid; j++)
            if (coords.get(names[i])!.length * coords.get(names[j])!.length === shape[0])
              grid = [names[i], names[j]];
      }
    }
    if (line) {
      figures.push({
        name: `${base}_line`,
        title: `${base}(${line})`,
        caption: r ? `Prediction (solid) against ${refName} (dashed).` : 'Prediction.',
        spec: lineSlices({
          axis: { name: line, values: coords.get(line)! },
          slices: [{ label: `${base}(${line})`, prediction: p, ...(r ? { reference: r } : {}) }],
          name: base,
          title: `${base} along ${line}`,
          panelWidth: 420,
          panelHeight: 240,
        }),
      });
      continue;
    }
    if (!grid) {
      notes.push(
        `${name} has shape [${pred.shape}], which matches no grid of the coordinate arrays (${names.join(', ') || 'none'}); not plotted.`,
      );
      continue;
    }
    const [A, B] = grid;
    const [na, nb] = [coords.get(A)!.length, coords.get(B)!.length];
    // Time, if it is one of the axes, runs left to right (values are [len(A), len(B)]).
    const flip = B === 't';
    const ha = flip ? B : A;
    const hb = flip ? A : B;
    figures.push({
      name: `${base}_heatmap`,
      title: `${base}(${ha}, ${hb})`,
      caption: r ? `Prediction, ${refName} and absolute error.` : 'Prediction (no reference array found).',
      spec: fieldHeatmaps({
        a: { name: ha, values: coords.get(ha)! },
        b: { name: hb, values: coords.get(hb)! },
        prediction: flip ? transpose(p, na, nb) : p,
        ...(r ? { reference: flip ? transpose(r, na, nb) : r } : {}),
        name: base,
      }),
    });
    // Slices: functions of the spatial axis at fractions of the other axis' range.
    const along: 'a' | 'b' = A === 't' ? 'b' : 'a';
    const fixed = coords.get(along === 'a' ? B : A)!;
    const lo = Math.min(fixed[0], fixed[fixed.length - 1]);
    const hi = Math.max(fixed[0], fixed[fixed.length - 1]);
    const at = (options.slicesAt ?? [0.25, 0.5, 0.75]).map((f) => lo + f * (hi - lo));
    const cut = sliceField(
      { name: A, values: coords.get(A)! },
      { name: B, values: coords.get(B)! },
      { prediction: p, ...(r ? { reference: r } : {}) },
      along,
      at,
    );
    figures.push({
      name: `${base}_slices`,
      title: `${base} along ${cut.axis.name}`,
      caption: `Cuts at ${cut.slices.map((s) => s.label).join(', ')}${r ? '; dashed: reference' : ''}.`,
      spec: lineSlices({ ...cut, name: base }),
    });
  }

  // Other arrays on a grid (e.g. residual.npy): one heatmap each.
  const used = new Set<string>(coords.keys());
  for (const name of arrays.keys()) {
    const m = PRED.exec(name);
    if (m) {
      used.add(name);
      for (const suf of REF_SUFFIXES) used.add(`${m[1]}_${suf}`);
    }
  }
  for (const name of [...arrays.keys()].sort()) {
    if (used.has(name) || POINTS.test(name) || name.startsWith('operator_')) continue;
    const a = arrays.get(name)!;
    const shape = squeezeTrailing(a.shape);
    if (shape.length !== 2) continue;
    const names = [...coords.keys()];
    let grid: [string, string] | null = null;
    for (const A of names)
      for (const B of names)
        if (!grid && A !== B && coords.get(A)!.length === shape[0] && coords.get(B)!.length === shape[1])
          grid = [A, B];
    if (!grid) continue;
    const [A, B] = grid;
    const flip = B === 't';
    const v = cOrder(a);
    figures.push({
      name: `${name}_heatmap`,
      title: `${name}(${flip ? B : A}, ${flip ? A : B})`,
      spec: fieldHeatmaps({
        a: { name: flip ? B : A, values: coords.get(flip ? B : A)! },
        b: { name: flip ? A : B, values: coords.get(flip ? A : B)! },
        prediction: flip ? transpose(v, shape[0], shape[1]) : v,
        name,
        label: name,
        title: name,
        ...(/resid|err/i.test(name) ? { scheme: 'inferno' } : {}),
      }),
    });
  }

  // Collocation points.
  const sets: PointSet[] = [];
  let dim = 0;
  for (const name of [...arrays.keys()].sort()) {
    const m = POINTS.exec(name);
    if (!m) continue;
    const a = arrays.get(name)!;
    const d = a.shape.length === 1 ? 1 : a.shape.length === 2 ? a.shape[1] : 0;
    if (d !== 1 && d !== 2) {
      notes.push(`${name} has shape [${a.shape}]; only [n, 1] and [n, 2] points are plotted.`);
      continue;
    }
    if (dim !== 0 && d !== dim) {
      notes.push(`${name} is ${d}-D but other point sets are ${dim}-D; not plotted.`);
      continue;
    }
    dim = d;
    sets.push({ kind: m[1], points: cOrder(a) });
  }
  if (sets.length) {
    const order = ['interior', 'boundary', 'initial', 'adaptive'];
    sets.sort((p, q) => ((order.indexOf(p.kind) + 99) % 99) - ((order.indexOf(q.kind) + 99) % 99));
    const axes = dim === 2 ? (inputs.length >= 2 ? inputs.slice(0, 2) : ['x1', 'x2']) : [inputs[0] ?? 'x'];
    figures.push({
      name: 'points',
      title: 'Collocation points',
      caption: 'Training points by kind (at most 3000 per kind drawn).',
      spec: collocationPoints({ sets, axes }),
    });
  }

  // Operator results.
  const opPred = arrays.get('operator_pred');
  const opTruth = arrays.get('operator_truth');
  const opIn = arrays.get('operator_input');
  if (opPred && opTruth && opIn) {
    const [S, n] = opPred.shape;
    const m = opIn.shape[1];
    if (opPred.shape.length !== 2 || opTruth.shape.join() !== opPred.shape.join() || opIn.shape[0] !== S) {
      notes.push(
        'operator_pred/operator_truth must be [S, n] and operator_input [S, m]; operator figure skipped.',
      );
    } else {
      const px = cOrder(opPred);
      const tx = cOrder(opTruth);
      const ix = cOrder(opIn);
      const x = arrays.get('operator_x')
        ? toNumbers(arrays.get('operator_x')!)
        : Float64Array.from({ length: n }, (_, i) => i / Math.max(1, n - 1));
      const inX = arrays.get('operator_input_x')
        ? toNumbers(arrays.get('operator_input_x')!)
        : Float64Array.from({ length: m }, (_, i) => i / Math.max(1, m - 1));
      const samples: OperatorSample[] = [];
      for (let s = 0; s < Math.min(S, 3); s++) {
        samples.push({
          label: `sample ${s}`,
          inputX: inX,
          input: ix.subarray(s * m, (s + 1) * m),
          x,
          prediction: px.subarray(s * n, (s + 1) * n),
          truth: tx.subarray(s * n, (s + 1) * n),
        });
      }
      const e = relL2(px, tx);
      computed.push(['rel. L2 error (operator)', e.rel]);
      figures.push({
        name: 'operator',
        title: 'Operator results',
        caption: `First ${samples.length} of ${S} test samples.`,
        spec: operatorResults({ samples }),
      });
    }
  }
  return { figures, computed, notes };
}

function flatten(summary: Record<string, unknown> | null): [string, string | number][] {
  const rows: [string, string | number][] = [];
  for (const [k, v] of Object.entries(summary ?? {})) {
    if (typeof v === 'number' || typeof v === 'string') rows.push([k, v]);
    else if (typeof v === 'boolean') rows.push([k, String(v)]);
    else if (v && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k2, v2] of Object.entries(v)) {
        if (typeof v2 === 'number' || typeof v2 === 'string') rows.push([`${k}.${k2}`, v2]);
      }
    }
  }
  return rows;
}

async function readCheckpointHistory(run: RunDirectory): Promise<RunData['checkpointHistory']> {
  const fs = await import('node:fs/promises');
  for (const dir of [run.checkpointsDir, run.path('checkpoint'), run.dir]) {
    try {
      const latest = (await fs.readFile(`${dir}/LATEST`, 'utf8')).trim();
      const state = JSON.parse(await fs.readFile(`${dir}/${latest}/state.json`, 'utf8'));
      if (state?.history?.loss) return state.history;
    } catch {
      // no checkpoint here
    }
  }
  return null;
}

/** Read everything a report can use from a run directory. */
export async function readRunData(run: RunDirectory): Promise<RunData> {
  const arrays = new Map<string, NpyArray>();
  for (const name of await run.listArrays()) {
    const a = await run.loadArray(name);
    if (a) arrays.set(name, a);
  }
  return {
    info: await run.readInfo(),
    config: await run.readConfig(),
    summary: await run.readSummary(),
    metrics: await run.readMetrics(),
    checkpointHistory: await readCheckpointHistory(run),
    arrays,
  };
}

export interface BuildReportOptions {
  /** SVG → PNG (Node: `svgToPng` from @pinnate/cli). Without it only SVGs are written. */
  readonly rasterize?: (svg: string) => Uint8Array;
  readonly title?: string;
  /** Extra environment rows (e.g. versions of the reporting process). */
  readonly environment?: Readonly<Record<string, string>>;
  /** Fractions of the second axis' range at which line slices are cut (default 0.25, 0.5, 0.75). */
  readonly slicesAt?: readonly number[];
}

export interface BuiltReport {
  readonly path: string;
  readonly figures: readonly { readonly name: string; readonly title: string; readonly files: string[] }[];
  readonly notes: readonly string[];
  readonly metrics: readonly (readonly [string, string | number])[];
}

/** Render every figure the run supports into figures/ and write report.html. */
export async function buildReport(
  runOrDir: RunDirectory | string,
  options: BuildReportOptions = {},
): Promise<BuiltReport> {
  const run = typeof runOrDir === 'string' ? await RunDirectory.open(runOrDir) : runOrDir;
  const data = await readRunData(run);
  const plan = planReport(data, options.slicesAt ? { slicesAt: options.slicesAt } : {});
  const rendered: ReportFigure[] = [];
  const written: { name: string; title: string; files: string[] }[] = [];
  // Figures a script saved itself (figures/<name>.vl.json) are rendered after the standard ones.
  const planned = new Set(plan.figures.map((f) => f.name));
  const custom: FigurePlan[] = [];
  const fs = await import('node:fs/promises');
  for (const file of await run.listFigures()) {
    const name = file.replace(/\.vl\.json$/, '');
    if (name === file || planned.has(name)) continue;
    let spec: TopLevelSpec & { title?: unknown; description?: unknown };
    try {
      spec = JSON.parse(await fs.readFile(run.path('figures', file), 'utf8'));
    } catch (e) {
      plan.notes.push(`figures/${file} is not valid JSON (${e instanceof Error ? e.message : e}); skipped.`);
      continue;
    }
    const title = typeof spec.title === 'string' ? spec.title : name;
    custom.push({
      name,
      title,
      spec,
      ...(typeof spec.description === 'string' ? { caption: spec.description } : {}),
    });
  }
  for (const f of [...plan.figures, ...custom]) {
    const svg = await renderSvg(f.spec, f.name);
    const png = options.rasterize ? options.rasterize(svg) : undefined;
    const files = await run.saveFigure(f.name, { svg, spec: f.spec, ...(png ? { png } : {}) });
    rendered.push({ name: f.name, title: f.title, svg, ...(f.caption ? { caption: f.caption } : {}) });
    written.push({ name: f.name, title: f.title, files });
  }
  const info = data.info ?? {};
  const last = [...data.metrics].reverse().find((r) => r.loss !== undefined || r.terms !== undefined);
  // Errors computed from the arrays first: they are what a reader looks for.
  const metrics: [string, string | number][] = [
    ...plan.computed.filter(([k]) => !(data.summary && k in data.summary)),
    ...flatten(data.summary),
  ];
  if (last) {
    if (!metrics.some(([k]) => k === 'steps')) metrics.push(['steps', last.step]);
    if (last.loss !== undefined && !metrics.some(([k]) => k === 'loss' || k === 'final_loss'))
      metrics.push(['final loss', last.loss]);
    for (const [k, v] of Object.entries(last.terms ?? {})) metrics.push([`final loss (${k})`, v]);
  }
  const environment: [string, string][] = [];
  for (const k of ['name', 'status', 'backend', 'created', 'updated', 'command'] as const) {
    if (info[k] !== undefined) environment.push([k, String(info[k])]);
  }
  if (info.inputs)
    environment.push(['inputs → outputs', `${info.inputs.join(', ')} → ${(info.outputs ?? []).join(', ')}`]);
  for (const [k, v] of Object.entries(info.versions ?? {})) environment.push([`version: ${k}`, String(v)]);
  for (const [k, v] of Object.entries(options.environment ?? {})) environment.push([k, v]);
  environment.push(['run directory', run.dir]);
  const html = renderReportHtml({
    title: options.title ?? `Pinnate run: ${info.name ?? run.dir.split('/').pop()}`,
    subtitle: [
      info.status,
      info.backend && `backend ${info.backend}`,
      info.updated && `updated ${info.updated}`,
    ]
      .filter(Boolean)
      .join(' · '),
    metrics,
    figures: rendered,
    environment,
    arrays: [...data.arrays.entries()].map(([k, a]) => [k, `[${a.shape.join(', ')}]`, a.dtype] as const),
    ...(data.config !== null ? { config: data.config } : {}),
    notes: plan.notes,
  });
  const path = await run.writeReport(html);
  return { path, figures: written, notes: plan.notes, metrics };
}
