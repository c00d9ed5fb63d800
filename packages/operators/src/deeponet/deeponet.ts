/**
 * DeepONet (Lu et al. 2021): G(u)(y) = Σ_k b_k(u) t_k(y) + b₀, with a branch net b reading the
 * input function u at m sensors and a trunk net t reading the query point y ∈ R^d.
 *
 * Forward, in order:
 *   1. normalize   û = (u − μ_u)/σ_u per sensor, ŷ = (y − μ_y)/σ_y per coordinate (stored as
 *                  non-trainable parameters, so they are saved with the weights)
 *   2. branch      û → [B, outputs·latent]: an Mlp (unstacked), `latent·outputs` independent
 *                  nets (stacked, `StackedMlp`), or a CNN on gridded sensors (`ConvBranch`)
 *   3. trunk       ŷ → [P, outputs·latent]: optional periodic embedding, an Mlp, and the
 *                  activation again on its last layer (Lu et al.'s choice; `trunkOutputActivation`);
 *                  or a POD trunk (`PodTrunk`, POD-DeepONet): the raw points looked up in a
 *                  fixed table of the training outputs' mean and POD modes (values only)
 *   4. combine     output c uses latent block c of both nets ("split both") plus bias b₀_c
 *   5. de-normalize  σ_c · G + μ_c
 *   6. transform   multiply by Π (y_i − lo)(hi − y_i) over `boundaryFactor` (hard zero values
 *                  on boundaries or at t = 0)
 *
 * Layouts. `cartesian(u, y)` evaluates every function at every point as one matrix product per
 * output, T·Bᵀ: [P, outputs·B] with column c·B + b (the fast path; trunk-major so the product
 * needs no transposed matMul form and the trunk derivatives ride along as jets). `forward`
 * (the `Module` view) takes arbitrary (function, point) pairs as rows [u(sensors), y]:
 * [N, m + d] -> [N, outputs]; `pairs(u, index, y)` does the same with each function stored once.
 *
 * Physics-informed use: `cartesianJet(u, yJet)` and `forward(jet)` propagate Taylor-mode jets
 * through the trunk, so `Derivatives.extract` gives ∂G/∂y to any order (derivatives with
 * respect to the branch input are not propagated; asking for them throws).
 */

import {
  type ActivationName,
  type Initializer,
  inputJet,
  Jet,
  JetPlan,
  jetActivation,
  jetAddConstant,
  jetConcat,
  jetLinear,
  jetMul,
  jetSliceColumns,
  Mlp,
  type Module,
  type ModuleConfig,
  type NamedVariable,
  PeriodicEmbedding,
  prefixed,
  type Rng,
} from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';
import { checkInt, checkLength } from './checks.ts';
import { ConvBranch } from './conv_branch.ts';
import { PodTrunk } from './pod.ts';
import { StackedMlp } from './stacked.ts';

export interface NetSpec {
  /** Default 'mlp' (the only kind for a trunk besides 'pod'). */
  readonly kind?: 'mlp';
  /** Hidden widths (the output width is the latent size). */
  readonly hidden: readonly number[];
  /** Default 'tanh'. */
  readonly activation?: ActivationName;
  /** Default 'glorotNormal'. */
  readonly init?: Initializer;
}

export interface TrunkSpec extends NetSpec {
  /** Period per coordinate (null = not periodic): such coordinates enter as cos/sin harmonics. */
  readonly periods?: readonly (number | null)[];
  /** Harmonics of the periodic embedding (default 1). */
  readonly harmonics?: number;
}

/**
 * CNN branch (`ConvBranch`): sensors on a grid [H, W] (row-major), stride-2 convs with these
 * channels, then an Mlp head with `hidden` widths.
 */
export interface ConvBranchSpec {
  readonly kind: 'cnn';
  readonly grid: readonly [number, number];
  /** Default [16, 32, 64, 64]. */
  readonly channels?: readonly number[];
  /** Default 3. */
  readonly kernelSize?: number;
  /** Head widths after flattening (default [256]). */
  readonly hidden?: readonly number[];
  /** Default 'gelu'. */
  readonly activation?: ActivationName;
}

/**
 * POD trunk (POD-DeepONet): the trunk functions are the training outputs' mean and leading
 * POD modes on `points` fixed points (`fitPod`; `trainDeepONet` fits them). The latent size is
 * the number of basis functions (mean included). Values only, at those points only.
 */
