import type { Rng } from '@pinnate/core/rng';
import { checkCount } from '../errors.ts';
import type { Points } from '../points.ts';

/** The first `k` primes (Halton bases). */
export function firstPrimes(k: number): number[] {
  const out: number[] = [];
  for (let c = 2; out.length < k; c++) {
    let prime = true;
    for (const p of out) {
      if (p * p > c) break;
      if (c % p === 0) {
        prime = false;
        break;
      }
    }
    if (prime) out.push(c);
  }
  return out;
}

/** Radical inverse of `i` in base `b`: the digits of `i` mirrored around the radix point. */
export function radicalInverse(i: number, b: number): number {
  let f = 1;
  let r = 0;
  while (i > 0) {
    f /= b;
    r += f * (i % b);
    i = Math.floor(i / b);
  }
  return r;
}

export interface HaltonOptions {
  /**
   * Random Cranley–Patterson rotation: each coordinate shifted by a random offset mod 1.
   * Absent means the plain sequence.
   */
  readonly scramble?: Rng;
}

function shifts(dim: number, rng: Rng | undefined): Float64Array {
  const s = new Float64Array(dim);
  if (rng) rng.fillUniform(s);
  return s;
}

const wrap = (u: number): number => (u >= 1 ? u - 1 : u);

/**
 * Halton sequence: coordinate `j` of point `i` is the radical inverse of `i` in the `j`-th
 * prime. Extensible: `next(n)` continues the sequence. Quality degrades past ~20 dimensions
 * (correlated high bases); prefer Sobol there.
 */
export class Halton {
  readonly dim: number;
  private readonly bases: number[];
  private readonly shift: Float64Array;
  private index = 0;

  constructor(dim: number, opts: HaltonOptions = {}) {
    checkCount(dim, 'dim', 'Halton');
    this.dim = dim;
    this.bases = firstPrimes(dim);
    this.shift = shifts(dim, opts.scramble);
  }

  next(n: number): Points {
    checkCount(n, 'n', 'Halton.next');
    const { dim, bases, shift } = this;
    const out = new Float64Array(n * dim);
    for (let i = 0; i < n; i++) {
      const idx = this.index + i;
      for (let j = 0; j < dim; j++) out[i * dim + j] = wrap(radicalInverse(idx, bases[j]) + shift[j]);
    }
    this.index += n;
    return { data: out, n, dim };
  }
}

export function halton(n: number, dim: number, opts: HaltonOptions = {}): Points {
  return new Halton(dim, opts).next(n);
}

/**
 * Hammersley set of exactly `n` points: first coordinate `(i + 1/2) / n`, the others Halton in
 * the first `dim - 1` primes. Lower discrepancy than Halton, but not extensible: the set
 * depends on `n`.
 */
export function hammersley(n: number, dim: number, opts: HaltonOptions = {}): Points {
  checkCount(n, 'n', 'hammersley');
  checkCount(dim, 'dim', 'hammersley');
  const bases = firstPrimes(dim - 1);
  const shift = shifts(dim, opts.scramble);
  const out = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    out[i * dim] = wrap((i + 0.5) / n + shift[0]);
    for (let j = 1; j < dim; j++) out[i * dim + j] = wrap(radicalInverse(i, bases[j - 1]) + shift[j]);
  }
  return { data: out, n, dim };
}
