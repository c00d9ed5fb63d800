/**
 * PI-HC-MoE stretch case: 2-D incompressible Navier–Stokes in vorticity form on the periodic
 * unit square, no forcing (the paper's NS setup, scaled to a CPU):
 *   ω_t + u·∇ω = ν Δω,   u = (ψ_y, −ψ_x),   −Δψ = ω.
 * Reads top to bottom: data (our pseudo-spectral solver, GRF initial vorticity) → spectral and
 * finite-difference maps on the (t, y, x) grid → FNO base (ω0 → N basis functions per time
 * slice, time slices as output channels) → ansatz ω = ω0 + τ Σ_i w_i b_i (the IC exact for any
 * w: the paper code's t/T ramp) → constraint (soft: residual as loss; hard: LM layer with the
 * PDE rows, 1 expert; MoE: 2 × 2 experts over (y, x), each with its own points) → training on
 * the PDE residual only → relative L2 on test trajectories.
 * Time is normalised, τ = t / T: the residual is ω_τ + T (u ω_x + v ω_y − ν Δω).
 */
import { Rng } from '@pinnate/core';
import { constLeftMul, FNO_NS_GRF, Fno, Grf2d, solveNavierStokes2d } from '@pinnate/operators';
import {
  assembleExperts,
  gridExperts,
  type LmOptions,
  MixtureOfExperts,
  type PointwiseResidual,
  type SolverPool,
  sampleExpertPoints,
} from '@pinnate/pinn';
import * as tf from '@tensorflow/tfjs';
import { type MatPair, matPair, timeDifferenceMatrix } from './ds.ts';
import { type TrainLoopConfig, type TrainLoopRecord, trainLoop } from './train_loop.ts';

/** ν and T of the paper's NS case (Re = 1e4, 5 s). */
export const NS_VISCOSITY = 1e-4;
export const NS_T_END = 5;

/** Channels the constraint reads per point: ω_τ, u, v, ω_x, ω_y, Δω. */
export const NS_CHANNELS = 6;

// Scratch for the shifted channels (evaluate runs per row inside the LM loop).
const SHIFTED = new Float64Array(NS_CHANNELS);

/**
 * r = ω_τ + T (u ω_x + v ω_y − ν Δω) at channels v + aux, where aux [6] holds the same channels
 * of the fixed part ω0 of the ansatz (ω0 does not change in time: its ω_τ entry is 0).
 * params = [T, ν].
 */
export const NS_VORTICITY_RESIDUAL: PointwiseResidual = {
  name: 'NS_VORTICITY_RESIDUAL',
  module: import.meta.url,
  channels: NS_CHANNELS,
  auxWidth: NS_CHANNELS,
  evaluate(v, params, aux, off, grad, hess) {
    const s = SHIFTED;
    for (let c = 0; c < NS_CHANNELS; c++) s[c] = v[c] + aux[off + c];
    const T = params[0];
    const nu = params[1];
    const [wt, u, vv, wx, wy, lap] = s;
    grad[0] = 1;
    grad[1] = T * wx;
    grad[2] = T * wy;
    grad[3] = T * u;
    grad[4] = T * vv;
    grad[5] = -T * nu;
    if (hess) {
      hess.fill(0);
      // u·ω_x and v·ω_y are the only products.
      hess[1 * NS_CHANNELS + 3] = T;
      hess[3 * NS_CHANNELS + 1] = T;
      hess[2 * NS_CHANNELS + 4] = T;
      hess[4 * NS_CHANNELS + 2] = T;
    }
    return wt + T * (u * wx + vv * wy - nu * lap);
  },
};

/** Real n × n matrix of the periodic spectral multiplier m(k) on x_j = j / n (row-major). */
function spectralMatrix1d(n: number, m: (k: number) => number, odd: boolean): Float64Array {
  // Circulant: D[j, l] = (1/n) Σ_k m(k) e^{2πik(j−l)/n}; odd multipliers (i·k) give a sine sum.
  const kernel = new Float64Array(n);
  for (let d = 0; d < n; d++) {
    let s = 0;
    for (let kk = 0; kk < n; kk++) {
      const k = kk <= n / 2 ? kk : kk - n;
      if (odd && 2 * Math.abs(k) === n) continue; // the Nyquist mode has no real derivative
      const phase = (2 * Math.PI * k * d) / n;
      s += odd ? -m(k) * Math.sin(phase) : m(k) * Math.cos(phase);
    }
    kernel[d] = s / n;
  }
  const D = new Float64Array(n * n);
  for (let j = 0; j < n; j++) for (let l = 0; l < n; l++) D[j * n + l] = kernel[(((j - l) % n) + n) % n];
  return D;
}

