import { BaseDomain, type BBox, exactMeasure, type Measure, scaleToBox, type UnitMap } from './domain.ts';
import { check, checkVector } from './errors.ts';
import { normalizeInPlace } from './math.ts';
import type { Points } from './points.ts';

/**
 * The closed axis-aligned box `[lo_0, hi_0] × … × [lo_{d-1}, hi_{d-1}]` in any dimension.
 * `Rectangle` (2-D), `Cuboid` (3-D) and `Hypercube` are the same class with a named check.
 */
export class Box extends BaseDomain {
  readonly kind: string;
  readonly dim: number;
  readonly sdfKind = 'exact' as const;
  readonly lo: Float64Array;
  readonly hi: Float64Array;

  constructor(lo: ArrayLike<number>, hi: ArrayLike<number>, kind = 'Box', dim?: number) {
    super();
    checkVector(lo, dim, 'lo', kind);
    checkVector(hi, lo.length, 'hi', kind);
    for (let j = 0; j < lo.length; j++) {
      check(lo[j] < hi[j], () => `${kind}: 'lo[${j}]' (=${lo[j]}) must be < 'hi[${j}]' (=${hi[j]})`);
    }
    this.kind = kind;
    this.dim = lo.length;
    this.lo = Float64Array.from(lo);
    this.hi = Float64Array.from(hi);
  }

  bbox(): BBox {
    return { lo: this.lo.slice(), hi: this.hi.slice() };
  }

  private sides(): number[] {
    return Array.from(this.hi, (h, j) => h - this.lo[j]);
  }

  measure(): Measure {
    return exactMeasure(this.sides().reduce((a, b) => a * b, 1));
  }

  /** Surface measure: sum over faces; in 1-D the two endpoints count 1 each. */
  boundaryMeasure(): Measure {
    return exactMeasure(this.faceAreas().reduce((a, b) => a + b, 0));
  }

  /** Areas of the 2d faces in the order (axis 0 lo, axis 0 hi, axis 1 lo, …). */
  private faceAreas(): number[] {
    const s = this.sides();
    const out: number[] = [];
    for (let j = 0; j < this.dim; j++) {
      let a = 1;
      for (let k = 0; k < this.dim; k++) if (k !== j) a *= s[k];
      out.push(a, a);
    }
    return out;
  }

  protected insideImpl(x: Points): Uint8Array {
    const { dim, lo, hi } = this;
    const out = new Uint8Array(x.n);
    for (let i = 0; i < x.n; i++) {
      let ok = 1;
      for (let j = 0; j < dim; j++) {
        const v = x.data[i * dim + j];
        if (v < lo[j] || v > hi[j]) {
          ok = 0;
          break;
        }
      }
      out[i] = ok;
    }
    return out;
  }

  /** Exact: |max(q, 0)| + min(max_j q_j, 0) with q = |x - c| - h. */
  protected sdfImpl(x: Points): Float64Array {
    const { dim, lo, hi } = this;
    const out = new Float64Array(x.n);
    for (let i = 0; i < x.n; i++) {
      let outside = 0;
      let qmax = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < dim; j++) {
        const v = x.data[i * dim + j];
        const q = Math.max(lo[j] - v, v - hi[j]);
        if (q > 0) outside += q * q;
        if (q > qmax) qmax = q;
      }
      out[i] = Math.sqrt(outside) + Math.min(qmax, 0);
    }
    return out;
  }

  protected normalImpl(x: Points, tol: number): Points {
    const { dim, lo, hi } = this;
    const out = new Float64Array(x.n * dim);
    const p = new Float64Array(dim);
    for (let i = 0; i < x.n; i++) {
      const o = i * dim;
      // Nearest boundary point: clamp when outside, push to the nearest face when inside.
      let best = Number.POSITIVE_INFINITY;
      let bj = 0;
      let bside = lo[0];
      let isOutside = false;
      for (let j = 0; j < dim; j++) {
        const v = x.data[o + j];
        p[j] = Math.min(Math.max(v, lo[j]), hi[j]);
        if (v < lo[j] || v > hi[j]) isOutside = true;
        const dl = v - lo[j];
        const dh = hi[j] - v;
        if (dl < best) {
          best = dl;
          bj = j;
          bside = lo[j];
        }
        if (dh < best) {
          best = dh;
          bj = j;
          bside = hi[j];
        }
      }
      if (!isOutside) p[bj] = bside;
      for (let j = 0; j < dim; j++) {
        out[o + j] = (Math.abs(p[j] - hi[j]) <= tol ? 1 : 0) - (Math.abs(p[j] - lo[j]) <= tol ? 1 : 0);
      }
      normalizeInPlace(out, o, dim);
    }
    return { data: out, n: x.n, dim };
  }

  override interiorMap(): UnitMap {
    const box = this.bbox();
    return { dim: this.dim, aspect: this.sides(), grid: true, map: (u) => scaleToBox(u, box) };
  }

  /**
   * u_0 picks a face with probability proportional to its area and, rescaled within that
   * face's share, becomes the first free coordinate; u_1.. fill the others. In 2-D one unit
   * coordinate covers the whole perimeter, so a 1-D grid gives evenly spaced boundary points.
   */
  override boundaryMap(): UnitMap {
    const { dim, lo, hi } = this;
    const areas = this.faceAreas();
    const total = areas.reduce((a, b) => a + b, 0);
    const cum = new Float64Array(areas.length + 1);
    for (let f = 0; f < areas.length; f++) cum[f + 1] = cum[f] + areas[f] / total;
    cum[areas.length] = 1;
    const udim = Math.max(1, dim - 1);
    return {
      dim: udim,
      grid: true,
      map: (u) => {
        const out = new Float64Array(u.n * dim);
        for (let i = 0; i < u.n; i++) {
          const u0 = u.data[i * udim];
          let f = 0;
          while (f < areas.length - 1 && u0 >= cum[f + 1]) f++;
          const t = Math.min((u0 - cum[f]) / (cum[f + 1] - cum[f]), 1);
          const axis = f >> 1;
          let next = 0;
          for (let j = 0; j < dim; j++) {
            let v: number;
            if (j === axis) v = f & 1 ? hi[j] : lo[j];
            else {
              const w = next === 0 ? t : u.data[i * udim + next];
              next++;
              v = lo[j] + (hi[j] - lo[j]) * w;
            }
            out[i * dim + j] = v;
          }
        }
        return { data: out, n: u.n, dim };
      },
    };
  }
}

/** Axis-aligned rectangle `[lo_0, hi_0] × [lo_1, hi_1]`. */
export class Rectangle extends Box {
  constructor(
    lo: readonly [number, number] | ArrayLike<number>,
    hi: readonly [number, number] | ArrayLike<number>,
  ) {
    super(lo, hi, 'Rectangle', 2);
  }
}

/** Axis-aligned box in any dimension (DeepXDE's name for `Box`). */
export class Hypercube extends Box {
  constructor(lo: ArrayLike<number>, hi: ArrayLike<number>) {
    super(lo, hi, 'Hypercube');
  }

  /** The unit cube [0, 1]^dim. */
  static unit(dim: number): Hypercube {
    check(
      Number.isInteger(dim) && dim > 0,
      () => `Hypercube.unit: 'dim' must be a positive integer, got ${dim}`,
    );
    return new Hypercube(new Float64Array(dim), new Float64Array(dim).fill(1));
  }
}
