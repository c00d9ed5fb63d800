import type { BBox, Domain } from './domain.ts';
import { check, checkCount } from './errors.ts';
import type { Points } from './points.ts';

/** A regular grid: `points` in row-major order (last axis fastest) with `shape[j]` nodes per axis. */
export interface Grid {
  readonly points: Points;
  readonly shape: readonly number[];
  readonly lo: Float64Array;
  readonly hi: Float64Array;
}

/**
 * Nodes of the regular grid over a box with `shape[j]` nodes along axis j, endpoints included
 * (node i at lo + i (hi - lo) / (shape[j] - 1); a single node sits at the centre). This is the
 * layout grid-based operators (FNO) read as an image of shape `shape`.
 */
export function regularGrid(box: BBox | Domain, shape: readonly number[]): Grid {
  const b: BBox = 'lo' in box && box.lo instanceof Float64Array ? (box as BBox) : (box as Domain).bbox();
  const dim = b.lo.length;
  check(
    Array.isArray(shape) && shape.length === dim,
    () => `regularGrid: 'shape' must have one count per dimension (${dim}), got [${shape}]`,
  );
  for (let j = 0; j < shape.length; j++) checkCount(shape[j], `shape[${j}]`, 'regularGrid');
  let n = 1;
  for (const k of shape) n *= k;
  const data = new Float64Array(n * dim);
  const axes = shape.map((k, j) =>
    Float64Array.from({ length: k }, (_, i) =>
      k === 1 ? (b.lo[j] + b.hi[j]) / 2 : b.lo[j] + (i * (b.hi[j] - b.lo[j])) / (k - 1),
    ),
  );
  for (let i = 0; i < n; i++) {
    let r = i;
    for (let j = dim - 1; j >= 0; j--) {
      data[i * dim + j] = axes[j][r % shape[j]];
      r = Math.floor(r / shape[j]);
    }
  }
  return { points: { data, n, dim }, shape: [...shape], lo: b.lo.slice(), hi: b.hi.slice() };
}

/** 1 where a grid node lies in the (closed) domain; same order as `grid.points`. */
export function insideMask(domain: Domain, grid: Grid): Uint8Array {
  check(
    grid.points.dim === domain.dim,
    () => `insideMask: 'grid' has dim ${grid.points.dim}, 'domain' (${domain.kind}) has dim ${domain.dim}`,
  );
  const inside = domain.inside(grid.points);
  const onB = domain.onBoundary(grid.points);
  for (let i = 0; i < inside.length; i++) inside[i] |= onB[i];
  return inside;
}

/** The grid over the domain's bounding box and its inside mask, in one call. */
export function gridMask(domain: Domain, shape: readonly number[]): Grid & { readonly mask: Uint8Array } {
  const grid = regularGrid(domain.bbox(), shape);
  return { ...grid, mask: insideMask(domain, grid) };
}
