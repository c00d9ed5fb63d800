import type { Rng } from '@pinnate/core/rng';
import { check, checkCount, UnsupportedError } from './errors.ts';
import { checkPoints, filter, type Points, take } from './points.ts';
import { evenSubset } from './samplers/grid.ts';
import {
  checkSampler,
  isExtensible,
  type SampleOptions,
  type SamplerKind,
  toRng,
  unitStream,
} from './samplers/stream.ts';

/** Axis-aligned bounding box; `lo[j] <= hi[j]`. */
export interface BBox {
  readonly lo: Float64Array;
  readonly hi: Float64Array;
}

/**
 * `exact`: |sdf| is the Euclidean distance to the boundary. `bound`: the sign is exact and the
 * zero set is the boundary, but |sdf| may underestimate the distance (CSG of exact children,
 * following Quilez): still valid for hard-constraint transforms, which need sign and zeros.
 * `none`: `sdf` throws `UnsupportedError` (point clouds).
 */
export type SdfKind = 'exact' | 'bound' | 'none';

/**
 * A length / area / volume. `exact`: closed form (stdError 0). `numeric`: deterministic
 * quadrature, `stdError` bounds the error. `monte-carlo`: estimate with one standard error.
 */
export interface Measure {
  readonly value: number;
  readonly stdError: number;
  readonly method: 'exact' | 'numeric' | 'monte-carlo';
}

export const exactMeasure = (value: number): Measure => ({ value, stdError: 0, method: 'exact' });

/**
 * The contract every domain meets. All batch methods take points `[n, dim]` (see `Points`),
 * reject NaN/Inf and wrong dimensions, and return one answer per point.
 */
export interface Domain {
  /** Class name used in error messages, e.g. `'Disk'`. */
  readonly kind: string;
  readonly dim: number;
  readonly sdfKind: SdfKind;
  /** Default absolute tolerance of `onBoundary`: 1e-9 × (1 + bounding-box diagonal). */
  readonly tol: number;
  bbox(): BBox;
  /** 1 where the point lies in the closed domain (boundary included). */
  inside(x: Points): Uint8Array;
  /** 1 where the point is within `tol` of the boundary. */
  onBoundary(x: Points, tol?: number): Uint8Array;
  /**
   * Outward unit normal at the boundary point nearest to each `x`. Where faces meet (corners,
   * edges, CSG seams within `tol`) it is the normalised sum of the faces' normals.
   */
  normal(x: Points): Points;
  /** Signed distance: negative inside, zero on the boundary, positive outside. */
  sdf(x: Points): Float64Array;
  /** Length / area / volume of the domain. */
  measure(): Measure;
  /** Measure of the boundary (perimeter, surface area; number of endpoints in 1-D). */
  boundaryMeasure(): Measure;
  /** Exactly `n` points in the closed domain. */
  sample(n: number, opts: SampleOptions): Points;
  /** Exactly `n` points on the boundary, spread uniformly with respect to boundary measure. */
  sampleBoundary(n: number, opts: SampleOptions): Points;
}

/**
 * A measure-preserving map from the unit cube [0, 1)^dim onto a domain (or its boundary): if
 * `u` is uniform, `map(u)` is uniform on the target. Quasi-random inputs then stay
 * low-discrepancy and no point is wasted on rejection.
 */
export interface UnitMap {
  readonly dim: number;
  /** Relative extents of the unit coordinates, for even grid spacing. */
  readonly aspect?: readonly number[];
  /**
   * Whether a regular grid of unit points maps to a regular-looking set (affine maps, arc
   * length). When false, the `grid` sampler filters a bounding-box grid instead.
   */
  readonly grid?: boolean;
  map(u: Points): Points;
}

/**
 * Draws until `n` proposals pass `accept`, and returns exactly `n` of them. Extensible
 * samplers keep the first `n` accepted (a prefix of the sequence); fixed designs (LHS,
 * Hammersley, grid) are rebuilt larger until enough pass, then thinned: evenly for grids,
 * by a seeded random subset otherwise (a stride through a Sobol-like order would alias).
 */
export function collectAccepted(
  n: number,
  kind: SamplerKind,
  rng: Rng,
  draw: (m: number) => Points,
  accept: (p: Points) => Uint8Array,
  op: string,
  mixed = false,
): Points {
  const limit = 1000 * n + 1_000_000;
  // `mixed`: proposals of one batch are ordered by source (CSG children), so a prefix would
  // over-represent the first; a seeded subset of each full batch keeps the proportions.
  if (isExtensible(kind) && !mixed) {
    const parts: Points[] = [];
    let got = 0;
    let tried = 0;
    let rate = 0.5;
    while (got < n) {
      const m = Math.max(64, Math.ceil(((n - got) / rate) * 1.1));
      const p = draw(m);
      const kept = filter(p, accept(p));
      tried += m;
      got += kept.n;
      if (kept.n > 0) parts.push(kept);
      rate = Math.max(got / tried, 1e-3);
      check(
        got > 0 || tried < limit,
        () => `${op}: no proposal out of ${tried} was accepted; is the domain empty?`,
      );
    }
    const dim = parts[0].dim;
    const data = new Float64Array(n * dim);
    let off = 0;
    for (const part of parts) {
      const take_ = Math.min(part.n * dim, n * dim - off);
      data.set(part.data.subarray(0, take_), off);
      off += take_;
      if (off === n * dim) break;
    }
    return { data, n, dim };
  }
  let m = 2 * n;
  for (;;) {
    const p = draw(m);
    const kept = filter(p, accept(p));
    if (kept.n >= n) {
      if (kind === 'grid') return take(kept, evenSubset(kept.n, n));
      const perm = rng.permutation(kept.n).subarray(0, n).sort();
      return take(kept, perm);
    }
    check(m < limit, () => `${op}: only ${kept.n} of ${m} proposals were accepted; is the domain empty?`);
    m = Math.ceil(m * Math.max(2, (1.2 * n) / Math.max(kept.n, 1)));
  }
}

