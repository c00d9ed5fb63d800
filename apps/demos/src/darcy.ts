/**
 * Darcy demo: −∇·(a∇u) = 1 on the unit square, u = 0 on the boundary, a = 12 / 3 from a
 * thresholded Gaussian random field (the FNO data recipe), solved by our own MIC(0)-PCG solver
 * (`generateDataset('darcy')`). Trains MgNO (relative H1 loss, as the MgNO paper) and an FNO
 * baseline (relative L2, as the FNO paper) on the same samples with the same budget, then reports
 * test relative L2 / H1, parameter counts, seconds (wall and CPU) per epoch, and figures of a, u,
 * prediction and error.
 *
 * The models are independent, so by default each trains in its own worker thread with its own
 * single-threaded wasm backend (one per core on a 2-core machine), in the same sample order with
 * the same schedule; the main thread only gathers their epochs into progress.jsonl and the report.
 * `parallel: false` trains them in lockstep in this thread, one epoch each in turn (same numbers,
 * half the speed on 2 cores). Every `evalEvery` epochs the test errors, the report and the weights
 * are rewritten, so a partial run is a reportable result.
 *
 * Reads top to bottom: data → scalings → models (darcy_model.ts) → train, here or in workers
 * (darcy_worker.ts) → evaluate → report.
 */
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import {
  type BackendName,
  fieldHeatmaps,
  initBackend,
  parseNpy,
  renderSvg,
  serializeNpy,
  startModuleWorker,
} from '@pinnate/core';
import {
  buildOperator,
  type Dataset,
  type FnoConfig,
  generateDataset,
  loadDataset,
  loadOperator,
  type MgnoConfig,
  predict,
} from '@pinnate/operators';
import {
  type DarcyModel,
  evaluateOperator,
  type ModelSetup,
  ModelTrainer,
  runEpochs,
} from './darcy_model.ts';
import type { DarcyWorkerData, DarcyWorkerMessage } from './darcy_worker.ts';

export { type DarcyModel, oneCycle } from './darcy_model.ts';

export interface DarcyOptions {
  /** Grid points per side (default 29; 85 is the FNO/MgNO benchmark size). */
  readonly res?: number;
  readonly train?: number;
  readonly test?: number;
  /** Epochs per model (default 40); the learning-rate schedule spans them. */
  readonly epochs?: number;
  /**
   * Wall-clock cap for the training in minutes (default: none; in parallel mode it applies to
   * each worker from its start). The schedule follows whichever of epochs and time is further
   * along, so a capped run still ends at a small lr.
   */
  readonly minutes?: number;
  /** Default 8 (the MgNO paper's). */
  readonly batchSize?: number;
  /** Peak learning rate (default 1e-3). */
  readonly lr?: number;
  readonly seed?: number;
  /** Test errors, report and weights every this many epochs (default 5, and after the last). */
  readonly evalEvery?: number;
  /** Also evaluate the trained models on `test` fresh samples at this resolution. */
  readonly evalRes?: number;
  /** Output directory (default 'runs/darcy'); datasets are cached in `<out>/data[-res]`. */
  readonly out?: string;
  readonly backend?: BackendName;
  /** Decoupled (AdamW-style) weight decay (default 1e-4). */
  readonly decay?: number;
  /** L2 weight decay added to the gradient, as PyTorch's Adam(weight_decay) (default 0). */
  readonly l2?: number;
  readonly mgno?: Partial<MgnoConfig>;
  readonly fno?: Partial<FnoConfig>;
  /** Which models to train (default both). */
  readonly models?: readonly DarcyModel[];
  /**
   * Train each model in its own worker thread (default true when there is more than one model);
   * false trains them in lockstep in this thread. Both give the same per-model numbers.
   */
  readonly parallel?: boolean;
  readonly log?: (line: string) => void;
}

