import { BaseDomain, type BBox, exactMeasure, type Measure, type UnitMap } from './domain.ts';
import { check, checkFinite } from './errors.ts';
import type { Points } from './points.ts';

/** The closed interval [lo, hi] of the real line (dim 1). Its boundary is the two endpoints. */
export class Interval extends BaseDomain {
  readonly kind: string = 'Interval';
  readonly dim = 1;
  readonly sdfKind = 'exact' as const;
  readonly lo: number;
  readonly hi: number;

  constructor(lo: number, hi: number, kind = 'Interval') {
    super();
    checkFinite(lo, 'lo', kind);
    checkFinite(hi, 'hi', kind);
    check(lo < hi, () => `${kind}: 'lo' (=${lo}) must be < 'hi' (=${hi})`);
    this.lo = lo;
    this.hi = hi;
  }

  bbox(): BBox {
    return { lo: Float64Array.of(this.lo), hi: Float64Array.of(this.hi) };
  }

  measure(): Measure {
    return exactMeasure(this.hi - this.lo);
  }

  /** Counting measure of the two endpoints. */
  boundaryMeasure(): Measure {
    return exactMeasure(2);
  }

  protected insideImpl(x: Points): Uint8Array {
    const out = new Uint8Array(x.n);
    for (let i = 0; i < x.n; i++) out[i] = x.data[i] >= this.lo && x.data[i] <= this.hi ? 1 : 0;
    return out;
  }

  protected sdfImpl(x: Points): Float64Array {
    const out = new Float64Array(x.n);
    for (let i = 0; i < x.n; i++) out[i] = Math.max(this.lo - x.data[i], x.data[i] - this.hi);
    return out;
  }

  /** -1 on the lower half (nearest endpoint `lo`), +1 on the upper half and at the midpoint. */
  protected normalImpl(x: Points): Points {
    const mid = (this.lo + this.hi) / 2;
    const out = new Float64Array(x.n);
    for (let i = 0; i < x.n; i++) out[i] = x.data[i] < mid ? -1 : 1;
    return { data: out, n: x.n, dim: 1 };
  }

  override interiorMap(): UnitMap {
    const { lo, hi } = this;
    return {
      dim: 1,
      grid: true,
      map: (u) => ({ data: u.data.map((v) => lo + (hi - lo) * v), n: u.n, dim: 1 }),
    };
  }

  /** u < 1/2 → lo, else hi: grids and sequences alternate evenly between the endpoints. */
  override boundaryMap(): UnitMap {
    const { lo, hi } = this;
    return {
      dim: 1,
      grid: true,
      map: (u) => ({ data: u.data.map((v) => (v < 0.5 ? lo : hi)), n: u.n, dim: 1 }),
    };
  }
}