/**
 * Maps on fields f [B, nt, n, n, C] (row i = y, column j = x, time τ = t/T on nt snapshots):
 * ∂_τ by finite differences (central, one-sided second order at the ends), ∂_x, ∂_y, Δ
 * spectrally (exact on the grid's trigonometric polynomials) and the Biot–Savart velocity
 * (u, v) = (ψ_y, −ψ_x), −Δψ = ω (zero-mean ψ), as dense n² × n² maps.
 */
export class NsGridOps {
  readonly n: number;
  readonly nt: number;
  private readonly dtMat: MatPair;
  private readonly d1: MatPair;
  private readonly d2: MatPair;
  private readonly fourier: MatPair;
  private readonly fourierInv: MatPair;
  private readonly inverseLaplacian: tf.Tensor5D;

  constructor(n: number, nt: number) {
    if (!Number.isInteger(n) || n < 4 || n % 2 !== 0)
      throw new Error(`NsGridOps: 'n' must be an even integer >= 4, got ${n}`);
    if (!Number.isInteger(nt) || nt < 3)
      throw new Error(`NsGridOps: 'nt' must be an integer >= 3, got ${nt}`);
    this.n = n;
    this.nt = nt;
    this.dtMat = matPair(timeDifferenceMatrix(nt), nt, nt);
    const tw = 2 * Math.PI;
    this.d1 = matPair(
      spectralMatrix1d(n, (k) => tw * k, true),
      n,
      n,
    );
    this.d2 = matPair(
      spectralMatrix1d(n, (k) => -((tw * k) ** 2), false),
      n,
      n,
    );
    // ψ = (−Δ)⁻¹ ω through the orthonormal real Fourier basis (rows 1, cos, sin, Nyquist), where
    // −Δ is diagonal: two separable transforms, a scale, two inverse transforms (a dense n² × n²
    // map was 2 s per forward at 32² × 33 × 16 channels).
    const R = new Float64Array(n * n);
    const kOf = new Float64Array(n);
    for (let j = 0; j < n; j++) R[j] = 1 / Math.sqrt(n);
    for (let k = 1; k < n / 2; k++) {
      kOf[2 * k - 1] = k;
      kOf[2 * k] = k;
      for (let j = 0; j < n; j++) {
        R[(2 * k - 1) * n + j] = Math.sqrt(2 / n) * Math.cos((tw * k * j) / n);
        R[2 * k * n + j] = Math.sqrt(2 / n) * Math.sin((tw * k * j) / n);
      }
    }
    kOf[n - 1] = n / 2;
    for (let j = 0; j < n; j++) R[(n - 1) * n + j] = (j % 2 === 0 ? 1 : -1) / Math.sqrt(n);
    this.fourier = matPair(R, n, n);
    // R is orthonormal: its inverse is the transpose matPair already holds.
    this.fourierInv = [this.fourier[1], this.fourier[0]];
    const scale = new Float32Array(n * n);
    for (let a = 0; a < n; a++)
      for (let b = 0; b < n; b++) {
        const k2 = kOf[a] ** 2 + kOf[b] ** 2;
        scale[a * n + b] = k2 === 0 ? 0 : 1 / (tw * tw * k2);
      }
    this.inverseLaplacian = tf.tensor5d(scale, [1, 1, n, n, 1]);
  }

  /** ∂_τ f, f [B, nt, n, n, C]. */
  dt(f: tf.Tensor5D): tf.Tensor5D {
    const [B, nt, n, , C] = f.shape;
    return constLeftMul(this.dtMat[0], this.dtMat[1], f.reshape([B, nt, n * n * C])).reshape(f.shape);
  }

  private alongX(m: MatPair, f: tf.Tensor5D): tf.Tensor5D {
    const [B, nt, n, , C] = f.shape;
    return constLeftMul(m[0], m[1], f.reshape([B * nt * n, n, C])).reshape(f.shape);
  }

  private alongY(m: MatPair, f: tf.Tensor5D): tf.Tensor5D {
    const [B, nt, n, , C] = f.shape;
    return constLeftMul(m[0], m[1], f.reshape([B * nt, n, n * C])).reshape(f.shape);
  }

