/**
 * HardConstraint: the differentiable nonlinear least-squares layer of PI-HC (Chalapathi, Du &
 * Krishnapriyan, ICLR 2024). Given basis functions from any base network, evaluated (with the
 * derivatives the residuals need) at constraint points as tensors, it returns the weights w that
 * minimise the constraint residuals (see problem.ts), solved in float64 by Levenberg–Marquardt,
 * with the backward pass by the implicit function theorem as a `tf.customGrad`.
 *
 * MixtureOfExperts: K experts, each the same problem restricted to its own subdomain's points
 * (block 0) plus the shared blocks (global initial / boundary conditions, all of them or, with a
 * mask, the rows in its own subdomain), solved independently with the global basis; `assembleExperts` puts u = basis · w_owner(point) back together.
 */
import type { Rng } from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';
import type { LmOptions } from './lm.ts';
import { SolverPool } from './pool.ts';
import type { BlockData, PointwiseResidual, ProblemData, SolveResult } from './problem.ts';

export interface ConstraintBlock {
  readonly residual: PointwiseResidual;
  /** Constant parameters of the residual (LINEAR_RESIDUAL: one coefficient per channel). */
  readonly params?: readonly number[];
  /** Row weight ω (default 1). */
  readonly weight?: number;
}

export interface HardConstraintConfig {
  readonly blocks: readonly ConstraintBlock[];
  /** λ of the ridge rows λ w (paper: 1e-4). */
  readonly ridge?: number;
  /** Starting weights: a constant or one value per basis function (paper's DS code: 1). */
  readonly w0?: number | readonly number[];
  readonly lm?: LmOptions;
  /** Where problems are solved (default: in the calling thread). */
  readonly pool?: SolverPool;
}

export class HardConstraint {
  readonly blocks: readonly ConstraintBlock[];
  readonly ridge: number;
  readonly lm: LmOptions;
  readonly pool: SolverPool;
  private readonly w0: number | readonly number[];
  /** Solver results of the last `apply`, one per problem. */
  lastSolve: SolveResult[] = [];
  /** Wall time (ms) of the last float64 solve and of the last implicit backward. */
  readonly timing = { solveMs: 0, adjointMs: 0 };

  constructor(config: HardConstraintConfig) {
    const OP = 'HardConstraint';
    if (config.blocks.length === 0) throw new Error(`${OP}: 'blocks' is empty`);
    this.blocks = config.blocks;
    this.ridge = config.ridge ?? 1e-4;
    if (!(this.ridge >= 0)) throw new Error(`${OP}: 'ridge' must be >= 0, got ${this.ridge}`);
    this.w0 = config.w0 ?? 1;
    this.lm = config.lm ?? {};
    this.pool = config.pool ?? SolverPool.inProcess();
  }

