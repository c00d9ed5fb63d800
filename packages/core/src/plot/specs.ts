/**
 * The standard figures of a run as vega-lite specs built from plain arrays:
 *
 *   lossCurves             loss per term (and total) against step, log scale
 *   fieldHeatmaps          prediction | reference | |error| on a grid, side by side
 *   lineSlices             1-D cuts of a field against the reference (see `sliceField`)
 *   collocationPoints      training points over the domain, coloured by kind
 *   parameterTrajectories  inverse-problem parameters against step, with true values
 *   operatorResults        operator learning: input function | prediction vs truth | error
 *
 * Browser-safe (no Node APIs). Arrays are copied into the spec, so long series are thinned to
 * `maxPoints` and grids become one PNG image per panel (see raster.ts).
 */
import type { TopLevelSpec } from 'vega-lite';
import { fieldToPngDataUri } from './raster.ts';

/** A named coordinate axis (sorted, ascending or descending). */
export interface Axis {
  readonly name: string;
  readonly values: ArrayLike<number>;
}

type Row = Record<string, number | string | null>;

const FONT = 'DejaVu Sans, Liberation Sans, Helvetica, Arial, sans-serif';

/** Shared look: white background, one font family everywhere (resvg and browsers agree). */
export const PLOT_CONFIG = {
  background: 'white',
  font: FONT,
  view: { stroke: '#ccc' },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#eee' },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 14, anchor: 'start' as const },
};

function checkArray(value: unknown, name: string, op: string): ArrayLike<number> {
  if (
    value === null ||
    typeof value !== 'object' ||
    typeof (value as ArrayLike<number>).length !== 'number' ||
    (!Array.isArray(value) && !ArrayBuffer.isView(value))
  ) {
    throw new Error(`${op}: '${name}' must be an array or typed array of numbers, got ${typeof value}`);
  }
  return value as ArrayLike<number>;
}

function checkLength(values: ArrayLike<number>, n: number, name: string, op: string): void {
  if (values.length !== n) throw new Error(`${op}: '${name}' must have ${n} entries, got ${values.length}`);
}

/** Indices 0, s, 2s, … plus the last index, so at most ~maxPoints survive. */
export function thinIndices(n: number, maxPoints: number): number[] {
  if (n <= maxPoints) return Array.from({ length: n }, (_, i) => i);
  const stride = Math.ceil(n / maxPoints);
  const out: number[] = [];
  for (let i = 0; i < n; i += stride) out.push(i);
  if (out[out.length - 1] !== n - 1) out.push(n - 1);
  return out;
}

function minMax(values: ArrayLike<number>): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo > hi) return [0, 1];
  if (lo === hi) return [lo - 0.5, hi + 0.5];
  return [lo, hi];
}

function extent(axis: ArrayLike<number>): [number, number] {
  const a = axis[0];
  const b = axis[axis.length - 1];
  return a <= b ? [a, b] : [b, a];
}

const round = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(6)) : null);

// ---------------------------------------------------------------------------------------------

export interface LossCurvesOptions {
  /** Loss per term, one entry per record (e.g. per step). */
  readonly terms: Readonly<Record<string, ArrayLike<number>>>;
  /** The weighted total, drawn in black. */
  readonly total?: ArrayLike<number>;
  /** x value of each record (default 1, 2, …). */
  readonly steps?: ArrayLike<number>;
  /** Title of the x axis (default 'step'; e.g. 'epoch' when records are per epoch). */
  readonly xTitle?: string;
  /** Points kept per series (default 1500). */
  readonly maxPoints?: number;
  readonly title?: string;
  readonly width?: number;
  readonly height?: number;
}

