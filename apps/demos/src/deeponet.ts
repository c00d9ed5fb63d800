/**
 * DeepONet benchmarks. Each case generates its data with the reference solvers (seeded), trains
 * a DeepONet on the Cartesian layout, evaluates the relative L2 error on held-out functions and
 * writes a run directory:
 *
 *   config.json, run.json, metrics.jsonl (loss every 100 steps), metrics.json (relL2, timing),
 *   arrays/predictions.npy + arrays/truth.npy (test set, [F, ...outputShape]), arrays/inputs.npy,
 *   figure arrays (operator_* or <field>_pred/_ref), model/ (saveDeepONet), report.html
 *
 *   pnpm --filter @pinnate/demos deeponet:antiderivative [-- --steps N --seed S --out DIR]
 *   pnpm --filter @pinnate/demos deeponet:predict -- --model DIR/model --predict in.npy --out out.npy
 *
 * Cases: antiderivative, diffusion-reaction, burgers, darcy.
 */
import { buildReport, initBackend, type MetricsRecord, Rng, RunDirectory } from '@pinnate/core';
import {
  type BoundaryFactor,
  type Dataset,
  DeepONet,
  type DeepONetConfig,
  evaluateRelL2,
  generateDataset,
  loadDataset,
  type OperatorData,
  operatorData,
  podProjectionError,
  predictNpy,
  saveDeepONet,
  trainDeepONet,
} from '@pinnate/operators';

export const CASES = ['antiderivative', 'diffusion-reaction', 'burgers', 'darcy'] as const;
export type CaseName = (typeof CASES)[number];

export interface CaseSetup {
  readonly train: OperatorData;
  readonly test: OperatorData;
  readonly model: Omit<DeepONetConfig, 'sensors' | 'coords'>;
  readonly steps: number;
  readonly lr: number;
  readonly functionBatch: number;
  readonly pointBatch?: number;
  /** Training loss (default 'relative': the squared relative L2 error per function). */
  readonly loss?: 'mse' | 'relative';
  /** L-BFGS iterations after Adam, on the full training set (default 0). */
  readonly lbfgs?: number;
  /** Adam's learning-rate decay over the run (default 'exponential': lr → lr/10). */
  readonly schedule?: 'exponential' | 'cosine';
  readonly bound: number;
  /** Per-function shape of an output ([nx], [nt, nx], [ny, nx]). */
  readonly outputShape: number[];
  readonly sensors: string;
  /** Coordinates for the report: name → values; the first is the fastest-varying axis. */
  readonly axes: Record<string, Float64Array>;
  readonly inputX?: Float64Array;
}

/**
 * Darcy networks. 'cnn-pod' (default): CNN branch + POD trunk (POD-DeepONet, Lu et al. 2022).
 * 'cnn': CNN branch + MLP trunk. 'mlp': the first version (dense 4096-input branch + MLP trunk),
 * kept to reproduce its 8.4e-2.
 */
export const DARCY_NETS = ['cnn-pod', 'cnn', 'mlp'] as const;
export type DarcyNet = (typeof DARCY_NETS)[number];

export interface DeepONetDemoOptions {
  readonly case: CaseName;
  /** Darcy only: which networks (default 'cnn-pod'). */
  readonly net?: DarcyNet;
  readonly out?: string;
  readonly seed?: number;
  readonly steps?: number;
  readonly lbfgs?: number;
  readonly lr?: number;
  readonly loss?: 'mse' | 'relative';
  readonly train?: number;
  readonly test?: number;
  /**
   * Darcy only: a dataset directory written by `generateDataset('darcy')` (e.g. the Darcy demo's
   * `<out>/data`) instead of generating 64² data: its first `train` samples train (default
   * 1000), the next `test` test (default 100) — the MgNO/FNO demo's split, so the three
   * operators are compared on the same samples. The grid size is the dataset's.
   */
  readonly data?: string;
  readonly progress?: 'auto' | 'bar' | 'lines' | 'none';
  /**
   * Wall-clock cap on Adam in minutes (default none): training stops after the step that
   * crosses it and the run is evaluated and written as usual (`stoppedBy: 'callback'`). For
   * shared machines; the learning-rate schedule still assumes `steps`.
   */
  readonly minutes?: number;
}

