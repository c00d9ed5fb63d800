/**
 * Darcy demo: −∇·(a∇u) = 1 on the unit square, u = 0 on the boundary, a = 12 / 3 from a
 * thresholded Gaussian random field (the FNO data recipe), solved by our own MIC(0)-PCG solver
 * (`generateDataset('darcy')`). Trains MgNO (relative H1 loss, as the MgNO paper) and an FNO
 * baseline (relative L2, as the FNO paper) on the same samples with the same budget, then reports
 * test relative L2 / H1, parameter counts, seconds (wall and CPU) per epoch, and figures of a, u,
 * prediction and error.
 *
 * The models train in lockstep, one epoch each in turn, so both always have the same number of
 * epochs and a run cut short (shared CPU) still compares them; every `evalEvery` epochs the test
 * errors, the report and the weights are rewritten, so a partial run is a reportable result.
 *
 * Reads top to bottom: data → scalings → models → train (Adam, one-cycle lr) → evaluate → report.
 */
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import {
  AdamOptimizer,
  type BackendName,
  fieldHeatmaps,
  initBackend,
  lossCurves,
  parseNpy,
  Rng,
  renderSvg,
  serializeNpy,
} from '@pinnate/core';
import {
  buildOperator,
  countOperatorParameters,
  type Dataset,
  Fno,
  type FnoConfig,
  type GridOperator,
  generateDataset,
  loadDataset,
  loadOperator,
  Mgno,
  type MgnoConfig,
  predict,
  relativeH1,
  relativeL2,
  saveOperator,
} from '@pinnate/operators';
import * as tf from '@tensorflow/tfjs';

export type DarcyModel = 'mgno' | 'fno';

export interface DarcyOptions {
  /** Grid points per side (default 29; 85 is the FNO/MgNO benchmark size). */
  readonly res?: number;
  readonly train?: number;
  readonly test?: number;
  /** Epochs per model (default 40); the learning-rate schedule spans them. */
  readonly epochs?: number;
  /**
   * Wall-clock cap for the whole training in minutes (default: none). The schedule follows
   * whichever of epochs and time is further along, so a capped run still ends at a small lr.
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
  readonly mgno?: Partial<MgnoConfig>;
  readonly fno?: Partial<FnoConfig>;
  /** Which models to train (default both). */
  readonly models?: readonly DarcyModel[];
  readonly log?: (line: string) => void;
}

