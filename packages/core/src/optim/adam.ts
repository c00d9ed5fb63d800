/**
 * Adam and AdamW (Kingma & Ba 2015; Loshchilov & Hutter 2019) over a fixed list of tf variables.
 *
 * Update at step t = step + 1 (PyTorch's formulation, so runs compare with the torch peer):
 *   g  <- clip(g)                                   (clipValue elementwise, then clipNorm globally)
 *   m  <- beta1 m + (1 - beta1) g
 *   v  <- beta2 v + (1 - beta2) g^2
 *   p  <- p (1 - lr weightDecay)                    (decoupled decay: AdamW; skipped when 0)
 *   p  <- p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + epsilon)
 * with lr = schedule(step), step counting updates already applied.
 *
 * Speed: on wasm each tfjs op costs ~25 us of dispatch however small its tensor, so a loop of
 * ~14 ops per variable dominates for MLP-sized models. The moments live in two flat buffers and
 * the update runs once over the concatenated gradients and parameters, then is sliced back:
 * a constant ~20 + 2 * (number of variables) ops per step. Large models are split into groups
 * of ≤ 65 536 values, each with its own flat buffers, because a wasm `Slice` copies its whole
 * input: slicing 94 MgNO variables out of one 312k buffer cost 67-115 ms per step against
 * 26-35 ms in groups. Nothing is read back to JS in `applyGradients`, so it never stalls a
 * GPU backend.
 */
import * as tf from '@tensorflow/tfjs';
import { check, checkNonNegative, checkPositive } from './errors.ts';
import { type LrSchedule, type LrScheduleConfig, makeSchedule } from './schedules.ts';

export interface AdamConfig {
  /**
   * Learning rate: a constant (> 0), a serializable schedule config, or a schedule function
   * (not serializable: a trainer that saves configs should use one of the first two).
   */
  lr: number | LrScheduleConfig | LrSchedule;
  /** Decay of the first-moment average, in [0, 1) (default 0.9). */
  beta1?: number;
  /** Decay of the second-moment average, in [0, 1) (default 0.999). */
  beta2?: number;
  /** Added to the bias-corrected RMS before dividing, > 0 (default 1e-8). */
  epsilon?: number;
  /** Decoupled weight decay per unit lr, >= 0 (default 0: plain Adam; > 0: AdamW). */
  weightDecay?: number;
  /**
   * Rescale the gradients so their global L2 norm (over all variables) is at most this (> 0);
   * scale = min(1, clipNorm / (norm + 1e-6)) as in PyTorch's `clip_grad_norm_`. Default: off.
   */
  clipNorm?: number;
  /** Clamp every gradient entry to [-clipValue, clipValue] (> 0), before `clipNorm`. Default: off. */
  clipValue?: number;
}

/**
 * Checkpointable Adam state: plain data, `JSON.stringify`-safe as returned by `getState`.
 * Moments are flat: all variables concatenated in parameter order, each row-major. Values are
 * float32 numbers; a float32 survives a round trip through a JS number and JSON exactly, so a
 * restored optimizer continues bit-identically. `setState` also accepts `Float32Array`s (e.g.
 * read from `.npy`).
 */
export interface AdamState {
  kind: 'adam';
  version: 1;
  /** Updates applied so far. */
  step: number;
  /** Parameter shapes, checked by `setState` so a state never loads into another model. */
  shapes: number[][];
  m: number[] | Float32Array;
  v: number[] | Float32Array;
}

export type OptimizerState = AdamState;

const OP = 'AdamOptimizer';

export class AdamOptimizer {
  readonly params: readonly tf.Variable[];
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  readonly clipNorm: number | undefined;
  readonly clipValue: number | undefined;
  private readonly schedule: LrSchedule;
  private readonly sizes: number[];
  private readonly total: number;
  /**
   * Consecutive parameter ranges [start, end) of at most GROUP_VALUES values (or one larger
   * variable): each group runs the flat update on its own concatenation. One flat buffer for
   * everything would be fewest ops, but slicing the update back costs a copy of the whole
   * buffer per variable on wasm (NOTES.md) — 155 of ~450 ms per MgNO step with 94 variables.
   */
  private readonly groups: { readonly start: number; readonly end: number; readonly size: number }[];
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  /** Step-independent scalars, made once so a step allocates only what changes per step. */
  private readonly consts: tf.Scalar[];
  private stepCount = 0;
  private disposed = false;