export interface PodTrunkSpec {
  readonly kind: 'pod';
  /** Number of points the basis is tabulated at. */
  readonly points: number;
}

export type BranchSpec = NetSpec | ConvBranchSpec;
export type AnyTrunkSpec = TrunkSpec | PodTrunkSpec;

/** One factor of the output transform: (y_input − lo) and/or (hi − y_input). */
export interface BoundaryFactor {
  readonly input: number;
  readonly lo?: number;
  readonly hi?: number;
}

export interface DeepONetConfig {
  /** Branch input size m: sensor values, plus any task features or mask values appended. */
  readonly sensors: number;
  /** Trunk input dimension d. */
  readonly coords: number;
  /** Latent size per output (p in Lu et al.). */
  readonly latent: number;
  /** Number of outputs (default 1). */
  readonly outputs?: number;
  readonly branch: BranchSpec;
  readonly trunk: AnyTrunkSpec;
  /** Stacked branch: one small net per latent component (default false: unstacked). */
  readonly stacked?: boolean;
  /** Trainable bias b₀ per output (default true). */
  readonly bias?: boolean;
  /** Apply the trunk activation after its last layer too (default true). */
  readonly trunkOutputActivation?: boolean;
  /** Output transform: multiply by these factors of the (raw) trunk coordinates. */
  readonly boundaryFactor?: readonly BoundaryFactor[];
}

/** Per-column statistics; `std` entries ≤ 0 are treated as 1. */
export interface Normalization {
  readonly branchMean: ArrayLike<number>;
  readonly branchStd: ArrayLike<number>;
  readonly trunkMean: ArrayLike<number>;
  readonly trunkStd: ArrayLike<number>;
  readonly outputMean: ArrayLike<number>;
  readonly outputStd: ArrayLike<number>;
}

const OP = 'DeepONet';

/** A non-trainable [1, n] statistic (saved with the weights, skipped by optimizers). */
function statistic(data: Float32Array, shape: [number, number]): tf.Variable {
  return tf.tidy(() => tf.variable(tf.tensor2d(data, shape), false));
}

export class DeepONet implements Module {
  readonly inSize: number;
  readonly outSize: number;
  readonly sensors: number;
  readonly coords: number;
  readonly latent: number;
  readonly outputs: number;
  readonly branch: Module;
  readonly trunk: Module;
  readonly embedding: PeriodicEmbedding | null;
  readonly bias: tf.Variable | null; // [1, outputs]
  private readonly branchShift: tf.Variable; // [1, m] = μ_u
  private readonly branchScale: tf.Variable; // [1, m] = 1/σ_u
  private readonly trunkShift: tf.Variable; // [1, d]
  private readonly trunkScale: tf.Variable; // [1, d]
  private readonly outShift: tf.Variable; // [1, outputs]
  private readonly outScale: tf.Variable; // [1, outputs]
  private readonly cfg: DeepONetConfig;