/** Loss per term against step on a log scale. Zero, negative and non-finite values are skipped. */
export function lossCurves(options: LossCurvesOptions): TopLevelSpec {
  const OP = 'lossCurves';
  const series: [string, ArrayLike<number>][] = Object.entries(options.terms ?? {}).map(([k, v]) => [
    k,
    checkArray(v, `terms.${k}`, OP),
  ]);
  if (options.total !== undefined) series.unshift(['total', checkArray(options.total, 'total', OP)]);
  if (series.length === 0) throw new Error(`${OP}: 'terms' must name at least one loss term`);
  const n = series[0][1].length;
  for (const [k, v] of series) checkLength(v, n, k === 'total' ? 'total' : `terms.${k}`, OP);
  const steps = options.steps ? checkArray(options.steps, 'steps', OP) : null;
  if (steps) checkLength(steps, n, 'steps', OP);
  const keep = thinIndices(n, options.maxPoints ?? 1500);
  const rows: Row[] = [];
  for (const [term, v] of series) {
    for (const i of keep) {
      const y = v[i];
      if (Number.isFinite(y) && y > 0) rows.push({ step: steps ? steps[i] : i + 1, term, loss: round(y) });
    }
  }
  const names = series.map(([k]) => k);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title ?? 'Training loss',
    config: PLOT_CONFIG,
    width: options.width ?? 520,
    height: options.height ?? 300,
    data: { values: rows },
    mark: { type: 'line', strokeWidth: 1.5, clip: true },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: options.xTitle ?? 'step' },
      y: {
        field: 'loss',
        type: 'quantitative',
        scale: { type: 'log' },
        title: 'loss',
        axis: { format: '.0e' },
      },
      color: {
        field: 'term',
        type: 'nominal',
        sort: names,
        title: 'term',
        scale: options.total !== undefined ? { domain: names, range: ['#000', ...TERM_COLOURS] } : {},
      },
    },
  } as TopLevelSpec;
}

const TERM_COLOURS = ['#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2', '#ff9da6'];

// ---------------------------------------------------------------------------------------------

export interface FieldHeatmapsOptions {
  /** Horizontal axis (first index of the field). */
  readonly a: Axis;
  /** Vertical axis (second index of the field). */
  readonly b: Axis;
  /** Shape [a.length, b.length], row-major: prediction[i * b.length + j] = u(a_i, b_j). */
  readonly prediction: ArrayLike<number>;
  /** Same shape; adds the reference and |prediction − reference| panels. */
  readonly reference?: ArrayLike<number>;
  /** Name of the field in titles (default 'u'). */
  readonly name?: string;
  /** Title of the first panel (default 'prediction <name>'). */
  readonly label?: string;
  readonly scheme?: string;
  readonly errorScheme?: string;
  readonly panelWidth?: number;
  readonly panelHeight?: number;
  readonly title?: string;
}

function heatmapPanel(
  a: Axis,
  b: Axis,
  values: ArrayLike<number>,
  domain: [number, number],
  scheme: string,
  title: string,
  legendTitle: string,
  width: number,
  height: number,
): object {
  const [a0, a1] = extent(a.values);
  const [b0, b1] = extent(b.values);
  const url = fieldToPngDataUri(a.values, b.values, values, { domain, scheme });
  return {
    title,
    width,
    height,
    layer: [
      {
        data: { values: [{ a0, a1, b0, b1, url }] },
        mark: { type: 'image', aspect: false, aria: false },
        encoding: {
          x: {
            field: 'a0',
            type: 'quantitative',
            title: a.name,
            scale: { domain: [a0, a1], nice: false, zero: false },
          },
          x2: { field: 'a1' },
          y: {
            field: 'b1',
            type: 'quantitative',
            title: b.name,
            scale: { domain: [b0, b1], nice: false, zero: false },
          },
          y2: { field: 'b0' },
          url: { field: 'url', type: 'nominal' },
        },
      },
      {
        // Invisible marks that carry the colour scale, so vega draws its gradient legend.
        data: { values: [{ v: domain[0] }, { v: domain[1] }] },
        mark: { type: 'point', opacity: 0, aria: false },
        encoding: {
          color: {
            field: 'v',
            type: 'quantitative',
            title: legendTitle,
            scale: { domain, scheme },
            legend: { gradientLength: Math.max(60, height - 20), format: '.2~g' },
          },
        },
      },
    ],
  };
}

