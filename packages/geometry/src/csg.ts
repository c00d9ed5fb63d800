import { Rng } from '@pinnate/core/rng';
import { BaseDomain, type BBox, collectAccepted, type Domain, type Measure, type SdfKind } from './domain.ts';
import { check, checkCount } from './errors.ts';
import { normalizeInPlace } from './math.ts';
import { concat, type Points } from './points.ts';
import { checkSampler, type SampleOptions, toRng } from './samplers/stream.ts';

export type CsgOp = 'union' | 'intersection' | 'difference';

/** Fixed seed and size of the Monte Carlo measure estimates, so they are reproducible. */
const MC_SEED = 0x9e3779b9;
const MC_INTERIOR = 1 << 17;
const MC_BOUNDARY = 1 << 14;

function checkOperands(op: string, a: Domain, b: Domain): void {
  check(a != null && typeof a.inside === 'function', () => `${op}: 'a' must be a Domain`);
  check(b != null && typeof b.inside === 'function', () => `${op}: 'b' must be a Domain`);
  check(
    a.dim === b.dim,
    () => `${op}: dimension mismatch: 'a' (${a.kind}) has dim ${a.dim}, 'b' (${b.kind}) has dim ${b.dim}`,
  );
}

function offsetPoints(x: Points, nrm: Points, eps: number): Points {
  const out = new Float64Array(x.n * x.dim);
  for (let k = 0; k < out.length; k++) out[k] = x.data[k] + eps * nrm.data[k];
  return { data: out, n: x.n, dim: x.dim };
}

/**
 * Constructive solid geometry of two domains: `union` (a ∪ b), `intersection` (a ∩ b),
 * `difference` (a \ b, closed: b's boundary inside a belongs to the result). Nestable.
 *
 * Signed distance is min / max / max(a, -b) of the children's (Quilez): sign and zero set
 * are exact, the magnitude is exact outside a union and inside an intersection and a lower
 * bound elsewhere (`sdfKind: 'bound'`). Measures are Monte Carlo estimates with a fixed seed
 * (inclusion–exclusion, sampling only the overlap of the bounding boxes) and report their
 * standard error. Boundary points are drawn from the children's boundaries in proportion to
 * their measure and kept when a step of ±ε along the normal leaves / enters the result, which
 * also drops faces two operands share (e.g. the seam of two touching rectangles).
 */
export class Csg extends BaseDomain {
  readonly kind: string;
  readonly dim: number;
  readonly sdfKind: SdfKind;
  private measure_: Measure | undefined;
  private boundaryMeasure_: Measure | undefined;

  constructor(
    readonly op: CsgOp,
    readonly a: Domain,
    readonly b: Domain,
  ) {
    super();
    const name = op === 'union' ? 'Union' : op === 'intersection' ? 'Intersection' : 'Difference';
    checkOperands(name, a, b);
    this.kind = name;
    this.dim = a.dim;
    this.sdfKind = a.sdfKind === 'none' || b.sdfKind === 'none' ? 'none' : 'bound';
    if (op === 'intersection') {
      const x = this.bbox();
      for (let j = 0; j < this.dim; j++) {
        check(
          x.lo[j] <= x.hi[j],
          () =>
            `Intersection: the bounding boxes of 'a' (${a.kind}) and 'b' (${b.kind}) do not overlap; the intersection is empty`,
        );
      }
    }
  }

  bbox(): BBox {
    const ba = this.a.bbox();
    const bb = this.b.bbox();
    switch (this.op) {
      case 'union':
        return {
          lo: ba.lo.map((v, j) => Math.min(v, bb.lo[j])),
          hi: ba.hi.map((v, j) => Math.max(v, bb.hi[j])),
        };
      case 'intersection':
        return {
          lo: ba.lo.map((v, j) => Math.max(v, bb.lo[j])),
          hi: ba.hi.map((v, j) => Math.min(v, bb.hi[j])),
        };
      case 'difference':
        return ba;
      default: {
        const never: never = this.op;
        throw new Error(`unreachable CSG op ${String(never)}`);
      }
    }
  }

  protected insideImpl(x: Points): Uint8Array {
    const ia = this.a.inside(x);
    switch (this.op) {
      case 'union': {
        const ib = this.b.inside(x);
        for (let i = 0; i < x.n; i++) ia[i] |= ib[i];
        return ia;
      }
      case 'intersection': {
        const ib = this.b.inside(x);
        for (let i = 0; i < x.n; i++) ia[i] &= ib[i];
        return ia;
      }
      case 'difference': {
        // Remove only b's open interior, so b's boundary inside a stays (the result is closed).
        // One signed-distance pass instead of inside + onBoundary (which would compute it again).
        if (this.b.sdfKind !== 'none') {
          const db = this.b.sdf(x);
          const tb = -this.b.tol;
          for (let i = 0; i < x.n; i++) if (db[i] < tb) ia[i] = 0;
          return ia;
        }
        const ib = this.b.inside(x);
        const onB = this.b.onBoundary(x);
        for (let i = 0; i < x.n; i++) if (ib[i] && !onB[i]) ia[i] = 0;
        return ia;
      }
      default: {
        const never: never = this.op;
        throw new Error(`unreachable CSG op ${String(never)}`);
      }
    }
  }