  dx(f: tf.Tensor5D): tf.Tensor5D {
    return this.alongX(this.d1, f);
  }

  dy(f: tf.Tensor5D): tf.Tensor5D {
    return this.alongY(this.d1, f);
  }

  laplacian(f: tf.Tensor5D): tf.Tensor5D {
    return tf.add(this.alongX(this.d2, f), this.alongY(this.d2, f)) as tf.Tensor5D;
  }

  /** Velocity (u, v) = (ψ_y, −ψ_x), −Δψ = f (zero-mean ψ), each [B, nt, n, n, C]. */
  biotSavart(f: tf.Tensor5D): [tf.Tensor5D, tf.Tensor5D] {
    const spectral = this.alongX(this.fourier, this.alongY(this.fourier, f));
    const psiHat = tf.mul(spectral, this.inverseLaplacian) as tf.Tensor5D;
    const psi = this.alongX(this.fourierInv, this.alongY(this.fourierInv, psiHat));
    return [this.dy(psi), tf.neg(this.dx(psi)) as tf.Tensor5D];
  }

  /** The six constraint channels [ω_τ, u, v, ω_x, ω_y, Δω] of f, each [B, nt, n, n, C]. */
  channels(f: tf.Tensor5D): tf.Tensor5D[] {
    return [this.dt(f), ...this.spatialChannels(f)];
  }

  /** [u, v, ω_x, ω_y, Δω] of f [B, T, n, n, C] for any number T of time slices. */
  spatialChannels(f: tf.Tensor5D): tf.Tensor5D[] {
    const [u, v] = this.biotSavart(f);
    return [u, v, this.dx(f), this.dy(f), this.laplacian(f)];
  }

  /** PDE residual ω_τ + T (u ω_x + v ω_y − ν Δω) in τ units, ω [B, nt, n, n, 1]. */
  residual(w: tf.Tensor5D): tf.Tensor5D {
    return tf.tidy(() => {
      const [wt, u, v, wx, wy, lap] = this.channels(w);
      const adv = tf.add(tf.mul(u, wx), tf.mul(v, wy));
      return tf.add(wt, tf.mul(NS_T_END, tf.sub(adv, tf.mul(NS_VISCOSITY, lap)))) as tf.Tensor5D;
    });
  }

  dispose(): void {
    tf.dispose([...this.dtMat, ...this.d1, ...this.d2, ...this.fourier, this.inverseLaplacian]);
  }
}

export interface NsDataConfig {
  /** Grid of the data and the model (n × n, even). */
  readonly n: number;
  /** Solver grid (a multiple of n; the data are its every (fine/n)-th point). */
  readonly fine: number;
  /** Snapshots over [0, T] (nt − 1 must divide `solverSteps`). */
  readonly nt: number;
  readonly solverSteps: number;
  readonly train: number;
  readonly test: number;
  readonly seed: number;
  /** Factor on FNO's GRF sample (its vorticity has rms ≈ 0.05: nearly frozen over 5 s at ν = 1e-4). */
  readonly icScale: number;
}

export interface NsData {
  readonly n: number;
  readonly nt: number;
  /** [count][nt · n · n] vorticity, row-major (t, y, x). */
  readonly train: Float64Array[];
  readonly test: Float64Array[];
}

/** Trajectories from GRF initial vorticity (FNO's NS field, zero mean), solved on `fine`², sampled on n². */
export function makeNsData(cfg: NsDataConfig): NsData {
  const { n, fine, nt } = cfg;
  if (fine % n !== 0) throw new Error(`makeNsData: 'fine' (=${fine}) must be a multiple of 'n' (=${n})`);
  const grf = new Grf2d({ n: fine, covariance: FNO_NS_GRF, boundary: 'periodic', zeroMean: true });
  const rng = new Rng(cfg.seed);
  const stride = fine / n;
  const one = (): Float64Array => {
    const w0 = grf.sample(rng).map((v) => v * cfg.icScale);
    const sol = solveNavierStokes2d({
      viscosity: NS_VISCOSITY,
      initial: w0,
      tEnd: NS_T_END,
      steps: cfg.solverSteps,
      snapshots: nt,
    });
    const out = new Float64Array(nt * n * n);
    for (let s = 0; s < nt; s++)
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++)
          out[(s * n + i) * n + j] = sol.w[(s * fine + i * stride) * fine + j * stride];
    return out;
  };
  const train = Array.from({ length: cfg.train }, one);
  const test = Array.from({ length: cfg.test }, one);
  return { n, nt, train, test };
}