/** Prediction, reference and absolute error of a 2-D field, side by side with colour bars. */
export function fieldHeatmaps(options: FieldHeatmapsOptions): TopLevelSpec {
  const OP = 'fieldHeatmaps';
  const { a, b } = options;
  checkArray(a?.values, 'a.values', OP);
  checkArray(b?.values, 'b.values', OP);
  const n = a.values.length * b.values.length;
  const pred = checkArray(options.prediction, 'prediction', OP);
  checkLength(pred, n, 'prediction', OP);
  const name = options.name ?? 'u';
  const w = options.panelWidth ?? 220;
  const h = options.panelHeight ?? 180;
  const scheme = options.scheme ?? 'viridis';
  const panels: object[] = [];
  if (options.reference !== undefined) {
    const ref = checkArray(options.reference, 'reference', OP);
    checkLength(ref, n, 'reference', OP);
    const [p0, p1] = minMax(pred);
    const [r0, r1] = minMax(ref);
    const domain: [number, number] = [Math.min(p0, r0), Math.max(p1, r1)];
    const err = new Float64Array(n);
    for (let i = 0; i < n; i++) err[i] = Math.abs(pred[i] - ref[i]);
    panels.push(heatmapPanel(a, b, pred, domain, scheme, options.label ?? `prediction ${name}`, name, w, h));
    panels.push(heatmapPanel(a, b, ref, domain, scheme, `reference ${name}`, name, w, h));
    panels.push(
      heatmapPanel(
        a,
        b,
        err,
        [0, minMax(err)[1]],
        options.errorScheme ?? 'inferno',
        `|error| (max ${maxAbs(err).toExponential(2)})`,
        `|${name} − ref|`,
        w,
        h,
      ),
    );
  } else {
    panels.push(
      heatmapPanel(a, b, pred, minMax(pred), scheme, options.label ?? `prediction ${name}`, name, w, h),
    );
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title ?? `${name}(${a.name}, ${b.name})`,
    config: PLOT_CONFIG,
    hconcat: panels,
    resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } },
  } as TopLevelSpec;
}

function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) if (Math.abs(values[i]) > m) m = Math.abs(values[i]);
  return m;
}

// ---------------------------------------------------------------------------------------------

export interface Slice {
  /** e.g. 't = 0.50'. */
  readonly label: string;
  readonly prediction: ArrayLike<number>;
  readonly reference?: ArrayLike<number>;
}

/**
 * Cuts of a field [a.length, b.length] at the grid nodes nearest to `at` (one slice per
 * node): along 'a' gives functions of a at fixed b (e.g. u(x) at chosen t when a = x, b = t).
 */
export function sliceField(
  a: Axis,
  b: Axis,
  values: { readonly prediction: ArrayLike<number>; readonly reference?: ArrayLike<number> },
  along: 'a' | 'b',
  at: readonly number[],
): { axis: Axis; slices: Slice[] } {
  const na = a.values.length;
  const nb = b.values.length;
  const fixed = along === 'a' ? b : a;
  const nodes: number[] = [];
  for (const pos of at) {
    let k = 0;
    for (let i = 1; i < fixed.values.length; i++) {
      if (Math.abs(fixed.values[i] - pos) < Math.abs(fixed.values[k] - pos)) k = i;
    }
    if (!nodes.includes(k)) nodes.push(k); // two positions nearest to one node give one slice
  }
  const slices = nodes.map((k) => {
    const cut = (v: ArrayLike<number>) =>
      along === 'a'
        ? Float64Array.from({ length: na }, (_, i) => v[i * nb + k])
        : Float64Array.from({ length: nb }, (_, j) => v[k * nb + j]);
    return {
      label: `${fixed.name} = ${Number(fixed.values[k].toPrecision(3))}`,
      prediction: cut(values.prediction),
      ...(values.reference ? { reference: cut(values.reference) } : {}),
    };
  });
  return { axis: along === 'a' ? a : b, slices };
}

export interface LineSlicesOptions {
  readonly axis: Axis;
  readonly slices: readonly Slice[];
  /** Name of the plotted quantity (default 'u'). */
  readonly name?: string;
  readonly title?: string;
  readonly panelWidth?: number;
  readonly panelHeight?: number;
}

