import { BaseDomain, type BBox, type Measure } from './domain.ts';
import { check, checkCount, UnsupportedError } from './errors.ts';
import { checkPoints, concat, type Points, take } from './points.ts';
import { checkSampler, type SampleOptions, toRng } from './samplers/stream.ts';

export interface PointCloudOptions {
  /** Points of the boundary (a subset of, or in addition to, the interior points). */
  readonly boundary?: Points;
  /** Outward unit normals, one per boundary point. */
  readonly normals?: Points;
  /** Match tolerance for `inside` / `onBoundary`; default 1e-9 × (1 + bbox diagonal). */
  readonly tol?: number;
}

/** Points sorted by first coordinate, for tolerance lookups by binary search. */
class SortedPoints {
  readonly order: Int32Array;
  readonly keys: Float64Array;
  constructor(readonly pts: Points) {
    const idx = Array.from({ length: pts.n }, (_, i) => i);
    idx.sort((a, b) => pts.data[a * pts.dim] - pts.data[b * pts.dim]);
    this.order = Int32Array.from(idx);
    this.keys = Float64Array.from(idx, (i) => pts.data[i * pts.dim]);
  }

  /** Index of a stored point within `tol` (max-norm) of x[i], or -1. */
  find(x: Points, i: number, tol: number): number {
    const { keys, order, pts } = this;
    const dim = pts.dim;
    const x0 = x.data[i * dim];
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (keys[mid] < x0 - tol) lo = mid + 1;
      else hi = mid;
    }
    for (let k = lo; k < keys.length && keys[k] <= x0 + tol; k++) {
      const p = order[k];
      let ok = true;
      for (let j = 1; j < dim && ok; j++) ok = Math.abs(pts.data[p * dim + j] - x.data[i * dim + j]) <= tol;
      if (ok) return p;
    }
    return -1;
  }
}

/**
 * A domain known only by points (e.g. a mesh's nodes), as DeepXDE's `PointCloud`: `inside`
 * and `onBoundary` mean "is one of the given points" (within `tol`), `normal` returns the
 * given normal of the nearest boundary point, and sampling draws from the given points
 * (`random` only: without replacement, reshuffling when more than all are asked for).
 * Signed distance and measures do not exist and throw `UnsupportedError`.
 */
export class PointCloud extends BaseDomain {
  readonly kind = 'PointCloud';
  readonly dim: number;
  readonly sdfKind = 'none' as const;
  readonly points: Points;
  readonly boundary: Points | undefined;
  readonly normals: Points | undefined;
  private readonly all: SortedPoints;
  private readonly bnd: SortedPoints | undefined;
  private readonly matchTol: number | undefined;

  constructor(points: Points, opts: PointCloudOptions = {}) {
    super();
    check(points != null && points.n > 0, () => `PointCloud: 'points' must hold at least one point`);
    checkPoints(points, points.dim, 'PointCloud', 'points');
    this.dim = points.dim;
    this.points = points;
    if (opts.boundary) checkPoints(opts.boundary, this.dim, 'PointCloud', 'boundary');
    if (opts.normals) {
      check(opts.boundary !== undefined, () => `PointCloud: 'normals' given without 'boundary'`);
      checkPoints(opts.normals, this.dim, 'PointCloud', 'normals');
      check(
        opts.normals.n === opts.boundary.n,
        () => `PointCloud: 'normals' has ${opts.normals?.n} rows, 'boundary' has ${opts.boundary?.n}`,
      );
    }
    if (opts.tol !== undefined) {
      check(
        Number.isFinite(opts.tol) && opts.tol >= 0,
        () => `PointCloud: 'tol' must be >= 0, got ${opts.tol}`,
      );
    }
    this.boundary = opts.boundary;
    this.normals = opts.normals;
    this.matchTol = opts.tol;
    const both = opts.boundary ? concat([points, opts.boundary]) : points;
    this.all = new SortedPoints(both);
    this.bnd = opts.boundary ? new SortedPoints(opts.boundary) : undefined;
  }

  override get tol(): number {
    return this.matchTol ?? super.tol;
  }

  bbox(): BBox {
    const lo = new Float64Array(this.dim).fill(Number.POSITIVE_INFINITY);
    const hi = new Float64Array(this.dim).fill(Number.NEGATIVE_INFINITY);
    const p = this.all.pts;
    for (let i = 0; i < p.n; i++) {
      for (let j = 0; j < this.dim; j++) {
        lo[j] = Math.min(lo[j], p.data[i * this.dim + j]);
        hi[j] = Math.max(hi[j], p.data[i * this.dim + j]);
      }
    }
    return { lo, hi };
  }

  measure(): Measure {
    throw new UnsupportedError('PointCloud.measure: a point cloud has no measure; pass one explicitly');
  }

  boundaryMeasure(): Measure {
    throw new UnsupportedError('PointCloud.boundaryMeasure: a point cloud has no boundary measure');
  }

  protected insideImpl(x: Points): Uint8Array {
    const out = new Uint8Array(x.n);
    for (let i = 0; i < x.n; i++) out[i] = this.all.find(x, i, this.tol) >= 0 ? 1 : 0;
    return out;
  }

  override onBoundary(x: Points, tol: number = this.tol): Uint8Array {
    checkPoints(x, this.dim, 'PointCloud.onBoundary');
    const out = new Uint8Array(x.n);
    if (!this.bnd) return out;
    for (let i = 0; i < x.n; i++) out[i] = this.bnd.find(x, i, tol) >= 0 ? 1 : 0;
    return out;
  }

  protected sdfImpl(): Float64Array {
    throw new UnsupportedError('PointCloud.sdf: a point cloud has no signed distance');
  }

  /** Brute-force nearest boundary point: O(n · m), fine for the sizes point clouds come in. */
  protected normalImpl(x: Points): Points {
    const b = this.boundary;
    const nm = this.normals;
    if (!b || !nm) throw new UnsupportedError(`PointCloud.normal: no 'normals' were given`);
    const dim = this.dim;
    const idx = new Int32Array(x.n);
    for (let i = 0; i < x.n; i++) {
      let best = Number.POSITIVE_INFINITY;
      for (let k = 0; k < b.n; k++) {
        let s = 0;
        for (let j = 0; j < dim; j++) s += (b.data[k * dim + j] - x.data[i * dim + j]) ** 2;
        if (s < best) {
          best = s;
          idx[i] = k;
        }
      }
    }
    return take(nm, idx);
  }

  private draw(from: Points, n: number, opts: SampleOptions, op: string): Points {
    checkCount(n, 'n', op);
    const kind = checkSampler(opts?.sampler, op);
    const rng = toRng(opts?.rng, op);
    if (kind !== 'random') {
      throw new UnsupportedError(`${op}: a point cloud can only be subsampled with 'random', got '${kind}'`);
    }
    const idx = new Int32Array(n);
    for (let got = 0; got < n; ) {
      const perm = rng.permutation(from.n);
      const k = Math.min(from.n, n - got);
      idx.set(perm.subarray(0, k), got);
      got += k;
    }
    return take(from, idx);
  }

  override sample(n: number, opts: SampleOptions): Points {
    return this.draw(this.points, n, opts, 'PointCloud.sample');
  }

  override sampleBoundary(n: number, opts: SampleOptions): Points {
    if (!this.boundary)
      throw new UnsupportedError(`PointCloud.sampleBoundary: no 'boundary' points were given`);
    return this.draw(this.boundary, n, opts, 'PointCloud.sampleBoundary');
  }
}
