/**
 * The float64 side of the hard-constraint layer: one nonlinear least-squares problem
 *
 *   min_w  Σ_blocks Σ_i (ω_b f_b(v_i, p_b, a_i))² + λ² ‖w‖²,   v_i[c] = Σ_k B_b[c, i, k] w_k,
 *
 * where B_b [channels, points, n] holds basis functions (or linear maps of them: derivatives,
 * boundary extrapolations) at the block's points, f_b is a pointwise residual of those channel
 * values (a PDE residual of (u, u_t, u_xx), or v − target for an initial or boundary condition)
 * and λ the ridge of the paper's code. `solveProblem` runs Levenberg–Marquardt;
 * `adjointProblem` is its backward pass by the implicit function theorem: at the optimum
 * g(w, B) = ∇_w ½‖r‖² = 0, so dw/dB = −H⁻¹ ∂g/∂B with H = ∂g/∂w the exact Hessian
 * (Gauss–Newton part plus Σ r_i ∇²r_i, from the residual's second derivatives). One n × n solve
 * H z = ∂L/∂w gives, for every entry,
 *   ∂L/∂B_b[c, i, k] = −(α_ci w_k + β_ci z_k),
 *   α_ci = ω (f_c s_i + r_i Σ_d f_cd q_di),  β_ci = ω r_i f_c,  s_i = J_i·z,  q_di = B_b[d, i]·z.
 */
import { type LmOptions, type LmResult, levenbergMarquardt } from './lm.ts';

/**
 * A residual evaluated point by point. It must be a module-level constant exported under `name`
 * from `module` (a file URL, usually `import.meta.url`), so that pool workers can load it.
 */
export interface PointwiseResidual {
  readonly name: string;
  readonly module: string;
  /** Number of channel values v the residual reads. */
  readonly channels: number;
  /** Per-point auxiliary values (targets, coordinates); 0 when none. */
  readonly auxWidth: number;
  /**
   * r(v; params, aux[auxOffset .. auxOffset + auxWidth)); writes ∂r/∂v into `grad` [channels]
   * and ∂²r/∂v∂v into `hess` [channels, channels] when `hess` is not null.
   */
  evaluate(
    v: Float64Array,
    params: Float64Array,
    aux: Float64Array,
    auxOffset: number,
    grad: Float64Array,
    hess: Float64Array | null,
  ): number;
}

/** r = Σ_c params[c] v_c − aux[i]: initial, Dirichlet, Neumann and Robin conditions. */
export const LINEAR_RESIDUAL: PointwiseResidual = {
  name: 'LINEAR_RESIDUAL',
  module: import.meta.url,
  channels: -1,
  auxWidth: 1,
  evaluate(v, params, aux, off, grad, hess) {
    let r = -aux[off];
    for (let c = 0; c < v.length; c++) {
      r += params[c] * v[c];
      grad[c] = params[c];
    }
    hess?.fill(0);
    return r;
  },
};

export interface BlockData {
  readonly residual: PointwiseResidual;
  /** [channels, points, n] row-major. */
  readonly basis: Float64Array;
  readonly channels: number;
  readonly points: number;
  /** [points, auxWidth]. */
  readonly aux: Float64Array;
  readonly params: Float64Array;
  /** Row weight ω (default 1). */
  readonly weight: number;
}

export interface ProblemData {
  /** Number of weights (basis functions). */
  readonly n: number;
  readonly blocks: readonly BlockData[];
  /** λ: ridge rows λ w (paper: 1e-4). */
  readonly ridge: number;
  readonly w0: Float64Array;
}

export interface BlockStats {
  /** Root mean square of f (unweighted) over the block's points. */
  readonly rms: number;
  readonly maxAbs: number;
}

export interface SolveResult {
  readonly w: Float64Array;
  readonly cost: number;
  readonly gradNorm: number;
  readonly iterations: number;
  readonly reason: LmResult['reason'];
  /** The LM's last accepted step and the cost change it made (see `LmResult`). */
  readonly lastStep: Float64Array;
  readonly lastCostChange: number;
  readonly blocks: BlockStats[];
}

