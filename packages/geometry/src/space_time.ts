import { BaseDomain, type BBox, type Domain, type Measure, type SdfKind, type UnitMap } from './domain.ts';
import { check, checkCount } from './errors.ts';
import type { Interval } from './interval.ts';
import { checkPoints, type Points } from './points.ts';
import { checkSampler, type SampleOptions, toRng, unitStream } from './samplers/stream.ts';

/**
 * A spatial domain × a time interval, points `[x_0, …, x_{d-1}, t]` (time last, as DeepXDE's
 * `GeometryXTime`). As a set it is the product; following PINN usage, its *boundary* for
 * `onBoundary` / `normal` / `sampleBoundary` is the lateral boundary ∂Ω × [t0, t1], and the
 * initial slice Ω × {t0} has its own `onInitial` / `sampleInitial`. `sdf` is the product
 * set's signed distance, exact when the spatial one is.
 */
export class SpaceTime extends BaseDomain {
  readonly kind = 'SpaceTime';
  readonly dim: number;
  readonly sdfKind: SdfKind;

  constructor(
    readonly space: Domain,
    readonly time: Interval,
  ) {
    super();
    check(space != null && typeof space.inside === 'function', () => `SpaceTime: 'space' must be a Domain`);
    check(time != null && time.dim === 1, () => `SpaceTime: 'time' must be a 1-D TimeDomain or Interval`);
    this.dim = space.dim + 1;
    this.sdfKind = space.sdfKind;
  }

  private split(x: Points): [Points, Points] {
    const d = this.space.dim;
    const xs = new Float64Array(x.n * d);
    const ts = new Float64Array(x.n);
    for (let i = 0; i < x.n; i++) {
      for (let j = 0; j < d; j++) xs[i * d + j] = x.data[i * this.dim + j];
      ts[i] = x.data[i * this.dim + d];
    }
    return [
      { data: xs, n: x.n, dim: d },
      { data: ts, n: x.n, dim: 1 },
    ];
  }

  private join(xs: Points, ts: Float64Array): Points {
    const d = this.space.dim;
    const out = new Float64Array(xs.n * this.dim);
    for (let i = 0; i < xs.n; i++) {
      for (let j = 0; j < d; j++) out[i * this.dim + j] = xs.data[i * d + j];
      out[i * this.dim + d] = ts[i];
    }
    return { data: out, n: xs.n, dim: this.dim };
  }

  bbox(): BBox {
    const s = this.space.bbox();
    return {
      lo: Float64Array.of(...s.lo, this.time.lo),
      hi: Float64Array.of(...s.hi, this.time.hi),
    };
  }

  measure(): Measure {
    const m = this.space.measure();
    const T = this.time.hi - this.time.lo;
    return { value: m.value * T, stdError: m.stdError * T, method: m.method };
  }

  /** Lateral boundary: |∂Ω| · (t1 - t0). */
  boundaryMeasure(): Measure {
    const m = this.space.boundaryMeasure();
    const T = this.time.hi - this.time.lo;
    return { value: m.value * T, stdError: m.stdError * T, method: m.method };
  }

  protected insideImpl(x: Points): Uint8Array {
    const [xs, ts] = this.split(x);
    const a = this.space.inside(xs);
    const b = this.time.inside(ts);
    for (let i = 0; i < x.n; i++) a[i] &= b[i];
    return a;
  }

  /** Product of sets: |max(q, 0)| + min(max(q), 0) with q = (sdf_space, sdf_time). */
  protected sdfImpl(x: Points): Float64Array {
    const [xs, ts] = this.split(x);
    const a = this.space.sdf(xs);
    const b = this.time.sdf(ts);
    const out = new Float64Array(x.n);
    for (let i = 0; i < x.n; i++) {
      const p = Math.max(a[i], 0);
      const q = Math.max(b[i], 0);
      out[i] = Math.sqrt(p * p + q * q) + Math.min(Math.max(a[i], b[i]), 0);
    }
    return out;
  }

  /** Lateral boundary: on the spatial boundary at a time inside [t0, t1]. */
  override onBoundary(x: Points, tol: number = this.tol): Uint8Array {
    checkPoints(x, this.dim, 'SpaceTime.onBoundary');
    const [xs, ts] = this.split(x);
    const a = this.space.onBoundary(xs, tol);
    const b = this.time.inside(ts);
    for (let i = 0; i < x.n; i++) a[i] &= b[i];
    return a;
  }

  /** 1 where t is within `tol` of t0 and x is in the spatial domain. */
  onInitial(x: Points, tol: number = this.tol): Uint8Array {
    checkPoints(x, this.dim, 'SpaceTime.onInitial');
    const [xs, ts] = this.split(x);
    const a = this.space.inside(xs);
    for (let i = 0; i < x.n; i++) a[i] &= Math.abs(ts.data[i] - this.time.lo) <= tol ? 1 : 0;
    return a;
  }

  /** The spatial normal with a zero time component (normal of the lateral boundary). */
  protected normalImpl(x: Points): Points {
    const [xs] = this.split(x);
    return this.join(this.space.normal(xs), new Float64Array(x.n));
  }

  private compose(m: UnitMap | undefined): UnitMap | undefined {
    if (!m) return undefined;
    const { lo, hi } = this.time;
    const k = m.dim;
    return {
      dim: k + 1,
      grid: m.grid,
      aspect: m.aspect ? [...m.aspect, hi - lo] : undefined,
      map: (u) => {
        const us = new Float64Array(u.n * k);
        const ts = new Float64Array(u.n);
        for (let i = 0; i < u.n; i++) {
          for (let j = 0; j < k; j++) us[i * k + j] = u.data[i * (k + 1) + j];
          ts[i] = lo + (hi - lo) * u.data[i * (k + 1) + k];
        }
        return this.join(m.map({ data: us, n: u.n, dim: k }), ts);
      },
    };
  }

  /** Joint map when the spatial domain has one, so quasi-random points stay joint. */
  override interiorMap(): UnitMap | undefined {
    return this.space instanceof BaseDomain ? this.compose(this.space.interiorMap()) : undefined;
  }

  override boundaryMap(): UnitMap | undefined {
    return this.space instanceof BaseDomain ? this.compose(this.space.boundaryMap()) : undefined;
  }

  /**
   * Lateral boundary points. Without a joint map (CSG spaces), spatial boundary points and
   * times come from separate streams and are paired by a seeded permutation, so the two
   * low-discrepancy sequences cannot correlate.
   */
  override sampleBoundary(n: number, opts: SampleOptions): Points {
    const op = 'SpaceTime.sampleBoundary';
    checkCount(n, 'n', op);
    const kind = checkSampler(opts?.sampler, op);
    const rng = toRng(opts?.rng, op);
    if (this.boundaryMap()) return super.sampleBoundary(n, { sampler: kind, rng });
    const xs = this.space.sampleBoundary(n, { sampler: kind, rng: rng.split() });
    const u = unitStream(kind, 1, rng.split()).next(n);
    const perm = rng.permutation(n);
    const { lo, hi } = this.time;
    const ts = Float64Array.from(perm, (p) => lo + (hi - lo) * u.data[p]);
    return this.join(xs, ts);
  }

  /** `n` points of Ω × {t0}. */
  sampleInitial(n: number, opts: SampleOptions): Points {
    const xs = this.space.sample(n, opts);
    return this.join(xs, new Float64Array(n).fill(this.time.lo));
  }
}