export interface ModelResult {
  readonly name: DarcyModel;
  readonly params: number;
  readonly config: Record<string, unknown>;
  readonly epochs: number;
  readonly secondsPerEpoch: number;
  /** CPU seconds per epoch of the thread that trained the model (Linux; else the process's). */
  readonly cpuSecondsPerEpoch: number;
  readonly trainSeconds: number;
  readonly trainCpuSeconds: number;
  readonly testRelL2: number;
  readonly testRelH1: number;
  /** Test errors at `evalRes` (when asked for). */
  readonly evalRes?: { res: number; relL2: number; relH1: number };
  readonly trainLoss: number[];
  /** [epoch, test relL2] at every evaluation. */
  readonly testCurve: [number, number][];
}

export interface DarcyResult {
  readonly res: number;
  readonly train: number;
  readonly test: number;
  readonly batchSize: number;
  readonly lr: number;
  /** Decoupled and L2 weight decay. */
  readonly decay: number;
  readonly l2: number;
  readonly backend: string;
  /** Whether the models trained in their own worker threads. */
  readonly parallel: boolean;
  /** False while training is under way (a partial report). */
  readonly finished: boolean;
  /** Wall seconds since training started, and CPU seconds of the whole process (all threads). */
  readonly wallSeconds: number;
  readonly processCpuSeconds: number;
  /** 1-minute load average when the report was written, and its mean over the epochs. */
  readonly load: { now: number; meanOverEpochs: number };
  readonly models: ModelResult[];
  readonly out: string;
}

async function dataset(res: number, n: number, seed: number, dir: string): Promise<Dataset> {
  if (existsSync(join(dir, 'manifest.json'))) {
    const ds = await loadDataset(dir);
    if (ds.manifest.res === res && ds.manifest.n === n && ds.manifest.seed === seed) return ds;
  }
  // Worker threads pay off for the real sizes only (and need tsx's loader, absent under vitest).
  return generateDataset('darcy', { n, res, seed, out: dir, workers: n >= 200 ? 2 : 1 });
}

function toF32(a: ArrayLike<number>): Float32Array {
  return a instanceof Float32Array ? a : Float32Array.from(a);
}

/** Mean and standard deviation of an array. */
function moments(a: Float32Array): [number, number] {
  let s = 0;
  for (const v of a) s += v;
  const m = s / a.length;
  let q = 0;
  for (const v of a) q += (v - m) ** 2;
  return [m, Math.sqrt(q / a.length)];
}

/** What the main thread knows of one model, whether it trains here or in a worker. */
interface ModelState {
  readonly name: DarcyModel;
  params: number;
  config: Record<string, unknown>;
  readonly history: number[];
  readonly testCurve: [number, number][];
  wall: number;
  cpu: number;
  test?: { l2: number; h1: number };
  evalRes?: ModelResult['evalRes'];
}

function stateOf(t: ModelTrainer): ModelState {
  return {
    name: t.name,
    params: t.params,
    config: t.op.config() as Record<string, unknown>,
    history: t.history,
    testCurve: t.testCurve,
    wall: t.wall,
    cpu: t.cpu,
    test: t.last ? { l2: t.last.l2, h1: t.last.h1 } : undefined,
  };
}

/** One line of progress.jsonl per epoch, with every model's figures for that epoch. */
type ProgressLine = Record<string, number | undefined>;

function modelFields(name: DarcyModel, train: number, cpu: number, testL2?: number): ProgressLine {
  return {
    [`${name}Train`]: train,
    [`${name}CpuSeconds`]: cpu,
    ...(testL2 !== undefined ? { [`${name}TestRelL2`]: testL2 } : {}),
  };
}

function logLine(line: ProgressLine, names: readonly DarcyModel[]): string {
  return `epoch ${line.epoch} (${(line.wallSeconds ?? 0).toFixed(0)} s, load ${(line.load ?? 0).toFixed(1)}): ${names
    .filter((n) => line[`${n}Train`] !== undefined)
    .map((n) => {
      const test = line[`${n}TestRelL2`];
      return (
        `${n} train ${n === 'mgno' ? 'relH1' : 'relL2'} ${(line[`${n}Train`] as number).toExponential(3)}` +
        (test !== undefined ? ` test relL2 ${test.toExponential(3)}` : '') +
        ` [${(line[`${n}CpuSeconds`] as number).toFixed(0)} cpu-s]`
      );
    })
    .join('; ')}`;
}