  constructor(config: DeepONetConfig, rng: Rng) {
    this.sensors = checkInt(config.sensors, 'sensors', OP);
    this.coords = checkInt(config.coords, 'coords', OP);
    this.latent = checkInt(config.latent, 'latent', OP);
    this.outputs = checkInt(config.outputs ?? 1, 'outputs', OP);
    const branchKind = config.branch?.kind ?? 'mlp';
    const trunkKind = config.trunk?.kind ?? 'mlp';
    if (branchKind !== 'mlp' && branchKind !== 'cnn') {
      throw new Error(`${OP}: 'branch.kind' must be 'mlp' or 'cnn', got ${JSON.stringify(branchKind)}`);
    }
    if (trunkKind !== 'mlp' && trunkKind !== 'pod') {
      throw new Error(`${OP}: 'trunk.kind' must be 'mlp' or 'pod', got ${JSON.stringify(trunkKind)}`);
    }
    for (const [name, spec, kind] of [
      ['branch', config.branch, branchKind],
      ['trunk', config.trunk, trunkKind],
    ] as const) {
      if (kind === 'mlp' && (!spec || !Array.isArray((spec as NetSpec).hidden))) {
        throw new Error(`${OP}: '${name}.hidden' must be an array of widths, got ${JSON.stringify(spec)}`);
      }
    }
    if (config.stacked && (branchKind !== 'mlp' || (config.branch as NetSpec).hidden.length === 0)) {
      throw new Error(
        `${OP}: a stacked branch needs an mlp branch with at least one width in 'branch.hidden'`,
      );
    }
    for (const [i, f] of (config.boundaryFactor ?? []).entries()) {
      if (!Number.isInteger(f.input) || f.input < 0 || f.input >= this.coords) {
        throw new Error(
          `${OP}: 'boundaryFactor[${i}].input' must be a coordinate index in [0, ${this.coords}), got ${f.input}`,
        );
      }
      if (f.lo === undefined && f.hi === undefined) {
        throw new Error(`${OP}: 'boundaryFactor[${i}]' needs 'lo', 'hi' or both`);
      }
    }
    const periods = trunkKind === 'mlp' ? (config.trunk as TrunkSpec).periods : undefined;
    if (periods && periods.length !== this.coords) {
      throw new Error(
        `${OP}: 'trunk.periods' must have one entry per coordinate (${this.coords}), got ${periods.length}`,
      );
    }
    if (trunkKind === 'pod' && config.trunkOutputActivation) {
      throw new Error(`${OP}: 'trunkOutputActivation' must be false with a POD trunk (its modes are fixed)`);
    }
    this.cfg = {
      outputs: 1,
      stacked: false,
      bias: true,
      trunkOutputActivation: trunkKind === 'mlp',
      ...config,
    };
    this.inSize = this.sensors + this.coords;
    this.outSize = this.outputs;
    const width = this.latent * this.outputs;
    const brng = rng.split();
    const trng = rng.split();
    if (branchKind === 'cnn') {
      const b = config.branch as ConvBranchSpec;
      const [h, w] = Array.isArray(b.grid) ? b.grid : [0, 0];
      if (h * w !== this.sensors) {
        throw new Error(
          `${OP}: 'branch.grid' ${JSON.stringify(b.grid)} must hold the ${this.sensors} sensors (H·W = sensors)`,
        );
      }
      this.branch = new ConvBranch(
        {
          grid: b.grid,
          outSize: width,
          ...(b.channels ? { channels: b.channels } : {}),
          ...(b.kernelSize ? { kernelSize: b.kernelSize } : {}),
          ...(b.hidden ? { hidden: b.hidden } : {}),
          ...(b.activation ? { activation: b.activation } : {}),
        },
        brng,
      );
    } else {
      const b = config.branch as NetSpec;
      this.branch = config.stacked
        ? new StackedMlp(
            {
              inSize: this.sensors,
              stacks: width,
              hidden: b.hidden,
              activation: b.activation ?? 'tanh',
              init: b.init ?? 'glorotNormal',
            },
            brng,
          )
        : new Mlp(
            {
              sizes: [this.sensors, ...b.hidden, width],
              activation: b.activation ?? 'tanh',
              init: b.init ?? 'glorotNormal',
            },
            brng,
          );
    }
    if (trunkKind === 'pod') {
      const t = config.trunk as PodTrunkSpec;
      this.embedding = null;
      this.trunk = new PodTrunk({
        points: checkInt(t.points, 'trunk.points', OP),
        coords: this.coords,
        modes: this.latent,
        outputs: this.outputs,
      });
    } else {
      const t = config.trunk as TrunkSpec;
      const periodic = periods?.some((p) => p !== null) ?? false;
      this.embedding = periodic
        ? new PeriodicEmbedding({
            periods: periods as (number | null)[],
            harmonics: t.harmonics ?? 1,
          })
        : null;
      this.trunk = new Mlp(
        {
          sizes: [this.embedding?.outSize ?? this.coords, ...t.hidden, width],
          activation: t.activation ?? 'tanh',
          init: t.init ?? 'glorotNormal',
        },
        trng,
      );
    }
    this.bias = this.cfg.bias ? tf.tidy(() => tf.variable(tf.zeros([1, this.outputs]))) : null;
    const zeros = (n: number) => new Float32Array(n);
    const ones = (n: number) => new Float32Array(n).fill(1);
    this.branchShift = statistic(zeros(this.sensors), [1, this.sensors]);
    this.branchScale = statistic(ones(this.sensors), [1, this.sensors]);
    this.trunkShift = statistic(zeros(this.coords), [1, this.coords]);
    this.trunkScale = statistic(ones(this.coords), [1, this.coords]);
    this.outShift = statistic(zeros(this.outputs), [1, this.outputs]);
    this.outScale = statistic(ones(this.outputs), [1, this.outputs]);
  }

