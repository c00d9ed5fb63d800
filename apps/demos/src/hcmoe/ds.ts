/**
 * PI-HC-MoE on 1-D diffusion–sorption (Chalapathi, Du & Krishnapriyan, ICLR 2024), scaled to a
 * CPU. Reads top to bottom:
 *   data (our finite-volume solver, downsampled) → FNO base (IC → N basis functions on the
 *   (t, x) grid) → finite-difference maps of the basis (u_τ, u_xx, boundary rows) → constraint
 *   (soft: residual as loss; hard: LM layer, 1 expert; MoE: 4 experts along x) → training on the
 *   PDE residual only → relative L2 on test trajectories.
 * Time is normalised, τ = t / T, so the residual is u_τ − T·D/R(u)·u_xx.
 */
import { Rng } from '@pinnate/core';
import { constLeftMul, Fno, PDEBENCH_DIFFUSION_SORPTION, solveDiffusionSorption } from '@pinnate/operators';
import {
  assembleExperts,
  gridExperts,
  LINEAR_RESIDUAL,
  type LmOptions,
  MixtureOfExperts,
  mixExperts,
  type SolverPool,
  sampleExpertPoints,
} from '@pinnate/pinn';
import * as tf from '@tensorflow/tfjs';
import { DIFFUSION_SORPTION_OFFSET_RESIDUAL, DIFFUSION_SORPTION_RESIDUAL } from './residual.ts';
import { type TrainLoopConfig, type TrainLoopRecord, trainLoop } from './train_loop.ts';

const P = PDEBENCH_DIFFUSION_SORPTION;
const KAPPA = ((1 - P.porosity) / P.porosity) * P.bulkDensity * P.freundlichK;
export const T_END = 500;

export interface DataConfig {
  /** Cells of the training grid (solver runs at nx · fine). */
  readonly nx: number;
  /** Snapshots in [0, T]. */
  readonly nt: number;
  readonly fine: number;
  /** Solver time steps. */
  readonly solverSteps: number;
  readonly train: number;
  readonly test: number;
  readonly seed: number;
}

export interface DsData {
  readonly nx: number;
  readonly nt: number;
  /** Initial constant of each trajectory. */
  readonly cTrain: Float64Array;
  readonly cTest: Float64Array;
  /** [samples, nt, nx]. */
  readonly uTrain: Float64Array;
  readonly uTest: Float64Array;
  readonly x: Float64Array;
  readonly t: Float64Array;
}

/**
 * PDEBench's distribution (u0 = c ~ U(0, 0.2)), solved on nx·fine cells and averaged back to nx
 * cells (cell averages of the fine solution).
 */
export function makeData(cfg: DataConfig): DsData {
  const rng = new Rng(cfg.seed);
  const nf = cfg.nx * cfg.fine;
  const one = (c: number) => {
    const sol = solveDiffusionSorption({
      initial: new Float64Array(nf).fill(c),
      tEnd: T_END,
      steps: cfg.solverSteps,
      snapshots: cfg.nt,
    });
    const out = new Float64Array(cfg.nt * cfg.nx);
    for (let s = 0; s < cfg.nt; s++)
      for (let j = 0; j < cfg.nx; j++) {
        let acc = 0;
        for (let q = 0; q < cfg.fine; q++) acc += sol.u[s * nf + j * cfg.fine + q];
        out[s * cfg.nx + j] = acc / cfg.fine;
      }
    return out;
  };
  const draw = (n: number) => {
    const c = Float64Array.from({ length: n }, () => rng.uniformIn(0, 0.2));
    const u = new Float64Array(n * cfg.nt * cfg.nx);
    c.forEach((ci, i) => {
      u.set(one(ci), i * cfg.nt * cfg.nx);
    });
    return { c, u };
  };
  const tr = draw(cfg.train);
  const te = draw(cfg.test);
  return {
    nx: cfg.nx,
    nt: cfg.nt,
    cTrain: tr.c,
    cTest: te.c,
    uTrain: tr.u,
    uTest: te.u,
    x: Float64Array.from({ length: cfg.nx }, (_, j) => (j + 0.5) / cfg.nx),
    t: Float64Array.from({ length: cfg.nt }, (_, s) => (s * T_END) / (cfg.nt - 1)),
  };
}

/**
 * Finite-difference maps on the grid (τ ∈ [0, 1] with nt points, cell centres x_j = (j+½)h):
 *   Dt   [nt, nt]  second order (central inside, one-sided 3-point at the ends),
 *   Dxx  [nx, nx]  second order (3-point inside, one-sided 4-point at the ends),
 *   E    [2, nx]   row 0: u(0) by quadratic extrapolation of the first three cells;
 *                  row 1: u(1) + D u_x(1) from the last three (the outflow condition).
 */
/**
 * ∂_τ on nt snapshots over τ ∈ [0, 1] as an [nt, nt] row-major matrix: central differences,
 * one-sided second-order 3-point formulas at both ends.
 */
export function timeDifferenceMatrix(nt: number): Float32Array {
  const dtau = 1 / (nt - 1);
  const Dt = new Float32Array(nt * nt);
  for (let i = 0; i < nt; i++) {
    const set = (j: number, v: number) => {
      Dt[i * nt + j] = v / (2 * dtau);
    };
    if (i === 0) [set(0, -3), set(1, 4), set(2, -1)];
    else if (i === nt - 1) [set(nt - 3, 1), set(nt - 2, -4), set(nt - 1, 3)];
    else [set(i - 1, -1), set(i + 1, 1)];
  }
  return Dt;
}

/** A constant [r, c] matrix as [1, r, c] with its transpose [1, c, r] (float32), for constLeftMul. */
export function matPair(a: ArrayLike<number>, r: number, c: number): MatPair {
  const f = Float32Array.from(a);
  const t = new Float32Array(f.length);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) t[j * r + i] = f[i * c + j];
  return [tf.tensor3d(f, [1, r, c]), tf.tensor3d(t, [1, c, r])];
}