/** Checks shapes once, with messages naming the field. */
export function checkProblem(p: ProblemData, where = 'ProblemData'): void {
  if (!Number.isInteger(p.n) || p.n < 1)
    throw new Error(`${where}: 'n' must be a positive integer, got ${p.n}`);
  if (!(p.ridge >= 0)) throw new Error(`${where}: 'ridge' must be >= 0, got ${p.ridge}`);
  if (p.w0.length !== p.n) throw new Error(`${where}: 'w0' has length ${p.w0.length}, expected n = ${p.n}`);
  if (p.blocks.length === 0) throw new Error(`${where}: 'blocks' is empty`);
  p.blocks.forEach((b, j) => {
    const at = `${where}: blocks[${j}]`;
    if (b.residual.channels !== -1 && b.residual.channels !== b.channels) {
      throw new Error(
        `${at}: residual '${b.residual.name}' reads ${b.residual.channels} channels, got ${b.channels}`,
      );
    }
    if (b.residual === LINEAR_RESIDUAL || b.residual.name === 'LINEAR_RESIDUAL') {
      if (b.params.length < b.channels)
        throw new Error(
          `${at}: LINEAR_RESIDUAL needs ${b.channels} params (coefficients), got ${b.params.length}`,
        );
    }
    if (b.basis.length !== b.channels * b.points * p.n) {
      throw new Error(
        `${at}: 'basis' has ${b.basis.length} values, expected channels·points·n = ${b.channels}·${b.points}·${p.n}`,
      );
    }
    if (b.aux.length !== b.points * b.residual.auxWidth) {
      throw new Error(
        `${at}: 'aux' has ${b.aux.length} values, expected points·auxWidth = ${b.points}·${b.residual.auxWidth}`,
      );
    }
  });
}

function totalRows(p: ProblemData): number {
  return p.blocks.reduce((s, b) => s + b.points, 0) + (p.ridge > 0 ? p.n : 0);
}

/** Channel values v[c] = B[c, i, :]·w of point i. */
function channelValues(b: BlockData, n: number, i: number, w: Float64Array, v: Float64Array): void {
  for (let c = 0; c < b.channels; c++) {
    const off = (c * b.points + i) * n;
    let s = 0;
    for (let k = 0; k < n; k++) s += b.basis[off + k] * w[k];
    v[c] = s;
  }
}

function maxChannels(p: ProblemData): number {
  return p.blocks.reduce((s, b) => Math.max(s, b.channels), 1);
}

/** Residual rows (and Jacobian rows when J is given) at w. */
function evaluateRows(p: ProblemData, w: Float64Array, r: Float64Array, J: Float64Array | null): void {
  const { n } = p;
  const C = maxChannels(p);
  const v = new Float64Array(C);
  const grad = new Float64Array(C);
  let row = 0;
  for (const b of p.blocks) {
    const vb = v.subarray(0, b.channels);
    const gb = grad.subarray(0, b.channels);
    const A = b.residual.auxWidth;
    for (let i = 0; i < b.points; i++, row++) {
      channelValues(b, n, i, w, vb);
      r[row] = b.weight * b.residual.evaluate(vb, b.params, b.aux, i * A, gb, null);
      if (J) {
        const jr = row * n;
        for (let k = 0; k < n; k++) J[jr + k] = 0;
        for (let c = 0; c < b.channels; c++) {
          const gc = b.weight * gb[c];
          if (gc === 0) continue;
          const off = (c * b.points + i) * n;
          for (let k = 0; k < n; k++) J[jr + k] += gc * b.basis[off + k];
        }
      }
    }
  }
  if (p.ridge > 0) {
    for (let k = 0; k < n; k++, row++) {
      r[row] = p.ridge * w[k];
      if (J) {
        const jr = row * n;
        for (let j = 0; j < n; j++) J[jr + j] = j === k ? p.ridge : 0;
      }
    }
  }
}

/** RMS and max |f| per block at w. */
export function blockStats(p: ProblemData, w: Float64Array): BlockStats[] {
  const C = maxChannels(p);
  const v = new Float64Array(C);
  const grad = new Float64Array(C);
  return p.blocks.map((b) => {
    let ss = 0;
    let mx = 0;
    const vb = v.subarray(0, b.channels);
    for (let i = 0; i < b.points; i++) {
      channelValues(b, p.n, i, w, vb);
      const f = b.residual.evaluate(vb, b.params, b.aux, i * b.residual.auxWidth, grad, null);
      ss += f * f;
      mx = Math.max(mx, Math.abs(f));
    }
    return { rms: Math.sqrt(ss / Math.max(1, b.points)), maxAbs: mx };
  });
}

/** Levenberg–Marquardt on the problem from p.w0. */
export function solveProblem(p: ProblemData, lm: LmOptions = {}): SolveResult {
  checkProblem(p);
  const m = totalRows(p);
  const res = levenbergMarquardt(
    {
      n: p.n,
      m,
      residual: (w, r) => evaluateRows(p, w, r, null),
      jacobian: (w, J, r) => evaluateRows(p, w, r, J),
    },
    p.w0,
    lm,
  );
  return { ...res, blocks: blockStats(p, res.w) };
}