export async function runDarcy(options: DarcyOptions = {}): Promise<DarcyResult> {
  const res = options.res ?? 29;
  const nTrain = options.train ?? 1000;
  const nTest = options.test ?? 100;
  const epochs = options.epochs ?? 40;
  const bs = options.batchSize ?? 8;
  const lr0 = options.lr ?? 1e-3;
  const seed = options.seed ?? 0;
  const evalEvery = options.evalEvery ?? 5;
  const out = options.out ?? 'runs/darcy';
  const log = options.log ?? ((s: string) => console.log(s));
  const capSeconds = options.minutes !== undefined ? options.minutes * 60 : Number.POSITIVE_INFINITY;
  for (const [k, v] of Object.entries({
    res,
    train: nTrain,
    test: nTest,
    epochs,
    batchSize: bs,
    evalEvery,
    ...(options.evalRes !== undefined ? { evalRes: options.evalRes } : {}),
  })) {
    if (!Number.isInteger(v) || v < 1)
      throw new Error(`runDarcy: '${k}' must be a positive integer, got ${v}`);
  }
  if (!(lr0 > 0)) throw new Error(`runDarcy: 'lr' must be positive, got ${lr0}`);
  if (options.minutes !== undefined && !(options.minutes > 0))
    throw new Error(`runDarcy: 'minutes' must be positive, got ${options.minutes}`);
  for (const k of ['decay', 'l2'] as const) {
    const v = options[k];
    if (v !== undefined && !(v >= 0)) throw new Error(`runDarcy: '${k}' must be ≥ 0, got ${v}`);
  }
  const which = options.models ?? ['mgno', 'fno'];
  if (
    which.length === 0 ||
    which.some((m) => m !== 'mgno' && m !== 'fno') ||
    new Set(which).size !== which.length
  )
    throw new Error(`runDarcy: 'models' must list mgno and/or fno once each, got [${which}]`);
  const parallel = options.parallel ?? which.length > 1;
  const choice = await initBackend(options.backend ? { backend: options.backend } : {});
  await mkdir(out, { recursive: true });

  // Data: the first nTrain samples train, the next nTest test.
  const t0 = performance.now();
  const ds = await dataset(res, nTrain + nTest, seed, join(out, 'data'));
  log(
    `data: ${nTrain + nTest} Darcy samples at ${res}² in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const aAll = toF32(ds.arrays.a.data as ArrayLike<number>);
  const uAll = toF32(ds.arrays.u.data as ArrayLike<number>);
  const P = res * res;
  const aTrain = aAll.subarray(0, nTrain * P);
  const uTrain = uAll.subarray(0, nTrain * P);
  const aTest = aAll.subarray(nTrain * P, (nTrain + nTest) * P);
  const uTest = uAll.subarray(nTrain * P, (nTrain + nTest) * P);
  let evalSet: DarcyWorkerData['evalSet'];
  if (options.evalRes !== undefined) {
    const r2 = options.evalRes;
    const ds2 = await dataset(r2, nTest, seed + 7919, join(out, `data-${r2}`));
    evalSet = {
      res: r2,
      n: nTest,
      a: toF32(ds2.arrays.a.data as ArrayLike<number>),
      u: toF32(ds2.arrays.u.data as ArrayLike<number>),
    };
  }

  // Fixed scalings from the training set, stored in the model configs.
  const [aMean, aStd] = moments(aTrain);
  const [, uStd] = moments(uTrain);
  const setupOf = (name: DarcyModel): ModelSetup => ({
    name,
    res,
    nTrain,
    epochs,
    batchSize: bs,
    lr: lr0,
    seed,
    capSeconds,
    scaling: { inputShift: aMean, inputScale: aStd, outputScale: uStd },
    ...(options.decay !== undefined ? { decay: options.decay } : {}),
    ...(options.l2 !== undefined ? { l2: options.l2 } : {}),
    ...(options.mgno ? { mgno: options.mgno } : {}),
    ...(options.fno ? { fno: options.fno } : {}),
  });

  const loads: number[] = [];
  const progressFile = join(out, 'progress.jsonl');
  await writeFile(progressFile, '');
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const states: ModelState[] = [];
  const result = (finished: boolean): DarcyResult => {
    const c = process.cpuUsage(cpu0);
    return {
      res,
      train: nTrain,
      test: nTest,
      batchSize: bs,
      lr: lr0,
      decay: options.decay ?? 1e-4,
      l2: options.l2 ?? 0,
      backend: choice.name,
      parallel,
      finished,
      wallSeconds: (performance.now() - start) / 1000,
      processCpuSeconds: (c.user + c.system) / 1e6,
      load: {
        now: loadavg()[0],
        meanOverEpochs: loads.reduce((a, b) => a + b, 0) / Math.max(1, loads.length),
      },
      models: states.map((t) => {
        const n = t.history.length;
        return {
          name: t.name,
          params: t.params,
          config: t.config,
          epochs: n,
          secondsPerEpoch: t.wall / Math.max(1, n),
          cpuSecondsPerEpoch: t.cpu / Math.max(1, n),
          trainSeconds: t.wall,
          trainCpuSeconds: t.cpu,
          testRelL2: t.test?.l2 ?? Number.NaN,
          testRelH1: t.test?.h1 ?? Number.NaN,
          ...(t.evalRes ? { evalRes: t.evalRes } : {}),
          trainLoss: [...t.history],
          testCurve: [...t.testCurve],
        };
      }),
      out,
    };
  };
  const common = () => {
    const load = loadavg()[0];
    loads.push(load);
    return { wallSeconds: (performance.now() - start) / 1000, load };
  };
  const emit = async (line: ProgressLine) => {
    await appendFile(progressFile, `${JSON.stringify(line)}\n`);
    log(logLine(line, which));
  };

  if (parallel) {
    await trainInWorkers({
      which,
      states,
      setupOf,
      backend: choice.name,
      evalEvery,
      out,
      data: { aTrain, uTrain, aTest, uTest, nTest, ...(evalSet ? { evalSet } : {}) },
      log,
      common,
      emit,
      partial: () => writeSummary(result(false), aTest),
    });
  } else {
    const trainers = which.map((name) => new ModelTrainer(setupOf(name), start));
    for (const t of trainers) log(`${t.name}: ${t.params} parameters`);
    await runEpochs(
      { seed, nTrain, epochs, capSeconds, evalEvery },
      start,
      // The same sample order for every model in this epoch.
      (perm) => {
        for (const t of trainers) t.epoch(perm, aTrain, uTrain);
      },
      async ({ epoch, last, evalNow }) => {
        if (evalNow) for (const t of trainers) t.evaluate(aTest, uTest, nTest);
        states.splice(0, states.length, ...trainers.map(stateOf));
        await emit({
          epoch,
          ...common(),
          lr: trainers[0].lr(epoch * Math.ceil(nTrain / bs)),
          ...Object.assign(
            {},
            ...trainers.map((t) =>
              modelFields(t.name, t.history[epoch - 1], t.cpu, evalNow ? t.last?.l2 : undefined),
            ),
          ),
        });
        if (evalNow) for (const t of trainers) await t.writeFiles(out, uTest, nTest);
        if (evalNow && !last) await writeSummary(result(false), aTest);
      },
    );
    for (const [i, t] of trainers.entries()) {
      if (evalSet) {
        const e = evaluateOperator(t.op, evalSet.a, evalSet.u, evalSet.n, evalSet.res);
        states[i].evalRes = { res: evalSet.res, relL2: e.l2, relH1: e.h1 };
      }
      t.dispose();
    }
  }

  const final = result(true);
  await writeSummary(final, aTest);
  for (const m of final.models) {
    if (m.evalRes)
      log(
        `${m.name} at ${m.evalRes.res}² (trained at ${res}²): relL2 ${m.evalRes.relL2.toExponential(3)}, relH1 ${m.evalRes.relH1.toExponential(3)}`,
      );
    log(
      `${m.name}: test relL2 ${m.testRelL2.toExponential(3)}, relH1 ${m.testRelH1.toExponential(3)}, ${m.epochs} epochs, ${m.secondsPerEpoch.toFixed(1)} s/epoch (${m.cpuSecondsPerEpoch.toFixed(1)} cpu-s)`,
    );
  }
  log(
    `${parallel ? 'parallel' : 'lockstep'}: ${final.wallSeconds.toFixed(0)} s wall, ${final.processCpuSeconds.toFixed(0)} CPU s (process), mean load ${final.load.meanOverEpochs.toFixed(1)}`,
  );
  return final;
}

interface WorkerRun {
  readonly which: readonly DarcyModel[];
  readonly states: ModelState[];
  readonly setupOf: (name: DarcyModel) => ModelSetup;
  readonly backend: BackendName;
  readonly evalEvery: number;
  readonly out: string;
  readonly data: Pick<DarcyWorkerData, 'aTrain' | 'uTrain' | 'aTest' | 'uTest' | 'nTest' | 'evalSet'>;
  readonly log: (line: string) => void;
  /** Wall seconds and load now (and records the load). */
  readonly common: () => { wallSeconds: number; load: number };
  readonly emit: (line: ProgressLine) => Promise<void>;
  /** Rewrites results.json and report.md from `states`. */
  readonly partial: () => Promise<void>;
}

/**
 * Trains each model in its own worker thread and mirrors their progress into `states`. An epoch's
 * progress line is written once every model has reported that epoch (lines of epochs that only
 * some models reached, when a time cap stops them apart, are written at the end).
 */
async function trainInWorkers(run: WorkerRun): Promise<void> {
  const workers = await Promise.all(
    run.which.map((name) => {
      const data: DarcyWorkerData = {
        backend: run.backend,
        setup: run.setupOf(name),
        evalEvery: run.evalEvery,
        out: run.out,
        ...run.data,
      };
      return startModuleWorker(import.meta.url, './darcy_worker', { workerData: { ...data } });
    }),
  );
  const pending = new Map<number, { line: ProgressLine; from: Set<DarcyModel> }>();
  // Messages are handled one at a time so file writes never interleave.
  let queue: Promise<void> = Promise.resolve();
  const finished = run.which.map(
    (name, i) =>
      new Promise<void>((resolve, reject) => {
        const state: ModelState = {
          name,
          params: 0,
          config: {},
          history: [],
          testCurve: [],
          wall: 0,
          cpu: 0,
        };
        run.states[i] = state;
        const w = workers[i];
        let done = false;
        const fail = (e: Error) => {
          done = true;
          reject(e);
        };
        w.on('message', (m: DarcyWorkerMessage) => {
          queue = queue.then(async () => {
            if (m.type === 'error') return fail(new Error(`darcy: the ${name} worker failed: ${m.message}`));
            if (m.type === 'ready') {
              state.params = m.params;
              state.config = m.config;
              run.log(`${name}: ${m.params} parameters (own worker thread)`);
            } else if (m.type === 'epoch') {
              state.history.push(m.train);
              state.wall = m.wall;
              state.cpu = m.cpu;
              if (m.test) {
                state.test = m.test;
                state.testCurve.push([m.epoch, m.test.l2]);
              }
              const p = pending.get(m.epoch) ?? { line: { epoch: m.epoch }, from: new Set<DarcyModel>() };
              Object.assign(p.line, { lr: m.lr }, modelFields(name, m.train, m.cpu, m.test?.l2));
              p.from.add(name);
              pending.set(m.epoch, p);
              if (p.from.size === run.which.length) {
                pending.delete(m.epoch);
                await run.emit({ epoch: m.epoch, ...run.common(), ...p.line });
              }
              if (m.test && !m.last) await run.partial();
            } else if (m.type === 'evalRes') {
              state.evalRes = { res: m.res, relL2: m.relL2, relH1: m.relH1 };
            } else if (m.type === 'done') {
              done = true;
              resolve();
            }
          });
        });
        w.on('error', (e) => fail(new Error(`darcy: the ${name} worker failed: ${e.message}`)));
        w.on('exit', (code) => {
          if (!done) fail(new Error(`darcy: the ${name} worker exited with code ${code} before finishing`));
        });
      }),
  );
  try {
    await Promise.all(finished);
    await queue;
  } catch (e) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw e;
  }
  for (const e of [...pending.keys()].sort((a, b) => a - b)) {
    const p = pending.get(e) as { line: ProgressLine };
    await run.emit({ epoch: e, ...run.common(), ...p.line });
  }
}

/** results.json, report.md and the coefficient figure (model files are written by their trainers). */
async function writeSummary(r: DarcyResult, aTest: Float32Array) {
  const { res, out } = r;
  const P = res * res;
  const axis = { name: 'x', values: Array.from({ length: res }, (_, i) => i / (res - 1)) };
  await writeFile(
    join(out, 'coefficient_sample0.svg'),
    await renderSvg(
      fieldHeatmaps({
        a: { ...axis, name: 'y' },
        b: axis,
        prediction: aTest.subarray(0, P),
        name: 'a',
        title: 'coefficient a of test sample 0',
      }),
    ),
  );
  await writeFile(join(out, 'results.json'), `${JSON.stringify(r, null, 2)}\n`);
  await writeFile(join(out, 'report.md'), reportMarkdown(r));
}

export function reportMarkdown(r: DarcyResult): string {
  const evalRes = r.models.find((m) => m.evalRes)?.evalRes?.res;
  const rows = r.models.map(
    (m) =>
      `| ${m.name} | ${m.params} | ${m.epochs} | ${m.secondsPerEpoch.toFixed(1)} | ${m.cpuSecondsPerEpoch.toFixed(1)} | ${m.testRelL2.toExponential(3)} | ${m.testRelH1.toExponential(3)} |` +
      (evalRes ? ` ${m.evalRes?.relL2.toExponential(3) ?? '–'} |` : ''),
  );
  return [
    `# Darcy flow, ${r.res}×${r.res}: ${r.train} train / ${r.test} test (backend ${r.backend})${r.finished ? '' : ' — partial, training under way'}`,
    '',
    `Batch ${r.batchSize}, peak lr ${r.lr} (one-cycle), weight decay ${r.decay} decoupled + ${r.l2} L2; ${r.parallel ? 'each model in its own worker thread' : 'models in lockstep in one thread'}; ` +
      `${r.wallSeconds.toFixed(0)} s wall, ${r.processCpuSeconds.toFixed(0)} CPU s (whole process); load average ${r.load.meanOverEpochs.toFixed(1)} (mean over epochs).`,
    '',
    `| model | parameters | epochs | s/epoch | CPU s/epoch | test relL2 | test relH1 |${evalRes ? ` relL2 at ${evalRes}² |` : ''}`,
    `|---|---|---|---|---|---|---|${evalRes ? '---|' : ''}`,
    ...rows,
    '',
    'Figures: `coefficient_sample0.svg`, `<model>_sample0.svg` (prediction, reference, error), `<model>_loss.svg`.',
    '',
  ].join('\n');
}
/** Solutions for the coefficient fields in `input` (.npy [N, H, W]) with a saved operator, written to `output`. */
export async function predictDarcy(
  modelDir: string,
  input: string,
  output: string,
  backend?: BackendName,
): Promise<number[]> {
  await initBackend(backend ? { backend } : {});
  const { operator } = await loadOperator(modelDir, buildOperator);
  const a = parseNpy(await readFile(input));
  if (a.shape.length !== 3 && a.shape.length !== 4) {
    throw new Error(`predict: '${input}' must hold coefficient fields [N, H, W], got [${a.shape}]`);
  }
  const y = predict(operator, { data: a.data as ArrayLike<number>, shape: a.shape });
  const shape = a.shape.length === 3 ? y.shape.slice(0, 3) : y.shape;
  await writeFile(output, serializeNpy({ dtype: 'float32', shape, data: y.data, order: 'C' }));
  operator.dispose();
  return shape;
}