export class GridOps {
  readonly nx: number;
  readonly nt: number;
  /** Boundary rows: u(0) ≈ Σ e0[j] u_j (cells 0, 1, 2); u(1) + D u_x(1) ≈ Σ e1[j] u_{nx−1−j}. */
  readonly e0: readonly [number, number, number];
  readonly e1: readonly [number, number, number];
  /** Constant left-multipliers with their transposes (for constLeftMul's gradient). */
  private readonly dtMat: MatPair;
  private readonly dxxMat: MatPair;
  private readonly boundaryMat: MatPair;
  private readonly cellProjection: MatPair;
  private readonly smoothProjection: MatPair;
  /** [1, nt, 1]: 0 on the τ = 0 row, 1 elsewhere. */
  private readonly timeMask: tf.Tensor3D;

  constructor(nx: number, nt: number) {
    this.nx = nx;
    this.nt = nt;
    const h = 1 / nx;
    const Dxx = new Float32Array(nx * nx);
    for (let i = 0; i < nx; i++) {
      const set = (j: number, v: number) => {
        Dxx[i * nx + j] = v / (h * h);
      };
      if (i === 0) [set(0, 2), set(1, -5), set(2, 4), set(3, -1)];
      else if (i === nx - 1) [set(nx - 1, 2), set(nx - 2, -5), set(nx - 3, 4), set(nx - 4, -1)];
      else [set(i - 1, 1), set(i, -2), set(i + 1, 1)];
    }
    const D = P.diffusion;
    this.e0 = [15 / 8, -10 / 8, 3 / 8];
    this.e1 = [15 / 8 + (2 * D) / h, -10 / 8 - (3 * D) / h, 3 / 8 + D / h];
    const E = new Float32Array(2 * nx);
    for (let j = 0; j < 3; j++) {
      E[j] = this.e0[j];
      E[nx + nx - 1 - j] = this.e1[j];
    }
    // Projection onto the homogeneous boundary rows: cell 0 and cell nx − 1 are replaced by the
    // values that make E·u = 0 given the two cells next to them; every other cell is kept.
    const Px = new Float32Array(nx * nx);
    for (let j = 1; j < nx - 1; j++) Px[j * nx + j] = 1;
    Px[1] = -this.e0[1] / this.e0[0];
    Px[2] = -this.e0[2] / this.e0[0];
    Px[(nx - 1) * nx + nx - 2] = -this.e1[1] / this.e1[0];
    Px[(nx - 1) * nx + nx - 3] = -this.e1[2] / this.e1[0];
    this.dtMat = matPair(timeDifferenceMatrix(nt), nt, nt);
    this.dxxMat = matPair(Dxx, nx, nx);
    this.boundaryMat = matPair(E, 2, nx);
    this.cellProjection = matPair(Px, nx, nx);
    const tm = new Float32Array(nt).fill(1);
    tm[0] = 0;
    this.timeMask = tf.tensor3d(tm, [1, nt, 1]);
    // Smooth lifting: φ0, φ1 = combinations of (1 − x)² and x² with E0·φ0 = 1, E1·φ0 = 0,
    // E0·φ1 = 0, E1·φ1 = 1; P = I − φ0 E0 − φ1 E1 removes a field's boundary rows over the whole
    // domain instead of in the boundary cell.
    const psi = [(x: number) => (1 - x) ** 2, (x: number) => x ** 2];
    const xc = (j: number) => (j + 0.5) * h;
    const row0 = (f: (x: number) => number) => this.e0.reduce((a, e, j) => a + e * f(xc(j)), 0);
    const row1 = (f: (x: number) => number) => this.e1.reduce((a, e, j) => a + e * f(xc(nx - 1 - j)), 0);
    const [m00, m01, m10, m11] = [row0(psi[0]), row0(psi[1]), row1(psi[0]), row1(psi[1])];
    const det = m00 * m11 - m01 * m10;
    // [φ0 φ1] = [ψa ψb] M⁻¹ with M = [[m00, m01], [m10, m11]] (rows: E0, E1; columns: ψa, ψb).
    this.lift0 = Float64Array.from(
      { length: nx },
      (_, j) => (psi[0](xc(j)) * m11 - psi[1](xc(j)) * m10) / det,
    );
    const lift1 = Float64Array.from(
      { length: nx },
      (_, j) => (-psi[0](xc(j)) * m01 + psi[1](xc(j)) * m00) / det,
    );
    const Ps = new Float32Array(nx * nx);
    for (let i = 0; i < nx; i++) {
      Ps[i * nx + i] = 1;
      for (let j = 0; j < 3; j++) {
        Ps[i * nx + j] -= this.lift0[i] * this.e0[j];
        Ps[i * nx + nx - 1 - j] -= lift1[i] * this.e1[j];
      }
    }
    this.smoothProjection = matPair(Ps, nx, nx);
  }

  /** φ0 at the cell centres: the smooth lifting of u(0, τ) = 1 (see `project`). */
  private readonly lift0: Float64Array;

  /**
   * f [B, nt, nx, C] -> the part of f that meets the homogeneous conditions exactly: zero at
   * τ = 0 and, unless `boundary` is 'none', E·f = 0 at x = 0 and x = 1 for τ > 0 — 'cell':
   * cells 0 and nx − 1 rewritten from their neighbours; 'smooth': the rows' values subtracted
   * with the smooth liftings φ0, φ1. Linear, so Σ w_i project(b_i) meets them for every w.
   */
  project(f: tf.Tensor4D, boundary: BoundaryLift = 'cell'): tf.Tensor4D {
    const [B, nt, nx, C] = f.shape;
    const proj = boundary === 'cell' ? this.cellProjection : this.smoothProjection;
    const px =
      boundary === 'none'
        ? f.reshape([B, nt, nx * C])
        : constLeftMul(proj[0], proj[1], f.reshape([B * nt, nx, C])).reshape([B, nt, nx * C]);
    return tf.mul(px, this.timeMask).reshape([B, nt, nx, C]);
  }

  /**
   * The particular field g [B·nt·nx] (row-major per trajectory) with u = g + project(v) meeting
   * the conditions: g = c at τ = 0 and for τ > 0 — 'cell': 1/e0[0] in cell 0 (so u(0, τ) = 1;
   * the outflow row is homogeneous), zero elsewhere; 'smooth': φ0; 'none': zero.
   */
  offset(c: ArrayLike<number>, boundary: BoundaryLift = 'cell'): Float32Array {
    const { nt, nx } = this;
    const g = new Float32Array(c.length * nt * nx);
    for (let b = 0; b < c.length; b++) {
      g.fill(c[b], b * nt * nx, b * nt * nx + nx);
      for (let s = 1; s < nt; s++) {
        if (boundary === 'cell') g[(b * nt + s) * nx] = 1 / this.e0[0];
        else if (boundary === 'smooth') for (let j = 0; j < nx; j++) g[(b * nt + s) * nx + j] = this.lift0[j];
      }
    }
    return g;
  }

