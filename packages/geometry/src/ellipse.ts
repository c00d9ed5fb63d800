import { BaseDomain, type BBox, exactMeasure, type Measure, type UnitMap } from './domain.ts';
import { check, checkFinite, checkVector } from './errors.ts';
import type { Points } from './points.ts';

/** Segments of the arc-length table; the trapezoid rule on this periodic integrand is spectrally accurate. */
const ARC_SEGMENTS = 2048;

/**
 * Distance from (y0, y1) (both >= 0) to the ellipse with semi-axes e0 >= e1 > 0, and the
 * nearest point, by Eberly's robust bisection ("Distance from a point to an ellipse", 2013).
 * Exact to rounding; bisection on the Lagrange multiplier never fails to converge.
 */
function nearestOnEllipse(e0: number, e1: number, y0: number, y1: number, out: Float64Array): void {
  if (y1 > 0) {
    if (y0 > 0) {
      const z0 = y0 / e0;
      const z1 = y1 / e1;
      const g = z0 * z0 + z1 * z1 - 1;
      if (g !== 0) {
        const r0 = (e0 / e1) ** 2;
        const n0 = r0 * z0;
        let s0 = z1 - 1;
        let s1 = g < 0 ? 0 : Math.hypot(n0, z1) - 1;
        let s = 0;
        for (let it = 0; it < 200; it++) {
          s = (s0 + s1) / 2;
          if (s === s0 || s === s1) break;
          const a = n0 / (s + r0);
          const b = z1 / (s + 1);
          const gg = a * a + b * b - 1;
          if (gg > 0) s0 = s;
          else if (gg < 0) s1 = s;
          else break;
        }
        out[0] = (r0 * y0) / (s + r0);
        out[1] = y1 / (s + 1);
        return;
      }
      out[0] = y0;
      out[1] = y1;
      return;
    }
    out[0] = 0;
    out[1] = e1;
    return;
  }
  const numer0 = e0 * y0;
  const denom0 = e0 * e0 - e1 * e1;
  if (numer0 < denom0) {
    const xde0 = numer0 / denom0;
    out[0] = e0 * xde0;
    out[1] = e1 * Math.sqrt(Math.max(0, 1 - xde0 * xde0));
    return;
  }
  out[0] = e0;
  out[1] = 0;
}

/**
 * The closed ellipse with semi-axes `a` (along the direction at `angle` radians from the
 * x axis) and `b`, centred at `center`. Signed distance is exact (Eberly's nearest point);
 * the perimeter is numeric (trapezoid rule, error estimate from halving the step).
 */
export class Ellipse extends BaseDomain {
  readonly kind = 'Ellipse';
  readonly dim = 2;
  readonly sdfKind = 'exact' as const;
  readonly center: Float64Array;
  readonly a: number;
  readonly b: number;
  readonly angle: number;
  private readonly cos: number;
  private readonly sin: number;
  private arc: Float64Array | undefined;

  constructor(center: readonly [number, number] | ArrayLike<number>, a: number, b: number, angle = 0) {
    super();
    checkVector(center, 2, 'center', 'Ellipse');
    checkFinite(a, 'a', 'Ellipse');
    checkFinite(b, 'b', 'Ellipse');
    checkFinite(angle, 'angle', 'Ellipse');
    check(a > 0, () => `Ellipse: 'a' must be > 0, got ${a}`);
    check(b > 0, () => `Ellipse: 'b' must be > 0, got ${b}`);
    this.center = Float64Array.from(center);
    this.a = a;
    this.b = b;
    this.angle = angle;
    this.cos = Math.cos(angle);
    this.sin = Math.sin(angle);
  }

  bbox(): BBox {
    const hx = Math.hypot(this.a * this.cos, this.b * this.sin);
    const hy = Math.hypot(this.a * this.sin, this.b * this.cos);
    const [cx, cy] = this.center;
    return { lo: Float64Array.of(cx - hx, cy - hy), hi: Float64Array.of(cx + hx, cy + hy) };
  }

  measure(): Measure {
    return exactMeasure(Math.PI * this.a * this.b);
  }

  /** Cumulative arc length at t_k = 2πk/M, k = 0..M (trapezoid rule on the speed). */
  private arcTable(): Float64Array {
    if (!this.arc) {
      const s = new Float64Array(ARC_SEGMENTS + 1);
      const h = (2 * Math.PI) / ARC_SEGMENTS;
      const speed = (t: number) => Math.hypot(this.a * Math.sin(t), this.b * Math.cos(t));
      for (let k = 0; k < ARC_SEGMENTS; k++) s[k + 1] = s[k] + (h * (speed(k * h) + speed((k + 1) * h))) / 2;
      this.arc = s;
    }
    return this.arc;
  }

