/**
 * Multi-task DeepONet (Kumar et al. 2024, "Synergistic learning with multi-task DeepONet") at a
 * CPU size, with the single-task baselines in the same command.
 *
 *   fisher  u_t = D u_xx + R(u), u = 0 at x = 0, 1, D = 0.01, t ∈ [0, 1], input u(·, 0).
 *           Three reaction families, coefficients of [u, u², u³, u⁴] (the paper's code):
 *             F1 a(u − u²)   F2 a(u − u³)   F3 a e^{−β}(u + (β−1)u² + β(β/2−1)u³ − β²/2 u⁴)
 *           a ~ U[0.5, 2], β ~ U[0.5, 2]. The branch reads [u0 at 64 sensors, the 4 coefficients]
 *           (the task encoding). F3 is data-scarce (fewer training samples).
 *           Single-task: one DeepONet per family, S steps each. Multi-task: one DeepONet on all
 *           families, 3S steps (equal total steps).
 *   darcy   −∇·(a∇u) = 1, u = 0 on the boundary, on square, L-shape and disk (32² vertices);
 *           the branch reads [a, geometry mask] and the loss counts only points inside the
 *           geometry. Single-task: one net per geometry; multi-task: one net on all three.
 *           Transfer to the unseen 'holes' geometry with few samples: fine-tune the multi-task
 *           net vs train from scratch, same steps.
 *
 *   pnpm --filter @pinnate/demos deeponet:mt-fisher [-- --steps S --seed 0 --out DIR]
 *   pnpm --filter @pinnate/demos deeponet:mt-darcy  [-- --steps S --seed 0 --out DIR]
 */
import { buildReport, compileSpec, initBackend, Rng, RunDirectory, renderSvg } from '@pinnate/core';
import {
  concatFunctions,
  type DarcyGeometry,
  DeepONet,
  type DeepONetConfig,
  evaluateRelL2,
  Grf1d,
  generateDataset,
  type OperatorData,
  operatorData,
  solveReactionDiffusion1d,
  trainDeepONet,
} from '@pinnate/operators';

const linspace = (a: number, b: number, n: number) =>
  Float64Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));