/** Solves the dense n × n system A x = b by Gaussian elimination with partial pivoting. */
export function solveDense(A: Float64Array, n: number, b: Float64Array): Float64Array {
  const M = Float64Array.from(A);
  const x = Float64Array.from(b);
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(M[r * n + col]) > Math.abs(M[piv * n + col])) piv = r;
    if (M[piv * n + col] === 0) throw new Error(`solveDense: matrix is singular (column ${col})`);
    if (piv !== col) {
      for (let c = 0; c < n; c++) {
        const t = M[col * n + c];
        M[col * n + c] = M[piv * n + c];
        M[piv * n + c] = t;
      }
      const t = x[col];
      x[col] = x[piv];
      x[piv] = t;
    }
    const d = M[col * n + col];
    for (let r = col + 1; r < n; r++) {
      const f = M[r * n + col] / d;
      if (f === 0) continue;
      for (let c = col; c < n; c++) M[r * n + c] -= f * M[col * n + c];
      x[r] -= f * x[col];
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = x[r];
    for (let c = r + 1; c < n; c++) s -= M[r * n + c] * x[c];
    x[r] = s / M[r * n + r];
  }
  return x;
}

/** The exact Hessian of ½‖r‖² + ½λ²‖w‖² at w, [n, n]. */
export function problemHessian(p: ProblemData, w: Float64Array): Float64Array {
  const { n } = p;
  const H = new Float64Array(n * n);
  const C = maxChannels(p);
  const v = new Float64Array(C);
  const grad = new Float64Array(C);
  const hess = new Float64Array(C * C);
  const Ji = new Float64Array(n);
  for (const b of p.blocks) {
    const Cb = b.channels;
    const vb = v.subarray(0, Cb);
    const gb = grad.subarray(0, Cb);
    const hb = hess.subarray(0, Cb * Cb);
    const A = b.residual.auxWidth;
    const om = b.weight;
    for (let i = 0; i < b.points; i++) {
      channelValues(b, n, i, w, vb);
      const ri = om * b.residual.evaluate(vb, b.params, b.aux, i * A, gb, hb);
      Ji.fill(0);
      for (let c = 0; c < Cb; c++) {
        const off = (c * b.points + i) * n;
        for (let k = 0; k < n; k++) Ji[k] += om * gb[c] * b.basis[off + k];
      }
      for (let a = 0; a < n; a++) for (let k = a; k < n; k++) H[a * n + k] += Ji[a] * Ji[k];
      if (ri === 0) continue;
      for (let c = 0; c < Cb; c++) {
        for (let d = 0; d < Cb; d++) {
          const h = ri * om * hb[c * Cb + d];
          if (h === 0) continue;
          const oc = (c * b.points + i) * n;
          const od = (d * b.points + i) * n;
          for (let a = 0; a < n; a++) {
            const ba = h * b.basis[oc + a];
            for (let k = a; k < n; k++) H[a * n + k] += ba * b.basis[od + k];
          }
        }
      }
    }
  }
  for (let a = 0; a < n; a++) {
    H[a * n + a] += p.ridge * p.ridge;
    for (let k = 0; k < a; k++) H[a * n + k] = H[k * n + a];
  }
  return H;
}

/**
 * Backward pass: ∂L/∂B_b for every block (each [channels, points, n]) from ∂L/∂w = `gw` at the
 * solution w, by the implicit function theorem (no unrolling of the iterations).
 */
export function adjointProblem(p: ProblemData, w: Float64Array, gw: Float64Array): Float64Array[] {
  checkProblem(p);
  const { n } = p;
  if (w.length !== n) throw new Error(`adjointProblem: 'w' has length ${w.length}, expected ${n}`);
  if (gw.length !== n) throw new Error(`adjointProblem: 'gw' has length ${gw.length}, expected ${n}`);
  const z = solveDense(problemHessian(p, w), n, gw);
  const C = maxChannels(p);
  const v = new Float64Array(C);
  const grad = new Float64Array(C);
  const hess = new Float64Array(C * C);
  const q = new Float64Array(C);
  return p.blocks.map((b) => {
    const Cb = b.channels;
    const out = new Float64Array(b.basis.length);
    const vb = v.subarray(0, Cb);
    const gb = grad.subarray(0, Cb);
    const hb = hess.subarray(0, Cb * Cb);
    const A = b.residual.auxWidth;
    const om = b.weight;
    for (let i = 0; i < b.points; i++) {
      channelValues(b, n, i, w, vb);
      channelValues(b, n, i, z, q);
      const ri = om * b.residual.evaluate(vb, b.params, b.aux, i * A, gb, hb);
      let s = 0;
      for (let c = 0; c < Cb; c++) s += om * gb[c] * q[c];
      for (let c = 0; c < Cb; c++) {
        let hq = 0;
        for (let d = 0; d < Cb; d++) hq += hb[c * Cb + d] * q[d];
        const alpha = om * (gb[c] * s + ri * hq);
        const beta = ri * om * gb[c];
        const off = (c * b.points + i) * n;
        for (let k = 0; k < n; k++) out[off + k] = -(alpha * w[k] + beta * z[k]);
      }
    }
    return out;
  });
}