  constructor(params: tf.Variable[], config: AdamConfig) {
    check(
      Array.isArray(params) && params.length > 0,
      () => `${OP}: 'params' must be a non-empty array of tf.Variable`,
    );
    params.forEach((p, i) => {
      check(p instanceof tf.Variable, () => `${OP}: 'params[${i}]' must be a tf.Variable`);
      check(p.dtype === 'float32', () => `${OP}: 'params[${i}]' must be float32, got ${p.dtype}`);
    });
    check(
      typeof config === 'object' && config !== null,
      () => `${OP}: 'config' is required, e.g. {lr: 1e-3}`,
    );
    const { beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, weightDecay = 0, clipNorm, clipValue } = config;
    check(
      Number.isFinite(beta1) && beta1 >= 0 && beta1 < 1,
      () => `${OP}: 'beta1' must be in [0, 1), got ${beta1}`,
    );
    check(
      Number.isFinite(beta2) && beta2 >= 0 && beta2 < 1,
      () => `${OP}: 'beta2' must be in [0, 1), got ${beta2}`,
    );
    checkPositive(OP, 'epsilon', epsilon);
    checkNonNegative(OP, 'weightDecay', weightDecay);
    if (clipNorm !== undefined) checkPositive(OP, 'clipNorm', clipNorm);
    if (clipValue !== undefined) checkPositive(OP, 'clipValue', clipValue);
    this.schedule = typeof config.lr === 'function' ? config.lr : makeSchedule(config.lr);
    this.params = [...params];
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.weightDecay = weightDecay;
    this.clipNorm = clipNorm;
    this.clipValue = clipValue;
    this.sizes = params.map((p) => p.size);
    this.total = this.sizes.reduce((a, b) => a + b, 0);
    this.groups = groupRanges(this.sizes, GROUP_VALUES);
    // tidy frees the zeros: a variable keeps its own reference to the data.
    this.m = this.groups.map((g) => tf.tidy(() => tf.variable(tf.zeros([g.size]), false)));
    this.v = this.groups.map((g) => tf.tidy(() => tf.variable(tf.zeros([g.size]), false)));
    this.consts = tf.tidy(() =>
      [beta1, 1 - beta1, beta2, 1 - beta2, epsilon].map((c) => tf.keep(tf.scalar(c))),
    );
  }

  /** Updates applied so far; the next update uses `learningRate(step)`. */
  get step(): number {
    return this.stepCount;
  }

  /** The schedule's rate at `step` (default: the rate the next update will use). */
  learningRate(step: number = this.stepCount): number {
    return this.schedule(step);
  }

  /**
   * One update. `grads[i]` is the gradient of the loss for `params[i]` (same shape). The caller
   * keeps ownership of `grads` (they are not disposed); no tensors are left behind.
   */
  applyGradients(grads: tf.Tensor[]): void {
    this.checkAlive('applyGradients');
    const params = this.params;
    check(
      Array.isArray(grads) && grads.length === params.length,
      () =>
        `${OP}.applyGradients: 'grads' must have one tensor per parameter (${params.length}), ` +
        `got ${Array.isArray(grads) ? grads.length : typeof grads}`,
    );
    for (let i = 0; i < grads.length; i++) {
      const g = grads[i];
      check(g instanceof tf.Tensor, () => `${OP}.applyGradients: 'grads[${i}]' must be a tf.Tensor`);
      check(
        tf.util.arraysEqual(g.shape, params[i].shape),
        () =>
          `${OP}.applyGradients: 'grads[${i}]' has shape [${g.shape}] but params[${i}] ` +
          `('${params[i].name}') has shape [${params[i].shape}]`,
      );
      check(
        g.dtype === 'float32',
        () => `${OP}.applyGradients: 'grads[${i}]' must be float32, got ${g.dtype}`,
      );
    }
    const step = this.stepCount;
    const lr = this.schedule(step);
    check(
      Number.isFinite(lr) && lr >= 0,
      () => `${OP}.applyGradients: the learning-rate schedule returned ${lr} at step ${step}`,
    );
    const t = step + 1;
    // Scalars in float64 JS, rounded once to float32: identical per step on every run.
    const stepSize = lr / (1 - this.beta1 ** t);
    const rmsScale = 1 / Math.sqrt(1 - this.beta2 ** t);
    const decay = 1 - lr * this.weightDecay;
    const [b1, omb1, b2, omb2, eps] = this.consts;
    tf.tidy(() => {
      let gs = this.groups.map(({ start, end }) => this.flatten(grads.slice(start, end)));
      if (this.clipValue !== undefined) {
        const c = this.clipValue;
        gs = gs.map((g) => tf.clipByValue(g, -c, c));
      }
      if (this.clipNorm !== undefined) {
        // The global norm over all groups, as with one flat buffer.
        const norm = tf.sqrt(tf.addN(gs.map((g) => tf.sum(tf.square(g)))));
        const scale = tf.minimum(
          tf.scalar(1),
          tf.div(tf.scalar(this.clipNorm), tf.add(norm, tf.scalar(1e-6))),
        );
        gs = gs.map((g) => tf.mul(g, scale));
      }
      const sStep = tf.scalar(stepSize);
      const sRms = tf.scalar(rmsScale);
      const sDecay = tf.scalar(decay);
      this.groups.forEach(({ start, end }, k) => {
        const g = gs[k];
        const m = tf.add(tf.mul(this.m[k], b1), tf.mul(g, omb1));
        const v = tf.add(tf.mul(this.v[k], b2), tf.mul(tf.square(g), omb2));
        const denom = tf.add(tf.mul(tf.sqrt(v), sRms), eps);
        const update = tf.mul(tf.div(m, denom), sStep);
        let p = this.flatten(params.slice(start, end));
        if (this.weightDecay !== 0) p = tf.mul(p, sDecay);
        p = tf.sub(p, update);
        this.m[k].assign(m);
        this.v[k].assign(v);
        this.unflattenInto(p, start, end);
      });
    });
    this.stepCount++;
  }