const f32 = (a: ArrayLike<number>) => Float32Array.from(a);
const num = (a: { data: ArrayLike<number> | BigInt64Array }) =>
  Float64Array.from(a.data as ArrayLike<number>, Number);

/** y = x grid [res, 1]. */
function points1d(x: Float64Array): Float32Array {
  return f32(x);
}

/** Points of a [rows, cols] grid with rows along `b` and columns along `a`: (a, b) per point. */
function points2d(a: Float64Array, b: Float64Array): Float32Array {
  const out = new Float32Array(a.length * b.length * 2);
  for (let i = 0; i < b.length; i++) {
    for (let j = 0; j < a.length; j++) {
      out[(i * a.length + j) * 2] = a[j];
      out[(i * a.length + j) * 2 + 1] = b[i];
    }
  }
  return out;
}

async function generate(
  kind: Parameters<typeof generateDataset>[0],
  n: number,
  res: number,
  seed: number,
  extra: Record<string, unknown> = {},
) {
  return generateDataset(kind, { n, res, seed, workers: n >= 16 ? 2 : 1, ...extra });
}

/** A cached Darcy dataset (square grid, arrays x, a, u), checked before use. */
async function darcyDataset(dir: string): Promise<Dataset> {
  const ds = await loadDataset(dir).catch((e: Error) => {
    throw new Error(`deeponet: 'data' must be a dataset directory written by generateDataset: ${e.message}`);
  });
  if (ds.manifest.kind !== 'darcy' || !ds.arrays.a || !ds.arrays.u || !ds.arrays.x) {
    throw new Error(`deeponet: 'data' (${dir}) must hold a square-grid darcy dataset (arrays x, a, u)`);
  }
  return ds;
}

