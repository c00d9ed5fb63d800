import { BaseDomain, type BBox, exactMeasure, type Measure, type UnitMap } from './domain.ts';
import { check, checkFinite, checkVector } from './errors.ts';
import { normalInv, normalizeInPlace, unitBallVolume } from './math.ts';
import type { Points } from './points.ts';

/**
 * The closed Euclidean ball `|x - center| <= radius` in any dimension. `Disk` (2-D),
 * `Sphere` (3-D solid ball, DeepXDE's naming) and `Hypersphere` (n-D) are named views.
 */
export class Ball extends BaseDomain {
  readonly kind: string;
  readonly dim: number;
  readonly sdfKind = 'exact' as const;
  readonly center: Float64Array;
  readonly radius: number;

  constructor(center: ArrayLike<number>, radius: number, kind = 'Ball', dim?: number) {
    super();
    checkVector(center, dim, 'center', kind);
    checkFinite(radius, 'radius', kind);
    check(radius > 0, () => `${kind}: 'radius' must be > 0, got ${radius}`);
    this.kind = kind;
    this.dim = center.length;
    this.center = Float64Array.from(center);
    this.radius = radius;
  }

  bbox(): BBox {
    return { lo: this.center.map((c) => c - this.radius), hi: this.center.map((c) => c + this.radius) };
  }

  measure(): Measure {
    return exactMeasure(unitBallVolume(this.dim) * this.radius ** this.dim);
  }

  /** Surface area d · V_d · r^(d-1); in 1-D the two endpoints. */
  boundaryMeasure(): Measure {
    return exactMeasure(this.dim * unitBallVolume(this.dim) * this.radius ** (this.dim - 1));
  }

  protected insideImpl(x: Points): Uint8Array {
    const { dim, center } = this;
    const r2 = this.radius * this.radius;
    const out = new Uint8Array(x.n);
    for (let i = 0; i < x.n; i++) {
      let s = 0;
      for (let j = 0; j < dim; j++) {
        const d = x.data[i * dim + j] - center[j];
        s += d * d;
      }
      out[i] = s <= r2 ? 1 : 0;
    }
    return out;
  }

  protected sdfImpl(x: Points): Float64Array {
    const { dim, center, radius } = this;
    const out = new Float64Array(x.n);
    for (let i = 0; i < x.n; i++) {
      let s = 0;
      for (let j = 0; j < dim; j++) {
        const d = x.data[i * dim + j] - center[j];
        s += d * d;
      }
      out[i] = Math.sqrt(s) - radius;
    }
    return out;
  }

  /** Radial direction; at the centre (every boundary point is nearest) the first axis. */
  protected normalImpl(x: Points): Points {
    const { dim, center } = this;
    const out = new Float64Array(x.n * dim);
    for (let i = 0; i < x.n; i++) {
      for (let j = 0; j < dim; j++) out[i * dim + j] = x.data[i * dim + j] - center[j];
      normalizeInPlace(out, i * dim, dim);
    }
    return { data: out, n: x.n, dim };
  }

  /**
   * Measure-preserving maps: 1-D affine; 2-D polar with r = R sqrt(u0); 3-D r = R u0^(1/3)
   * with Archimedes' z = 1 - 2 u1; n-D a Gaussian direction from inverse-normal coordinates
   * and r = R u_d^(1/d) (d + 1 unit coordinates).
   */
  override interiorMap(): UnitMap {
    const { dim, center, radius } = this;
    const udim = dim <= 3 ? dim : dim + 1;
    return {
      dim: udim,
      grid: dim === 1,
      map: (u) => {
        const out = new Float64Array(u.n * dim);
        for (let i = 0; i < u.n; i++) {
          const a = i * udim;
          const o = i * dim;
          if (dim === 1) {
            out[o] = center[0] + radius * (2 * u.data[a] - 1);
          } else if (dim === 2) {
            const r = radius * Math.sqrt(u.data[a]);
            const t = 2 * Math.PI * u.data[a + 1];
            out[o] = center[0] + r * Math.cos(t);
            out[o + 1] = center[1] + r * Math.sin(t);
          } else if (dim === 3) {
            const r = radius * Math.cbrt(u.data[a]);
            const z = 1 - 2 * u.data[a + 1];
            const s = Math.sqrt(Math.max(0, 1 - z * z));
            const t = 2 * Math.PI * u.data[a + 2];
            out[o] = center[0] + r * s * Math.cos(t);
            out[o + 1] = center[1] + r * s * Math.sin(t);
            out[o + 2] = center[2] + r * z;
          } else {
            for (let j = 0; j < dim; j++) out[o + j] = normalInv(u.data[a + j]);
            normalizeInPlace(out, o, dim);
            const r = radius * u.data[a + dim] ** (1 / dim);
            for (let j = 0; j < dim; j++) out[o + j] = center[j] + r * out[o + j];
          }
        }
        return { data: out, n: u.n, dim };
      },
    };
  }

  override boundaryMap(): UnitMap {
    const { dim, center, radius } = this;
    const udim = dim <= 2 ? 1 : dim === 3 ? 2 : dim;
    return {
      dim: udim,
      grid: dim <= 3,
      map: (u) => {
        const out = new Float64Array(u.n * dim);
        for (let i = 0; i < u.n; i++) {
          const a = i * udim;
          const o = i * dim;
          if (dim === 1) {
            out[o] = center[0] + (u.data[a] < 0.5 ? -radius : radius);
          } else if (dim === 2) {
            const t = 2 * Math.PI * u.data[a];
            out[o] = center[0] + radius * Math.cos(t);
            out[o + 1] = center[1] + radius * Math.sin(t);
          } else if (dim === 3) {
            const z = 1 - 2 * u.data[a];
            const s = Math.sqrt(Math.max(0, 1 - z * z));
            const t = 2 * Math.PI * u.data[a + 1];
            out[o] = center[0] + radius * s * Math.cos(t);
            out[o + 1] = center[1] + radius * s * Math.sin(t);
            out[o + 2] = center[2] + radius * z;
          } else {
            for (let j = 0; j < dim; j++) out[o + j] = normalInv(u.data[a + j]);
            normalizeInPlace(out, o, dim);
            for (let j = 0; j < dim; j++) out[o + j] = center[j] + radius * out[o + j];
          }
        }
        return { data: out, n: u.n, dim };
      },
    };
  }
}

/** The closed disk of `radius` around a 2-D `center`. */
export class Disk extends Ball {
  constructor(center: readonly [number, number] | ArrayLike<number>, radius: number) {
    super(center, radius, 'Disk', 2);
  }
}

/** The closed n-D ball (DeepXDE's `Hypersphere` is the solid ball, not its surface). */
export class Hypersphere extends Ball {
  constructor(center: ArrayLike<number>, radius: number) {
    super(center, radius, 'Hypersphere');
  }
}