/** One panel per slice: prediction (solid) against reference (dashed). */
export function lineSlices(options: LineSlicesOptions): TopLevelSpec {
  const OP = 'lineSlices';
  const x = checkArray(options.axis?.values, 'axis.values', OP);
  if (!Array.isArray(options.slices) || options.slices.length === 0) {
    throw new Error(`${OP}: 'slices' must hold at least one slice`);
  }
  const name = options.name ?? 'u';
  const keep = thinIndices(x.length, 1000);
  const rows: Row[] = [];
  options.slices.forEach((s, k) => {
    checkLength(
      checkArray(s.prediction, `slices[${k}].prediction`, OP),
      x.length,
      `slices[${k}].prediction`,
      OP,
    );
    for (const i of keep)
      rows.push({ slice: s.label, x: round(x[i]), value: round(s.prediction[i]), kind: 'prediction' });
    if (s.reference !== undefined) {
      checkLength(
        checkArray(s.reference, `slices[${k}].reference`, OP),
        x.length,
        `slices[${k}].reference`,
        OP,
      );
      for (const i of keep)
        rows.push({ slice: s.label, x: round(x[i]), value: round(s.reference[i]), kind: 'reference' });
    }
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title ?? `${name} along ${options.axis.name}`,
    config: PLOT_CONFIG,
    data: { values: rows },
    facet: {
      column: { field: 'slice', type: 'nominal', sort: options.slices.map((s) => s.label), title: null },
    },
    spec: {
      width: options.panelWidth ?? 200,
      height: options.panelHeight ?? 170,
      mark: { type: 'line', strokeWidth: 2 },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: options.axis.name },
        y: { field: 'value', type: 'quantitative', title: name },
        color: {
          field: 'kind',
          type: 'nominal',
          title: null,
          scale: { domain: ['prediction', 'reference'], range: ['#e45756', '#333'] },
        },
        strokeDash: {
          field: 'kind',
          type: 'nominal',
          title: null,
          scale: {
            domain: ['prediction', 'reference'],
            range: [
              [1, 0],
              [5, 3],
            ],
          },
        },
      },
    },
  } as TopLevelSpec;
}

// ---------------------------------------------------------------------------------------------

export interface PointSet {
  /** 'interior', 'boundary', 'initial', 'adaptive', or any label. */
  readonly kind: string;
  /** Row-major [n, dim] coordinates (dim 1 or 2). */
  readonly points: ArrayLike<number>;
}

export interface CollocationPointsOptions {
  readonly sets: readonly PointSet[];
  /** Axis names; one name for 1-D points, two for 2-D. */
  readonly axes: readonly string[];
  /** Points drawn per kind (default 3000). */
  readonly maxPerKind?: number;
  readonly title?: string;
  readonly width?: number;
  readonly height?: number;
}

const KIND_COLOURS: Record<string, string> = {
  interior: '#4c78a8',
  boundary: '#e45756',
  initial: '#54a24b',
  adaptive: '#f58518',
};

