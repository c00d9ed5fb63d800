/**
 * Darcy demo: −∇·(a∇u) = 1 on the unit square, u = 0 on the boundary, a = 12 / 3 from a
 * thresholded Gaussian random field (the FNO data recipe), solved by our own MIC(0)-PCG solver
 * (`generateDataset('darcy')`). Trains MgNO (relative H1 loss, as the MgNO paper) and an FNO
 * baseline (relative L2, as the FNO paper) on the same samples with the same budget — the same
 * epochs and the same wall-clock cap per model — then reports test relative L2 / H1, parameter
 * counts, seconds per epoch, and figures of a, u, prediction and error.
 *
 * Reads top to bottom: data → scalings → models → train (Adam, cosine lr) → evaluate → report.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
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

export interface DarcyOptions {
  /** Grid points per side (default 29; 85 is the FNO/MgNO benchmark size). */
  readonly res?: number;
  readonly train?: number;
  readonly test?: number;
  /** Epochs per model (default 40); the cosine schedule spans them. */
  readonly epochs?: number;
  /** Wall-clock cap per model in minutes (default: none). The schedule follows whichever of epochs and time is further along. */
  readonly minutes?: number;
  readonly batchSize?: number;
  readonly lr?: number;
  readonly seed?: number;
  /** Output directory (default 'runs/darcy'); the dataset is cached in `<out>/data`. */
  readonly out?: string;
  readonly backend?: BackendName;
  readonly mgno?: Partial<MgnoConfig>;
  readonly fno?: Partial<FnoConfig>;
  /** Which models to train (default both). */
  readonly models?: readonly ('mgno' | 'fno')[];
  readonly log?: (line: string) => void;
}

export interface ModelResult {
  readonly name: string;
  readonly params: number;
  readonly epochs: number;
  readonly secondsPerEpoch: number;
  readonly trainSeconds: number;
  readonly testRelL2: number;
  readonly testRelH1: number;
  readonly trainLoss: number[];
}

export interface DarcyResult {
  readonly res: number;
  readonly train: number;
  readonly test: number;
  readonly backend: string;
  readonly models: ModelResult[];
  readonly out: string;
}

async function dataset(res: number, n: number, seed: number, dir: string): Promise<Dataset> {
  if (existsSync(join(dir, 'manifest.json'))) {
    const ds = await loadDataset(dir);
    if (ds.manifest.res === res && ds.manifest.n === n && ds.manifest.seed === seed) return ds;
  }
  return generateDataset('darcy', { n, res, seed, out: dir, workers: 2 });
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
  const pred = predict(op, { data: a, shape: [n, res, res] }).data;
  const [l2, h1] = tf.tidy(() => {
    const p = tf.tensor4d(pred, [n, res, res, 1]);
    const t = tf.tensor4d(u, [n, res, res, 1]);
    return [relativeL2(p, t), relativeH1(p, t)];
  });
  const out = { l2: l2.dataSync()[0], h1: h1.dataSync()[0], pred };
  tf.dispose([l2, h1]);
  return out;
}