/** Data and model recipe of each case (train and test sets use different seeds). */
export async function setupCase(
  name: CaseName,
  seed: number,
  sizes: { train?: number; test?: number; data?: string } = {},
  net: DarcyNet = 'cnn-pod',
): Promise<CaseSetup> {
  if (sizes.data !== undefined && name !== 'darcy') {
    throw new Error(`deeponet: 'data' applies to the darcy case only, got case '${name}'`);
  }
  const trainSeed = 1000 + seed;
  const testSeed = 2000 + seed;
  switch (name) {
    case 'antiderivative': {
      const res = 100;
      const nTrain = sizes.train ?? 1000;
      const nTest = sizes.test ?? 1000;
      const mk = async (n: number, s: number) => {
        const ds = await generate('antiderivative', n, res, s, { lengthScale: 0.2 });
        const x = num(ds.arrays.x);
        return {
          x,
          data: operatorData({
            u: ds.arrays.u.data as Float32Array,
            y: points1d(x),
            s: ds.arrays.s.data as Float32Array,
            functions: n,
            points: res,
            coords: 1,
          }),
        };
      };
      const tr = await mk(nTrain, trainSeed);
      const te = await mk(nTest, testSeed);
      return {
        train: tr.data,
        test: te.data,
        model: {
          latent: 100,
          branch: { hidden: [128, 128], activation: 'tanh' },
          trunk: { hidden: [128, 128], activation: 'tanh' },
          boundaryFactor: [{ input: 0, lo: 0 }],
        },
        steps: 20000,
        lbfgs: 300,
        lr: 1e-3,
        loss: 'mse',
        functionBatch: 100,
        bound: 1e-2,
        outputShape: [res],
        sensors: 'u at x = linspace(0, 1, 100) (100 sensors); output s(x) = ∫₀ˣ u at the same points',
        axes: { x: tr.x },
        inputX: tr.x,
      };
    }
    case 'diffusion-reaction': {
      // s_t = D s_xx + k s² + u(x), D = k = 0.01, zero initial/boundary data (Lu et al. 2021).
      const res = 100;
      const nTrain = sizes.train ?? 1000;
      const nTest = sizes.test ?? 200;
      const mk = async (n: number, sd: number) => {
        const ds = await generate('diffusion-reaction', n, res, sd, { lengthScale: 0.2 });
        const x = num(ds.arrays.x);
        const t = num(ds.arrays.t);
        return {
          x,
          t,
          data: operatorData({
            u: ds.arrays.u.data as Float32Array,
            y: points2d(x, t),
            s: ds.arrays.s.data as Float32Array,
            functions: n,
            points: x.length * t.length,
            coords: 2,
          }),
        };
      };
      const tr = await mk(nTrain, trainSeed);
      const te = await mk(nTest, testSeed);
      return {
        train: tr.data,
        test: te.data,
        model: {
          latent: 100,
          branch: { hidden: [128, 128], activation: 'tanh' },
          trunk: { hidden: [128, 128, 128], activation: 'tanh' },
          boundaryFactor: [
            { input: 0, lo: 0, hi: 1 },
            { input: 1, lo: 0 },
          ],
        },
        steps: 8000,
        lr: 1e-3,
        functionBatch: 50,
        pointBatch: 1000,
        bound: 2e-2,
        outputShape: [tr.t.length, tr.x.length],
        sensors: 'u at x = linspace(0, 1, 100); output s(x, t) on t = linspace(0, 1, 100) × x, shape [t, x]',
        axes: { x: tr.x, t: tr.t },
        inputX: tr.x,
      };
    }
    case 'burgers': {
      // u_t + u u_x = 0.1 u_xx on the periodic [0, 1), u0 ~ FNO's GRF; u0 -> u(·, 1).
      const res = 128;
      const nTrain = sizes.train ?? 600;
      const nTest = sizes.test ?? 100;
      const mk = async (n: number, sd: number) => {
        const ds = await generate('burgers', n, res, sd, {
          viscosity: 0.1,
          tEnd: 1,
          snapshots: 2,
          solverRes: 256,
        });
        const x = num(ds.arrays.x);
        const full = ds.arrays.u.data as Float32Array; // [n, 2, res]
        const s = new Float32Array(n * res);
        for (let i = 0; i < n; i++) s.set(full.subarray((2 * i + 1) * res, (2 * i + 2) * res), i * res);
        return {
          x,
          data: operatorData({
            u: ds.arrays.a.data as Float32Array,
            y: points1d(x),
            s,
            functions: n,
            points: res,
            coords: 1,
          }),
        };
      };
      const tr = await mk(nTrain, trainSeed);
      const te = await mk(nTest, testSeed);
      return {
        train: tr.data,
        test: te.data,
        model: {
          latent: 128,
          branch: { hidden: [256, 256], activation: 'gelu' },
          trunk: { hidden: [128, 128], activation: 'tanh', periods: [1], harmonics: 4 },
        },
        steps: 4000,
        lr: 1e-3,
        functionBatch: 64,
        bound: 5e-2,
        outputShape: [res],
        sensors: 'u0 at x = j/128, j = 0..127 (periodic); output u(x, 1) at the same points',
        axes: { x: tr.x },
        inputX: tr.x,
      };
    }
    case 'darcy': {
      // −∇·(a∇u) = 1 on the unit square, u = 0 on the boundary, a ∈ {3, 12} piecewise constant.
      const given = sizes.data === undefined ? null : await darcyDataset(sizes.data);
      const res = given?.manifest.res ?? 64;
      const nTrain = sizes.train ?? 1000;
      const nTest = sizes.test ?? (given ? 100 : 200);
      if (given && given.manifest.n < nTrain + nTest) {
        throw new Error(
          `deeponet: 'data' (${sizes.data}) holds ${given.manifest.n} samples, fewer than train + test = ${nTrain + nTest}`,
        );
      }
      // Samples [first, first + n) of a dataset: a → u on the res × res vertices.
      const fromArrays = (ds: Dataset, first: number, n: number) => {
        const x = num(ds.arrays.x);
        const m = res * res;
        const rows = (a: { data: ArrayLike<number> | BigInt64Array }) =>
          f32(a.data as ArrayLike<number>).subarray(first * m, (first + n) * m);
        return {
          x,
          data: operatorData({
            u: rows(ds.arrays.a),
            y: points2d(x, x),
            s: rows(ds.arrays.u),
            functions: n,
            points: m,
            coords: 2,
          }),
        };
      };
      const mk = async (n: number, sd: number) =>
        fromArrays(await generate('darcy', n, res, sd, { geometry: 'square' }), 0, n);
      const tr = given ? fromArrays(given, 0, nTrain) : await mk(nTrain, trainSeed);
      const te = given ? fromArrays(given, nTrain, nTest) : await mk(nTest, testSeed);
      const common = {
        train: tr.data,
        test: te.data,
        bound: 5e-2,
        outputShape: [res, res],
        sensors: `a at the ${res} × ${res} vertices x_j = j/${res - 1}, y_i = i/${res - 1}, row-major [y, x]; output u on the same grid${given ? ` (dataset ${sizes.data}: samples 0–${nTrain - 1} train, ${nTrain}–${nTrain + nTest - 1} test)` : ''}`,
        axes: { x: tr.x, y: tr.x },
      };
      // Same CNN as the MT-DeepONet Darcy branch, with stride-2 3×3 convs instead of 5×5 + pooling.
      const cnn = {
        kind: 'cnn' as const,
        grid: [res, res] as const,
        channels: [16, 32, 64, 64],
        hidden: [256],
        activation: 'gelu' as const,
      };
      const factor: BoundaryFactor[] = [
        { input: 0, lo: 0, hi: 1 },
        { input: 1, lo: 0, hi: 1 },
      ];
      switch (net) {
        case 'cnn-pod':
          // 128 basis functions (mean + 127 modes) keep all but 0.9% of the test functions
          // (relative L2 of the projection, measured): the branch has to do the rest.
          return {
            ...common,
            model: { latent: 128, bias: false, branch: cnn, trunk: { kind: 'pod', points: res * res } },
            steps: 2000,
            lr: 1e-3,
            schedule: 'cosine',
            functionBatch: 32,
          };
        case 'cnn':
          return {
            ...common,
            model: {
              latent: 128,
              branch: cnn,
              trunk: { hidden: [128, 128, 128], activation: 'tanh' },
              boundaryFactor: factor,
            },
            steps: 3000,
            lr: 1e-3,
            schedule: 'cosine',
            functionBatch: 32,
            pointBatch: 1024,
          };
        case 'mlp':
          return {
            ...common,
            model: {
              latent: 128,
              // A narrow first layer: Adam's cost grows with the 4096·width first-layer weights
              // (measured: 4096→256→256 took 6x longer per step than 4096→64).
              branch: { hidden: [128, 256], activation: 'gelu' },
              trunk: { hidden: [128, 128, 128], activation: 'tanh' },
              boundaryFactor: factor,
            },
            steps: 5000,
            lr: 1e-3,
            functionBatch: 32,
            pointBatch: 1024,
          };
        default: {
          const never: never = net;
          throw new Error(`deeponet: 'net' must be one of ${DARCY_NETS.join(', ')}, got ${String(never)}`);
        }
      }
    }
    default: {
      const never: never = name;
      throw new Error(`deeponet: 'case' must be one of ${CASES.join(', ')}, got ${String(never)}`);
    }
  }
}