  /** f [B, nt, nx, C] -> ∂_τ f, same shape. */
  dt(f: tf.Tensor4D): tf.Tensor4D {
    const [B, nt, nx, C] = f.shape;
    return constLeftMul(this.dtMat[0], this.dtMat[1], f.reshape([B, nt, nx * C])).reshape([B, nt, nx, C]);
  }

  /** f [B, nt, nx, C] -> ∂_xx f, same shape. */
  dxx(f: tf.Tensor4D): tf.Tensor4D {
    const [B, nt, nx, C] = f.shape;
    return constLeftMul(this.dxxMat[0], this.dxxMat[1], f.reshape([B * nt, nx, C])).reshape([B, nt, nx, C]);
  }

  /** f [B, nt, nx, C] -> [B, nt, 2, C]: (u(0), u(1) + D u_x(1)) per time row. */
  boundary(f: tf.Tensor4D): tf.Tensor4D {
    const [B, nt, nx, C] = f.shape;
    return constLeftMul(this.boundaryMat[0], this.boundaryMat[1], f.reshape([B * nt, nx, C])).reshape([
      B,
      nt,
      2,
      C,
    ]);
  }

  /**
   * f [B, nt, nx, C] -> the boundary rows of the constraint, [B, 1, 2(nt − 1), C]: u(0, τ) for
   * τ > 0, then u(1) + D u_x(1) for τ > 0 (the layout of the targets: nt − 1 ones, nt − 1 zeros).
   */
  boundaryRows(f: tf.Tensor4D): tf.Tensor4D {
    const [B, nt, , C] = f.shape;
    return tf
      .transpose(this.boundary(f).slice([0, 1, 0, 0], [B, nt - 1, 2, C]), [0, 2, 1, 3])
      .reshape([B, 1, 2 * (nt - 1), C]);
  }

  /** u_τ − T D / R(u) u_xx for u [B, nt, nx, 1]. */
  residual(u: tf.Tensor4D): tf.Tensor4D {
    return this.residualFrom(u, this.dt(u), this.dxx(u));
  }

  /** The residual from given derivative fields u_τ, u_xx (each [B, nt, nx, 1]; see `DsModel.forwardFields`). */
  residualFrom(u: tf.Tensor4D, ut: tf.Tensor4D, uxx: tf.Tensor4D): tf.Tensor4D {
    const R = tf.add(
      1,
      tf.mul(KAPPA * P.freundlichN, tf.pow(tf.add(tf.relu(u), P.epsilon), P.freundlichN - 1)),
    );
    return tf.sub(ut, tf.div(tf.mul(T_END * P.diffusion, uxx), R)) as tf.Tensor4D;
  }

  dispose(): void {
    tf.dispose([
      ...this.dtMat,
      ...this.dxxMat,
      ...this.boundaryMat,
      ...this.cellProjection,
      ...this.smoothProjection,
      this.timeMask,
    ]);
  }
}

/** A constant matrix [1, r, c] and its transpose [1, c, r]. */
export type MatPair = readonly [tf.Tensor3D, tf.Tensor3D];

export type Variant = 'soft' | 'hard' | 'moe';

export interface ModelConfig {
  readonly basis: number;
  readonly width: number;
  readonly modes: number;
  readonly layers: number;
  readonly projection: number;
  readonly padding: number;
  readonly seed: number;
}

export interface ConstraintConfig {
  readonly experts: number;
  readonly pointsPerExpert: number;
  readonly ridge: number;
  /**
   * Weight ω of the PDE rows in the constraint problem. 1/T puts them in the paper code's
   * physical units (u_t − D/R u_xx, t in seconds), where the initial/boundary rows dominate;
   * with 1 (τ units) the network learned a basis that cannot meet the conditions (75 % error).
   */
  readonly pdeWeight: number;
  /**
   * Initial-condition rows of the constraint: 'unit' (default) u(x, 0) − c; 'paper' divides them
   * by c, as the paper code's `vector_objective_function` does (ic_loss / u0), which weighs the
   * IC of a trajectory with small c up to 1/c times more than its boundary rows.
   */
  readonly icWeight?: IcWeight;
  /**
   * Initial/boundary rows each expert carries: 'shared' (default; the paper code's router
   * replicates them) — every expert fits every IC cell and both boundaries; 'local' — expert k
   * keeps the IC cells of its own x-slab, the x = 0 rows only if it owns x = 0 and the x = 1 rows
   * only if it owns x = 1 (with one expert both are the same); 'ic-local' — the IC cells of its
   * own slab and both boundaries' rows (the time evolution stays pinned by the boundaries).
   */
  readonly conditions?: ExpertConditions;
  /**
   * 'lsq' (default, the paper code's for diffusion–sorption): PDE rows at the sampled points
   * plus the IC and BC rows, an overdetermined least-squares problem. 'ic-ansatz': the IC is
   * built into the ansatz (u = c at τ = 0 whatever w, u = Σ w_i b_i for τ > 0 — the paper code
   * builds its Navier–Stokes IC in a similar way, with a t/T ramp on the basis), the solve has the PDE rows and
   * the BC rows. 'ansatz': IC and BC both built in (`GridOps.project`), PDE rows alone — with
   * points ≤ basis per expert they are met to the LM's tolerance.
   */
  readonly form?: ConstraintForm;
  /** Half-width (cells) of a linear blend between neighbouring experts; 0 (default): none. */
  readonly blend?: number;
  /**
   * The axis the K experts split: 'x' (default, the paper's [1, K] router) — K slabs of nx / K
   * cells; 't' — K windows of the τ > 0 rows (the t = 0 row is the first window's). With 't'
   * and `conditions` 'local' the IC rows belong to the first window only and each window keeps
   * its own rows of both boundaries, so no row is shared between experts.
   */
  readonly split?: ExpertSplit;
  /**
   * The derivatives the training loss's PDE residual uses: 'grid' (default, the paper code's) —
   * finite differences of the assembled field, across the seams between experts; 'expert' — each
   * point's owner's own u_τ, u_xx (Σ w_k,i of the basis' differences), so a jump between two
   * experts' fields at a seam is not differentiated. With one expert the two are the same field.
   */
  readonly trainResidual?: TrainResidual;
  readonly lm: LmOptions;
  readonly pool: SolverPool;
}