  protected sdfImpl(x: Points): Float64Array {
    const da = this.a.sdf(x);
    const db = this.b.sdf(x);
    switch (this.op) {
      case 'union':
        for (let i = 0; i < x.n; i++) da[i] = Math.min(da[i], db[i]);
        return da;
      case 'intersection':
        for (let i = 0; i < x.n; i++) da[i] = Math.max(da[i], db[i]);
        return da;
      case 'difference':
        for (let i = 0; i < x.n; i++) da[i] = Math.max(da[i], -db[i]);
        return da;
      default: {
        const never: never = this.op;
        throw new Error(`unreachable CSG op ${String(never)}`);
      }
    }
  }

  /**
   * The normal of the child whose distance is active (the gradient of the combined sdf); on a
   * seam where both are active within `tol`, the normalised sum (b's normal flipped for a
   * difference).
   */
  protected normalImpl(x: Points, tol: number): Points {
    const da = this.a.sdf(x);
    const db = this.b.sdf(x);
    const na = this.a.normal(x);
    const nb = this.b.normal(x);
    const dim = this.dim;
    const sb = this.op === 'difference' ? -1 : 1;
    const out = new Float64Array(x.n * dim);
    for (let i = 0; i < x.n; i++) {
      const fa = da[i];
      const fb = sb * db[i];
      let wa: number;
      let wb: number;
      if (Math.abs(fa - fb) <= tol) {
        wa = 1;
        wb = 1;
      } else if (this.op === 'union') {
        wa = fa < fb ? 1 : 0;
        wb = 1 - wa;
      } else {
        wa = fa > fb ? 1 : 0;
        wb = 1 - wa;
      }
      for (let j = 0; j < dim; j++)
        out[i * dim + j] = wa * na.data[i * dim + j] + wb * sb * nb.data[i * dim + j];
      normalizeInPlace(out, i * dim, dim);
    }
    return { data: out, n: x.n, dim };
  }

  /** Step length of the boundary test: well above `tol`, far below any feature size. */
  private get eps(): number {
    return this.tol * 1000;
  }

  /**
   * Keeps points p with outward normal n where p + εn is outside and p - εn inside the
   * result: exactly the points of the result's boundary, up to an O(ε) band at corners.
   */
  private stepTest(p: Points, nrm: Points): Uint8Array {
    const out = this.insideImpl(offsetPoints(p, nrm, -this.eps));
    const leave = this.insideImpl(offsetPoints(p, nrm, this.eps));
    for (let i = 0; i < p.n; i++) out[i] = out[i] && !leave[i] ? 1 : 0;
    return out;
  }

  override onBoundary(x: Points, tol: number = this.tol): Uint8Array {
    const out = super.onBoundary(x, tol);
    let any = false;
    for (let i = 0; i < x.n && !any; i++) any = out[i] === 1;
    if (!any) return out;
    const step = this.stepTest(x, this.normalImpl(x, tol));
    for (let i = 0; i < x.n; i++) out[i] &= step[i];
    return out;
  }

  /** Monte Carlo estimate of |a ∩ b| over the overlap of the bounding boxes. */
  private overlapMeasure(): Measure {
    const ba = this.a.bbox();
    const bb = this.b.bbox();
    const lo = ba.lo.map((v, j) => Math.max(v, bb.lo[j]));
    const hi = ba.hi.map((v, j) => Math.min(v, bb.hi[j]));
    let vol = 1;
    for (let j = 0; j < this.dim; j++) vol *= Math.max(0, hi[j] - lo[j]);
    if (vol === 0) return { value: 0, stdError: 0, method: 'exact' };
    const rng = new Rng(MC_SEED);
    const data = new Float64Array(MC_INTERIOR * this.dim);
    for (let i = 0; i < MC_INTERIOR; i++) {
      for (let j = 0; j < this.dim; j++) data[i * this.dim + j] = rng.uniformIn(lo[j], hi[j]);
    }
    const x = { data, n: MC_INTERIOR, dim: this.dim };
    const ia = this.a.inside(x);
    const ib = this.b.inside(x);
    let hits = 0;
    for (let i = 0; i < MC_INTERIOR; i++) hits += ia[i] & ib[i];
    const p = hits / MC_INTERIOR;
    return { value: vol * p, stdError: vol * Math.sqrt((p * (1 - p)) / MC_INTERIOR), method: 'monte-carlo' };
  }