export interface DeepONetDemoResult {
  readonly case: CaseName;
  readonly relL2: number;
  readonly relL2Train: number;
  readonly bound: number;
  readonly steps: number;
  readonly lbfgsIterations: number;
  readonly msPerStep: number;
  readonly examplesPerSecond: number;
  readonly wallSeconds: number;
  readonly parameters: number;
}

export async function runDeepONetDemo(options: DeepONetDemoOptions): Promise<DeepONetDemoResult> {
  const t0 = performance.now();
  const backend = (await initBackend()).name;
  const seed = options.seed ?? 0;
  if (options.net !== undefined && options.case !== 'darcy') {
    throw new Error(`deeponet: 'net' applies to the darcy case only, got case '${options.case}'`);
  }
  if (options.net !== undefined && !(DARCY_NETS as readonly string[]).includes(options.net)) {
    throw new Error(`deeponet: 'net' must be one of ${DARCY_NETS.join(', ')}, got ${String(options.net)}`);
  }
  const setup = await setupCase(
    options.case,
    seed,
    { train: options.train, test: options.test, data: options.data },
    options.net,
  );
  const tData = (performance.now() - t0) / 1000;
  const { train, test } = setup;
  const steps = options.steps ?? setup.steps;
  const lbfgs = options.lbfgs ?? setup.lbfgs ?? 0;
  const lr = options.lr ?? setup.lr;
  const lossKind = options.loss ?? setup.loss ?? 'relative';
  const cfg: DeepONetConfig = { ...setup.model, sensors: train.sensors, coords: train.coords };
  const model = new DeepONet(cfg, new Rng(seed));
  const run = options.out ? await RunDirectory.create(options.out) : null;
  const config = {
    case: options.case,
    ...(options.case === 'darcy' ? { net: options.net ?? 'cnn-pod' } : {}),
    seed,
    steps,
    lbfgs,
    loss: lossKind,
    lr,
    schedule: setup.schedule ?? 'exponential',
    functionBatch: setup.functionBatch,
    pointBatch: setup.pointBatch ?? train.points,
    train: train.functions,
    test: test.functions,
    model: cfg,
  };
  if (run) {
    await run.writeConfig(config);
    await run.updateInfo({
      name: `deeponet-${options.case}`,
      status: 'running',
      backend,
      command: process.argv.join(' '),
      inputs: Object.keys(setup.axes),
      outputs: ['u'],
    });
  }
  if (options.minutes !== undefined && !(options.minutes > 0)) {
    throw new Error(`deeponet: 'minutes' must be a positive number, got ${options.minutes}`);
  }
  const capMs = options.minutes === undefined ? undefined : options.minutes * 60_000;
  const records: MetricsRecord[] = [];
  const tTrain = performance.now();
  const result = await trainDeepONet(model, train, {
    functionBatch: setup.functionBatch,
    loss: lossKind,
    ...(setup.pointBatch ? { pointBatch: setup.pointBatch } : {}),
    trainer: {
      steps,
      seed,
      adam: {
        lr:
          setup.schedule === 'cosine'
            ? { kind: 'cosine', lr, steps, minLr: lr / 100 }
            : { kind: 'exponential', lr, decayRate: 0.1, decaySteps: steps },
      },
      ...(lbfgs > 0 ? { lbfgs: { maxIter: lbfgs, m: 50, gradTol: 1e-12 } } : {}),
      logEvery: Math.max(1, Math.floor(steps / 20)),
      progress: options.progress ?? 'auto',
      callbacks: [
        {
          onStep: (s) => {
            if (capMs !== undefined && s.phase === 'adam' && performance.now() - tTrain > capMs)
              return 'stop';
            if (s.step % 100 === 0)
              records.push({
                step: s.step,
                phase: s.phase,
                loss: s.loss,
                terms: s.terms,
                time: (performance.now() - tTrain) / 1000,
              });
          },
        },
      ],
    },
  });
  const trainSeconds = (performance.now() - tTrain) / 1000;
  // The floor of a POD trunk: the test outputs' best approximation in the fitted basis.
  const podFloor = result.pod ? podProjectionError(result.pod.basis, model.latent, test) : null;
  const ev = evaluateRelL2(model, test);
  const evTrain = evaluateRelL2(model, {
    ...train,
    functions: Math.min(train.functions, 200),
    u: train.u.subarray(0, Math.min(train.functions, 200) * train.sensors),
    s: train.s.subarray(0, Math.min(train.functions, 200) * train.points * train.outputs),
    ...(train.mask ? { mask: train.mask.subarray(0, Math.min(train.functions, 200) * train.points) } : {}),
  });
  const pairsPerStep = setup.functionBatch * (setup.pointBatch ?? train.points);
  const out: DeepONetDemoResult = {
    case: options.case,
    relL2: ev.mean,
    relL2Train: evTrain.mean,
    bound: setup.bound,
    steps: result.steps,
    lbfgsIterations: result.lbfgsIterations,
    msPerStep: result.msPerStep,
    examplesPerSecond: (pairsPerStep * 1000) / result.msPerStep,
    wallSeconds: (performance.now() - t0) / 1000,
    // Trainable only: the normalization statistics and a POD basis are stored, not learned.
    parameters: model
      .parameters()
      .filter((p) => p.variable.trainable)
      .reduce((n, p) => n + p.variable.size, 0),
  };
  if (run) {
    await run.appendMetrics(records);
    const shape = [test.functions, ...setup.outputShape];
    await run.saveArray('predictions', { data: ev.prediction, shape });
    await run.saveArray('truth', { data: test.s, shape });
    await run.saveArray('inputs', { data: test.u, shape: [test.functions, test.sensors] });
    await writeFigureArrays(run, setup, ev.prediction);
    await saveDeepONet(run.modelDir, model, test.y, {
      sensors: setup.sensors,
      outputShape: setup.outputShape,
      description: `DeepONet ${options.case}`,
    });
    await run.writeSummary({
      relL2: out.relL2,
      relL2Train: out.relL2Train,
      bound: out.bound,
      meetsBound: out.relL2 <= out.bound,
      steps: out.steps,
      stoppedBy: result.stoppedBy,
      lbfgsIterations: out.lbfgsIterations,
      msPerStep: out.msPerStep,
      examplesPerSecond: out.examplesPerSecond,
      functionsPerSecond: (setup.functionBatch * 1000) / out.msPerStep,
      trainSeconds,
      dataSeconds: tData,
      wallSeconds: (performance.now() - t0) / 1000,
      parameters: out.parameters,
      ...(podFloor !== null && result.pod
        ? { podProjectionRelL2: podFloor, podEnergy: result.pod.energy[0] }
        : {}),
      backend,
    });
    await run.updateInfo({ status: 'finished' });
    try {
      await buildReport(run, { title: `DeepONet: ${options.case}` });
    } catch (e) {
      console.error(`report: ${e instanceof Error ? e.message : e}`);
    }
  }
  return out;
}