export type IcWeight = 'unit' | 'paper';

export const EXPERT_SPLITS = ['x', 't'] as const;

export type ExpertSplit = (typeof EXPERT_SPLITS)[number];

export type TrainResidual = 'grid' | 'expert';

/** u and its derivative fields u_τ, u_xx, each [B, nt, nx, 1]. */
export interface Fields {
  readonly u: tf.Tensor4D;
  readonly ut: tf.Tensor4D;
  readonly uxx: tf.Tensor4D;
}

export const EXPERT_CONDITIONS = ['shared', 'local', 'ic-local'] as const;

export type ExpertConditions = (typeof EXPERT_CONDITIONS)[number];

export const CONSTRAINT_FORMS = ['lsq', 'ic-ansatz', 'ansatz', 'ansatz-smooth'] as const;

export type ConstraintForm = (typeof CONSTRAINT_FORMS)[number];

/** How `GridOps.project` meets the boundary rows: not at all, in the boundary cell, or smoothly. */
export type BoundaryLift = 'none' | 'cell' | 'smooth';

/** The paper code's LM tolerances (optimistix rtol = atol, `ConstraintConfig` defaults). */
export const PAPER_LM_TOL = 1e-4;

/**
 * The model of one variant: FNO base (IC broadcast over the grid → `basis` channels; 1 channel
 * for the soft variant) and, for hard / moe, the mixture of experts over x.
 */
export class DsModel {
  readonly variant: Variant;
  readonly fno: Fno;
  readonly moe: MixtureOfExperts | null;
  readonly experts: number;
  private readonly pointsPerExpert: number;
  private readonly icWeight: IcWeight;
  readonly conditions: ExpertConditions;
  readonly form: ConstraintForm;
  readonly blend: number;
  readonly trainResidual: TrainResidual;
  readonly split: ExpertSplit;
  private blendCache?: { G: number; nx: number; mix: Float32Array };

  constructor(variant: Variant, model: ModelConfig, constraint: ConstraintConfig | null) {
    this.variant = variant;
    // Checked before the FNO allocates its variables.
    this.conditions = constraint?.conditions ?? 'shared';
    if (!EXPERT_CONDITIONS.includes(this.conditions))
      throw new Error(
        `DsModel: 'conditions' must be ${EXPERT_CONDITIONS.map((c) => `'${c}'`).join(', ')}, got '${this.conditions}'`,
      );
    this.form = constraint?.form ?? 'lsq';
    this.blend = constraint?.blend ?? 0;
    if (!(this.blend >= 0)) throw new Error(`DsModel: 'blend' must be >= 0, got ${this.blend}`);
    this.trainResidual = constraint?.trainResidual ?? 'grid';
    if (this.trainResidual !== 'grid' && this.trainResidual !== 'expert')
      throw new Error(`DsModel: 'trainResidual' must be 'grid' or 'expert', got '${this.trainResidual}'`);
    // A blended field's derivative is not the blend of the experts' derivatives.
    if (this.trainResidual === 'expert' && this.blend > 0)
      throw new Error(`DsModel: 'trainResidual' 'expert' needs 'blend' 0, got ${this.blend}`);
    if (!CONSTRAINT_FORMS.includes(this.form))
      throw new Error(
        `DsModel: 'form' must be ${CONSTRAINT_FORMS.map((f) => `'${f}'`).join(', ')}, got '${this.form}'`,
      );
    this.split = constraint?.split ?? 'x';
    if (!EXPERT_SPLITS.includes(this.split))
      throw new Error(`DsModel: 'split' must be 'x' or 't', got '${this.split}'`);
    if (this.split === 't' && this.blend > 0)
      throw new Error(
        `DsModel: 'blend' blends neighbouring x-slabs; with 'split' 't' it must be 0, got ${this.blend}`,
      );
    if (this.split === 't' && this.conditions === 'ic-local')
      throw new Error(
        `DsModel: 'conditions' 'ic-local' keeps each x-slab's IC cells; with 'split' 't' use 'shared' or 'local'`,
      );
    // 'ic-ansatz' keeps the BC rows in the solve, so they can be split; 'ansatz*' has no rows.
    const rowsInSolve = this.form === 'lsq' || (this.form === 'ic-ansatz' && this.conditions !== 'ic-local');
    if (variant !== 'soft' && this.conditions !== 'shared' && !rowsInSolve)
      throw new Error(
        `DsModel: form '${this.form}' builds conditions into the ansatz; 'conditions' '${this.conditions}' applies to 'lsq' (and 'local' to 'ic-ansatz') only`,
      );
    this.fno = new Fno({
      inChannels: 1,
      outChannels: variant === 'soft' ? 1 : model.basis,
      width: model.width,
      modes: model.modes,
      layers: model.layers,
      projection: model.projection,
      domainPadding: model.padding,
      seed: model.seed,
      inputShift: 0.1,
      inputScale: 0.06,
    });
    if (variant !== 'soft' && !constraint)
      throw new Error(`DsModel: variant '${variant}' needs a constraint config`);
    this.experts = variant === 'soft' ? 0 : (constraint as ConstraintConfig).experts;
    this.pointsPerExpert = constraint?.pointsPerExpert ?? 0;
    this.icWeight = constraint?.icWeight ?? 'unit';
    if (this.icWeight !== 'unit' && this.icWeight !== 'paper')
      throw new Error(`DsModel: 'icWeight' must be 'unit' or 'paper', got '${this.icWeight}'`);
    this.moe =
      variant === 'soft'
        ? null
        : new MixtureOfExperts({
            experts: this.experts,
            blocks: [
              {
                residual:
                  this.form === 'lsq' ? DIFFUSION_SORPTION_RESIDUAL : DIFFUSION_SORPTION_OFFSET_RESIDUAL,
                params: [T_END * P.diffusion, KAPPA * P.freundlichN, P.freundlichN, P.epsilon],
                weight: constraint?.pdeWeight ?? 1 / T_END,
              },
              ...(this.form === 'lsq' || this.form === 'ic-ansatz'
                ? [{ residual: LINEAR_RESIDUAL, params: [1] }]
                : []),
            ],
            ridge: constraint?.ridge,
            w0: 1,
            lm: constraint?.lm,
            pool: constraint?.pool,
          });
  }

