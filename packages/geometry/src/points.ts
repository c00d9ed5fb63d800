import { check, GeometryError } from './errors.ts';

/**
 * A batch of `n` points in `dim` dimensions, row-major: point `i` is
 * `data[i * dim .. i * dim + dim)`. This is the layout `tf.tensor2d(data, [n, dim])` takes, so
 * later packages convert without copying coordinates around.
 */
export interface Points {
  readonly data: Float64Array;
  readonly n: number;
  readonly dim: number;
}

/** Wraps a row-major buffer; `data.length` must be a multiple of `dim`. */
export function points(data: Float64Array | readonly number[], dim: number): Points {
  check(Number.isInteger(dim) && dim > 0, () => `points: 'dim' must be a positive integer, got ${dim}`);
  const buf = data instanceof Float64Array ? data : Float64Array.from(data);
  check(
    buf.length % dim === 0,
    () => `points: 'data' length (=${buf.length}) must be a multiple of 'dim' (=${dim})`,
  );
  return { data: buf, n: buf.length / dim, dim };
}

/** Builds points from rows, e.g. `fromRows([[0, 0], [1, 2]])`. */
export function fromRows(rows: readonly (readonly number[])[]): Points {
  check(rows.length > 0, () => `fromRows: 'rows' must not be empty`);
  const dim = rows[0].length;
  check(dim > 0, () => `fromRows: 'rows[0]' must not be empty`);
  const data = new Float64Array(rows.length * dim);
  rows.forEach((r, i) => {
    check(r.length === dim, () => `fromRows: 'rows[${i}]' has length ${r.length}, expected ${dim}`);
    data.set(r, i * dim);
  });
  return { data, n: rows.length, dim };
}

export function emptyPoints(n: number, dim: number): Points {
  return { data: new Float64Array(n * dim), n, dim };
}

/** Point `i` as a plain array (for tests and small utilities; copies). */
export function row(x: Points, i: number): number[] {
  return Array.from(x.data.subarray(i * x.dim, (i + 1) * x.dim));
}

export function toRows(x: Points): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < x.n; i++) out.push(row(x, i));
  return out;
}

/** Rows `idx` of `x`, in that order. */
export function take(x: Points, idx: ArrayLike<number>): Points {
  const out = new Float64Array(idx.length * x.dim);
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k];
    out.set(x.data.subarray(i * x.dim, (i + 1) * x.dim), k * x.dim);
  }
  return { data: out, n: idx.length, dim: x.dim };
}

/** Rows of `x` where `mask` is non-zero. */
export function filter(x: Points, mask: ArrayLike<number>): Points {
  let m = 0;
  for (let i = 0; i < x.n; i++) if (mask[i]) m++;
  const out = new Float64Array(m * x.dim);
  let k = 0;
  for (let i = 0; i < x.n; i++) {
    if (!mask[i]) continue;
    out.set(x.data.subarray(i * x.dim, (i + 1) * x.dim), k * x.dim);
    k++;
  }
  return { data: out, n: m, dim: x.dim };
}

/** Stacks batches of the same dimension. */
export function concat(parts: readonly Points[]): Points {
  check(parts.length > 0, () => `concat: 'parts' must not be empty`);
  const dim = parts[0].dim;
  let n = 0;
  for (const p of parts) {
    check(p.dim === dim, () => `concat: all parts must have dim ${dim}, got ${p.dim}`);
    n += p.n;
  }
  const out = new Float64Array(n * dim);
  let off = 0;
  for (const p of parts) {
    out.set(p.data.subarray(0, p.n * dim), off);
    off += p.n * dim;
  }
  return { data: out, n, dim };
}

/**
 * Validates a batch at an op boundary: shape consistent, `dim` as expected, every coordinate
 * finite. NaN would otherwise flow silently through `inside` (every comparison is false).
 */
export function checkPoints(x: Points, dim: number, op: string, arg = 'x'): void {
  check(
    x != null && x.data instanceof Float64Array,
    () => `${op}: '${arg}' must be Points { data: Float64Array, n, dim }`,
  );
  check(
    x.dim === dim,
    () => `${op}: '${arg}' must have dim ${dim}, got ${x.dim} (points are [n, dim] row-major)`,
  );
  check(
    Number.isInteger(x.n) && x.n >= 0 && x.data.length >= x.n * dim,
    () => `${op}: '${arg}' has n=${x.n} but data holds ${x.data.length} numbers for dim ${dim}`,
  );
  const d = x.data;
  const m = x.n * dim;
  for (let i = 0; i < m; i++) {
    // `v - v` is NaN exactly for NaN and ±Inf; cheaper than Number.isFinite in a hot loop.
    const v = d[i];
    if (v - v !== 0) {
      const p = Math.floor(i / dim);
      throw new GeometryError(
        `${op}: '${arg}' must be finite, got ${v} at point ${p}, coordinate ${i % dim}`,
      );
    }
  }
}
