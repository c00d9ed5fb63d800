import { check } from './errors.ts';
import { Interval } from './interval.ts';
import { checkPoints, type Points } from './points.ts';

/** The time interval [t0, t1] (dim 1). */
export class TimeDomain extends Interval {
  override readonly kind = 'TimeDomain';

  constructor(t0: number, t1: number) {
    super(t0, t1, 'TimeDomain');
  }

  get t0(): number {
    return this.lo;
  }

  get t1(): number {
    return this.hi;
  }

  /** 1 where `t` is within `tol` of `t0`. */
  onInitial(t: Points, tol: number = this.tol): Uint8Array {
    checkPoints(t, 1, 'TimeDomain.onInitial', 't');
    check(Number.isFinite(tol) && tol >= 0, () => `TimeDomain.onInitial: 'tol' must be >= 0, got ${tol}`);
    const out = new Uint8Array(t.n);
    for (let i = 0; i < t.n; i++) out[i] = Math.abs(t.data[i] - this.lo) <= tol ? 1 : 0;
    return out;
  }
}
