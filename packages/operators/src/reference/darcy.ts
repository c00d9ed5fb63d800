/**
 * Darcy flow −∇·(a ∇u) = f with u = 0 on the boundary, on the unit square or on a masked
 * subdomain of it (L-shape, disk, square with holes, or any user mask).
 *
 * Grid: n × n vertices x_j = j h, y_i = i h, h = 1/(n − 1), row-major [i][j] (the FNO Darcy
 * layout: a and u both live on the vertices, boundary included). Five-point finite volumes
 * with face coefficients from the harmonic mean of the two vertex values, which is what keeps
 * fluxes right across the jumps of thresholded coefficients. Unknowns are the vertices where the
 * geometry's level set is negative. Where a grid edge leaves the domain, the wall sits at the
 * fraction θ = φ_p / (φ_p − φ_q) of the edge and the face flux uses the distance θh (Gibou et al.
 * 2002): only the diagonal changes, so the matrix stays symmetric and curved boundaries keep
 * second order. A raw user `mask` has no level set and is treated as a staircase (θ = 1).
 *
 * Solver: conjugate gradients preconditioned by modified incomplete Cholesky MIC(0)
 * (Gustafsson; the form in Bridson's fluid notes), whose iteration count grows like n^{1/2}
 * instead of n, so 421² takes about a second.
 */

export type DarcyGeometry = 'square' | 'lshape' | 'disk' | 'holes';
export type DarcyPreconditioner = 'mic' | 'ic' | 'jacobi';

const HOLES: readonly (readonly [number, number, number])[] = [
  [0.3, 0.3, 0.12],
  [0.7, 0.3, 0.12],
  [0.3, 0.7, 0.12],
  [0.7, 0.7, 0.12],
];

/**
 * Level set φ (negative inside) of a named geometry, intersected with the unit square:
 * `lshape` is (0,1)² minus [0.5,1]²; `disk` has centre (0.5, 0.5) and radius 0.5; `holes` is
 * the square minus four disks of radius 0.12 centred at (0.3|0.7, 0.3|0.7).
 */
export function darcyLevelSet(geometry: DarcyGeometry): (x: number, y: number) => number {
  const square = (x: number, y: number): number => Math.max(-x, x - 1, -y, y - 1);
  switch (geometry) {
    case 'square':
      return square;
    case 'lshape':
      return (x, y) => Math.max(square(x, y), Math.min(x - 0.5, y - 0.5));
    case 'disk':
      return (x, y) => Math.max(square(x, y), Math.hypot(x - 0.5, y - 0.5) - 0.5);
    case 'holes':
      return (x, y) => Math.max(square(x, y), ...HOLES.map(([cx, cy, r]) => r - Math.hypot(x - cx, y - cy)));
    default: {
      const never: never = geometry;
      throw new Error(
        `darcyLevelSet: 'geometry' must be 'square', 'lshape', 'disk' or 'holes', got ${JSON.stringify(never)}`,
      );
    }
  }
}

/** Level-set values at the n × n vertices. */
function sampleLevelSet(phi: (x: number, y: number) => number, n: number): Float64Array {
  const h = 1 / (n - 1);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = phi(j * h, i * h);
  return out;
}

// Vertices this close to the zero level count as on the wall (they are Dirichlet nodes).
const WALL_EPS = 1e-12;

/** Active-vertex mask (1 = unknown) of a named geometry on an n × n vertex grid. */
export function darcyMask(geometry: DarcyGeometry, n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 3) throw new Error(`darcyMask: 'n' must be an integer >= 3, got ${n}`);
  const phi = sampleLevelSet(darcyLevelSet(geometry), n);
  const mask = new Uint8Array(n * n);
  for (let i = 1; i < n - 1; i++)
    for (let j = 1; j < n - 1; j++) mask[i * n + j] = phi[i * n + j] < -WALL_EPS ? 1 : 0;
  return mask;
}