  variables(): tf.Variable[] {
    return this.fno.parameters().map((p) => p.variable);
  }

  /** Constraint points of every expert (rows τ > 0), a fresh draw per call. */
  samplePoints(ops: GridOps, rng: Rng): { owner: Int32Array; points: Int32Array[] } {
    const owner = this.owners(ops.nt, ops.nx);
    if (!this.moe) return { owner, points: [] };
    const points = sampleExpertPoints(owner, this.experts, this.pointsPerExpert, rng, (g) => g >= ops.nx);
    return { owner, points };
  }

  /** [nt·nx] expert of each grid point: K x-slabs, or K windows of the τ > 0 rows. */
  owners(nt: number, nx: number): Int32Array {
    const K = Math.max(1, this.experts);
    if (this.split === 'x') return gridExperts([nt, nx], [1, K]);
    // Windows over rows 1..nt−1 (the constraint points' rows); row 0 goes with the first.
    const rows = gridExperts([nt - 1], [K]);
    const owner = new Int32Array(nt * nx);
    for (let j = 0; j < nt; j++) owner.fill(rows[Math.max(0, j - 1)], j * nx, (j + 1) * nx);
    return owner;
  }

  /**
   * u [B, nt, nx, 1] for initial constants c (length B); hard variants solve their constraints
   * on `points`.
   */
  forward(ops: GridOps, c: Float64Array, sample: { owner: Int32Array; points: Int32Array[] }): tf.Tensor4D {
    return this.forwardImpl(ops, c, sample, false).u;
  }

  /**
   * u with the derivative fields of `trainResidual` 'expert': each point's u_τ, u_xx are its
   * owner's expansion of the basis' differences (for the soft variant, differences of u).
   */
  forwardFields(ops: GridOps, c: Float64Array, sample: { owner: Int32Array; points: Int32Array[] }): Fields {
    return this.forwardImpl(ops, c, sample, true) as Fields;
  }

  private forwardImpl(
    ops: GridOps,
    c: Float64Array,
    sample: { owner: Int32Array; points: Int32Array[] },
    withDerivatives: boolean,
  ): { u: tf.Tensor4D; ut?: tf.Tensor4D; uxx?: tf.Tensor4D } {
    const B = c.length;
    const { nt, nx } = ops;
    const input = tf.tidy(() =>
      tf.mul(tf.ones([1, nt, nx, 1]), tf.tensor4d(Float32Array.from(c), [B, 1, 1, 1])),
    ) as tf.Tensor4D;
    const out = tf.tidy(() => {
      const b = this.fno.apply(input); // [B, nt, nx, N]
      if (!this.moe) return withDerivatives ? { u: b, ut: ops.dt(b), uxx: ops.dxx(b) } : { u: b };
      const N = b.shape[3];
      const G = nt * nx;
      if (this.form !== 'lsq') return this.forwardAnsatz(ops, c, b, sample, withDerivatives);
      const local = tf.stack(
        [b.reshape([B, G, N]), ops.dt(b).reshape([B, G, N]), ops.dxx(b).reshape([B, G, N])],
        1,
      ) as tf.Tensor4D; // [B, 3, G, N]
      // Conditions: u(x, 0) = c on every cell, then u(0, τ) = 1 and u(1) + D u_x(1) = 0 for τ > 0.
      const icRaw = b.slice([0, 0, 0, 0], [B, 1, nx, N]).reshape([B, 1, nx, N]);
      // 'paper': (u − c) / c = (b / c)·w − 1, so the rows stay linear in w with target 1.
      const paperIc = this.icWeight === 'paper';
      const ic = paperIc
        ? tf.div(
            icRaw,
            tf.tensor4d(
              Float32Array.from(c, (v) => Math.max(v, 1e-6)),
              [B, 1, 1, 1],
            ),
          )
        : icRaw;
      const bc = ops.boundaryRows(b);
      const cond = tf.concat([ic, bc], 2) as tf.Tensor4D;
      const m = nx + 2 * (nt - 1);
      const target = new Float64Array(B * m);
      for (let i = 0; i < B; i++) {
        target.fill(paperIc ? 1 : c[i], i * m, i * m + nx);
        target.fill(1, i * m + nx, i * m + nx + nt - 1);
      }
      const mask = this.conditions === 'shared' ? null : this.conditionMask(nx, nt);
      const w = (this.moe as MixtureOfExperts).apply(local, sample.points, null, [cond], [target], [mask]);
      return this.assembleFields(local, w, sample.owner, nt, nx, withDerivatives, null);
    });
    input.dispose();
    return out as { u: tf.Tensor4D; ut?: tf.Tensor4D; uxx?: tf.Tensor4D };
  }

  /** u (and u_τ, u_xx) [B, nt, nx, 1] from the channels `local` [B, 3, G, N], plus `offset` [B, nt, nx, 3]. */
  private assembleFields(
    local: tf.Tensor4D,
    w: tf.Tensor3D,
    owner: Int32Array,
    nt: number,
    nx: number,
    withDerivatives: boolean,
    offset: tf.Tensor4D | null,
  ): { u: tf.Tensor4D; ut?: tf.Tensor4D; uxx?: tf.Tensor4D } {
    const [B, , G, N] = local.shape;
    const channel = (ch: number) => {
      const basis = local.slice([0, ch, 0, 0], [B, 1, G, N]).reshape([B, G, N]) as tf.Tensor3D;
      const f = this.assemble(basis, w, owner, nx).reshape([B, nt, nx, 1]) as tf.Tensor4D;
      return offset ? (tf.add(f, offset.slice([0, 0, 0, ch], [B, nt, nx, 1])) as tf.Tensor4D) : f;
    };
    return withDerivatives ? { u: channel(0), ut: channel(1), uxx: channel(2) } : { u: channel(0) };
  }

