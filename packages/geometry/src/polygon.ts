import { BaseDomain, type BBox, exactMeasure, type Measure, type UnitMap } from './domain.ts';
import { check } from './errors.ts';
import type { Points } from './points.ts';

type Vertices = readonly (readonly [number, number] | readonly number[])[];

const cross = (ax: number, ay: number, bx: number, by: number) => ax * by - ay * bx;

/** Do closed segments pq and rs share any point? (Orientation tests with collinear overlap.) */
function segmentsTouch(
  px: number,
  py: number,
  qx: number,
  qy: number,
  rx: number,
  ry: number,
  sx: number,
  sy: number,
): boolean {
  const d1 = cross(sx - rx, sy - ry, px - rx, py - ry);
  const d2 = cross(sx - rx, sy - ry, qx - rx, qy - ry);
  const d3 = cross(qx - px, qy - py, rx - px, ry - py);
  const d4 = cross(qx - px, qy - py, sx - px, sy - py);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
  const onSeg = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number) =>
    Math.min(ax, bx) <= cx && cx <= Math.max(ax, bx) && Math.min(ay, by) <= cy && cy <= Math.max(ay, by);
  return (
    (d1 === 0 && onSeg(rx, ry, sx, sy, px, py)) ||
    (d2 === 0 && onSeg(rx, ry, sx, sy, qx, qy)) ||
    (d3 === 0 && onSeg(px, py, qx, qy, rx, ry)) ||
    (d4 === 0 && onSeg(px, py, qx, qy, sx, sy))
  );
}

/**
 * A simple polygon (possibly non-convex), given by its vertices in either orientation; the
 * closing edge is implicit. Rejected: fewer than 3 vertices, non-finite coordinates, repeated
 * consecutive vertices, zero area, self-intersection. Signed distance is exact (nearest
 * edge, sign from the crossing number). `inside` includes a `tol` band around the edges so
 * points computed on an edge count as inside regardless of rounding.
 */
export class Polygon extends BaseDomain {
  readonly kind: string;
  readonly dim = 2;
  readonly sdfKind = 'exact' as const;
  /** Vertices in counter-clockwise order, [x0, y0, x1, y1, …]. */
  readonly vertices: Float64Array;
  readonly nv: number;
  /** Outward unit normal of edge k (from vertex k to k + 1). */
  private readonly edgeNormals: Float64Array;
  private readonly edgeLengths: Float64Array;
  private readonly area: number;
  private triangles: Int32Array | undefined;