export type NsVariant = 'soft' | 'hard' | 'moe';

export interface NsModelConfig {
  readonly basis: number;
  readonly width: number;
  readonly modes: number;
  readonly layers: number;
  readonly projection: number;
  readonly seed: number;
}

export interface NsConstraintConfig {
  /** Experts per axis (y, x): [1, 1] for one expert, [2, 2] for the paper's MoE. */
  readonly experts: readonly [number, number];
  readonly pointsPerExpert: number;
  readonly ridge: number;
  readonly lm: LmOptions;
  readonly pool: SolverPool;
}

/**
 * ω = ω0 + τ b (soft) or ω0 + τ Σ_i w_i b_i (hard, MoE): the FNO maps ω0 [B, n, n, 1] to the
 * basis of every time slice τ > 0 at once ((nt − 1)·N output channels).
 */
export class NsModel {
  readonly variant: NsVariant;
  readonly fno: Fno;
  readonly moe: MixtureOfExperts | null;
  readonly experts: readonly [number, number];
  private readonly basis: number;
  private readonly pointsPerExpert: number;

  constructor(variant: NsVariant, nt: number, model: NsModelConfig, constraint: NsConstraintConfig | null) {
    this.variant = variant;
    if (variant !== 'soft' && !constraint)
      throw new Error(`NsModel: variant '${variant}' needs a constraint config`);
    this.basis = variant === 'soft' ? 1 : model.basis;
    this.experts = variant === 'soft' ? [1, 1] : (constraint as NsConstraintConfig).experts;
    this.pointsPerExpert = constraint?.pointsPerExpert ?? 0;
    this.fno = new Fno({
      inChannels: 1,
      outChannels: (nt - 1) * this.basis,
      width: model.width,
      modes: model.modes,
      layers: model.layers,
      projection: model.projection,
      seed: model.seed,
    });
    this.moe =
      variant === 'soft'
        ? null
        : new MixtureOfExperts({
            experts: this.experts[0] * this.experts[1],
            blocks: [{ residual: NS_VORTICITY_RESIDUAL, params: [NS_T_END, NS_VISCOSITY] }],
            ridge: constraint?.ridge,
            // The paper code starts its NS solves at w = 0.
            w0: 0,
            lm: constraint?.lm,
            pool: constraint?.pool,
          });
  }

  variables(): tf.Variable[] {
    return this.fno.parameters().map((p) => p.variable);
  }

  /** Constraint points of every expert (τ > 0), a fresh draw per call. */
  samplePoints(ops: NsGridOps, rng: Rng): { owner: Int32Array; points: Int32Array[] } {
    const { n, nt } = ops;
    const owner = gridExperts([nt, n, n], [1, this.experts[0], this.experts[1]]);
    if (!this.moe) return { owner, points: [] };
    const K = this.experts[0] * this.experts[1];
    const points = sampleExpertPoints(owner, K, this.pointsPerExpert, rng, (g) => g >= n * n);
    return { owner, points };
  }

  /** ω [B, nt, n, n, 1] from the initial vorticities w0 (each n², row-major). */
  forward(
    ops: NsGridOps,
    w0: readonly Float64Array[],
    sample: { owner: Int32Array; points: Int32Array[] },
  ): tf.Tensor5D {
    const B = w0.length;
    const { n, nt } = ops;
    const N = this.basis;
    const G = nt * n * n;
    const flat = new Float32Array(B * n * n);
    w0.forEach((w, b) => flat.set(w, b * n * n));
    return tf.tidy(() => {
      const init = tf.tensor4d(flat, [B, n, n, 1]);
      const raw = this.fno.apply(init); // [B, n, n, (nt − 1)·N]
      // [B, nt − 1, n, n, N], then the τ ramp (and the τ = 0 slice, which is 0).
      const slices = raw.reshape([B, n, n, nt - 1, N]).transpose([0, 3, 1, 2, 4]);
      const tau = tf.tensor5d(
        Float32Array.from({ length: nt - 1 }, (_, s) => (s + 1) / (nt - 1)),
        [1, nt - 1, 1, 1, 1],
      );
      const b = tf.concat([tf.zeros([B, 1, n, n, N]), tf.mul(slices, tau)], 1) as tf.Tensor5D;
      const base = tf.tile(init.reshape([B, 1, n, n, 1]), [1, nt, 1, 1, 1]);
      if (!this.moe) return tf.add(base, b) as tf.Tensor5D;
      const local = tf.stack(
        ops.channels(b).map((c) => c.reshape([B, G, N])),
        1,
      ) as tf.Tensor4D; // [B, 6, G, N]
      // aux [B, G, 6]: ω0's channels (ω_τ = 0) at every point of every time slice.
      const ch0 = ops.spatialChannels(init.reshape([B, 1, n, n, 1]) as tf.Tensor5D);
      const a0 = tf
        .concat([tf.zerosLike(ch0[0]), ...ch0], 4)
        .reshape([B, 1, n * n, NS_CHANNELS])
        .tile([1, nt, 1, 1]);
      const aux = Float64Array.from(a0.dataSync() as Float32Array);
      const w = this.moe.apply(local, sample.points, aux, [], []);
      const u = assembleExperts(b.reshape([B, G, N]) as tf.Tensor3D, w, sample.owner);
      return tf.add(base, u.reshape([B, nt, n, n, 1])) as tf.Tensor5D;
    });
  }