/** Training points over the domain, coloured by kind. 1-D points are spread in rows per kind. */
export function collocationPoints(options: CollocationPointsOptions): TopLevelSpec {
  const OP = 'collocationPoints';
  const dim = options.axes?.length;
  if (dim !== 1 && dim !== 2) {
    throw new Error(`${OP}: 'axes' must name 1 or 2 coordinates, got ${JSON.stringify(options.axes)}`);
  }
  if (!Array.isArray(options.sets) || options.sets.length === 0) {
    throw new Error(`${OP}: 'sets' must hold at least one point set`);
  }
  const rows: Row[] = [];
  options.sets.forEach((s, k) => {
    const p = checkArray(s.points, `sets[${k}].points`, OP);
    if (p.length % dim !== 0) {
      throw new Error(`${OP}: 'sets[${k}].points' must be [n, ${dim}] row-major, got ${p.length} numbers`);
    }
    const n = p.length / dim;
    const label = `${s.kind} (${n})`;
    for (const i of thinIndices(n, options.maxPerKind ?? 3000)) {
      rows.push(
        dim === 2
          ? { kind: label, a: round(p[2 * i]), b: round(p[2 * i + 1]) }
          : { kind: label, a: round(p[i]), b: s.kind },
      );
    }
  });
  const labels = options.sets.map((s) => `${s.kind} (${s.points.length / dim})`);
  const colours = options.sets.map(
    (s, k) => KIND_COLOURS[s.kind] ?? TERM_COLOURS[(k + 4) % TERM_COLOURS.length],
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title ?? 'Collocation points',
    config: PLOT_CONFIG,
    width: options.width ?? 360,
    height: options.height ?? (dim === 2 ? 300 : 40 * options.sets.length),
    data: { values: rows },
    mark: { type: 'circle', size: 12, opacity: 0.75 },
    encoding: {
      x: { field: 'a', type: 'quantitative', title: options.axes[0], scale: { zero: false, nice: false } },
      y:
        dim === 2
          ? { field: 'b', type: 'quantitative', title: options.axes[1], scale: { zero: false, nice: false } }
          : { field: 'b', type: 'nominal', title: null },
      color: { field: 'kind', type: 'nominal', title: 'kind', scale: { domain: labels, range: colours } },
    },
  } as TopLevelSpec;
}

// ---------------------------------------------------------------------------------------------

export interface ParameterTrajectoriesOptions {
  /** Value of each parameter per record. */
  readonly params: Readonly<Record<string, ArrayLike<number>>>;
  /** Known true values, drawn as dashed rules. */
  readonly truth?: Readonly<Record<string, number>>;
  readonly steps?: ArrayLike<number>;
  readonly title?: string;
  readonly panelWidth?: number;
  readonly panelHeight?: number;
}

/** One panel per inverse-problem parameter (each with its own y scale), estimate vs truth. */
export function parameterTrajectories(options: ParameterTrajectoriesOptions): TopLevelSpec {
  const OP = 'parameterTrajectories';
  const entries = Object.entries(options.params ?? {});
  if (entries.length === 0) throw new Error(`${OP}: 'params' must name at least one parameter`);
  const n = checkArray(entries[0][1], `params.${entries[0][0]}`, OP).length;
  const steps = options.steps ? checkArray(options.steps, 'steps', OP) : null;
  if (steps) checkLength(steps, n, 'steps', OP);
  for (const k of Object.keys(options.truth ?? {})) {
    if (!(k in options.params)) throw new Error(`${OP}: 'truth.${k}' names no parameter in 'params'`);
  }
  const keep = thinIndices(n, 1000);
  const panels = entries.map(([name, values]) => {
    checkLength(checkArray(values, `params.${name}`, OP), n, `params.${name}`, OP);
    const rows = keep.map((i) => ({ step: steps ? steps[i] : i + 1, value: round(values[i]) }));
    const truth = options.truth?.[name];
    const layer: object[] = [
      {
        data: { values: rows },
        mark: { type: 'line', color: '#4c78a8', strokeWidth: 2 },
        encoding: {
          x: { field: 'step', type: 'quantitative', title: 'step' },
          y: { field: 'value', type: 'quantitative', title: name, scale: { zero: false } },
        },
      },
    ];
    if (truth !== undefined) {
      layer.push({
        data: { values: [{ truth }] },
        mark: { type: 'rule', color: '#333', strokeDash: [5, 3] },
        encoding: { y: { field: 'truth', type: 'quantitative' } },
      });
    }
    const last = values[n - 1];
    return {
      title: truth !== undefined ? `${name}: ${fmt(last)} (true ${fmt(truth)})` : `${name}: ${fmt(last)}`,
      width: options.panelWidth ?? 240,
      height: options.panelHeight ?? 160,
      layer,
    };
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title ?? 'Parameters',
    config: PLOT_CONFIG,
    concat: panels,
    columns: 3,
  } as TopLevelSpec;
}

const fmt = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(4)).toString() : String(v));

// ---------------------------------------------------------------------------------------------

