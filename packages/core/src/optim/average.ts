/**
 * Averages of a model's parameters over training: the arithmetic (Polyak–Ruppert) mean of the
 * values seen at each `update()`, or an exponential moving average. When the iterates wander
 * around a minimum because every step sees a different random draw of points, the average
 * damps that noise without any reference data; near a minimum the model is close to linear in
 * its parameters, so the averaged parameters predict close to the averaged predictions.
 *
 * The running average lives on the host in float64 (`dataSync` per update, no tensors kept),
 * so it costs no device memory and `update()` leaves `tf.memory().numTensors` unchanged.
 */
import * as tf from '@tensorflow/tfjs';
import { check } from './errors.ts';

export interface ParameterAverageConfig {
  /**
   * 'mean' (default): the arithmetic mean of every update since construction or `reset()`;
   * 'ema': avg ← decay · avg + (1 − decay) · value, the first update setting avg = value (so no
   * bias correction is needed).
   */
  readonly kind?: 'mean' | 'ema';
  /** EMA decay in (0, 1), default 0.9 (about the last 10 updates). Ignored for 'mean'. */
  readonly decay?: number;
}

export class ParameterAverage {
  readonly kind: 'mean' | 'ema';
  readonly decay: number;
  private readonly vars: readonly tf.Variable[];
  private readonly sums: Float64Array[];
  private n = 0;

  constructor(variables: readonly tf.Variable[], config: ParameterAverageConfig = {}) {
    check(variables.length > 0, () => `ParameterAverage: 'variables' must not be empty`);
    this.kind = config.kind ?? 'mean';
    check(
      this.kind === 'mean' || this.kind === 'ema',
      () => `ParameterAverage: 'kind' must be 'mean' or 'ema', got '${String(config.kind)}'`,
    );
    this.decay = config.decay ?? 0.9;
    check(
      Number.isFinite(this.decay) && this.decay > 0 && this.decay < 1,
      () => `ParameterAverage: 'decay' must be in (0, 1), got ${config.decay}`,
    );
    this.vars = variables;
    this.sums = variables.map((v) => new Float64Array(v.size));
  }

  /** Updates folded into the average since construction or `reset()`. */
  get count(): number {
    return this.n;
  }

  /** Folds the variables' current values into the average. */
  update(): void {
    const first = this.n === 0;
    this.n++;
    // mean: acc += (x − acc) / n (stable, no growing sum); ema: acc += (1 − decay)(x − acc).
    const rate = first ? 1 : this.kind === 'mean' ? 1 / this.n : 1 - this.decay;
    for (let k = 0; k < this.vars.length; k++) {
      const x = this.vars[k].dataSync();
      const acc = this.sums[k];
      for (let i = 0; i < acc.length; i++) acc[i] += rate * (x[i] - acc[i]);
    }
  }

  /** Forgets every update (the next one starts a new average). */
  reset(): void {
    this.n = 0;
    for (const s of this.sums) s.fill(0);
  }

  /** Copies of the averaged values, one per variable in the constructor's order. */
  values(): Float64Array[] {
    this.needUpdates();
    return this.sums.map((s) => s.slice());
  }

  /** Writes the average into the variables (e.g. the final model after training). */
  assign(): void {
    this.needUpdates();
    this.write(this.sums);
  }

  /**
   * Runs `fn` with the average in the variables, then puts the current values back (to
   * evaluate the averaged model while training goes on from the raw iterate).
   */
  withAverage<T>(fn: () => T): T {
    this.needUpdates();
    const saved = this.vars.map((v) => v.dataSync().slice());
    this.write(this.sums);
    try {
      return fn();
    } finally {
      this.write(saved);
    }
  }

  private needUpdates(): void {
    check(this.n > 0, () => 'ParameterAverage: no update() yet, the average is undefined');
  }

  private write(values: readonly ArrayLike<number>[]): void {
    for (let k = 0; k < this.vars.length; k++) {
      const v = this.vars[k];
      const t = tf.tensor(Float32Array.from(values[k]), v.shape, 'float32');
      v.assign(t);
      t.dispose();
    }
  }
}