  boundaryMeasure(): Measure {
    const s = this.arcTable();
    const full = s[ARC_SEGMENTS];
    // The same rule at twice the step, from every other node; for a spectrally convergent rule
    // the difference bounds the error of the coarse one, hence (generously) of the fine one.
    const h = (4 * Math.PI) / ARC_SEGMENTS;
    let coarse = 0;
    for (let k = 0; k < ARC_SEGMENTS / 2; k++)
      coarse += h * Math.hypot(this.a * Math.sin(k * h), this.b * Math.cos(k * h));
    return { value: full, stdError: Math.abs(full - coarse) + 1e-15 * full, method: 'numeric' };
  }

  /** Local coordinates: rotated so the `a` axis is x. */
  private toLocal(x: Points, i: number): [number, number] {
    const dx = x.data[2 * i] - this.center[0];
    const dy = x.data[2 * i + 1] - this.center[1];
    return [this.cos * dx + this.sin * dy, -this.sin * dx + this.cos * dy];
  }

  protected insideImpl(x: Points): Uint8Array {
    const out = new Uint8Array(x.n);
    const ia = 1 / (this.a * this.a);
    const ib = 1 / (this.b * this.b);
    for (let i = 0; i < x.n; i++) {
      const [u, v] = this.toLocal(x, i);
      out[i] = u * u * ia + v * v * ib <= 1 ? 1 : 0;
    }
    return out;
  }

  /** Nearest boundary point in local coordinates (signs restored). */
  private nearest(u: number, v: number, p: Float64Array): void {
    const swap = this.b > this.a;
    const e0 = swap ? this.b : this.a;
    const e1 = swap ? this.a : this.b;
    const y0 = Math.abs(swap ? v : u);
    const y1 = Math.abs(swap ? u : v);
    nearestOnEllipse(e0, e1, y0, y1, p);
    let px = swap ? p[1] : p[0];
    let py = swap ? p[0] : p[1];
    if (u < 0) px = -px;
    if (v < 0) py = -py;
    p[0] = px;
    p[1] = py;
  }

  protected sdfImpl(x: Points): Float64Array {
    const out = new Float64Array(x.n);
    const p = new Float64Array(2);
    const ia = 1 / (this.a * this.a);
    const ib = 1 / (this.b * this.b);
    for (let i = 0; i < x.n; i++) {
      const [u, v] = this.toLocal(x, i);
      this.nearest(u, v, p);
      const d = Math.hypot(u - p[0], v - p[1]);
      out[i] = u * u * ia + v * v * ib <= 1 ? -d : d;
    }
    return out;
  }

  /** The ellipse's gradient direction at the nearest boundary point. */
  protected normalImpl(x: Points): Points {
    const out = new Float64Array(x.n * 2);
    const p = new Float64Array(2);
    for (let i = 0; i < x.n; i++) {
      const [u, v] = this.toLocal(x, i);
      this.nearest(u, v, p);
      const gx = p[0] / (this.a * this.a);
      const gy = p[1] / (this.b * this.b);
      const g = Math.hypot(gx, gy);
      const nx = gx / g;
      const ny = gy / g;
      out[2 * i] = this.cos * nx - this.sin * ny;
      out[2 * i + 1] = this.sin * nx + this.cos * ny;
    }
    return { data: out, n: x.n, dim: 2 };
  }

  private fromLocal(u: number, v: number, out: Float64Array, o: number): void {
    out[o] = this.center[0] + this.cos * u - this.sin * v;
    out[o + 1] = this.center[1] + this.sin * u + this.cos * v;
  }

  /** The disk's polar map stretched by (a, b): affine maps keep uniform densities uniform. */
  override interiorMap(): UnitMap {
    return {
      dim: 2,
      map: (w) => {
        const out = new Float64Array(w.n * 2);
        for (let i = 0; i < w.n; i++) {
          const r = Math.sqrt(w.data[2 * i]);
          const t = 2 * Math.PI * w.data[2 * i + 1];
          this.fromLocal(this.a * r * Math.cos(t), this.b * r * Math.sin(t), out, 2 * i);
        }
        return { data: out, n: w.n, dim: 2 };
      },
    };
  }

  /** Inverse arc length: binary search in the table, then linear interpolation of t. */
  override boundaryMap(): UnitMap {
    const s = this.arcTable();
    const total = s[ARC_SEGMENTS];
    const h = (2 * Math.PI) / ARC_SEGMENTS;
    return {
      dim: 1,
      grid: true,
      map: (w) => {
        const out = new Float64Array(w.n * 2);
        for (let i = 0; i < w.n; i++) {
          const target = w.data[i] * total;
          let lo = 0;
          let hi = ARC_SEGMENTS;
          while (hi - lo > 1) {
            const mid = (lo + hi) >> 1;
            if (s[mid] <= target) lo = mid;
            else hi = mid;
          }
          const t = (lo + (target - s[lo]) / (s[lo + 1] - s[lo])) * h;
          this.fromLocal(this.a * Math.cos(t), this.b * Math.sin(t), out, 2 * i);
        }
        return { data: out, n: w.n, dim: 2 };
      },
    };
  }
}