/** Arrays the report plots: operator figure for 1-D outputs, heatmaps for 2-D ones. */
async function writeFigureArrays(run: RunDirectory, setup: CaseSetup, pred: Float32Array): Promise<void> {
  const { test } = setup;
  const n = test.points * test.outputs;
  const S = Math.min(3, test.functions);
  if (setup.outputShape.length === 1) {
    await run.saveArray('operator_input', {
      data: test.u.subarray(0, S * test.sensors),
      shape: [S, test.sensors],
    });
    if (setup.inputX)
      await run.saveArray('operator_input_x', { data: setup.inputX, shape: [setup.inputX.length] });
    const ax = Object.values(setup.axes)[0];
    await run.saveArray('operator_x', { data: ax, shape: [ax.length] });
    await run.saveArray('operator_pred', { data: pred.subarray(0, S * n), shape: [S, n] });
    await run.saveArray('operator_truth', { data: test.s.subarray(0, S * n), shape: [S, n] });
    return;
  }
  // 2-D output [rows, cols] with cols along the first axis: field arrays as [len(A), len(B)].
  const names = Object.keys(setup.axes);
  const [a, b] = [setup.axes[names[0]], setup.axes[names[1]]];
  for (const [k, v] of Object.entries(setup.axes)) await run.saveArray(k, { data: v, shape: [v.length] });
  const tr = (src: Float32Array) => {
    const o = new Float32Array(a.length * b.length);
    for (let i = 0; i < b.length; i++)
      for (let j = 0; j < a.length; j++) o[j * b.length + i] = src[i * a.length + j];
    return o;
  };
  await run.saveArray('u_pred', { data: tr(pred.subarray(0, n)), shape: [a.length, b.length] });
  await run.saveArray('u_ref', { data: tr(test.s.subarray(0, n)), shape: [a.length, b.length] });
}