  /** The sub-networks' constants (a stacked branch's masks). */
  disposeConstants(): void {
    this.branch.disposeConstants?.();
    this.trunk.disposeConstants?.();
  }

  parameters(): NamedVariable[] {
    return [
      ...prefixed('branch', this.branch.parameters()),
      ...prefixed('trunk', this.trunk.parameters()),
      ...(this.bias ? [{ name: 'bias', variable: this.bias }] : []),
      { name: 'norm.branchShift', variable: this.branchShift },
      { name: 'norm.branchScale', variable: this.branchScale },
      { name: 'norm.trunkShift', variable: this.trunkShift },
      { name: 'norm.trunkScale', variable: this.trunkScale },
      { name: 'norm.outShift', variable: this.outShift },
      { name: 'norm.outScale', variable: this.outScale },
    ];
  }

  config(): ModuleConfig {
    return { type: 'DeepONet', ...this.cfg };
  }

  /** Store input/output statistics in the model (they are saved with the weights). */
  setNormalization(n: Normalization): void {
    const op = `${OP}.setNormalization`;
    checkLength(n.branchMean, this.sensors, 'branchMean', op, 'sensors');
    checkLength(n.branchStd, this.sensors, 'branchStd', op, 'sensors');
    checkLength(n.trunkMean, this.coords, 'trunkMean', op, 'coords');
    checkLength(n.trunkStd, this.coords, 'trunkStd', op, 'coords');
    checkLength(n.outputMean, this.outputs, 'outputMean', op, 'outputs');
    checkLength(n.outputStd, this.outputs, 'outputStd', op, 'outputs');
    const inv = (a: ArrayLike<number>) =>
      Float32Array.from(a, (s) => (s > 0 && Number.isFinite(s) ? 1 / s : 1));
    const pos = (a: ArrayLike<number>) => Float32Array.from(a, (s) => (s > 0 && Number.isFinite(s) ? s : 1));
    const periodic = (this.cfg.trunk.kind === 'pod' ? undefined : this.cfg.trunk.periods) ?? [];
    // Periodic coordinates enter the embedding raw (normalizing would change the period).
    const tMean = Float32Array.from(n.trunkMean, (v, i) => (periodic[i] != null ? 0 : v));
    const tStd = Float32Array.from(n.trunkStd, (v, i) => (periodic[i] != null ? 1 : v));
    tf.tidy(() => {
      this.branchShift.assign(tf.tensor2d(Float32Array.from(n.branchMean), [1, this.sensors]));
      this.branchScale.assign(tf.tensor2d(inv(n.branchStd), [1, this.sensors]));
      this.trunkShift.assign(tf.tensor2d(tMean, [1, this.coords]));
      this.trunkScale.assign(tf.tensor2d(inv(tStd), [1, this.coords]));
      this.outShift.assign(tf.tensor2d(Float32Array.from(n.outputMean), [1, this.outputs]));
      this.outScale.assign(tf.tensor2d(pos(n.outputStd), [1, this.outputs]));
    });
  }

  /** The stored statistics (σ as given, i.e. 1/scale). */
  normalization(): Normalization {
    const read = (v: tf.Variable) => Array.from(v.dataSync());
    return {
      branchMean: read(this.branchShift),
      branchStd: read(this.branchScale).map((s) => 1 / s),
      trunkMean: read(this.trunkShift),
      trunkStd: read(this.trunkScale).map((s) => 1 / s),
      outputMean: read(this.outShift),
      outputStd: read(this.outScale),
    };
  }

  /** Branch features: u [B, m] -> [B, outputs·latent]. */
  branchFeatures(u: tf.Tensor2D): tf.Tensor2D {
    if (u.rank !== 2 || u.shape[1] !== this.sensors) {
      throw new Error(`${OP}: 'u' must be [B, ${this.sensors}] (sensors), got [${u.shape}]`);
    }
    const un = tf.mul(tf.sub(u, this.branchShift), this.branchScale) as tf.Tensor2D;
    return this.branch.forward(inputJet(un, JetPlan.VALUE)).value as tf.Tensor2D;
  }