  /**
   * basis[b]: [P, channels_b, points_b, n] for P independent problems (trajectories × experts);
   * aux[b]: [P, points_b, auxWidth_b] values (null when auxWidth is 0). Returns w [P, n]; the
   * gradient reaches every basis tensor.
   */
  apply(basis: readonly tf.Tensor4D[], aux: readonly (Float64Array | null)[]): tf.Tensor2D {
    const OP = 'HardConstraint.apply';
    if (basis.length !== this.blocks.length) {
      throw new Error(
        `${OP}: 'basis' has ${basis.length} tensors, expected one per block (${this.blocks.length})`,
      );
    }
    if (aux.length !== this.blocks.length) {
      throw new Error(
        `${OP}: 'aux' has ${aux.length} entries, expected one per block (${this.blocks.length})`,
      );
    }
    const [P, , , n] = basis[0].shape;
    basis.forEach((t, b) => {
      if (t.rank !== 4 || t.shape[0] !== P || t.shape[3] !== n) {
        throw new Error(`${OP}: basis[${b}] must be [P=${P}, channels, points, n=${n}], got [${t.shape}]`);
      }
      const need = P * t.shape[2] * this.blocks[b].residual.auxWidth;
      const got = aux[b]?.length ?? 0;
      if (got !== need)
        throw new Error(`${OP}: aux[${b}] has ${got} values, expected P·points·auxWidth = ${need}`);
    });
    const w0 =
      typeof this.w0 === 'number'
        ? new Float64Array(n).fill(this.w0)
        : Float64Array.from(this.w0 as number[]);
    if (w0.length !== n) throw new Error(`${OP}: 'w0' has ${w0.length} values, expected n = ${n}`);

    const f = tf.customGrad(((...args: unknown[]) => {
      const inputs = args.slice(0, -1) as tf.Tensor4D[];
      // Problem p's data are views into the float64 copies (read once per call).
      const data = inputs.map((t) => Float64Array.from(t.dataSync() as Float32Array));
      const problems: ProblemData[] = Array.from({ length: P }, (_, p) => ({
        n,
        ridge: this.ridge,
        w0,
        blocks: this.blocks.map((spec, b): BlockData => {
          const [, C, m] = inputs[b].shape;
          const size = C * m * n;
          const A = spec.residual.auxWidth;
          return {
            residual: spec.residual,
            basis: data[b].subarray(p * size, (p + 1) * size),
            channels: C,
            points: m,
            aux: aux[b] ? (aux[b] as Float64Array).subarray(p * m * A, (p + 1) * m * A) : new Float64Array(0),
            params: Float64Array.from(spec.params ?? []),
            weight: spec.weight ?? 1,
          };
        }),
      }));
      const t0 = performance.now();
      const results = this.pool.run(
        problems.map((problem) => ({ kind: 'solve', problem, lm: this.lm })),
      ) as SolveResult[];
      this.timing.solveMs = performance.now() - t0;
      this.lastSolve = results;
      const wAll = new Float32Array(P * n);
      results.forEach((r, p) => {
        wAll.set(r.w, p * n);
      });
      return {
        value: tf.tensor2d(wAll, [P, n]),
        gradFunc: (dy: tf.Tensor) => {
          const gy = dy.dataSync();
          const t1 = performance.now();
          const grads = this.pool.run(
            problems.map((problem, p) => ({
              kind: 'adjoint',
              problem,
              w: results[p].w,
              gw: Float64Array.from(gy.subarray(p * n, (p + 1) * n)),
            })),
          ) as { grads: Float64Array[] }[];
          this.timing.adjointMs = performance.now() - t1;
          return inputs.map((t, b) => {
            const size = t.shape[1] * t.shape[2] * n;
            const g = new Float32Array(P * size);
            grads.forEach((r, p) => {
              g.set(r.grads[b], p * size);
            });
            return tf.tensor(g, t.shape);
          });
        },
      };
    }) as never) as unknown as (...xs: tf.Tensor[]) => tf.Tensor2D;
    return f(...basis);
  }
}

/**
 * Owner expert of every point of a grid split uniformly into `experts[d]` slabs along each axis
 * (row-major grid of `shape`, experts numbered row-major too).
 */
export function gridExperts(shape: readonly number[], experts: readonly number[]): Int32Array {
  const OP = 'gridExperts';
  if (shape.length !== experts.length) {
    throw new Error(`${OP}: 'experts' (=[${experts}]) needs one count per axis of 'shape' (=[${shape}])`);
  }
  experts.forEach((k, d) => {
    if (!Number.isInteger(k) || k < 1 || k > shape[d]) {
      throw new Error(`${OP}: experts[${d}] must be an integer in [1, ${shape[d]}], got ${k}`);
    }
  });
  const G = shape.reduce((a, b) => a * b, 1);
  const owner = new Int32Array(G);
  const idx = new Array(shape.length).fill(0);
  for (let g = 0; g < G; g++) {
    let rem = g;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d] = rem % shape[d];
      rem = Math.floor(rem / shape[d]);
    }
    let e = 0;
    for (let d = 0; d < shape.length; d++) e = e * experts[d] + Math.floor((idx[d] * experts[d]) / shape[d]);
    owner[g] = e;
  }
  return owner;
}