const USAGE = `usage: deeponet --case ${CASES.join('|')} [--net ${DARCY_NETS.join('|')} (darcy)] [--steps N] [--minutes M] [--lbfgs N] [--lr LR] [--loss mse|relative] [--seed S=0] [--train N] [--test N] [--data DIR (darcy)] [--out DIR]
       deeponet --model DIR/model --predict in.npy --out out.npy`;

function parseArgs(argv: readonly string[]) {
  const o: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') continue;
    if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    if (!a.startsWith('--')) throw new Error(`deeponet: unexpected argument '${a}'\n${USAGE}`);
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`deeponet: '${a}' needs a value\n${USAGE}`);
    o[a.slice(2)] = v;
    i++;
  }
  const known = [
    'case',
    'net',
    'minutes',
    'steps',
    'lbfgs',
    'lr',
    'loss',
    'seed',
    'train',
    'test',
    'data',
    'out',
    'model',
    'predict',
  ];
  for (const k of Object.keys(o))
    if (!known.includes(k)) throw new Error(`deeponet: unknown flag '--${k}'\n${USAGE}`);
  const int = (k: string) => {
    if (o[k] === undefined) return undefined;
    const n = Number(o[k]);
    if (!Number.isInteger(n) || n < 0)
      throw new Error(`deeponet: '--${k}' must be a non-negative integer, got ${o[k]}`);
    return n;
  };
  return {
    case: o.case,
    net: o.net as DarcyNet | undefined,
    minutes: o.minutes === undefined ? undefined : Number(o.minutes),
    out: o.out,
    model: o.model,
    predict: o.predict,
    steps: int('steps'),
    lbfgs: int('lbfgs'),
    lr: o.lr === undefined ? undefined : Number(o.lr),
    loss: o.loss as 'mse' | 'relative' | undefined,
    seed: int('seed'),
    train: int('train'),
    test: int('test'),
    data: o.data,
  };
}