  /** Trunk features of a jet of raw points y [P, d] -> [P, outputs·latent]. */
  trunkFeatures(y: Jet): Jet {
    if (y.width !== this.coords) {
      throw new Error(`${OP}: trunk points must be [P, ${this.coords}] (coords), got width ${y.width}`);
    }
    // The POD basis is tabulated at raw points: no normalization, no activation.
    if (this.trunk instanceof PodTrunk) return this.trunk.forward(y);
    let h: Jet;
    if (this.embedding) {
      h = this.embedding.forward(y);
    } else {
      // ŷ = (y − μ) / σ as one affine map, so derivative streams scale too.
      const diag = tf.mul(tf.eye(this.coords), this.trunkScale) as tf.Tensor2D;
      const b = tf.neg(tf.mul(this.trunkShift, this.trunkScale));
      h = jetLinear(y, diag, b);
    }
    h = this.trunk.forward(h);
    if (this.cfg.trunkOutputActivation)
      h = jetActivation(h, (this.cfg.trunk as TrunkSpec).activation ?? 'tanh');
    return h;
  }

  /** The output-transform factor Π (y_i − lo)(hi − y_i) as a width-1 jet, or null without one. */
  private factor(y: Jet): Jet | null {
    const fs = this.cfg.boundaryFactor ?? [];
    if (fs.length === 0) return null;
    let acc: Jet | null = null;
    const column = (i: number, sign: number) => {
      const e = new Float32Array(this.coords);
      e[i] = sign;
      return jetLinear(y, tf.tensor2d(e, [this.coords, 1]));
    };
    for (const f of fs) {
      const parts: Jet[] = [];
      if (f.lo !== undefined) parts.push(jetAddConstant(column(f.input, 1), -f.lo));
      if (f.hi !== undefined) parts.push(jetAddConstant(column(f.input, -1), f.hi));
      for (const p of parts) acc = acc ? jetMul(acc, p) : p;
    }
    return acc;
  }

  /** Steps 5–6 on a jet whose column block c (of `block` columns) is output c. */
  private finish(g: Jet, y: Jet, block: number): Jet {
    let scale: tf.Tensor;
    let shift: tf.Tensor;
    if (this.outputs === 1) {
      scale = this.outScale;
      shift = this.outShift;
    } else {
      // Expand [1, outputs] to [1, outputs·block] (column c·block + j gets entry c).
      const sel = new Float32Array(this.outputs * this.outputs * block);
      for (let c = 0; c < this.outputs; c++) {
        for (let j = 0; j < block; j++) sel[c * this.outputs * block + c * block + j] = 1;
      }
      const e = tf.tensor2d(sel, [this.outputs, this.outputs * block]);
      scale = tf.matMul(this.outScale, e);
      shift = tf.matMul(this.outShift, e);
    }
    let out = g.mapLinear((s, isValue) => {
      const z = tf.mul(s, scale);
      return isValue ? tf.add(z, shift) : z;
    });
    const f = this.factor(y);
    if (f) out = jetMul(out, f);
    return out;
  }

  /**
   * Cartesian product as a jet: u [B, m], y a jet of P raw points -> [P, outputs·B], column
   * c·B + b = output c of function b (use `Derivatives.extract` on it for ∂/∂y).
   */
  cartesianJet(u: tf.Tensor2D, y: Jet): Jet {
    const bf = this.branchFeatures(u);
    const t = this.trunkFeatures(y);
    const nb = u.shape[0];
    const parts: Jet[] = [];
    for (let c = 0; c < this.outputs; c++) {
      const tc = this.outputs === 1 ? t : jetSliceColumns(t, c * this.latent, this.latent);
      const bc = this.outputs === 1 ? bf : tf.slice(bf, [0, c * this.latent], [nb, this.latent]);
      let g = jetLinear(tc, tf.transpose(bc) as tf.Tensor2D);
      if (this.bias) {
        const b0 = this.outputs === 1 ? this.bias : tf.slice(this.bias, [0, c], [1, 1]);
        g = new Jet(
          g.plan,
          g.streams.map((s, i) => (i === 0 ? tf.add(s as tf.Tensor, b0) : s)),
        );
      }
      parts.push(g);
    }
    return this.finish(jetConcat(parts), y, nb);
  }

