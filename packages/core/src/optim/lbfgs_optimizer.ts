/**
 * L-BFGS over tf variables: adapts the float64 `lbfgs` to a loss computed with tfjs.
 *
 * The variables are flattened into one Float64Array (in parameter order, row-major). Each
 * trial point is rounded to float32 before evaluation (`snap`), written into the variables,
 * and the caller's `lossAndGrads` is run; loss and gradients are read back to JS outside any
 * `tf.tidy` (reading inside tidy is slow, see NOTES.md) and the returned tensors are disposed.
 * When `minimize` returns, the variables hold the best point found. Because f is float32, the
 * approximate-Wolfe acceptance is on by default (`fNoise` 1e-6): on the 60x12 least-squares
 * test (wasm) it reaches the float64 closed form to 4e-8 relative, against 2e-5 with
 * `fNoise: 0`, where the search stops once f's float32 rounding hides the decrease.
 */
import * as tf from '@tensorflow/tfjs';
import { check } from './errors.ts';
import {
  type Evaluation,
  type LbfgsOptions,
  type LbfgsResult,
  type LbfgsStopReason,
  lbfgsIterator,
  resolveOptions,
} from './lbfgs.ts';

/** `LbfgsOptions` without the parts the adapter owns; defaults as there, except `fNoise` = 1e-6. */
export type LbfgsOptimizerOptions = Omit<LbfgsOptions, 'snap' | 'callback'>;

export interface LbfgsOptimizerIterationInfo {
  /** Iterations (accepted steps) so far, >= 1. */
  iteration: number;
  /** Loss at the current point. */
  value: number;
  /** max_i |dloss/dparam_i|. */
  gradNorm: number;
  evaluations: number;
}

export interface LbfgsMinimizeOptions extends LbfgsOptimizerOptions {
  /**
   * Called after every iteration with the variables set to the current point; return `true`
   * to stop (reason 'callback').
   */
  callback?: (info: LbfgsOptimizerIterationInfo) => boolean | undefined;
}

export interface LbfgsMinimizeResult {
  /** Loss at the best point, which the variables hold. */
  value: number;
  iterations: number;
  evaluations: number;
  reason: LbfgsStopReason;
  message: string;
}

/**
 * Loss and gradients at the variables' current values; `grads[i]` belongs to `params[i]`.
 * The optimizer disposes the returned tensors.
 */
export type LossAndGrads = () => { loss: tf.Scalar | tf.Tensor; grads: tf.Tensor[] };

const OP = 'LbfgsOptimizer';

export class LbfgsOptimizer {
  readonly params: readonly tf.Variable[];
  private readonly options: LbfgsOptimizerOptions;
  private readonly sizes: number[];
  private readonly total: number;

  constructor(params: tf.Variable[], options: LbfgsOptimizerOptions = {}) {
    check(
      Array.isArray(params) && params.length > 0,
      () => `${OP}: 'params' must be a non-empty array of tf.Variable`,
    );
    params.forEach((p, i) => {
      check(p instanceof tf.Variable, () => `${OP}: 'params[${i}]' must be a tf.Variable`);
      check(p.dtype === 'float32', () => `${OP}: 'params[${i}]' must be float32, got ${p.dtype}`);
    });
    this.options = { fNoise: 1e-6, ...options };
    resolveOptions(this.options);
    this.params = [...params];
    this.sizes = params.map((p) => p.size);
    this.total = this.sizes.reduce((a, b) => a + b, 0);
  }

  /** Runs L-BFGS from the variables' current values, reading tensors with `dataSync`. */
  minimize(lossAndGrads: LossAndGrads, options: LbfgsMinimizeOptions = {}): LbfgsMinimizeResult {
    const run = this.start(lossAndGrads, options);
    try {
      let r = run.it.next();
      while (!r.done) {
        const tensors = run.evaluate(r.value);
        try {
          r = run.it.next(run.collect(tensors.map((t) => t.dataSync())));
        } finally {
          tf.dispose(tensors);
        }
      }
      return run.finish(r.value);
    } catch (e) {
      run.restore();
      throw e;
    }
  }

  /**
   * `minimize` reading tensors with `await data()`, for backends that cannot read synchronously
   * (webgpu) or when the event loop must stay responsive.
   */
  async minimizeAsync(
    lossAndGrads: LossAndGrads,
    options: LbfgsMinimizeOptions = {},
  ): Promise<LbfgsMinimizeResult> {
    const run = this.start(lossAndGrads, options);
    try {
      let r = run.it.next();
      while (!r.done) {
        const tensors = run.evaluate(r.value);
        try {
          r = run.it.next(run.collect(await Promise.all(tensors.map((t) => t.data()))));
        } finally {
          tf.dispose(tensors);
        }
      }
      return run.finish(r.value);
    } catch (e) {
      run.restore();
      throw e;
    }
  }