function grid2d(a: Float64Array, b: Float64Array): Float32Array {
  const out = new Float32Array(a.length * b.length * 2);
  for (let i = 0; i < b.length; i++) {
    for (let j = 0; j < a.length; j++) {
      out[(i * a.length + j) * 2] = a[j];
      out[(i * a.length + j) * 2 + 1] = b[i];
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Fisher data

export const FISHER_FAMILIES = ['F1', 'F2', 'F3'] as const;
export type FisherFamily = (typeof FISHER_FAMILIES)[number];

/** Coefficients of [u, u², u³, u⁴] of a family's reaction term. */
export function fisherCoefficients(
  family: FisherFamily,
  a: number,
  beta: number,
): [number, number, number, number] {
  switch (family) {
    case 'F1':
      return [a, -a, 0, 0];
    case 'F2':
      return [a, 0, -a, 0];
    case 'F3': {
      const e = a * Math.exp(-beta);
      return [e, e * (beta - 1), e * beta * (beta / 2 - 1), (-e * beta * beta) / 2];
    }
    default: {
      const never: never = family;
      throw new Error(`fisherCoefficients: 'family' must be F1, F2 or F3, got ${String(never)}`);
    }
  }
}

const FISHER_NX = 64;
const FISHER_NT = 21;

/** n samples of one family: branch rows [u0 (64), c (4)], targets u [nt, nx]. */
export function fisherData(family: FisherFamily, n: number, seed: number): OperatorData {
  const x = linspace(0, 1, FISHER_NX);
  const t = linspace(0, 1, FISHER_NT);
  const grf = new Grf1d({
    n: FISHER_NX,
    boundary: 'free',
    covariance: { kind: 'squaredExponential', lengthScale: 0.2, variance: 1 },
  });
  const master = new Rng(seed);
  const m = FISHER_NX + 4;
  const u = new Float32Array(n * m);
  const s = new Float32Array(n * FISHER_NX * FISHER_NT);
  for (let i = 0; i < n; i++) {
    const rng = master.split();
    const g = grf.sample(rng);
    // Initial state in (0, 1) with zero boundary values: sin(πx)·σ(g).
    const u0 = Float64Array.from(x, (xi, j) => Math.sin(Math.PI * xi) / (1 + Math.exp(-g[j])));
    u0[0] = 0;
    u0[FISHER_NX - 1] = 0;
    const a = rng.uniformIn(0.5, 2);
    const beta = rng.uniformIn(0.5, 2);
    const c = fisherCoefficients(family, a, beta);
    const sol = solveReactionDiffusion1d(
      {
        diffusion: 0.01,
        reaction: (v) => v * (c[0] + v * (c[1] + v * (c[2] + v * c[3]))),
        reactionDerivative: (v) => c[0] + v * (2 * c[1] + v * (3 * c[2] + 4 * v * c[3])),
        initial: u0,
        left: () => 0,
        right: () => 0,
        tEnd: 1,
      },
      { nx: FISHER_NX, steps: 200, snapshots: FISHER_NT },
    );
    u.set(u0, i * m);
    u.set(c, i * m + FISHER_NX);
    s.set(sol.u, i * FISHER_NX * FISHER_NT);
  }
  return operatorData({ u, y: grid2d(x, t), s, functions: n, points: FISHER_NX * FISHER_NT, coords: 2 });
}

// ---------------------------------------------------------------------------------------------
// Darcy data

const DARCY_RES = 32;

/** n samples on one geometry: branch rows [a (res²), mask (res²)], targets u, loss mask. */
export async function darcyData(geometry: DarcyGeometry, n: number, seed: number): Promise<OperatorData> {
  const ds = await generateDataset('darcy', { n, res: DARCY_RES, seed, geometry, workers: n >= 32 ? 2 : 1 });
  const N = DARCY_RES * DARCY_RES;
  const mask = ds.arrays.mask.data as Uint8Array;
  const a = ds.arrays.a.data as Float32Array;
  const u = new Float32Array(n * 2 * N);
  const lossMask = new Float32Array(n * N);
  for (let i = 0; i < n; i++) {
    u.set(a.subarray(i * N, (i + 1) * N), i * 2 * N);
    for (let p = 0; p < N; p++) {
      u[i * 2 * N + N + p] = mask[p];
      lossMask[i * N + p] = mask[p];
    }
  }
  const x = Float64Array.from(ds.arrays.x.data as Float64Array);
  return operatorData({
    u,
    y: grid2d(x, x),
    s: ds.arrays.u.data as Float32Array,
    functions: n,
    points: N,
    coords: 2,
    mask: lossMask,
  });
}

// ---------------------------------------------------------------------------------------------
// Training

interface Fit {
  readonly model: DeepONet;
  readonly msPerStep: number;
  readonly seconds: number;
}

async function fit(
  cfg: DeepONetConfig,
  data: OperatorData,
  steps: number,
  seed: number,
  opts: { model?: DeepONet; functionBatch: number; lr: number; pointBatch?: number },
): Promise<Fit> {
  const t0 = performance.now();
  const model = opts.model ?? new DeepONet(cfg, new Rng(seed));
  const r = await trainDeepONet(model, data, {
    normalize: !opts.model,
    functionBatch: opts.functionBatch,
    ...(opts.pointBatch ? { pointBatch: opts.pointBatch } : {}),
    trainer: {
      steps,
      seed,
      adam: { lr: { kind: 'exponential', lr: opts.lr, decayRate: 0.1, decaySteps: Math.max(1, steps) } },
      progress: 'none',
    },
  });
  return { model, msPerStep: r.msPerStep, seconds: (performance.now() - t0) / 1000 };
}

export interface MtRow {
  readonly task: string;
  readonly train: number;
  readonly test: number;
  readonly singleTask: number;
  readonly multiTask: number;
}

export interface MtResult {
  readonly case: 'fisher' | 'darcy';
  readonly rows: MtRow[];
  readonly transfer?: {
    readonly geometry: string;
    readonly train: number;
    readonly test: number;
    readonly steps: number;
    readonly pretrained: number;
    readonly scratch: number;
  };
  readonly steps: { readonly singleTaskEach: number; readonly multiTask: number };
  readonly msPerStep: { readonly singleTask: number; readonly multiTask: number };
  readonly seconds: number;
}

export async function runFisher(
  options: { steps?: number; seed?: number } = {},
): Promise<{ result: MtResult; mt: DeepONet; tests: OperatorData[] }> {
  const t0 = performance.now();
  const seed = options.seed ?? 0;
  const S = options.steps ?? 1000;
  const sizes: Record<FisherFamily, number> = { F1: 300, F2: 300, F3: 60 };
  const trains = FISHER_FAMILIES.map((f, k) => fisherData(f, sizes[f], 100 + 10 * seed + k));
  const tests = FISHER_FAMILIES.map((f, k) => fisherData(f, 100, 200 + 10 * seed + k));
  const cfg: DeepONetConfig = {
    sensors: FISHER_NX + 4,
    coords: 2,
    latent: 100,
    branch: { hidden: [128, 128], activation: 'gelu' },
    trunk: { hidden: [128, 128, 128], activation: 'tanh' },
    boundaryFactor: [{ input: 0, lo: 0, hi: 1 }],
  };
  // The boundary factor fixes u = 0 at x = 0, 1; the initial state is learned (it is an input).
  const opts = { functionBatch: 32, lr: 1e-3, pointBatch: 672 };
  const singles: number[] = [];
  let stMs = 0;
  for (let k = 0; k < 3; k++) {
    const f = await fit(cfg, trains[k], S, seed, opts);
    singles.push(evaluateRelL2(f.model, tests[k]).mean);
    stMs += f.msPerStep / 3;
  }
  const mt = await fit(cfg, concatFunctions(trains), 3 * S, seed, opts);
  const rows = FISHER_FAMILIES.map((f, k) => ({
    task: f,
    train: sizes[f],
    test: 100,
    singleTask: singles[k],
    multiTask: evaluateRelL2(mt.model, tests[k]).mean,
  }));
  return {
    result: {
      case: 'fisher',
      rows,
      steps: { singleTaskEach: S, multiTask: 3 * S },
      msPerStep: { singleTask: stMs, multiTask: mt.msPerStep },
      seconds: (performance.now() - t0) / 1000,
    },
    mt: mt.model,
    tests,
  };
}

export async function runDarcy(
  options: { steps?: number; seed?: number } = {},
): Promise<{ result: MtResult; mt: DeepONet; tests: OperatorData[]; target: OperatorData; tuned: DeepONet }> {
  const t0 = performance.now();
  const seed = options.seed ?? 0;
  const S = options.steps ?? 500;
  const geos: DarcyGeometry[] = ['square', 'lshape', 'disk'];
  const nTrain = 200;
  const nTest = 100;
  const trains = await Promise.all(geos.map((g, k) => darcyData(g, nTrain, 300 + 10 * seed + k)));
  const tests = await Promise.all(geos.map((g, k) => darcyData(g, nTest, 400 + 10 * seed + k)));
  const nTarget = 40;
  const targetTrain = await darcyData('holes', nTarget, 500 + seed);
  const targetTest = await darcyData('holes', nTest, 600 + seed);
  const N = DARCY_RES * DARCY_RES;
  const cfg: DeepONetConfig = {
    sensors: 2 * N,
    coords: 2,
    latent: 128,
    branch: { hidden: [128, 256], activation: 'gelu' },
    trunk: { hidden: [128, 128, 128], activation: 'tanh' },
    boundaryFactor: [
      { input: 0, lo: 0, hi: 1 },
      { input: 1, lo: 0, hi: 1 },
    ],
  };
  const opts = { functionBatch: 32, lr: 1e-3 };
  const singles: number[] = [];
  let stMs = 0;
  for (let k = 0; k < geos.length; k++) {
    const f = await fit(cfg, trains[k], S, seed, opts);
    singles.push(evaluateRelL2(f.model, tests[k]).mean);
    stMs += f.msPerStep / geos.length;
  }
  const mt = await fit(cfg, concatFunctions(trains), geos.length * S, seed, opts);
  const rows = geos.map((g, k) => ({
    task: g,
    train: nTrain,
    test: nTest,
    singleTask: singles[k],
    multiTask: evaluateRelL2(mt.model, tests[k]).mean,
  }));
  // Transfer: fine-tune (a copy of) the multi-task net vs from scratch, same steps and data.
  const T = S;
  const pre = new DeepONet(cfg, new Rng(seed));
  const src = mt.model.parameters();
  pre.parameters().forEach((p, i) => {
    p.variable.assign(src[i].variable);
  });
  const tuned = await fit(cfg, targetTrain, T, seed, { ...opts, model: pre, lr: 3e-4 });
  const scratch = await fit(cfg, targetTrain, T, seed, opts);
  return {
    result: {
      case: 'darcy',
      rows,
      transfer: {
        geometry: 'holes',
        train: nTarget,
        test: nTest,
        steps: T,
        pretrained: evaluateRelL2(tuned.model, targetTest).mean,
        scratch: evaluateRelL2(scratch.model, targetTest).mean,
      },
      steps: { singleTaskEach: S, multiTask: geos.length * S },
      msPerStep: { singleTask: stMs, multiTask: mt.msPerStep },
      seconds: (performance.now() - t0) / 1000,
    },
    mt: mt.model,
    tests,
    target: targetTest,
    tuned: tuned.model,
  };
}

/** Markdown table of a result. */
export function mtTable(r: MtResult): string {
  const lines = [
    `| task | train | test | single-task relL2 | multi-task relL2 |`,
    `| --- | --- | --- | --- | --- |`,
    ...r.rows.map(
      (w) =>
        `| ${w.task} | ${w.train} | ${w.test} | ${w.singleTask.toExponential(2)} | ${w.multiTask.toExponential(2)} |`,
    ),
  ];
  if (r.transfer) {
    const t = r.transfer;
    lines.push(
      '',
      `| transfer to ${t.geometry} (${t.train} train, ${t.test} test, ${t.steps} steps) | relL2 |`,
      `| --- | --- |`,
      `| fine-tuned from multi-task | ${t.pretrained.toExponential(2)} |`,
      `| from scratch | ${t.scratch.toExponential(2)} |`,
    );
  }
  return lines.join('\n');
}

/** Grouped bar chart of single- vs multi-task errors (vega-lite). */
function barSpec(r: MtResult) {
  const values = r.rows.flatMap((w) => [
    { task: w.task, model: 'single-task', relL2: w.singleTask },
    { task: w.task, model: 'multi-task', relL2: w.multiTask },
  ]);
  if (r.transfer) {
    values.push(
      { task: `${r.transfer.geometry} (transfer)`, model: 'multi-task', relL2: r.transfer.pretrained },
      { task: `${r.transfer.geometry} (transfer)`, model: 'single-task', relL2: r.transfer.scratch },
    );
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `MT-DeepONet (${r.case}): test relative L2`,
    data: { values },
    mark: 'bar',
    encoding: {
      x: { field: 'task', type: 'nominal' },
      xOffset: { field: 'model' },
      y: { field: 'relL2', type: 'quantitative', title: 'relative L2' },
      color: { field: 'model', type: 'nominal' },
    },
    width: 360,
    height: 220,
  };
}

async function writeRun(
  out: string,
  r: MtResult,
  extra: { pred: Float32Array; truth: OperatorData; x: Float64Array; y: Float64Array; name: string },
) {
  const run = await RunDirectory.create(out);
  await run.writeConfig({ case: r.case, steps: r.steps });
  await run.updateInfo({
    name: `mt-deeponet-${r.case}`,
    status: 'finished',
    command: process.argv.join(' '),
    inputs: ['x', extra.name],
    outputs: ['u'],
  });
  const summary: Record<string, unknown> = {
    seconds: r.seconds,
    msPerStepSingle: r.msPerStep.singleTask,
    msPerStepMulti: r.msPerStep.multiTask,
  };
  for (const w of r.rows) {
    summary[`relL2_single_${w.task}`] = w.singleTask;
    summary[`relL2_multi_${w.task}`] = w.multiTask;
  }
  if (r.transfer) {
    summary.relL2_transfer_pretrained = r.transfer.pretrained;
    summary.relL2_transfer_scratch = r.transfer.scratch;
  }
  await run.writeSummary({ ...summary, table: r });
  const n = extra.truth.points;
  await run.saveArray('x', { data: extra.x, shape: [extra.x.length] });
  await run.saveArray(extra.name, { data: extra.y, shape: [extra.y.length] });
  // Sample 0 of the shown test set as [len(x), len(second)].
  const tr = (src: Float32Array) => {
    const o = new Float32Array(n);
    for (let i = 0; i < extra.y.length; i++)
      for (let j = 0; j < extra.x.length; j++) o[j * extra.y.length + i] = src[i * extra.x.length + j];
    return o;
  };
  await run.saveArray('u_pred', {
    data: tr(extra.pred.subarray(0, n)),
    shape: [extra.x.length, extra.y.length],
  });
  await run.saveArray('u_ref', {
    data: tr(extra.truth.s.subarray(0, n)),
    shape: [extra.x.length, extra.y.length],
  });
  await run.saveArray('predictions', {
    data: extra.pred,
    shape: [extra.truth.functions, extra.y.length, extra.x.length],
  });
  await run.saveArray('truth', {
    data: extra.truth.s,
    shape: [extra.truth.functions, extra.y.length, extra.x.length],
  });
  const spec = barSpec(r);
  try {
    compileSpec(spec as never);
    await run.saveFigure('mt_comparison', { svg: await renderSvg(spec as never, 'mt'), spec });
  } catch (e) {
    console.error(`figure: ${e instanceof Error ? e.message : e}`);
  }
  try {
    await buildReport(run, { title: `MT-DeepONet: ${r.case}` });
  } catch (e) {
    console.error(`report: ${e instanceof Error ? e.message : e}`);
  }
  await import('node:fs/promises').then((fs) => fs.writeFile(run.path('table.md'), `${mtTable(r)}\n`));
}

const USAGE = 'usage: mt_deeponet --case fisher|darcy [--steps S] [--seed 0] [--out DIR]';

const isMain =
  process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop() ?? '');
if (isMain) {
  const o: Record<string, string> = {};
  const argv = process.argv.slice(2).filter((a) => a !== '--');
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined)
      throw new Error(`mt_deeponet: cannot read '${argv[i]}'\n${USAGE}`);
    o[argv[i].slice(2)] = argv[i + 1];
  }
  for (const k of Object.keys(o))
    if (!['case', 'steps', 'seed', 'out'].includes(k))
      throw new Error(`mt_deeponet: unknown flag '--${k}'\n${USAGE}`);
  const steps = o.steps !== undefined ? Number(o.steps) : undefined;
  const seed = o.seed !== undefined ? Number(o.seed) : 0;
  if (steps !== undefined && !(Number.isInteger(steps) && steps > 0))
    throw new Error(`mt_deeponet: '--steps' must be a positive integer, got ${o.steps}`);
  if (!Number.isInteger(seed)) throw new Error(`mt_deeponet: '--seed' must be an integer, got ${o.seed}`);
  await initBackend();
  if (o.case === 'fisher') {
    const { result, mt, tests } = await runFisher({ steps, seed });
    const ev = evaluateRelL2(mt, tests[2]);
    await writeRun(o.out ?? 'runs/mt-deeponet-fisher', result, {
      pred: ev.prediction,
      truth: tests[2],
      x: linspace(0, 1, FISHER_NX),
      y: linspace(0, 1, FISHER_NT),
      name: 't',
    });
    console.log(mtTable(result));
    console.log(JSON.stringify({ seconds: Number(result.seconds.toFixed(1)), msPerStep: result.msPerStep }));
  } else if (o.case === 'darcy') {
    const { result, tuned, target } = await runDarcy({ steps, seed });
    const ev = evaluateRelL2(tuned, target);
    await writeRun(o.out ?? 'runs/mt-deeponet-darcy', result, {
      pred: ev.prediction,
      truth: target,
      x: linspace(0, 1, DARCY_RES),
      y: linspace(0, 1, DARCY_RES),
      name: 'y',
    });
    console.log(mtTable(result));
    console.log(JSON.stringify({ seconds: Number(result.seconds.toFixed(1)), msPerStep: result.msPerStep }));
  } else {
    throw new Error(`mt_deeponet: '--case' must be fisher or darcy, got ${o.case}\n${USAGE}`);
  }
}