/** Affine map of unit-cube points onto a box. */
export function scaleToBox(u: Points, box: BBox): Points {
  const { n, dim } = u;
  const out = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) {
      const k = i * dim + j;
      out[k] = box.lo[j] + (box.hi[j] - box.lo[j]) * u.data[k];
    }
  }
  return { data: out, n, dim };
}

/**
 * Shared behaviour: argument checks at the public boundary, `onBoundary` from the signed
 * distance, and sampling through a `UnitMap` when the subclass provides one, by rejection
 * from the bounding box otherwise.
 */
export abstract class BaseDomain implements Domain {
  abstract readonly kind: string;
  abstract readonly dim: number;
  abstract readonly sdfKind: SdfKind;
  private tol_: number | undefined;

  abstract bbox(): BBox;
  abstract measure(): Measure;
  abstract boundaryMeasure(): Measure;
  /** Called with validated points. */
  protected abstract insideImpl(x: Points): Uint8Array;
  protected abstract sdfImpl(x: Points): Float64Array;
  protected abstract normalImpl(x: Points, tol: number): Points;

  /**
   * Interior parameterisation; `undefined` means rejection from the bounding box. Public so
   * products (`SpaceTime`) can compose maps; most callers want `sample`.
   */
  interiorMap(): UnitMap | undefined {
    return undefined;
  }

  /** Boundary parameterisation; `undefined` means the subclass overrides `sampleBoundary`. */
  boundaryMap(): UnitMap | undefined {
    return undefined;
  }

  get tol(): number {
    if (this.tol_ === undefined) {
      const b = this.bbox();
      let s = 0;
      for (let j = 0; j < this.dim; j++) s += (b.hi[j] - b.lo[j]) ** 2;
      this.tol_ = 1e-9 * (1 + Math.sqrt(s));
    }
    return this.tol_;
  }

  inside(x: Points): Uint8Array {
    checkPoints(x, this.dim, `${this.kind}.inside`);
    return this.insideImpl(x);
  }

  sdf(x: Points): Float64Array {
    checkPoints(x, this.dim, `${this.kind}.sdf`);
    return this.sdfImpl(x);
  }

  normal(x: Points): Points {
    checkPoints(x, this.dim, `${this.kind}.normal`);
    return this.normalImpl(x, this.tol);
  }

  onBoundary(x: Points, tol: number = this.tol): Uint8Array {
    const op = `${this.kind}.onBoundary`;
    checkPoints(x, this.dim, op);
    check(Number.isFinite(tol) && tol >= 0, () => `${op}: 'tol' must be a finite number >= 0, got ${tol}`);
    const d = this.sdfImpl(x);
    const out = new Uint8Array(x.n);
    for (let i = 0; i < x.n; i++) out[i] = Math.abs(d[i]) <= tol ? 1 : 0;
    return out;
  }

  sample(n: number, opts: SampleOptions): Points {
    const op = `${this.kind}.sample`;
    checkCount(n, 'n', op);
    const kind = checkSampler(opts?.sampler, op);
    const rng = toRng(opts?.rng, op);
    const param = this.interiorMap();
    if (param && (kind !== 'grid' || param.grid)) {
      return param.map(unitStream(kind, param.dim, rng, param.aspect).next(n));
    }
    const box = this.bbox();
    const aspect = Array.from(box.hi, (h, j) => h - box.lo[j]);
    const stream = unitStream(kind, this.dim, rng.split(), aspect);
    return collectAccepted(
      n,
      kind,
      rng,
      (m) => scaleToBox(stream.next(m), box),
      (p) => this.insideImpl(p),
      op,
    );
  }

  sampleBoundary(n: number, opts: SampleOptions): Points {
    const op = `${this.kind}.sampleBoundary`;
    checkCount(n, 'n', op);
    const kind = checkSampler(opts?.sampler, op);
    const rng = toRng(opts?.rng, op);
    const param = this.boundaryMap();
    if (!param) throw new UnsupportedError(`${op}: ${this.kind} has no boundary parameterisation`);
    return param.map(unitStream(kind, param.dim, rng, param.aspect).next(n));
  }
}