  /** Nothing to free (L-BFGS keeps its memory in JS); here so every optimizer has `dispose`. */
  dispose(): void {}

  private start(lossAndGrads: LossAndGrads, options: LbfgsMinimizeOptions) {
    check(typeof lossAndGrads === 'function', () => `${OP}.minimize: 'lossAndGrads' must be a function`);
    const { callback, ...rest } = options;
    const x0 = this.read();
    let written: Float64Array | undefined;
    let accepted: Float64Array = x0;
    const write = (x: Float64Array) => {
      if (written !== x) this.write(x);
      written = x;
    };
    const it = lbfgsIterator(x0, {
      ...this.options,
      ...rest,
      snap: (x) => {
        for (let i = 0; i < x.length; i++) x[i] = Math.fround(x[i]);
      },
      callback: (info) => {
        accepted = info.x;
        if (!callback) return undefined;
        write(info.x);
        const { iteration, value, gradNorm, evaluations } = info;
        return callback({ iteration, value, gradNorm, evaluations });
      },
    });

    const params = this.params;
    return {
      it,
      /** Writes `x` into the variables and runs the loss; returns [loss, ...grads] (to dispose). */
      evaluate: (x: Float64Array): tf.Tensor[] => {
        write(x);
        return checkOutput(lossAndGrads(), params);
      },
      /** Builds the evaluation from the data of [loss, ...grads]. */
      collect: ([loss, ...grads]: ArrayLike<number>[]): Evaluation => {
        const grad = new Float64Array(this.total);
        let offset = 0;
        for (let i = 0; i < grads.length; i++) {
          grad.set(grads[i], offset);
          offset += this.sizes[i];
        }
        return { value: loss[0], grad };
      },
      finish: (r: LbfgsResult): LbfgsMinimizeResult => {
        write(r.x);
        const { value, iterations, evaluations, reason, message } = r;
        return { value, iterations, evaluations, reason, message };
      },
      /** After an exception: leave the last accepted point (or the start) in the variables. */
      restore: () => {
        written = undefined;
        write(accepted);
      },
    };
  }

  private read(): Float64Array {
    const x = new Float64Array(this.total);
    let offset = 0;
    for (let i = 0; i < this.params.length; i++) {
      x.set(this.params[i].dataSync(), offset);
      offset += this.sizes[i];
    }
    return x;
  }

  private write(x: Float64Array): void {
    let offset = 0;
    tf.tidy(() => {
      for (let i = 0; i < this.params.length; i++) {
        const p = this.params[i];
        p.assign(
          tf.tensor(Float32Array.from(x.subarray(offset, offset + this.sizes[i])), p.shape, 'float32'),
        );
        offset += this.sizes[i];
      }
    });
  }
}

/** Validates what `lossAndGrads` returned; returns [loss, ...grads]. Disposes them on error. */
function checkOutput(out: ReturnType<LossAndGrads>, params: readonly tf.Variable[]): tf.Tensor[] {
  const op = `${OP}.minimize`;
  check(
    out !== null && typeof out === 'object' && out.loss instanceof tf.Tensor && Array.isArray(out.grads),
    () => `${op}: 'lossAndGrads' must return {loss: tf.Scalar, grads: tf.Tensor[]}`,
  );
  const tensors = [out.loss, ...out.grads.filter((g) => g instanceof tf.Tensor)];
  const fail = (message: string): never => {
    tf.dispose(tensors);
    throw new Error(`${op}: ${message}`);
  };
  if (out.loss.size !== 1) fail(`'loss' must be a scalar, got shape [${out.loss.shape}]`);
  if (out.grads.length !== params.length) {
    fail(`'grads' must have one tensor per parameter (${params.length}), got ${out.grads.length}`);
  }
  out.grads.forEach((g, i) => {
    if (!(g instanceof tf.Tensor)) fail(`'grads[${i}]' must be a tf.Tensor, got ${String(g)}`);
    if (!tf.util.arraysEqual(g.shape, params[i].shape)) {
      fail(
        `'grads[${i}]' has shape [${g.shape}] but params[${i}] ('${params[i].name}') has shape [${params[i].shape}]`,
      );
    }
  });
  return [out.loss, ...out.grads];
}