  measure(): Measure {
    if (this.measure_) return this.measure_;
    const ma = this.a.measure();
    const mb = this.b.measure();
    const mab = this.overlapMeasure();
    let value: number;
    let se2: number;
    switch (this.op) {
      case 'union':
        value = ma.value + mb.value - mab.value;
        se2 = ma.stdError ** 2 + mb.stdError ** 2 + mab.stdError ** 2;
        break;
      case 'intersection':
        value = mab.value;
        se2 = mab.stdError ** 2;
        break;
      case 'difference':
        value = ma.value - mab.value;
        se2 = ma.stdError ** 2 + mab.stdError ** 2;
        break;
      default: {
        const never: never = this.op;
        throw new Error(`unreachable CSG op ${String(never)}`);
      }
    }
    const exact = se2 === 0 && mab.method === 'exact' && ma.method === 'exact' && mb.method === 'exact';
    this.measure_ = { value, stdError: Math.sqrt(se2), method: exact ? 'exact' : 'monte-carlo' };
    return this.measure_;
  }

  /** Boundary points of child `which` with the result's outward orientation, and the test. */
  private propose(which: 'a' | 'b', m: number, opts: SampleOptions): Points {
    return (which === 'a' ? this.a : this.b).sampleBoundary(m, opts);
  }

  private orientedNormal(which: 'a' | 'b', p: Points): Points {
    if (which === 'a') return this.a.normal(p);
    const nb = this.b.normal(p);
    if (this.op === 'difference') for (let k = 0; k < nb.data.length; k++) nb.data[k] = -nb.data[k];
    return nb;
  }

  boundaryMeasure(): Measure {
    if (this.boundaryMeasure_) return this.boundaryMeasure_;
    let value = 0;
    let se2 = 0;
    const rng = new Rng(MC_SEED);
    for (const which of ['a', 'b'] as const) {
      const child = which === 'a' ? this.a : this.b;
      const bm = child.boundaryMeasure();
      const p = this.propose(which, MC_BOUNDARY, { sampler: 'random', rng: rng.split() });
      const keep = this.stepTest(p, this.orientedNormal(which, p));
      let k = 0;
      for (let i = 0; i < p.n; i++) k += keep[i];
      const f = k / p.n;
      value += bm.value * f;
      se2 += (bm.value * Math.sqrt((f * (1 - f)) / p.n)) ** 2 + (bm.stdError * f) ** 2;
    }
    this.boundaryMeasure_ = { value, stdError: Math.sqrt(se2), method: 'monte-carlo' };
    return this.boundaryMeasure_;
  }

  override sampleBoundary(n: number, opts: SampleOptions): Points {
    const op = `${this.kind}.sampleBoundary`;
    checkCount(n, 'n', op);
    const kind = checkSampler(opts?.sampler, op);
    const rng = toRng(opts?.rng, op);
    const wa = this.a.boundaryMeasure().value;
    const wb = this.b.boundaryMeasure().value;
    // Each batch's oriented normals are kept beside it: the proposing child is known here and
    // its normal is the right one to step along, even on a seam where both children vanish.
    let normals: Points | undefined;
    const draw = (m: number): Points => {
      const ma = Math.round((m * wa) / (wa + wb));
      const parts: Points[] = [];
      const nparts: Points[] = [];
      for (const [which, count] of [
        ['a', ma],
        ['b', m - ma],
      ] as const) {
        if (count === 0) continue;
        const p = this.propose(which, count, { sampler: kind, rng: rng.split() });
        parts.push(p);
        nparts.push(this.orientedNormal(which, p));
      }
      normals = concat(nparts);
      return concat(parts);
    };
    const accept = (p: Points): Uint8Array => this.stepTest(p, normals as Points);
    return collectAccepted(n, kind, rng, draw, accept, op, true);
  }
}

/** a ∪ b ∪ …, folded left. */
export function union(a: Domain, b: Domain, ...more: Domain[]): Csg {
  let out = new Csg('union', a, b);
  for (const d of more) out = new Csg('union', out, d);
  return out;
}

/** a ∩ b ∩ …, folded left. */
export function intersection(a: Domain, b: Domain, ...more: Domain[]): Csg {
  let out = new Csg('intersection', a, b);
  for (const d of more) out = new Csg('intersection', out, d);
  return out;
}

/** a \ b (closed). */
export function difference(a: Domain, b: Domain): Csg {
  return new Csg('difference', a, b);
}