  /** Cartesian product, values only: u [B, m], y [P, d] -> [P, outputs·B] (column c·B + b). */
  cartesian(u: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor2D {
    return this.cartesianJet(u, inputJet(y, JetPlan.VALUE)).value as tf.Tensor2D;
  }

  /** Pairs: branch features [N, outputs·latent] (rows already matched) and a trunk jet [N, d]. */
  private combinePairs(bf: tf.Tensor2D, y: Jet): Jet {
    const t = this.trunkFeatures(y);
    const constant = new Jet(
      t.plan,
      t.plan.streams.map((_, i) => (i === 0 ? bf : null)),
    );
    const prod = jetMul(t, constant);
    // Σ over each output's latent block: [N, outputs·latent] · blockOnes [outputs·latent, outputs].
    const sum = new Float32Array(this.outputs * this.latent * this.outputs);
    for (let c = 0; c < this.outputs; c++) {
      for (let k = 0; k < this.latent; k++) sum[(c * this.latent + k) * this.outputs + c] = 1;
    }
    const g = jetLinear(
      prod,
      tf.tensor2d(sum, [this.outputs * this.latent, this.outputs]),
      this.bias ?? undefined,
    );
    return this.finish(g, y, 1);
  }

  /** Module view: rows [u(sensors) | y] -> [N, outputs]; jets may differentiate the y columns only. */
  forward(x: Jet): Jet {
    if (x.width !== this.inSize) {
      throw new Error(
        `${OP}: input rows must be [u (${this.sensors}) | y (${this.coords})], got width ${x.width}`,
      );
    }
    for (const s of x.plan.streams) {
      for (const t of s.terms) {
        for (const ch of t.key) {
          if (parseInt(ch, 36) < this.sensors) {
            throw new Error(
              `${OP}: derivatives with respect to branch inputs (column ${parseInt(ch, 36)}) are not supported; differentiate trunk columns ${this.sensors}..${this.inSize - 1} only`,
            );
          }
        }
      }
    }
    const n = x.batch;
    const u = tf.slice(x.value, [0, 0], [n, this.sensors]) as tf.Tensor2D;
    return this.combinePairs(this.branchFeatures(u), jetSliceColumns(x, this.sensors, this.coords));
  }

  /**
   * Arbitrary pairs with each function stored once: u [F, m], index[i] ∈ [0, F) names the
   * function of point i, y [N, d] (or a jet) -> [N, outputs]. The gather's gradient is summed
   * per function in JS (wasm lacks UnsortedSegmentSum).
   */
  pairs(u: tf.Tensor2D, index: Int32Array, y: tf.Tensor2D | Jet): tf.Tensor2D | Jet {
    const yj = y instanceof Jet ? y : inputJet(y, JetPlan.VALUE);
    if (index.length !== yj.batch) {
      throw new Error(`${OP}.pairs: 'index' has ${index.length} entries but 'y' has ${yj.batch} points`);
    }
    const f = u.shape[0];
    for (let i = 0; i < index.length; i++) {
      if (!(index[i] >= 0 && index[i] < f)) {
        throw new Error(`${OP}.pairs: 'index[${i}]' = ${index[i]} is not a row of 'u' (F = ${f})`);
      }
    }
    const bf = gatherRows(this.branchFeatures(u), index);
    const out = this.combinePairs(bf, yj);
    return y instanceof Jet ? out : (out.value as tf.Tensor2D);
  }
}

/** rows[index] with dRows[f] = Σ_{i: index[i] = f} dy[i], summed in JS. */
function gatherRows(rows: tf.Tensor2D, index: Int32Array): tf.Tensor2D {
  const idx = tf.tensor1d(index, 'int32');
  const fn = tf.customGrad(((r: tf.Tensor, save: tf.GradSaveFunc) => {
    save([]);
    return {
      value: tf.gather(r, idx),
      gradFunc: (dy: tf.Tensor) => {
        const [f, w] = rows.shape;
        const d = dy.dataSync();
        const acc = new Float32Array(f * w);
        for (let i = 0; i < index.length; i++) {
          const o = index[i] * w;
          for (let j = 0; j < w; j++) acc[o + j] += d[i * w + j];
        }
        return [tf.tensor2d(acc, [f, w])];
      },
    };
  }) as never) as unknown as (r: tf.Tensor2D) => tf.Tensor2D;
  return fn(rows);
}