export interface ModelResult {
  readonly name: DarcyModel;
  readonly params: number;
  readonly config: Record<string, unknown>;
  readonly epochs: number;
  readonly secondsPerEpoch: number;
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
  readonly backend: string;
  /** False while training is under way (a partial report). */
  readonly finished: boolean;
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

function evaluate(
  op: GridOperator,
  a: Float32Array,
  u: Float32Array,
  n: number,
  res: number,
): { l2: number; h1: number; pred: Float32Array } {
  const pred = predict(op, { data: a, shape: [n, res, res] }, { batchSize: 20 }).data;
  const [l2, h1] = tf.tidy(() => {
    const p = tf.tensor4d(pred, [n, res, res, 1]);
    const t = tf.tensor4d(u, [n, res, res, 1]);
    return [relativeL2(p, t), relativeH1(p, t)];
  });
  const out = { l2: l2.dataSync()[0], h1: h1.dataSync()[0], pred };
  tf.dispose([l2, h1]);
  return out;
}

/** One-cycle schedule (the MgNO code's OneCycleLR: start lr/2, peak at 20 %, end lr/200), p ∈ [0, 1]. */
export function oneCycle(lr: number, p: number): number {
  const q = Math.min(1, Math.max(0, p));
  const cosine = (from: number, to: number, t: number) =>
    to + ((from - to) * (1 + Math.cos(Math.PI * t))) / 2;
  return q < 0.2 ? cosine(lr / 2, lr, q / 0.2) : cosine(lr, lr / 200, (q - 0.2) / 0.8);
}

interface Trainee {
  readonly name: DarcyModel;
  readonly op: GridOperator;
  readonly loss: typeof relativeL2;
  readonly opt: AdamOptimizer;
  readonly vars: tf.Variable[];
  readonly history: number[];
  readonly testCurve: [number, number][];
  wall: number;
  cpu: number;
  last?: { l2: number; h1: number; pred: Float32Array };
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
  })) {
    if (!Number.isInteger(v) || v < 1)
      throw new Error(`runDarcy: '${k}' must be a positive integer, got ${v}`);
  }
  if (!(lr0 > 0)) throw new Error(`runDarcy: 'lr' must be positive, got ${lr0}`);
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

  // Fixed scalings from the training set, stored in the model configs.
  const [aMean, aStd] = moments(aTrain);
  const [, uStd] = moments(uTrain);
  const scaling = { inputShift: aMean, inputScale: aStd, outputScale: uStd };

  const which = options.models ?? ['mgno', 'fno'];
  const stepsPerEpoch = Math.ceil(nTrain / bs);
  const start = performance.now();
  const progress = (step: number) =>
    Math.max(step / (epochs * stepsPerEpoch), (performance.now() - start) / 1000 / capSeconds);
  const trainees: Trainee[] = which.map((name) => {
    const op: GridOperator =
      name === 'mgno'
        ? new Mgno({ channels: 24, layers: 4, smoothing: [1, 1, 1, 2], ...options.mgno, ...scaling, seed })
        : new Fno({
            width: 32,
            modes: Math.min(12, Math.floor(res / 2)),
            layers: 4,
            ...options.fno,
            ...scaling,
            seed,
          });
    const vars = op.parameters().map((p) => p.variable);
    return {
      name,
      op,
      loss: name === 'mgno' ? relativeH1 : relativeL2,
      opt: new AdamOptimizer(vars, { lr: (step) => oneCycle(lr0, progress(step)), weightDecay: 1e-4 }),
      vars,
      history: [],
      testCurve: [],
      wall: 0,
      cpu: 0,
    };
  });
  for (const t of trainees) log(`${t.name}: ${countOperatorParameters(t.op)} parameters`);

  const loads: number[] = [];
  const progressFile = join(out, 'progress.jsonl');
  await writeFile(progressFile, '');
  const result = (finished: boolean): DarcyResult => ({
    res,
    train: nTrain,
    test: nTest,
    batchSize: bs,
    lr: lr0,
    backend: choice.name,
    finished,
    load: { now: loadavg()[0], meanOverEpochs: loads.reduce((a, b) => a + b, 0) / Math.max(1, loads.length) },
    models: trainees.map((t) => {
      const n = t.history.length;
      return {
        name: t.name,
        params: countOperatorParameters(t.op),
        config: t.op.config() as Record<string, unknown>,
        epochs: n,
        secondsPerEpoch: t.wall / Math.max(1, n),
        cpuSecondsPerEpoch: t.cpu / Math.max(1, n),
        trainSeconds: t.wall,
        trainCpuSeconds: t.cpu,
        testRelL2: t.last?.l2 ?? Number.NaN,
        testRelH1: t.last?.h1 ?? Number.NaN,
        trainLoss: [...t.history],
        testCurve: [...t.testCurve],
      };
    }),
    out,
  });

  const rng = new Rng(seed + 1);
  let epoch = 0;
  for (; epoch < epochs && (performance.now() - start) / 1000 < capSeconds; epoch++) {
    // The same sample order for every model in this epoch.
    const perm = rng.permutation(nTrain);
    for (const t of trainees) {
      const w0 = performance.now();
      const c0 = process.cpuUsage();
      let sum = 0;
      for (let i = 0; i < nTrain; i += bs) {
        const idx = perm.subarray(i, Math.min(nTrain, i + bs));
        const xb = new Float32Array(idx.length * P);
        const yb = new Float32Array(idx.length * P);
        idx.forEach((k, j) => {
          xb.set(aTrain.subarray(k * P, (k + 1) * P), j * P);
          yb.set(uTrain.subarray(k * P, (k + 1) * P), j * P);
        });
        const x = tf.tensor4d(xb, [idx.length, res, res, 1]); // [b, res, res, 1]
        const y = tf.tensor4d(yb, [idx.length, res, res, 1]);
        const { value, grads } = tf.variableGrads(() => t.loss(t.op.apply(x), y) as tf.Scalar, t.vars);
        t.opt.applyGradients(t.vars.map((v) => grads[v.name]));
        sum += value.dataSync()[0] * idx.length;
        tf.dispose([value, x, y, ...Object.values(grads)]);
      }
      t.history.push(sum / nTrain);
      const dc = process.cpuUsage(c0);
      t.wall += (performance.now() - w0) / 1000;
      t.cpu += (dc.user + dc.system) / 1e6;
    }
    loads.push(loadavg()[0]);
    const last = epoch + 1 >= epochs || (performance.now() - start) / 1000 >= capSeconds;
    const evalNow = last || (epoch + 1) % evalEvery === 0;
    if (evalNow) for (const t of trainees) t.last = evaluate(t.op, aTest, uTest, nTest, res);
    if (evalNow) for (const t of trainees) t.testCurve.push([epoch + 1, (t.last as { l2: number }).l2]);
    const line = {
      epoch: epoch + 1,
      wallSeconds: (performance.now() - start) / 1000,
      load: loads[loads.length - 1],
      lr: oneCycle(lr0, progress((epoch + 1) * stepsPerEpoch)),
      ...Object.fromEntries(
        trainees.flatMap((t) => [
          [`${t.name}Train`, t.history[epoch]],
          [`${t.name}CpuSeconds`, t.cpu],
          ...(evalNow ? [[`${t.name}TestRelL2`, t.last?.l2]] : []),
        ]),
      ),
    };
    await appendFile(progressFile, `${JSON.stringify(line)}\n`);
    log(
      `epoch ${epoch + 1} (${line.wallSeconds.toFixed(0)} s, load ${line.load.toFixed(1)}): ${trainees
        .map(
          (t) =>
            `${t.name} train ${t.name === 'mgno' ? 'relH1' : 'relL2'} ${t.history[epoch].toExponential(3)}` +
            (evalNow ? ` test relL2 ${t.last?.l2.toExponential(3)}` : '') +
            ` [${t.cpu.toFixed(0)} cpu-s]`,
        )
        .join('; ')}`,
    );
    if (evalNow && !last) await writeReport(result(false), trainees, aTest, uTest);
  }

  if (options.evalRes !== undefined) {
    const r2 = options.evalRes;
    const ds2 = await dataset(r2, nTest, seed + 7919, join(out, `data-${r2}`));
    const a2 = toF32(ds2.arrays.a.data as ArrayLike<number>);
    const u2 = toF32(ds2.arrays.u.data as ArrayLike<number>);
    for (const t of trainees) {
      const e = evaluate(t.op, a2, u2, nTest, r2);
      (t as Trainee & { evalRes?: unknown }).evalRes = { res: r2, relL2: e.l2, relH1: e.h1 };
      log(
        `${t.name} at ${r2}² (trained at ${res}²): relL2 ${e.l2.toExponential(3)}, relH1 ${e.h1.toExponential(3)}`,
      );
    }
  }
  const final = result(true);
  const withEval: DarcyResult = {
    ...final,
    models: final.models.map((m, i) => {
      const e = (trainees[i] as Trainee & { evalRes?: ModelResult['evalRes'] }).evalRes;
      return e ? { ...m, evalRes: e } : m;
    }),
  };
  await writeReport(withEval, trainees, aTest, uTest);
  for (const t of trainees) {
    log(
      `${t.name}: test relL2 ${t.last?.l2.toExponential(3)}, relH1 ${t.last?.h1.toExponential(3)}, ${t.history.length} epochs, ${(t.wall / Math.max(1, t.history.length)).toFixed(1)} s/epoch (${(t.cpu / Math.max(1, t.history.length)).toFixed(1)} cpu-s)`,
    );
    t.op.dispose();
    t.opt.dispose();
  }
  return withEval;
}