  /**
   * u = g + Σ_i w_i project(b_i) (`form` 'ic-ansatz' / 'ansatz'): the IC (and with 'ansatz' the
   * boundary rows) hold for every w; the solve fits the PDE rows and, with 'ic-ansatz', the
   * boundary rows u(0, τ) = 1 and u(1) + D u_x(1) = 0 for τ > 0, shared by every expert.
   */
  private forwardAnsatz(
    ops: GridOps,
    c: Float64Array,
    b: tf.Tensor4D,
    sample: { owner: Int32Array; points: Int32Array[] },
    withDerivatives: boolean,
  ): { u: tf.Tensor4D; ut?: tf.Tensor4D; uxx?: tf.Tensor4D } {
    const [B, nt, nx, N] = b.shape;
    const G = nt * nx;
    const lift: BoundaryLift =
      this.form === 'ansatz' ? 'cell' : this.form === 'ansatz-smooth' ? 'smooth' : 'none';
    const withBoundary = lift !== 'none';
    const bp = ops.project(b, lift);
    const local = tf.stack(
      [bp.reshape([B, G, N]), ops.dt(bp).reshape([B, G, N]), ops.dxx(bp).reshape([B, G, N])],
      1,
    ) as tf.Tensor4D; // [B, 3, G, N]
    const g = ops.offset(c, lift);
    const gt = tf.tensor4d(g, [B, nt, nx, 1]);
    // aux [B, G, 3]: g, g_τ, g_xx at every grid point (float32 like the basis, then float64).
    const gAll = tf.concat([gt, ops.dt(gt), ops.dxx(gt)], 3);
    const aux = Float64Array.from(gAll.dataSync() as Float32Array);
    const moe = this.moe as MixtureOfExperts;
    let w: tf.Tensor3D;
    if (withBoundary) w = moe.apply(local, sample.points, aux, [], []);
    else {
      // g is 0 for τ > 0, so the boundary rows of u are those of Σ w_i project(b_i).
      const bc = ops.boundaryRows(bp);
      const target = new Float64Array(B * 2 * (nt - 1));
      for (let i = 0; i < B; i++) target.fill(1, i * 2 * (nt - 1), i * 2 * (nt - 1) + nt - 1);
      // With 'local' conditions each expert keeps its own boundary rows (the BC part of conditionMask).
      const mask = this.conditions === 'shared' ? null : this.conditionMask(nx, nt, false);
      w = moe.apply(local, sample.points, aux, [bc], [target], [mask]);
    }
    return this.assembleFields(local, w, sample.owner, nt, nx, withDerivatives, gAll as tf.Tensor4D);
  }

  /**
   * u [B, G] from the experts' weights: each point takes its owner's expansion (the paper's
   * MoE), or with `blend` = W > 0 a partition of unity over x that ramps linearly from one
   * expert to the next across the 2W cells around each slab seam (not the paper's: it keeps the
   * assembled field continuous where the experts' fields differ).
   */
  private assemble(basis: tf.Tensor3D, w: tf.Tensor3D, owner: Int32Array, nx: number): tf.Tensor2D {
    const K = w.shape[1];
    if (this.blend === 0 || K === 1) return assembleExperts(basis, w, owner);
    return mixExperts(basis, w, this.blendWeights(basis.shape[1], nx, K));
  }

  /** [G, K] partition of unity of `assemble`, built once per grid (it runs every forward). */
  private blendWeights(G: number, nx: number, K: number): Float32Array {
    if (this.blendCache?.G === G && this.blendCache.nx === nx) return this.blendCache.mix;
    const W = this.blend;
    // The boundary rows read the three cells next to x = 0 and x = 1: they must stay one expert's.
    if (nx / K - W < 3)
      throw new Error(
        `DsModel: 'blend' = ${W} reaches the boundary cells; with ${nx} cells and ${K} experts it must be <= ${nx / K - 3}`,
      );
    const mix = new Float32Array(G * K);
    for (let g = 0; g < G; g++) for (let k = 0; k < K; k++) mix[g * K + k] = blendRamp(g % nx, k, nx, K, W);
    this.blendCache = { G, nx, mix };
    return mix;
  }

  /**
   * [K, m] 0/1 mask over the condition rows (nx IC cells unless `withIc` is false, then nt − 1
   * rows u(0, τ), then nt − 1 rows at x = 1) keeping, for expert k, the rows inside its block
   * (the split of `owners`): split 'x' — the IC cells of its slab (with `blend`, every cell where
   * its blend weight is > 0) and the rows of the boundary it owns ('ic-local': both boundaries);
   * split 't' — the IC row if it owns t = 0, and both boundaries' rows of its window.
   */
  conditionMask(nx: number, nt: number, withIc = true): Float32Array {
    const K = this.experts;
    const nic = withIc ? nx : 0;
    const m = nic + 2 * (nt - 1);
    const mask = new Float32Array(K * m);
    const owner = this.owners(nt, nx);
    for (let k = 0; k < K; k++) {
      const row = mask.subarray(k * m, (k + 1) * m);
      if (this.split === 't') {
        for (let j = 0; j < nic; j++) if (owner[j] === k) row[j] = 1;
        for (let r = 1; r < nt; r++) {
          if (owner[r * nx] !== k) continue;
          row[nic + r - 1] = 1;
          row[nic + nt - 1 + r - 1] = 1;
        }
        continue;
      }
      // With a blend, expert k's field is used wherever its weight is > 0: it fits those IC cells.
      for (let j = 0; j < nic; j++)
        if (this.blend > 0 && K > 1 ? blendRamp(j, k, nx, K, this.blend) > 0 : owner[j] === k) row[j] = 1;
      const both = this.conditions === 'ic-local';
      if (both || k === 0) row.fill(1, nic, nic + nt - 1);
      if (both || k === K - 1) row.fill(1, nic + nt - 1, m);
    }
    return mask;
  }

  dispose(): void {
    this.fno.dispose();
  }
}

/**
 * Weight of expert k at cell j (of nx, K slabs) in the blend of half-width W cells: 0 → 1 over
 * [lo − W, lo + W] and 1 → 0 over [hi − W, hi + W] around its slab [lo, hi] (cell centres).
 */