export async function runDarcy(options: DarcyOptions = {}): Promise<DarcyResult> {
  const res = options.res ?? 29;
  const nTrain = options.train ?? 1000;
  const nTest = options.test ?? 100;
  const epochs = options.epochs ?? 40;
  const bs = options.batchSize ?? 8;
  const lr0 = options.lr ?? 1e-3;
  const seed = options.seed ?? 0;
  const out = options.out ?? 'runs/darcy';
  const log = options.log ?? ((s: string) => console.log(s));
  const capSeconds = options.minutes !== undefined ? options.minutes * 60 : Number.POSITIVE_INFINITY;
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
  const results: ModelResult[] = [];
  for (const name of which) {
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
    const loss = name === 'mgno' ? relativeH1 : relativeL2;
    const vars = op.parameters().map((p) => p.variable);
    const opt = new AdamOptimizer(vars, {
      lr: (step) => {
        const progress = Math.min(
          1,
          Math.max(step / (epochs * Math.ceil(nTrain / bs)), (performance.now() - start) / 1000 / capSeconds),
        );
        return lr0 * 0.5 * (1 + Math.cos(Math.PI * progress));
      },
      weightDecay: 1e-4,
    });
    const rng = new Rng(seed + 1);
    const history: number[] = [];
    const start = performance.now();
    let epoch = 0;
    for (; epoch < epochs && (performance.now() - start) / 1000 < capSeconds; epoch++) {
      const perm = rng.permutation(nTrain);
      let sum = 0;
      for (let i = 0; i < nTrain; i += bs) {
        const idx = Array.from(perm.subarray(i, Math.min(nTrain, i + bs)));
        const xb = new Float32Array(idx.length * P);
        const yb = new Float32Array(idx.length * P);
        idx.forEach((k, j) => {
          xb.set(aTrain.subarray(k * P, (k + 1) * P), j * P);
          yb.set(uTrain.subarray(k * P, (k + 1) * P), j * P);
        });
        const x = tf.tensor4d(xb, [idx.length, res, res, 1]);
        const y = tf.tensor4d(yb, [idx.length, res, res, 1]);
        const { value, grads } = tf.variableGrads(() => loss(op.apply(x), y) as tf.Scalar, vars);
        opt.applyGradients(vars.map((v) => grads[v.name]));
        sum += value.dataSync()[0] * idx.length;
        tf.dispose([value, x, y, ...Object.values(grads)]);
      }
      history.push(sum / nTrain);
      const secs = (performance.now() - start) / 1000;
      log(
        `${name} epoch ${epoch + 1}: train ${name === 'mgno' ? 'relH1' : 'relL2'} ${history[epoch].toExponential(3)} (${secs.toFixed(0)} s)`,
      );
    }
    const trainSeconds = (performance.now() - start) / 1000;
    const ev = evaluate(op, aTest, uTest, nTest, res);
    const r: ModelResult = {
      name,
      params: countOperatorParameters(op),
      epochs: epoch,
      secondsPerEpoch: trainSeconds / Math.max(1, epoch),
      trainSeconds,
      testRelL2: ev.l2,
      testRelH1: ev.h1,
      trainLoss: history,
    };
    log(
      `${name}: test relL2 ${ev.l2.toExponential(3)}, relH1 ${ev.h1.toExponential(3)}, ${r.params} params, ${r.secondsPerEpoch.toFixed(1)} s/epoch`,
    );
    results.push(r);
    await saveOperator(join(out, name), op, { res, testRelL2: ev.l2, testRelH1: ev.h1 });
    await writeFile(
      join(out, `${name}_test_pred.npy`),
      serializeNpy({ dtype: 'float32', shape: [nTest, res, res], data: ev.pred, order: 'C' }),
    );
    // Figures: coefficient, truth, prediction, error for the first test sample; loss curve.
    const axis = { name: 'x', values: Array.from({ length: res }, (_, i) => i / (res - 1)) };
    const yAxis = { name: 'y', values: axis.values };
    await writeFile(
      join(out, `${name}_sample0.svg`),
      await renderSvg(
        fieldHeatmaps({
          a: yAxis,
          b: axis,
          prediction: ev.pred.subarray(0, P),
          reference: uTest.subarray(0, P),
          name: 'u',
          title: `${name}: test sample 0 (prediction, reference, |error|)`,
        }),
      ),
    );
    await writeFile(
      join(out, `${name}_loss.svg`),
      await renderSvg(
        lossCurves({
          terms: { [name === 'mgno' ? 'train relH1' : 'train relL2']: history },
          title: `${name} training loss per epoch`,
        }),
      ),
    );
    op.dispose();
    opt.dispose();
  }
  await writeFile(
    join(out, 'coefficient_sample0.svg'),
    await renderSvg(
      fieldHeatmaps({
        a: { name: 'y', values: Array.from({ length: res }, (_, i) => i / (res - 1)) },
        b: { name: 'x', values: Array.from({ length: res }, (_, i) => i / (res - 1)) },
        prediction: aTest.subarray(0, P),
        name: 'a',
        title: 'coefficient a of test sample 0',
      }),
    ),
  );
  const result: DarcyResult = { res, train: nTrain, test: nTest, backend: choice.name, models: results, out };
  await writeFile(join(out, 'results.json'), `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(join(out, 'report.md'), reportMarkdown(result));
  return result;
}

export function reportMarkdown(r: DarcyResult): string {
  const rows = r.models.map(
    (m) =>
      `| ${m.name} | ${m.params} | ${m.epochs} | ${m.secondsPerEpoch.toFixed(1)} | ${m.testRelL2.toExponential(3)} | ${m.testRelH1.toExponential(3)} |`,
  );
  return [
    `# Darcy flow, ${r.res}×${r.res}: ${r.train} train / ${r.test} test (backend ${r.backend})`,
    '',
    '| model | parameters | epochs | s/epoch | test relL2 | test relH1 |',
    '|---|---|---|---|---|---|',
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