export interface OperatorSample {
  /** Where the input function is sampled (sensor locations). */
  readonly inputX: ArrayLike<number>;
  readonly input: ArrayLike<number>;
  /** Where the output is evaluated. */
  readonly x: ArrayLike<number>;
  readonly prediction: ArrayLike<number>;
  readonly truth: ArrayLike<number>;
  readonly label?: string;
}

export interface OperatorResultsOptions {
  readonly samples: readonly OperatorSample[];
  /** Names: input function, output function, coordinate (default 'a', 'u', 'x'). */
  readonly names?: { readonly input?: string; readonly output?: string; readonly x?: string };
  readonly title?: string;
}

/** One row per test sample: input function | prediction vs truth | absolute error. */
export function operatorResults(options: OperatorResultsOptions): TopLevelSpec {
  const OP = 'operatorResults';
  if (!Array.isArray(options.samples) || options.samples.length === 0) {
    throw new Error(`${OP}: 'samples' must hold at least one sample`);
  }
  const inName = options.names?.input ?? 'a';
  const outName = options.names?.output ?? 'u';
  const xName = options.names?.x ?? 'x';
  const w = 200;
  const h = 130;
  const rowsOf = options.samples.map((s, k) => {
    const f = (field: keyof OperatorSample) => `samples[${k}].${String(field)}`;
    const ix = checkArray(s.inputX, f('inputX'), OP);
    const inp = checkArray(s.input, f('input'), OP);
    checkLength(inp, ix.length, f('input'), OP);
    const x = checkArray(s.x, f('x'), OP);
    const pred = checkArray(s.prediction, f('prediction'), OP);
    const truth = checkArray(s.truth, f('truth'), OP);
    checkLength(pred, x.length, f('prediction'), OP);
    checkLength(truth, x.length, f('truth'), OP);
    const label = s.label ?? `sample ${k}`;
    const keepIn = thinIndices(ix.length, 500);
    const keep = thinIndices(x.length, 500);
    const lines: Row[] = [];
    for (const i of keep) {
      lines.push({ x: round(x[i]), value: round(pred[i]), kind: 'prediction' });
      lines.push({ x: round(x[i]), value: round(truth[i]), kind: 'truth' });
    }
    return {
      hconcat: [
        {
          title: `${label}: input ${inName}`,
          width: w,
          height: h,
          data: { values: keepIn.map((i) => ({ x: round(ix[i]), value: round(inp[i]) })) },
          mark: { type: 'line', color: '#54a24b' },
          encoding: {
            x: { field: 'x', type: 'quantitative', title: xName },
            y: { field: 'value', type: 'quantitative', title: inName },
          },
        },
        {
          title: `${outName}: prediction vs truth`,
          width: w,
          height: h,
          data: { values: lines },
          mark: { type: 'line', strokeWidth: 2 },
          encoding: {
            x: { field: 'x', type: 'quantitative', title: xName },
            y: { field: 'value', type: 'quantitative', title: outName },
            color: {
              field: 'kind',
              type: 'nominal',
              title: null,
              scale: { domain: ['prediction', 'truth'], range: ['#e45756', '#333'] },
            },
            strokeDash: {
              field: 'kind',
              type: 'nominal',
              title: null,
              scale: {
                domain: ['prediction', 'truth'],
                range: [
                  [1, 0],
                  [5, 3],
                ],
              },
            },
          },
        },
        {
          title: `|error| (max ${maxAbsDiff(pred, truth).toExponential(2)})`,
          width: w,
          height: h,
          data: { values: keep.map((i) => ({ x: round(x[i]), err: round(Math.abs(pred[i] - truth[i])) })) },
          mark: { type: 'area', color: '#f58518', opacity: 0.8 },
          encoding: {
            x: { field: 'x', type: 'quantitative', title: xName },
            y: { field: 'err', type: 'quantitative', title: `|${outName} − truth|` },
          },
        },
      ],
    };
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title ?? 'Operator results',
    config: PLOT_CONFIG,
    vconcat: rowsOf,
    resolve: { scale: { color: 'independent', strokeDash: 'independent' } },
  } as TopLevelSpec;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