const isMain =
  process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop() ?? '');
if (isMain) {
  const a = parseArgs(process.argv.slice(2));
  if (a.predict !== undefined) {
    if (!a.model || !a.out)
      throw new Error(`deeponet: '--predict' needs '--model DIR' and '--out FILE'\n${USAGE}`);
    await initBackend();
    const shape = await predictNpy(a.model, a.predict, a.out);
    console.log(JSON.stringify({ wrote: a.out, shape }));
  } else {
    if (!a.case || !(CASES as readonly string[]).includes(a.case)) {
      throw new Error(`deeponet: '--case' must be one of ${CASES.join(', ')}, got ${a.case}\n${USAGE}`);
    }
    const r = await runDeepONetDemo({
      case: a.case as CaseName,
      out: a.out ?? `runs/deeponet-${a.case}`,
      ...(a.net !== undefined ? { net: a.net } : {}),
      ...(a.minutes !== undefined ? { minutes: a.minutes } : {}),
      ...(a.seed !== undefined ? { seed: a.seed } : {}),
      ...(a.steps !== undefined ? { steps: a.steps } : {}),
      ...(a.lbfgs !== undefined ? { lbfgs: a.lbfgs } : {}),
      ...(a.lr !== undefined ? { lr: a.lr } : {}),
      ...(a.loss !== undefined ? { loss: a.loss } : {}),
      ...(a.train !== undefined ? { train: a.train } : {}),
      ...(a.test !== undefined ? { test: a.test } : {}),
      ...(a.data !== undefined ? { data: a.data } : {}),
    });
    console.log(
      JSON.stringify({
        ...r,
        relL2: Number(r.relL2.toPrecision(4)),
        wallSeconds: Number(r.wallSeconds.toFixed(1)),
      }),
    );
  }
}

export type { BoundaryFactor };