  dispose(): void {
    this.fno.dispose();
  }
}

/** The paper code's PDE loss: per trajectory ‖r‖₂ over the whole grid (physical units), batch mean. */
export function nsPaperLoss(ops: NsGridOps, w: tf.Tensor5D): tf.Scalar {
  return tf.tidy(() => {
    const B = w.shape[0];
    const r = tf.div(ops.residual(w), NS_T_END).reshape([B, -1]);
    return tf.mean(tf.sqrt(tf.add(tf.sum(tf.square(r), 1), 1e-30))) as tf.Scalar;
  });
}

export type NsTrainConfig = TrainLoopConfig;

export type NsTrainRecord = TrainLoopRecord;

export function trainNs(
  model: NsModel,
  ops: NsGridOps,
  data: NsData,
  cfg: NsTrainConfig,
  log: (s: string) => void = () => {},
): NsTrainRecord {
  const nn = data.n * data.n;
  return trainLoop(
    {
      name: `ns ${model.variant}`,
      variables: model.variables(),
      trainCount: data.train.length,
      drawPoints: (rng) => model.samplePoints(ops, rng),
      loss: (batch, sample) =>
        nsPaperLoss(
          ops,
          model.forward(
            ops,
            batch.map((i) => data.train[i].subarray(0, nn)),
            sample,
          ),
        ),
    },
    cfg,
    log,
  );
}

export interface NsEval {
  /** Relative L2 per test trajectory over the whole (t, y, x) grid. */
  readonly relL2: number[];
  readonly mean: number;
  readonly std: number;
  /** RMS of the τ-unit residual at the constraint points after the solve, per solve. */
  readonly residualRms: number[];
  /** The prediction for test trajectory 0, [nt · n · n] (t, y, x), for the figures. */
  readonly first: Float64Array;
}

export function evaluateNs(
  model: NsModel,
  ops: NsGridOps,
  data: NsData,
  batch: number,
  seed: number,
): NsEval {
  const rng = new Rng(seed);
  const nn = data.n * data.n;
  const relL2: number[] = [];
  const residualRms: number[] = [];
  let first = new Float64Array(0);
  for (let s = 0; s < data.test.length; s += batch) {
    const traj = data.test.slice(s, s + batch);
    const sample = model.samplePoints(ops, rng);
    const w = model.forward(
      ops,
      traj.map((t) => t.subarray(0, nn)),
      sample,
    );
    const v = w.dataSync();
    w.dispose();
    if (s === 0) first = Float64Array.from(v.subarray(0, data.test[0].length));
    traj.forEach((ref, b) => {
      let num = 0;
      let den = 0;
      for (let g = 0; g < ref.length; g++) {
        num += (v[b * ref.length + g] - ref[g]) ** 2;
        den += ref[g] ** 2;
      }
      relL2.push(Math.sqrt(num / den));
    });
    if (model.moe) for (const r of model.moe.constraint.lastSolve) residualRms.push(r.blocks[0].rms);
  }
  const mean = relL2.reduce((a, x) => a + x, 0) / relL2.length;
  const std = Math.sqrt(relL2.reduce((a, x) => a + (x - mean) ** 2, 0) / Math.max(1, relL2.length - 1));
  return { relL2, mean, std, residualRms, first };
}