/**
 * `perExpert` distinct points of each expert, drawn without replacement among the points where
 * `candidate` is true (all when omitted). Returns K sorted index arrays.
 */
export function sampleExpertPoints(
  owner: Int32Array,
  experts: number,
  perExpert: number,
  rng: Rng,
  candidate?: (g: number) => boolean,
): Int32Array[] {
  const OP = 'sampleExpertPoints';
  const pools: number[][] = Array.from({ length: experts }, () => []);
  for (let g = 0; g < owner.length; g++) {
    const e = owner[g];
    if (e < 0 || e >= experts) throw new Error(`${OP}: owner[${g}] = ${e} is not in [0, ${experts})`);
    if (!candidate || candidate(g)) pools[e].push(g);
  }
  return pools.map((pool, e) => {
    if (perExpert > pool.length) {
      throw new Error(
        `${OP}: expert ${e} has ${pool.length} candidate points, 'perExpert' asks for ${perExpert}`,
      );
    }
    const perm = rng.permutation(pool.length);
    return Int32Array.from({ length: perExpert }, (_, i) => pool[perm[i]]).sort();
  });
}

export interface MixtureOfExpertsConfig extends HardConstraintConfig {
  /** Number of experts K. */
  readonly experts: number;
}

/**
 * K independent hard constraints: expert k uses block 0 at its own points (`points[k]`) and
 * every other block whole (global conditions). With K = 1 it is the plain hard constraint.
 */
export class MixtureOfExperts {
  readonly experts: number;
  readonly constraint: HardConstraint;

  constructor(config: MixtureOfExpertsConfig) {
    if (!Number.isInteger(config.experts) || config.experts < 1) {
      throw new Error(`MixtureOfExperts: 'experts' must be a positive integer, got ${config.experts}`);
    }
    this.experts = config.experts;
    this.constraint = new HardConstraint(config);
  }