function blendRamp(j: number, k: number, nx: number, K: number, W: number): number {
  const x = j + 0.5;
  const lo = (k * nx) / K;
  const hi = ((k + 1) * nx) / K;
  const up = k === 0 ? 1 : Math.min(1, Math.max(0, (x - lo + W) / (2 * W)));
  const down = k === K - 1 ? 1 : Math.min(1, Math.max(0, (hi + W - x) / (2 * W)));
  return Math.min(up, down);
}

/** Mean-square PDE residual over τ > 0 (the hard variants' whole training loss). */
export function pdeLoss(ops: GridOps, u: tf.Tensor4D, derivs?: Fields): tf.Scalar {
  return tf.tidy(() => {
    const [B, nt, nx] = u.shape;
    const full = derivs ? ops.residualFrom(u, derivs.ut, derivs.uxx) : ops.residual(u);
    const r = full.slice([0, 1, 0, 0], [B, nt - 1, nx, 1]);
    return tf.mean(tf.square(r)) as tf.Scalar;
  });
}

/** Initial and boundary mean-square errors (the soft variant adds them to the residual). */
export function conditionLoss(
  ops: GridOps,
  u: tf.Tensor4D,
  c: Float64Array,
): { ic: tf.Scalar; bc: tf.Scalar } {
  return tf.tidy(() => {
    const [B, nt, nx] = u.shape;
    const c4 = tf.tensor4d(Float32Array.from(c), [B, 1, 1, 1]);
    const ic = tf.mean(tf.square(tf.sub(u.slice([0, 0, 0, 0], [B, 1, nx, 1]), c4))) as tf.Scalar;
    const bd = ops.boundary(u).slice([0, 1, 0, 0], [B, nt - 1, 2, 1]);
    const tgt = tf.tensor4d([1, 0], [1, 1, 2, 1]);
    const bc = tf.mean(tf.square(tf.sub(bd, tgt))) as tf.Scalar;
    return { ic, bc };
  });
}

/**
 * Paper-form training loss (the paper code's trainer, used there for all three variants):
 *   ‖r‖₂ per trajectory over the whole (t, x) grid with r = u_t − D/R u_xx in physical units
 *   (t in seconds, so r = r_τ / T), averaged over the batch   — not a mean square;
 *   + ‖u(·, 0) − c‖ / ‖c‖ over the batch (relative IC error);
 *   + mean over the batch of ‖u(0, ·) − 1‖ and of ‖u(1, ·) + D u_x(1, ·)‖ over all time rows.
 * Norms (sums over points, not means) make the PDE term grow like √(nt·nx) with the grid, and
 * FD residuals of a steep front grow as the grid resolves it: the stiffness the paper's soft
 * baseline meets at 1024 × 101. (The paper's right-boundary term compares with the reference
 * u(1, t); we keep the outflow condition, which needs no data.)
 */
export function paperLoss(
  ops: GridOps,
  u: tf.Tensor4D,
  c: Float64Array,
  derivs?: Fields,
): { total: tf.Scalar; pde: tf.Scalar } {
  return tf.tidy(() => {
    const [B, nt, nx] = u.shape;
    const normPerSample = (r: tf.Tensor, n: number) =>
      tf.mean(tf.sqrt(tf.add(tf.sum(tf.square(r.reshape([B, n])), 1), 1e-30)));
    const r = derivs ? ops.residualFrom(u, derivs.ut, derivs.uxx) : ops.residual(u);
    const pde = normPerSample(tf.div(r, T_END), nt * nx) as tf.Scalar;
    const c4 = tf.tensor4d(Float32Array.from(c), [B, 1, 1, 1]);
    const icErr = tf.sub(u.slice([0, 0, 0, 0], [B, 1, nx, 1]), c4);
    const cNorm = Math.sqrt(nx * c.reduce((a, v) => a + v * v, 0));
    // Not tf.norm: its gradient is 0/0 at an exact initial condition (the ansatz forms).
    const ic = tf.div(tf.sqrt(tf.add(tf.sum(tf.square(icErr)), 1e-30)), Math.max(cNorm, 1e-12));
    const bd = ops.boundary(u); // [B, nt, 2, 1]
    const left = normPerSample(tf.sub(bd.slice([0, 0, 0, 0], [B, nt, 1, 1]), 1), nt);
    const right = normPerSample(bd.slice([0, 0, 1, 0], [B, nt, 1, 1]), nt);
    return { total: tf.addN([pde, ic, left, right]) as tf.Scalar, pde };
  });
}

export type LossForm = 'ms' | 'paper';

export interface TrainConfig extends TrainLoopConfig {
  /** Stop early after this many seconds (0: off). */
  readonly timeBudget: number;
  /**
   * 'ms' (default): mean-square PDE residual in τ units over τ > 0 (+ IC and BC mean squares for
   * soft; hard/moe train on the residual alone). 'paper': `paperLoss` for every variant, as the
   * paper code's trainer does.
   */
  readonly loss?: LossForm;
}

export interface TrainRecord extends TrainLoopRecord {
  /** The PDE term of the loss per step. */
  readonly pde: number[];
}

/** Adam on the residual (hard) or residual + conditions (soft), minibatches of trajectories. */
export function train(
  model: DsModel,
  ops: GridOps,
  data: DsData,
  cfg: TrainConfig,
  log: (msg: string) => void = () => {},
): TrainRecord {
  const pde: number[] = [];
  const rec = trainLoop(
    {
      name: model.variant,
      variables: model.variables(),
      trainCount: data.cTrain.length,
      drawPoints: (rng) => model.samplePoints(ops, rng),
      loss: (batch, sample) => {
        const c = Float64Array.from(batch, (i) => data.cTrain[i]);
        const fields = model.trainResidual === 'expert' ? model.forwardFields(ops, c, sample) : undefined;
        const u = fields ? fields.u : model.forward(ops, c, sample);
        if (cfg.loss === 'paper') {
          const { total, pde: term } = paperLoss(ops, u, c, fields);
          pde.push(term.dataSync()[0]);
          return total;
        }
        const term = pdeLoss(ops, u, fields);
        pde.push(term.dataSync()[0]);
        if (model.variant !== 'soft') return term;
        const { ic, bc } = conditionLoss(ops, u, c);
        return tf.addN([term, ic, bc]) as tf.Scalar;
      },
      note: () => ` pde ${pde[pde.length - 1].toExponential(3)}`,
    },
    cfg,
    log,
  );
  return { ...rec, pde };
}