  constructor(vertices: Vertices, kind = 'Polygon') {
    super();
    this.kind = kind;
    check(Array.isArray(vertices), () => `${kind}: 'vertices' must be an array of [x, y] pairs`);
    check(
      vertices.length >= 3,
      () => `${kind}: 'vertices' must have at least 3 points, got ${vertices.length}`,
    );
    const nv = vertices.length;
    const v = new Float64Array(2 * nv);
    vertices.forEach((p, k) => {
      check(p.length === 2, () => `${kind}: 'vertices[${k}]' must be [x, y], got length ${p.length}`);
      check(
        Number.isFinite(p[0]) && Number.isFinite(p[1]),
        () => `${kind}: 'vertices[${k}]' must be finite, got [${p[0]}, ${p[1]}]`,
      );
      v[2 * k] = p[0];
      v[2 * k + 1] = p[1];
    });
    let scale = 0;
    for (let k = 0; k < nv; k++) {
      const k1 = (k + 1) % nv;
      const len = Math.hypot(v[2 * k1] - v[2 * k], v[2 * k1 + 1] - v[2 * k + 1]);
      check(len > 0, () => `${kind}: 'vertices[${k}]' and 'vertices[${k1}]' coincide (zero-length edge)`);
      scale = Math.max(scale, len);
    }
    let a2 = 0;
    for (let k = 0; k < nv; k++) {
      const k1 = (k + 1) % nv;
      a2 += cross(v[2 * k], v[2 * k + 1], v[2 * k1], v[2 * k1 + 1]);
    }
    check(
      Math.abs(a2) > 1e-12 * scale * scale,
      () => `${kind}: 'vertices' are degenerate (area ${a2 / 2}); all points collinear?`,
    );
    // Non-adjacent edges must not touch; adjacent edges must not fold back onto each other.
    for (let i = 0; i < nv; i++) {
      const i1 = (i + 1) % nv;
      for (let j = i + 1; j < nv; j++) {
        const j1 = (j + 1) % nv;
        if (j === i1 || j1 === i) {
          const shared = j === i1 ? i1 : i;
          const p = j === i1 ? i : j;
          const q = j === i1 ? j1 : i1;
          const ux = v[2 * p] - v[2 * shared];
          const uy = v[2 * p + 1] - v[2 * shared + 1];
          const wx = v[2 * q] - v[2 * shared];
          const wy = v[2 * q + 1] - v[2 * shared + 1];
          check(
            !(cross(ux, uy, wx, wy) === 0 && ux * wx + uy * wy > 0),
            () => `${kind}: 'vertices' self-intersect: edges ${i} and ${j} overlap at vertex ${shared}`,
          );
          continue;
        }
        check(
          !segmentsTouch(
            v[2 * i],
            v[2 * i + 1],
            v[2 * i1],
            v[2 * i1 + 1],
            v[2 * j],
            v[2 * j + 1],
            v[2 * j1],
            v[2 * j1 + 1],
          ),
          () => `${kind}: 'vertices' self-intersect: edge ${i} crosses edge ${j}`,
        );
      }
    }
    if (a2 < 0) {
      for (let k = 0; k < nv / 2; k++) {
        const o = nv - 1 - k;
        if (o <= k) break;
        for (const c of [0, 1]) {
          const t = v[2 * k + c];
          v[2 * k + c] = v[2 * o + c];
          v[2 * o + c] = t;
        }
      }
    }
    this.vertices = v;
    this.nv = nv;
    this.area = Math.abs(a2) / 2;
    this.edgeNormals = new Float64Array(2 * nv);
    this.edgeLengths = new Float64Array(nv);
    for (let k = 0; k < nv; k++) {
      const k1 = (k + 1) % nv;
      const dx = v[2 * k1] - v[2 * k];
      const dy = v[2 * k1 + 1] - v[2 * k + 1];
      const len = Math.hypot(dx, dy);
      this.edgeLengths[k] = len;
      // Counter-clockwise order: the interior is on the left, so (dy, -dx) points out.
      this.edgeNormals[2 * k] = dy / len;
      this.edgeNormals[2 * k + 1] = -dx / len;
    }
  }

  bbox(): BBox {
    const lo = Float64Array.of(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY);
    const hi = Float64Array.of(Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY);
    for (let k = 0; k < this.nv; k++) {
      for (const c of [0, 1]) {
        lo[c] = Math.min(lo[c], this.vertices[2 * k + c]);
        hi[c] = Math.max(hi[c], this.vertices[2 * k + c]);
      }
    }
    return { lo, hi };
  }

  measure(): Measure {
    return exactMeasure(this.area);
  }

  boundaryMeasure(): Measure {
    return exactMeasure(this.edgeLengths.reduce((a, b) => a + b, 0));
  }

