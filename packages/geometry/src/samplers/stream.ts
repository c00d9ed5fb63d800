import { Rng } from '@pinnate/core/rng';
import { check, checkCount } from '../errors.ts';
import type { Points } from '../points.ts';
import { unitGrid } from './grid.ts';
import { Halton, hammersley } from './halton.ts';
import { latinHypercube } from './lhs.ts';
import { randomUnit } from './random.ts';
import { Sobol } from './sobol.ts';

/**
 * How points are drawn from the unit cube [0, 1)^k before a domain maps them.
 * - `random`: i.i.d. uniform from the seeded xoshiro128** stream.
 * - `lhs`: Latin hypercube (one point per stratum in every coordinate).
 * - `sobol`: Sobol (Joe–Kuo directions), random digital shift from the seed.
 * - `halton`: Halton (prime bases), random Cranley–Patterson shift from the seed.
 * - `hammersley`: Hammersley set (i/n then Halton), random shift from the seed.
 * - `grid`: cell-centred regular grid, thinned evenly to the requested count.
 */
export type SamplerKind = 'random' | 'lhs' | 'sobol' | 'halton' | 'hammersley' | 'grid';

export const SAMPLER_KINDS: readonly SamplerKind[] = [
  'random',
  'lhs',
  'sobol',
  'halton',
  'hammersley',
  'grid',
];

/** A generator or a seed; a seed is shorthand for `new Rng(seed)`. */
export type RngLike = Rng | number;

/** Options every sampling call takes. The same seed gives the same points on every platform. */
export interface SampleOptions {
  /** Default `'random'`. */
  readonly sampler?: SamplerKind;
  /** Consumed (advanced) when an `Rng` is passed; a number seeds a fresh one. */
  readonly rng: RngLike;
}

export function toRng(r: RngLike, op: string): Rng {
  if (r instanceof Rng) return r;
  check(
    typeof r === 'number' && Number.isFinite(r),
    () => `${op}: 'rng' must be an Rng or a finite seed, got ${String(r)}`,
  );
  return new Rng(r);
}

export function checkSampler(s: unknown, op: string): SamplerKind {
  const kind = s ?? 'random';
  check(
    (SAMPLER_KINDS as readonly unknown[]).includes(kind),
    () => `${op}: 'sampler' must be one of ${SAMPLER_KINDS.join(', ')}, got ${String(s)}`,
  );
  return kind as SamplerKind;
}

/**
 * Whether a kind is a sequence whose prefixes are all good point sets (so rejection sampling
 * can keep drawing until it has enough) or a fixed-size design that must be rebuilt larger.
 */
export function isExtensible(kind: SamplerKind): boolean {
  switch (kind) {
    case 'random':
    case 'sobol':
    case 'halton':
      return true;
    case 'lhs':
    case 'hammersley':
    case 'grid':
      return false;
    default: {
      const never: never = kind;
      throw new Error(`unreachable sampler ${String(never)}`);
    }
  }
}

/**
 * A stream of unit-cube points. For extensible kinds successive `next` calls continue the
 * sequence; for fixed designs each call builds a fresh design of that size.
 */
export interface UnitStream {
  readonly kind: SamplerKind;
  readonly dim: number;
  next(n: number): Points;
}

/**
 * @param aspect optional relative side lengths for `grid`, so a 2×1 domain gets twice as many
 *   grid columns as rows.
 */
export function unitStream(kind: SamplerKind, dim: number, rng: Rng, aspect?: readonly number[]): UnitStream {
  checkCount(dim, 'dim', 'unitStream');
  switch (kind) {
    case 'random':
      return { kind, dim, next: (n) => randomUnit(n, dim, rng) };
    case 'lhs':
      return { kind, dim, next: (n) => latinHypercube(n, dim, rng) };
    case 'sobol': {
      const s = new Sobol(dim, { scramble: rng });
      return { kind, dim, next: (n) => s.next(n) };
    }
    case 'halton': {
      const h = new Halton(dim, { scramble: rng });
      return { kind, dim, next: (n) => h.next(n) };
    }
    case 'hammersley': {
      const r = rng.split();
      return { kind, dim, next: (n) => hammersley(n, dim, { scramble: r.clone() }) };
    }
    case 'grid':
      return { kind, dim, next: (n) => unitGrid(n, dim, aspect) };
    default: {
      const never: never = kind;
      throw new Error(`unreachable sampler ${String(never)}`);
    }
  }
}

/** `n` points of the unit cube [0, 1)^dim from any sampler kind. */
export function sampleUnitCube(n: number, dim: number, opts: SampleOptions): Points {
  checkCount(n, 'n', 'sampleUnitCube');
  checkCount(dim, 'dim', 'sampleUnitCube');
  const kind = checkSampler(opts.sampler, 'sampleUnitCube');
  return unitStream(kind, dim, toRng(opts.rng, 'sampleUnitCube')).next(n);
}