export interface EvalResult {
  /** Relative L2 per test trajectory over the whole (t, x) grid. */
  readonly relL2: number[];
  readonly mean: number;
  readonly std: number;
  /** Predictions [test, nt, nx] (float32 values). */
  readonly u: Float32Array;
  /** Hard variants: PDE residual (τ units) at the constraint points after the solve. */
  readonly residualRms: number[];
  readonly residualMax: number[];
  /** Hard variants: RMS of the initial/boundary rows after the solve. */
  readonly conditionRms: number[];
  readonly lmIterations: number[];
  /**
   * Hard variants: the LM's own stopping quantities at exit, per solve: ‖Jᵀr‖∞ (what the
   * tolerance gtol bounds) and the objective ½‖r‖² (weighted rows + ridge) it minimised.
   */
  readonly lmGradNorm: number[];
  readonly lmCost: number[];
  /**
   * The paper code's stopping test (optimistix LM, rtol = atol = 1e-4) evaluated at our exit,
   * per solve: max_k |h_k| / (atol + rtol·|w_k|) for the last accepted step h, and
   * |Δ½‖r‖²| / (atol + rtol·½‖r‖²); both < 1 means that solver would have stopped there too.
   */
  readonly paperStepRatio: number[];
  readonly paperCostRatio: number[];
  /** Why each solve's LM stopped ('gtol', 'ftol', 'xtol', 'maxIter'), in solve order. */
  readonly lmReason: string[];
  /** Inference wall ms per batch. */
  readonly inferMs: number[];
}

export function evaluate(
  model: DsModel,
  ops: GridOps,
  data: DsData,
  batch: number,
  seed: number,
): EvalResult {
  const rng = new Rng(seed);
  const n = data.cTest.length;
  const G = data.nt * data.nx;
  const u = new Float32Array(n * G);
  const rel: number[] = [];
  const out = {
    residualRms: [] as number[],
    residualMax: [] as number[],
    conditionRms: [] as number[],
    lmIterations: [] as number[],
    lmGradNorm: [] as number[],
    lmCost: [] as number[],
    paperStepRatio: [] as number[],
    paperCostRatio: [] as number[],
    lmReason: [] as string[],
    inferMs: [] as number[],
  };
  for (let s = 0; s < n; s += batch) {
    const c = data.cTest.subarray(s, Math.min(n, s + batch));
    const sample = model.samplePoints(ops, rng);
    const t0 = performance.now();
    const pred = model.forward(ops, Float64Array.from(c), sample);
    const vals = pred.dataSync() as Float32Array;
    out.inferMs.push(performance.now() - t0);
    pred.dispose();
    u.set(vals, s * G);
    for (let i = 0; i < c.length; i++) {
      let num = 0;
      let den = 0;
      for (let g = 0; g < G; g++) {
        const ref = data.uTest[(s + i) * G + g];
        num += (vals[i * G + g] - ref) ** 2;
        den += ref * ref;
      }
      rel.push(Math.sqrt(num / den));
    }
    if (model.moe) {
      const K = model.experts;
      // With local conditions the dropped rows are zero: the RMS over the rows an expert keeps.
      const withIc = model.form === 'lsq';
      const m = (withIc ? data.nx : 0) + 2 * (data.nt - 1);
      const mask = model.conditions === 'shared' ? null : model.conditionMask(data.nx, data.nt, withIc);
      const kept = Array.from({ length: K }, (_, k) =>
        mask ? mask.subarray(k * m, (k + 1) * m).reduce((a, v) => a + v, 0) : m,
      );
      for (const [p, r] of model.moe.constraint.lastSolve.entries()) {
        out.residualRms.push(r.blocks[0].rms);
        out.residualMax.push(r.blocks[0].maxAbs);
        // 'ansatz': the conditions are in the ansatz, no rows to report ('ic-ansatz': BC rows only).
        if (r.blocks.length > 1) out.conditionRms.push(r.blocks[1].rms * Math.sqrt(m / kept[p % K]));
        out.lmIterations.push(r.iterations);
        out.lmGradNorm.push(r.gradNorm);
        out.lmCost.push(r.cost);
        let step = 0;
        r.w.forEach((wk, k) => {
          step = Math.max(step, Math.abs(r.lastStep[k]) / (PAPER_LM_TOL + PAPER_LM_TOL * Math.abs(wk)));
        });
        out.paperStepRatio.push(step);
        out.paperCostRatio.push(Math.abs(r.lastCostChange) / (PAPER_LM_TOL + PAPER_LM_TOL * r.cost));
        out.lmReason.push(r.reason);
      }
    }
  }
  const mean = rel.reduce((a, b) => a + b, 0) / rel.length;
  const std = Math.sqrt(rel.reduce((a, b) => a + (b - mean) ** 2, 0) / rel.length);
  return { relL2: rel, mean, std, u, ...out };
}

/**
 * The grid's finite-difference residual of the reference test solutions themselves (the paper
 * code logs the same as `gt_residual`): how stiff the residual loss is at this resolution. A
 * model cannot drive its residual below this without departing from the true solution.
 */
export function referenceResidual(
  ops: GridOps,
  data: DsData,
): { rmsTau: number; maxPhysical: number; paperNorm: number; paperTotal: number } {
  const n = data.cTest.length;
  const u = tf.tensor4d(Float32Array.from(data.uTest), [n, data.nt, data.nx, 1]);
  const ms = pdeLoss(ops, u);
  const paper = paperLoss(ops, u, data.cTest);
  const mx = tf.tidy(() => tf.max(tf.abs(tf.div(ops.residual(u), T_END))));
  const out = {
    rmsTau: Math.sqrt(ms.dataSync()[0]),
    maxPhysical: mx.dataSync()[0],
    paperNorm: paper.pde.dataSync()[0],
    paperTotal: paper.total.dataSync()[0],
  };
  tf.dispose([u, ms, paper.total, paper.pde, mx]);
  return out;
}