  /**
   * For point (x, y): index of the nearest edge, parameter t in [0, 1] along it, squared
   * distance, and the crossing-number parity (1 = strictly inside up to rounding).
   */
  private nearestEdge(x: number, y: number, res: Float64Array): void {
    const v = this.vertices;
    const nv = this.nv;
    let best = Number.POSITIVE_INFINITY;
    let bk = 0;
    let bt = 0;
    let inside = false;
    for (let k = 0; k < nv; k++) {
      const k1 = k + 1 === nv ? 0 : k + 1;
      const ax = v[2 * k];
      const ay = v[2 * k + 1];
      const bx = v[2 * k1];
      const by = v[2 * k1 + 1];
      const dx = bx - ax;
      const dy = by - ay;
      let t = ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy);
      t = Math.min(Math.max(t, 0), 1);
      const ex = ax + t * dx - x;
      const ey = ay + t * dy - y;
      const d2 = ex * ex + ey * ey;
      if (d2 < best) {
        best = d2;
        bk = k;
        bt = t;
      }
      if (ay > y !== by > y && x < ax + ((y - ay) * dx) / dy) inside = !inside;
    }
    res[0] = bk;
    res[1] = bt;
    res[2] = best;
    res[3] = inside ? 1 : 0;
  }

  protected sdfImpl(x: Points): Float64Array {
    const out = new Float64Array(x.n);
    const r = new Float64Array(4);
    for (let i = 0; i < x.n; i++) {
      this.nearestEdge(x.data[2 * i], x.data[2 * i + 1], r);
      const d = Math.sqrt(r[2]);
      out[i] = r[3] ? -d : d;
    }
    return out;
  }

  protected insideImpl(x: Points): Uint8Array {
    const d = this.sdfImpl(x);
    const tol = this.tol;
    const out = new Uint8Array(x.n);
    for (let i = 0; i < x.n; i++) out[i] = d[i] <= tol ? 1 : 0;
    return out;
  }

  /** Edge normal; within `tol` of a vertex, the normalised sum of the two edges' normals. */
  protected normalImpl(x: Points, tol: number): Points {
    const out = new Float64Array(x.n * 2);
    const r = new Float64Array(4);
    const en = this.edgeNormals;
    for (let i = 0; i < x.n; i++) {
      this.nearestEdge(x.data[2 * i], x.data[2 * i + 1], r);
      const k = r[0];
      const along = r[1] * this.edgeLengths[k];
      let nx = en[2 * k];
      let ny = en[2 * k + 1];
      if (along <= tol) {
        const kp = (k + this.nv - 1) % this.nv;
        nx += en[2 * kp];
        ny += en[2 * kp + 1];
      } else if (this.edgeLengths[k] - along <= tol) {
        const kn = (k + 1) % this.nv;
        nx += en[2 * kn];
        ny += en[2 * kn + 1];
      }
      const len = Math.hypot(nx, ny);
      // Opposite normals cancel only at a zero-angle spike, which validation rules out.
      out[2 * i] = nx / len;
      out[2 * i + 1] = ny / len;
    }
    return { data: out, n: x.n, dim: 2 };
  }

  /** Ear-clipping triangulation (O(nv^2)); triangles as vertex index triples. */
  private triangulate(): Int32Array {
    if (this.triangles) return this.triangles;
    const v = this.vertices;
    const idx = Array.from({ length: this.nv }, (_, k) => k);
    const tris: number[] = [];
    const isEar = (ia: number, ib: number, ic: number, rest: number[]) => {
      const ax = v[2 * ia];
      const ay = v[2 * ia + 1];
      const bx = v[2 * ib];
      const by = v[2 * ib + 1];
      const cx = v[2 * ic];
      const cy = v[2 * ic + 1];
      if (cross(bx - ax, by - ay, cx - ax, cy - ay) <= 0) return false;
      for (const p of rest) {
        if (p === ia || p === ib || p === ic) continue;
        const px = v[2 * p];
        const py = v[2 * p + 1];
        if (
          cross(bx - ax, by - ay, px - ax, py - ay) >= 0 &&
          cross(cx - bx, cy - by, px - bx, py - by) >= 0 &&
          cross(ax - cx, ay - cy, px - cx, py - cy) >= 0
        ) {
          return false;
        }
      }
      return true;
    };
    while (idx.length > 3) {
      let clipped = false;
      for (let k = 0; k < idx.length; k++) {
        const a = idx[(k + idx.length - 1) % idx.length];
        const b = idx[k];
        const c = idx[(k + 1) % idx.length];
        if (isEar(a, b, c, idx)) {
          tris.push(a, b, c);
          idx.splice(k, 1);
          clipped = true;
          break;
        }
      }
      // A simple polygon always has an ear (two-ears theorem); only collinear runs stall,
      // and dropping a middle collinear vertex loses no area.
      if (!clipped) {
        let dropped = false;
        for (let k = 0; k < idx.length && !dropped; k++) {
          const a = idx[(k + idx.length - 1) % idx.length];
          const b = idx[k];
          const c = idx[(k + 1) % idx.length];
          if (
            cross(
              v[2 * b] - v[2 * a],
              v[2 * b + 1] - v[2 * a + 1],
              v[2 * c] - v[2 * a],
              v[2 * c + 1] - v[2 * a + 1],
            ) === 0
          ) {
            idx.splice(k, 1);
            dropped = true;
          }
        }
        check(dropped, () => `${this.kind}: triangulation failed; the polygon is not simple`);
      }
    }
    tris.push(idx[0], idx[1], idx[2]);
    this.triangles = Int32Array.from(tris);
    return this.triangles;
  }

  /**
   * u_0 picks a triangle with probability proportional to its area and, rescaled within that
   * triangle's share, feeds the triangle map P = (1 - s) A + s (1 - u_1) B + s u_1 C with
   * s = sqrt(u_0'). Both steps preserve uniformity, so there is no rejection.
   */
  override interiorMap(): UnitMap {
    const tris = this.triangulate();
    const v = this.vertices;
    const nt = tris.length / 3;
    const cum = new Float64Array(nt + 1);
    for (let t = 0; t < nt; t++) {
      const [a, b, c] = [tris[3 * t], tris[3 * t + 1], tris[3 * t + 2]];
      const ar =
        cross(
          v[2 * b] - v[2 * a],
          v[2 * b + 1] - v[2 * a + 1],
          v[2 * c] - v[2 * a],
          v[2 * c + 1] - v[2 * a + 1],
        ) / 2;
      cum[t + 1] = cum[t] + ar;
    }
    for (let t = 1; t <= nt; t++) cum[t] /= cum[nt];
    cum[nt] = 1;
    return {
      dim: 2,
      map: (u) => {
        const out = new Float64Array(u.n * 2);
        for (let i = 0; i < u.n; i++) {
          const u0 = u.data[2 * i];
          let lo = 0;
          let hi = nt;
          while (hi - lo > 1) {
            const mid = (lo + hi) >> 1;
            if (cum[mid] <= u0) lo = mid;
            else hi = mid;
          }
          const w = Math.min((u0 - cum[lo]) / (cum[lo + 1] - cum[lo]), 1);
          const s = Math.sqrt(w);
          const r = u.data[2 * i + 1];
          const [a, b, c] = [tris[3 * lo], tris[3 * lo + 1], tris[3 * lo + 2]];
          for (const k of [0, 1]) {
            out[2 * i + k] = (1 - s) * v[2 * a + k] + s * (1 - r) * v[2 * b + k] + s * r * v[2 * c + k];
          }
        }
        return { data: out, n: u.n, dim: 2 };
      },
    };
  }

  /** Arc length along the perimeter, starting at vertex 0. */
  override boundaryMap(): UnitMap {
    const v = this.vertices;
    const nv = this.nv;
    const cum = new Float64Array(nv + 1);
    for (let k = 0; k < nv; k++) cum[k + 1] = cum[k] + this.edgeLengths[k];
    const total = cum[nv];
    return {
      dim: 1,
      grid: true,
      map: (u) => {
        const out = new Float64Array(u.n * 2);
        for (let i = 0; i < u.n; i++) {
          const s = u.data[i] * total;
          let lo = 0;
          let hi = nv;
          while (hi - lo > 1) {
            const mid = (lo + hi) >> 1;
            if (cum[mid] <= s) lo = mid;
            else hi = mid;
          }
          const t = Math.min((s - cum[lo]) / this.edgeLengths[lo], 1);
          const k1 = lo + 1 === nv ? 0 : lo + 1;
          out[2 * i] = v[2 * lo] + t * (v[2 * k1] - v[2 * lo]);
          out[2 * i + 1] = v[2 * lo + 1] + t * (v[2 * k1 + 1] - v[2 * lo + 1]);
        }
        return { data: out, n: u.n, dim: 2 };
      },
    };
  }
}