  /**
   * local: [B, C0, G, n] block-0 channels at every grid point; points: K index arrays of equal
   * length into G; localAux: [B, G, auxWidth0] or null; shared[b]: [B, C, m, n] with
   * sharedAux[b] [B, m, auxWidth]. Returns w [B, K, n].
   *
   * sharedMask[b] (optional, [K, m] of 0/1, null = every row for every expert): which rows of
   * shared block b expert k keeps — e.g. only the initial cells and boundary rows inside its
   * own slab. A dropped row is zeroed (channels and aux), so it adds nothing to the objective
   * or to the gradient; this needs a residual that vanishes at zero channels and zero aux
   * (LINEAR_RESIDUAL does), which is checked.
   */
  apply(
    local: tf.Tensor4D,
    points: readonly Int32Array[],
    localAux: Float64Array | null,
    shared: readonly tf.Tensor4D[],
    sharedAux: readonly (Float64Array | null)[],
    sharedMask?: readonly (Float32Array | null)[],
  ): tf.Tensor3D {
    const OP = 'MixtureOfExperts.apply';
    const K = this.experts;
    if (sharedMask) {
      if (sharedMask.length !== shared.length)
        throw new Error(`${OP}: 'sharedMask' has ${sharedMask.length} entries, expected ${shared.length}`);
      sharedMask.forEach((mask, j) => {
        if (!mask) return;
        const [, C, mb] = shared[j].shape;
        if (mask.length !== K * mb)
          throw new Error(`${OP}: sharedMask[${j}] has ${mask.length} values, expected K·m = ${K * mb}`);
        if (mask.some((v) => v !== 0 && v !== 1))
          throw new Error(`${OP}: sharedMask[${j}] must hold only 0 and 1`);
        const spec = this.constraint.blocks[j + 1];
        const grad = new Float64Array(C);
        const r0 = spec.residual.evaluate(
          new Float64Array(C),
          Float64Array.from(spec.params ?? []),
          new Float64Array(Math.max(1, spec.residual.auxWidth)),
          0,
          grad,
          null,
        );
        if (r0 !== 0)
          throw new Error(
            `${OP}: sharedMask[${j}] needs a residual that is 0 at zero channels and aux; ${spec.residual.name} gives ${r0}`,
          );
      });
    }
    if (points.length !== K) throw new Error(`${OP}: 'points' has ${points.length} sets, expected ${K}`);
    const m = points[0].length;
    if (points.some((p) => p.length !== m))
      throw new Error(`${OP}: every expert needs the same number of points`);
    const [B, C0, G, n] = local.shape;
    const A0 = this.constraint.blocks[0].residual.auxWidth;
    // Aux of (batch b, expert k) problems, in the order of the reshaped [B·K, ...] tensors.
    let aux0: Float64Array | null = null;
    if (A0 > 0) {
      if (!localAux || localAux.length !== B * G * A0)
        throw new Error(`${OP}: 'localAux' must have B·G·auxWidth = ${B * G * A0} values`);
      aux0 = new Float64Array(B * K * m * A0);
      for (let b = 0; b < B; b++)
        for (let k = 0; k < K; k++)
          for (let i = 0; i < m; i++)
            for (let a = 0; a < A0; a++)
              aux0[((b * K + k) * m + i) * A0 + a] = localAux[(b * G + points[k][i]) * A0 + a];
    }
    const repeat = (x: Float64Array | null, per: number): Float64Array | null => {
      if (!x) return null;
      const out = new Float64Array(B * K * per);
      for (let b = 0; b < B; b++)
        for (let k = 0; k < K; k++) out.set(x.subarray(b * per, (b + 1) * per), (b * K + k) * per);
      return out;
    };
    const sharedAuxK = shared.map((t, j) => {
      const mb = t.shape[2];
      const A = this.constraint.blocks[j + 1].residual.auxWidth;
      const out = repeat(sharedAux[j] ?? null, mb * A);
      const mask = sharedMask?.[j];
      if (out && mask)
        for (let b = 0; b < B; b++)
          for (let k = 0; k < K; k++)
            for (let i = 0; i < mb; i++)
              if (mask[k * mb + i] === 0)
                out.fill(0, ((b * K + k) * mb + i) * A, ((b * K + k) * mb + i + 1) * A);
      return out;
    });
    return tf.tidy(() => {
      const flatIdx = new Int32Array(K * m);
      points.forEach((p, k) => {
        flatIdx.set(p, k * m);
      });
      // [B, C0, K·m, n] -> [B, C0, K, m, n] -> [B, K, C0, m, n] -> [B·K, C0, m, n]
      const gathered = gatherPoints(local, flatIdx).reshape([B, C0, K, m, n]);
      const perExpert = tf.transpose(gathered, [0, 2, 1, 3, 4]).reshape([B * K, C0, m, n]) as tf.Tensor4D;
      const sharedK = shared.map((t, j) => {
        const [, C, mb] = t.shape;
        const mask = sharedMask?.[j];
        let factor: tf.Tensor = tf.ones([1, K, 1]);
        if (mask) {
          // [K, m] row mask spread over [1, K, C·m·n] (channel-major rows, n innermost).
          const full = new Float32Array(K * C * mb * n);
          for (let k = 0; k < K; k++)
            for (let c = 0; c < C; c++)
              for (let i = 0; i < mb; i++)
                if (mask[k * mb + i] !== 0)
                  full.fill(1, ((k * C + c) * mb + i) * n, ((k * C + c) * mb + i + 1) * n);
          factor = tf.tensor3d(full, [1, K, C * mb * n]);
        }
        // A broadcasting multiply, not broadcastTo: its gradient (tile) is missing for rank 5.
        return tf.mul(t.reshape([B, 1, C * mb * n]), factor).reshape([B * K, C, mb, n]) as tf.Tensor4D;
      });
      return this.constraint
        .apply([perExpert, ...sharedK], [aux0, ...sharedAuxK])
        .reshape([B, K, n]) as tf.Tensor3D;
    });
  }
}