  /** Copies the state out (reads the moments from the backend). */
  async getState(): Promise<AdamState> {
    this.checkAlive('getState');
    const read = async (parts: tf.Variable[]): Promise<Float32Array> => {
      const out = new Float32Array(this.total);
      let offset = 0;
      for (const part of parts) {
        out.set((await part.data()) as Float32Array, offset);
        offset += part.size;
      }
      return out;
    };
    const [m, v] = await Promise.all([read(this.m), read(this.v)]);
    return {
      kind: 'adam',
      version: 1,
      step: this.stepCount,
      shapes: this.params.map((p) => [...p.shape]),
      m: Array.from(m as Float32Array),
      v: Array.from(v as Float32Array),
    };
  }

  /** Restores a state from `getState` of an optimizer over parameters of the same shapes. */
  setState(state: OptimizerState): void {
    this.checkAlive('setState');
    const op = `${OP}.setState`;
    check(
      typeof state === 'object' && state !== null && state.kind === 'adam',
      () => `${op}: 'state.kind' must be 'adam', got ${JSON.stringify(state?.kind)}`,
    );
    check(state.version === 1, () => `${op}: unsupported 'state.version' ${state.version} (expected 1)`);
    check(
      Number.isInteger(state.step) && state.step >= 0,
      () => `${op}: 'state.step' must be an integer >= 0, got ${state.step}`,
    );
    const shapes = this.params.map((p) => p.shape);
    check(
      Array.isArray(state.shapes) &&
        state.shapes.length === shapes.length &&
        state.shapes.every((s, i) => tf.util.arraysEqual(s, shapes[i])),
      () =>
        `${op}: 'state.shapes' ${JSON.stringify(state.shapes)} do not match the parameters' ` +
        `${JSON.stringify(shapes)}`,
    );
    for (const key of ['m', 'v'] as const) {
      const a = state[key];
      check(
        a !== null && typeof a === 'object' && a.length === this.total,
        () => `${op}: 'state.${key}' must hold ${this.total} numbers, got ${a?.length}`,
      );
    }
    const m = state.m instanceof Float32Array ? state.m : Float32Array.from(state.m);
    const v = state.v instanceof Float32Array ? state.v : Float32Array.from(state.v);
    tf.tidy(() => {
      let offset = 0;
      this.groups.forEach((g, k) => {
        this.m[k].assign(tf.tensor1d(m.subarray(offset, offset + g.size), 'float32'));
        this.v[k].assign(tf.tensor1d(v.subarray(offset, offset + g.size), 'float32'));
        offset += g.size;
      });
    });
    this.stepCount = state.step;
  }

  /** Frees the moment buffers; the parameters belong to the caller and are kept. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose([...this.m, ...this.v]);
    for (const c of this.consts) c.dispose();
  }

  private checkAlive(method: string): void {
    check(!this.disposed, () => `${OP}.${method}: the optimizer has been disposed`);
  }

  private flatten(ts: readonly tf.Tensor[]): tf.Tensor1D {
    if (ts.length === 1) return tf.reshape(ts[0], [-1]);
    return tf.concat(
      ts.map((t) => tf.reshape(t, [-1])),
      0,
    ) as tf.Tensor1D;
  }

  /** Writes `flat` (the concatenation of params[start..end)) back into those variables. */
  private unflattenInto(flat: tf.Tensor, start: number, end: number): void {
    const params = this.params;
    if (end - start === 1) {
      params[start].assign(tf.reshape(flat, params[start].shape));
      return;
    }
    let offset = 0;
    for (let i = start; i < end; i++) {
      params[i].assign(tf.reshape(tf.slice(flat, [offset], [this.sizes[i]]), params[i].shape));
      offset += this.sizes[i];
    }
  }
}

/** Values per update group (see `AdamOptimizer.groups`). */
const GROUP_VALUES = 65_536;

/** Greedy split of consecutive sizes into ranges of at most `cap` values (a larger size alone). */
export function groupRanges(
  sizes: readonly number[],
  cap: number,
): { start: number; end: number; size: number }[] {
  const out: { start: number; end: number; size: number }[] = [];
  let start = 0;
  let size = 0;
  sizes.forEach((n, i) => {
    if (i > start && size + n > cap) {
      out.push({ start, end: i, size });
      start = i;
      size = 0;
    }
    size += n;
  });
  out.push({ start, end: sizes.length, size });
  return out;
}
