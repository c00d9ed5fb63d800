/**
 * One Darcy model's training, the same whether it runs in the main thread (lockstep mode) or in
 * its own worker thread (parallel mode): build the operator from a plain setup object, train an
 * epoch in a given sample order, evaluate on the test set, write its files (weights, test
 * predictions, figures). Everything in `ModelSetup` is structured-cloneable so it can cross into a
 * worker unchanged, which is what makes the two modes give the same numbers.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AdamOptimizer, fieldHeatmaps, lossCurves, Rng, renderSvg, serializeNpy } from '@pinnate/core';
import {
  countOperatorParameters,
  Fno,
  type FnoConfig,
  type GridOperator,
  Mgno,
  type MgnoConfig,
  predict,
  relativeH1,
  relativeL2,
  saveOperator,
} from '@pinnate/operators';
import * as tf from '@tensorflow/tfjs';

export type DarcyModel = 'mgno' | 'fno';

/** Everything one model's training depends on (plain data: it is posted to workers). */
export interface ModelSetup {
  readonly name: DarcyModel;
  readonly res: number;
  readonly nTrain: number;
  readonly epochs: number;
  readonly batchSize: number;
  /** Peak learning rate of the one-cycle schedule. */
  readonly lr: number;
  readonly seed: number;
  /** Wall-clock cap in seconds (Infinity for none); the schedule follows epochs or time, whichever is further. */
  readonly capSeconds: number;
  /** Fixed input/output scalings from the training set, stored in the model config. */
  readonly scaling: { inputShift: number; inputScale: number; outputScale: number };
  /**
   * Decoupled weight decay of Adam, p ← p(1 − lr·decay) per step (AdamW style; default 1e-4).
   * At lr ≤ 1e-3 this is under 1e-7 per step: practically no decay.
   */
  readonly decay?: number;
  /**
   * L2 weight decay added to the gradient, g ← g + l2·p, before Adam (default 0): what PyTorch's
   * `Adam(weight_decay=…)` does, which the MgNO code uses with 1e-4.
   */
  readonly l2?: number;
  readonly mgno?: Partial<MgnoConfig>;
  readonly fno?: Partial<FnoConfig>;
}

/** Where the epoch loop is after one epoch has trained. */
export interface EpochTick {
  /** 1-based count of epochs trained so far. */
  readonly epoch: number;
  /** The run stops after this epoch (epoch count reached or the wall-clock cap passed). */
  readonly last: boolean;
  /** Evaluate now: every `evalEvery` epochs and after the last one. */
  readonly evalNow: boolean;
}

/**
 * The epoch loop both modes share, so lockstep (every model in this thread, one epoch each in
 * turn) and parallel (one model per worker) draw the same sample order and stop and evaluate at
 * the same epochs: the permutation comes from one generator seeded `seed + 1` per loop.
 */
export async function runEpochs(
  s: Pick<ModelSetup, 'seed' | 'nTrain' | 'epochs' | 'capSeconds'> & { readonly evalEvery: number },
  start: number,
  train: (perm: Int32Array) => void,
  after: (tick: EpochTick) => Promise<void>,
): Promise<void> {
  const rng = new Rng(s.seed + 1);
  const elapsed = () => (performance.now() - start) / 1000;
  for (let epoch = 0; epoch < s.epochs && elapsed() < s.capSeconds; epoch++) {
    train(rng.permutation(s.nTrain));
    const last = epoch + 1 >= s.epochs || elapsed() >= s.capSeconds;
    await after({ epoch: epoch + 1, last, evalNow: last || (epoch + 1) % s.evalEvery === 0 });
  }
}

/** One-cycle schedule (the MgNO code's OneCycleLR: start lr/2, peak at 20 %, end lr/200), p ∈ [0, 1]. */
export function oneCycle(lr: number, p: number): number {
  const q = Math.min(1, Math.max(0, p));
  const cosine = (from: number, to: number, t: number) =>
    to + ((from - to) * (1 + Math.cos(Math.PI * t))) / 2;
  return q < 0.2 ? cosine(lr / 2, lr, q / 0.2) : cosine(lr, lr / 200, (q - 0.2) / 0.8);
}