/**
 * x[:, :, idx, :] for x [B, C, G, n]; the backward pass scatters in JS because tfjs's gather
 * gradient needs UnsortedSegmentSum, which the wasm backend lacks.
 */
export function gatherPoints(x: tf.Tensor4D, idx: Int32Array): tf.Tensor4D {
  const [B, C, G, n] = x.shape;
  const M = idx.length;
  for (let i = 0; i < M; i++) {
    if (!(idx[i] >= 0 && idx[i] < G))
      throw new Error(`gatherPoints: idx[${i}] = ${idx[i]} is not in [0, ${G})`);
  }
  const f = tf.customGrad(((xs: tf.Tensor, save: tf.GradSaveFunc) => {
    save([]);
    return {
      value: tf.gather(xs, idx, 2),
      gradFunc: (dy: tf.Tensor) => {
        const d = dy.dataSync();
        const g = new Float32Array(B * C * G * n);
        for (let bc = 0; bc < B * C; bc++) {
          for (let i = 0; i < M; i++) {
            const src = (bc * M + i) * n;
            const dst = (bc * G + idx[i]) * n;
            for (let k = 0; k < n; k++) g[dst + k] += d[src + k];
          }
        }
        return tf.tensor4d(g, [B, C, G, n]);
      },
    };
  }) as never) as unknown as (x: tf.Tensor) => tf.Tensor4D;
  return f(x);
}

/** u [B, G] = Σ_i basis[b, g, i] · w[b, owner[g], i] with basis [B, G, n], w [B, K, n]. */
export function assembleExperts(basis: tf.Tensor3D, w: tf.Tensor3D, owner: Int32Array): tf.Tensor2D {
  const G = basis.shape[1];
  const K = w.shape[1];
  if (owner.length !== G)
    throw new Error(`assembleExperts: 'owner' has ${owner.length} entries, expected G = ${G}`);
  // Each point's expert as a one-hot row of the mixing weights.
  const onehot = new Float32Array(G * K);
  for (let g = 0; g < G; g++) onehot[g * K + owner[g]] = 1;
  return mixExperts(basis, w, onehot, 'assembleExperts');
}

/**
 * u [B, G] = Σ_k mix[g, k] Σ_i basis[b, g, i] · w[b, k, i] with basis [B, G, n], w [B, K, n] and
 * mix [G, K] (row-major) — e.g. a partition of unity that blends neighbouring experts across a
 * seam instead of switching at it (`assembleExperts` is the one-hot case).
 */
export function mixExperts(
  basis: tf.Tensor3D,
  w: tf.Tensor3D,
  mix: Float32Array,
  op = 'mixExperts',
): tf.Tensor2D {
  const [B, G, n] = basis.shape;
  const K = w.shape[1];
  if (w.shape[0] !== B || w.shape[2] !== n)
    throw new Error(`${op}: 'w' must be [${B}, K, ${n}], got [${w.shape}]`);
  if (mix.length !== G * K)
    throw new Error(`${op}: 'mix' has ${mix.length} values, expected G·K = ${G}·${K}`);
  return tf.tidy(() => {
    // [B, G, n] · [B, n, K] -> [B, G, K], then weight each expert's value per point.
    const all = tf.matMul(basis, tf.transpose(w, [0, 2, 1]));
    if (K === 1) return tf.mul(all.reshape([B, G]), tf.tensor2d(mix, [1, G])) as tf.Tensor2D;
    return tf.sum(tf.mul(all, tf.tensor3d(mix, [1, G, K])), 2) as tf.Tensor2D;
  });
}