export interface DarcyOptions {
  /** Vertex grid size (n × n). */
  readonly n: number;
  /** a > 0 at every vertex, length n², row-major. */
  readonly coefficient: Float64Array;
  /** f: a constant (default 1, as in FNO) or per-vertex values. */
  readonly source?: number | Float64Array;
  /** Domain (default 'square'); named shapes and level-set functions get the cut-cell wall distance. */
  readonly geometry?: DarcyGeometry | ((x: number, y: number) => number);
  /** Active vertices, instead of `geometry` (staircase boundary). */
  readonly mask?: Uint8Array;
  /** Stop when ‖r‖₂ ≤ tol ‖b‖₂ (default 1e-10). */
  readonly tol?: number;
  readonly maxIterations?: number;
  readonly preconditioner?: DarcyPreconditioner;
}

export interface DarcyResult {
  /** Solution at every vertex (0 on inactive ones), row-major [n, n]. */
  readonly u: Float64Array;
  readonly iterations: number;
  /** Final relative residual ‖b − A u‖₂ / ‖b‖₂. */
  readonly residual: number;
}

export function solveDarcy(options: DarcyOptions): DarcyResult {
  const OP = 'solveDarcy';
  const { n, coefficient: a } = options;
  if (!Number.isInteger(n) || n < 3) throw new Error(`${OP}: 'n' must be an integer >= 3, got ${n}`);
  const N = n * n;
  if (!(a instanceof Float64Array) || a.length !== N)
    throw new Error(`${OP}: 'coefficient' must be a Float64Array of length n² = ${N}`);
  for (let p = 0; p < N; p++) {
    if (!(a[p] > 0) || !Number.isFinite(a[p]))
      throw new Error(`${OP}: 'coefficient' must be positive and finite; a[${p}] = ${a[p]}`);
  }
  if (options.mask && options.geometry) throw new Error(`${OP}: pass either 'mask' or 'geometry', not both`);
  let mask: Uint8Array;
  let phi: Float64Array | undefined;
  if (options.mask) {
    mask = options.mask;
  } else {
    const g = options.geometry ?? 'square';
    phi = sampleLevelSet(typeof g === 'function' ? g : darcyLevelSet(g), n);
    mask = new Uint8Array(N);
    for (let i = 1; i < n - 1; i++)
      for (let j = 1; j < n - 1; j++) mask[i * n + j] = phi[i * n + j] < -WALL_EPS ? 1 : 0;
  }
  if (mask.length !== N) throw new Error(`${OP}: 'mask' must have length n² = ${N}, got ${mask.length}`);
  for (let p = 0; p < N; p++) {
    const i = Math.floor(p / n);
    const j = p % n;
    if (mask[p] && (i === 0 || j === 0 || i === n - 1 || j === n - 1)) {
      throw new Error(`${OP}: 'mask' marks boundary vertex (${i}, ${j}) active; the outer ring must be 0`);
    }
  }
  const src = options.source ?? 1;
  if (src instanceof Float64Array && src.length !== N)
    throw new Error(`${OP}: 'source' array must have length n² = ${N}`);
  const tol = options.tol ?? 1e-10;
  const maxIt = options.maxIterations ?? 20 * n + 100;
  const h = 1 / (n - 1);
  const harm = (p: number, q: number): number => (2 * a[p] * a[q]) / (a[p] + a[q]);
  // Face weight toward q: a_face, or a_face / θ when q is outside and the wall is θh away.
  const face = (p: number, q: number): number => {
    const w = harm(p, q);
    if (mask[q] || !phi) return w;
    const theta = Math.min(1, Math.max(1e-3, phi[p] / (phi[p] - phi[q])));
    return w / theta;
  };

  // Matrix scaled by h²: diag and the couplings to +x (east) and +y (north) neighbours,
  // zero where either end is inactive (those faces only feed the diagonal).
  const diag = new Float64Array(N);
  const east = new Float64Array(N);
  const north = new Float64Array(N);
  const b = new Float64Array(N);
  for (let i = 1; i < n - 1; i++) {
    for (let j = 1; j < n - 1; j++) {
      const p = i * n + j;
      if (!mask[p]) continue;
      const aw = face(p, p - 1);
      const ae = face(p, p + 1);
      const as = face(p, p - n);
      const an = face(p, p + n);
      diag[p] = aw + ae + as + an;
      if (mask[p + 1]) east[p] = -ae;
      if (mask[p + n]) north[p] = -an;
      b[p] = h * h * (src instanceof Float64Array ? src[p] : src);
    }
  }
  const apply = (x: Float64Array, y: Float64Array): void => {
    for (let p = n; p < N - n; p++) {
      if (!mask[p]) continue;
      y[p] =
        diag[p] * x[p] +
        east[p] * x[p + 1] +
        east[p - 1] * x[p - 1] +
        north[p] * x[p + n] +
        north[p - n] * x[p - n];
    }
  };

  const kind = options.preconditioner ?? 'mic';
  const precon = new Float64Array(N);
  if (kind === 'mic' || kind === 'ic') {
    const tau = kind === 'mic' ? 0.97 : 0;
    const sigma = 0.25;
    for (let p = n; p < N - n; p++) {
      if (!mask[p]) continue;
      const w = p - 1;
      const s = p - n;
      const ew = east[w] * precon[w];
      const ns = north[s] * precon[s];
      let e =
        diag[p] -
        ew * ew -
        ns * ns -
        tau * (east[w] * north[w] * precon[w] ** 2 + north[s] * east[s] * precon[s] ** 2);
      if (e < sigma * diag[p]) e = diag[p];
      precon[p] = 1 / Math.sqrt(e);
    }
  } else if (kind === 'jacobi') {
    for (let p = 0; p < N; p++) if (mask[p]) precon[p] = 1 / Math.sqrt(diag[p]);
  } else {
    throw new Error(`${OP}: 'preconditioner' must be 'mic', 'ic' or 'jacobi', got ${JSON.stringify(kind)}`);
  }
  const q = new Float64Array(N);
  const applyPrecon = (r: Float64Array, z: Float64Array): void => {
    if (kind === 'jacobi') {
      for (let p = 0; p < N; p++) z[p] = r[p] * precon[p] * precon[p];
      return;
    }
    // Solve L q = r, then Lᵀ z = q, with L = (off-diagonals · precon) + diag(1/precon).
    for (let p = n; p < N - n; p++) {
      if (!mask[p]) continue;
      const w = p - 1;
      const s = p - n;
      q[p] = (r[p] - east[w] * precon[w] * q[w] - north[s] * precon[s] * q[s]) * precon[p];
    }
    for (let p = N - n - 1; p >= n; p--) {
      if (!mask[p]) continue;
      const t = q[p] - east[p] * precon[p] * z[p + 1] - north[p] * precon[p] * z[p + n];
      z[p] = t * precon[p];
    }
  };

  const u = new Float64Array(N);
  const r = Float64Array.from(b);
  const z = new Float64Array(N);
  const d = new Float64Array(N);
  const Ad = new Float64Array(N);
  let bnorm = 0;
  for (let p = 0; p < N; p++) bnorm += b[p] * b[p];
  bnorm = Math.sqrt(bnorm);
  if (bnorm === 0) return { u, iterations: 0, residual: 0 };
  applyPrecon(r, z);
  d.set(z);
  let rz = 0;
  for (let p = 0; p < N; p++) rz += r[p] * z[p];
  let it = 0;
  let rel = 1;
  while (it < maxIt) {
    apply(d, Ad);
    let dAd = 0;
    for (let p = 0; p < N; p++) dAd += d[p] * Ad[p];
    const alpha = rz / dAd;
    let rr = 0;
    for (let p = 0; p < N; p++) {
      u[p] += alpha * d[p];
      r[p] -= alpha * Ad[p];
      rr += r[p] * r[p];
    }
    it++;
    rel = Math.sqrt(rr) / bnorm;
    if (rel <= tol) break;
    applyPrecon(r, z);
    let rzNew = 0;
    for (let p = 0; p < N; p++) rzNew += r[p] * z[p];
    const beta = rzNew / rz;
    rz = rzNew;
    for (let p = 0; p < N; p++) d[p] = z[p] + beta * d[p];
  }
  if (!(rel <= tol)) {
    throw new Error(
      `${OP}: PCG stopped after ${it} iterations at relative residual ${rel.toExponential(2)} > tol ${tol}; raise 'maxIterations'`,
    );
  }
  return { u, iterations: it, residual: rel };
}