/**
 * CPU seconds of the calling thread. In parallel mode process.cpuUsage() would count both
 * workers, so on Linux this reads the thread's own utime + stime (clock ticks of 10 ms); elsewhere
 * it falls back to the process figure.
 */
export function threadCpuSeconds(): number {
  try {
    const s = readFileSync('/proc/thread-self/stat', 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  }
}

/** g + l2·p for every parameter (new tensors; the inputs are untouched). */
export function addL2(grads: readonly tf.Tensor[], params: readonly tf.Variable[], l2: number): tf.Tensor[] {
  if (grads.length !== params.length)
    throw new Error(`addL2: 'grads' has ${grads.length} tensors for ${params.length} 'params'`);
  return tf.tidy(() => grads.map((g, i) => tf.add(g, tf.mul(params[i], l2))));
}

export interface Evaluation {
  readonly l2: number;
  readonly h1: number;
  /** [n, res, res] predictions. */
  readonly pred: Float32Array;
}

/** Test relative L2 / H1 of `op` on n fields a → u at res². */
export function evaluateOperator(
  op: GridOperator,
  a: Float32Array,
  u: Float32Array,
  n: number,
  res: number,
): Evaluation {
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

/** A model with its optimizer, trained epoch by epoch; records losses, wall and CPU seconds. */
export class ModelTrainer {
  readonly name: DarcyModel;
  readonly op: GridOperator;
  readonly history: number[] = [];
  /** [epoch, test relL2] at every evaluation. */
  readonly testCurve: [number, number][] = [];
  wall = 0;
  cpu = 0;
  last?: Evaluation;
  private readonly setup: ModelSetup;
  private readonly loss: typeof relativeL2;
  private readonly opt: AdamOptimizer;
  private readonly vars: tf.Variable[];
  private readonly stepsPerEpoch: number;
  private readonly start: number;
  private readonly l2: number;

  /** `start` (performance.now() ms) anchors the time cap of the schedule. */
  constructor(setup: ModelSetup, start: number = performance.now()) {
    const { name, res, seed, scaling } = setup;
    this.setup = setup;
    this.name = name;
    this.start = start;
    this.stepsPerEpoch = Math.ceil(setup.nTrain / setup.batchSize);
    this.op =
      name === 'mgno'
        ? new Mgno({ channels: 24, layers: 4, smoothing: [1, 1, 1, 2], ...setup.mgno, ...scaling, seed })
        : new Fno({
            width: 32,
            modes: Math.min(12, Math.floor(res / 2)),
            layers: 4,
            ...setup.fno,
            ...scaling,
            seed,
          });
    this.vars = this.op.parameters().map((p) => p.variable);
    // MgNO trains on relative H1 as in its paper, the FNO on relative L2 as in its.
    this.loss = name === 'mgno' ? relativeH1 : relativeL2;
    const decay = setup.decay ?? 1e-4;
    const l2 = setup.l2 ?? 0;
    if (!(decay >= 0)) throw new Error(`ModelTrainer: 'decay' must be ≥ 0, got ${decay}`);
    if (!(l2 >= 0)) throw new Error(`ModelTrainer: 'l2' must be ≥ 0, got ${l2}`);
    this.l2 = l2;
    this.opt = new AdamOptimizer(this.vars, { lr: (step) => this.lr(step), weightDecay: decay });
  }

  get params(): number {
    return countOperatorParameters(this.op);
  }

  /** Learning rate at optimizer step `step`: one-cycle over epochs or the time cap, whichever is further. */
  lr(step: number): number {
    const byTime = (performance.now() - this.start) / 1000 / this.setup.capSeconds;
    return oneCycle(this.setup.lr, Math.max(step / (this.setup.epochs * this.stepsPerEpoch), byTime));
  }

  /** One optimizer step on a batch; returns the batch loss. Leaves the tensor count unchanged. */
  step(xb: Float32Array, yb: Float32Array, b: number): number {
    const r = this.setup.res;
    const x = tf.tensor4d(xb, [b, r, r, 1]); // [b, res, res, 1]
    const y = tf.tensor4d(yb, [b, r, r, 1]);
    const { value, grads } = tf.variableGrads(() => this.loss(this.op.apply(x), y) as tf.Scalar, this.vars);
    const g = this.vars.map((v) => grads[v.name]);
    const withL2 = this.l2 > 0 ? addL2(g, this.vars, this.l2) : g;
    this.opt.applyGradients(withL2);
    const loss = value.dataSync()[0];
    tf.dispose([value, x, y, ...Object.values(grads)]);
    if (withL2 !== g) tf.dispose(withL2);
    return loss;
  }

  /** One epoch over the training set in the order `perm`; returns the mean loss. */
  epoch(perm: Int32Array, a: Float32Array, u: Float32Array): number {
    const { nTrain, batchSize: bs, res } = this.setup;
    const P = res * res;
    const w0 = performance.now();
    const c0 = threadCpuSeconds();
    let sum = 0;
    for (let i = 0; i < nTrain; i += bs) {
      const idx = perm.subarray(i, Math.min(nTrain, i + bs));
      const xb = new Float32Array(idx.length * P);
      const yb = new Float32Array(idx.length * P);
      for (let j = 0; j < idx.length; j++) {
        const k = idx[j];
        xb.set(a.subarray(k * P, (k + 1) * P), j * P);
        yb.set(u.subarray(k * P, (k + 1) * P), j * P);
      }
      sum += this.step(xb, yb, idx.length) * idx.length;
    }
    const mean = sum / nTrain;
    this.history.push(mean);
    this.wall += (performance.now() - w0) / 1000;
    this.cpu += threadCpuSeconds() - c0;
    return mean;
  }

  /** Evaluates on the test set and records the point on the test curve. */
  evaluate(a: Float32Array, u: Float32Array, n: number): Evaluation {
    this.last = evaluateOperator(this.op, a, u, n, this.setup.res);
    this.testCurve.push([this.history.length, this.last.l2]);
    return this.last;
  }

  /** Weights, test predictions and figures of the last evaluation into `out`. */
  async writeFiles(out: string, uTest: Float32Array, nTest: number): Promise<void> {
    const ev = this.last;
    if (!ev) return;
    const { res } = this.setup;
    const P = res * res;
    const axis = { name: 'x', values: Array.from({ length: res }, (_, i) => i / (res - 1)) };
    await saveOperator(join(out, this.name), this.op, {
      res,
      epochs: this.history.length,
      testRelL2: ev.l2,
      testRelH1: ev.h1,
    });
    await writeFile(
      join(out, `${this.name}_test_pred.npy`),
      serializeNpy({ dtype: 'float32', shape: [nTest, res, res], data: ev.pred, order: 'C' }),
    );
    // Prediction, truth and error for the first test sample; loss curves.
    await writeFile(
      join(out, `${this.name}_sample0.svg`),
      await renderSvg(
        fieldHeatmaps({
          a: { ...axis, name: 'y' },
          b: axis,
          prediction: ev.pred.subarray(0, P),
          reference: uTest.subarray(0, P),
          name: 'u',
          title: `${this.name}: test sample 0 (prediction, reference, |error|), relL2 over the test set ${ev.l2.toExponential(2)}`,
        }),
      ),
    );
    const testL2 = new Array<number>(this.history.length).fill(Number.NaN);
    for (const [e, v] of this.testCurve) testL2[e - 1] = v;
    await writeFile(
      join(out, `${this.name}_loss.svg`),
      await renderSvg(
        lossCurves({
          terms: {
            [this.name === 'mgno' ? 'train relH1' : 'train relL2']: this.history,
            'test relL2': testL2,
          },
          title: `${this.name}: loss per epoch`,
        }),
      ),
    );
  }

  dispose(): void {
    this.op.dispose();
    this.opt.dispose();
  }
}