/** results.json, report.md, weights, test predictions and figures of the last evaluation. */
async function writeReport(r: DarcyResult, trainees: Trainee[], aTest: Float32Array, uTest: Float32Array) {
  const { res, out, test: nTest } = r;
  const P = res * res;
  const axis = { name: 'x', values: Array.from({ length: res }, (_, i) => i / (res - 1)) };
  const yAxis = { name: 'y', values: axis.values };
  for (const t of trainees) {
    const ev = t.last;
    if (!ev) continue;
    await saveOperator(join(out, t.name), t.op, {
      res,
      epochs: t.history.length,
      testRelL2: ev.l2,
      testRelH1: ev.h1,
    });
    await writeFile(
      join(out, `${t.name}_test_pred.npy`),
      serializeNpy({ dtype: 'float32', shape: [nTest, res, res], data: ev.pred, order: 'C' }),
    );
    // Coefficient, truth, prediction, error for the first test sample; loss curves.
    await writeFile(
      join(out, `${t.name}_sample0.svg`),
      await renderSvg(
        fieldHeatmaps({
          a: yAxis,
          b: axis,
          prediction: ev.pred.subarray(0, P),
          reference: uTest.subarray(0, P),
          name: 'u',
          title: `${t.name}: test sample 0 (prediction, reference, |error|), relL2 over the test set ${ev.l2.toExponential(2)}`,
        }),
      ),
    );
    const testL2 = new Array<number>(t.history.length).fill(Number.NaN);
    for (const [e, v] of t.testCurve) testL2[e - 1] = v;
    await writeFile(
      join(out, `${t.name}_loss.svg`),
      await renderSvg(
        lossCurves({
          terms: {
            [t.name === 'mgno' ? 'train relH1' : 'train relL2']: t.history,
            'test relL2': testL2,
          },
          title: `${t.name}: loss per epoch`,
        }),
      ),
    );
  }
  await writeFile(
    join(out, 'coefficient_sample0.svg'),
    await renderSvg(
      fieldHeatmaps({
        a: yAxis,
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
    `Batch ${r.batchSize}, peak lr ${r.lr} (one-cycle), load average ${r.load.meanOverEpochs.toFixed(1)} (mean over epochs).`,
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
