import type { Rng } from '@pinnate/core/rng';
import { check, checkCount } from '../errors.ts';
import type { Points } from '../points.ts';
import { JOE_KUO_ROWS } from './sobol_directions.ts';

const BITS = 32;
const TWO32 = 2 ** 32;

/** Largest dimension the bundled direction numbers support. */
export const SOBOL_MAX_DIM = JOE_KUO_ROWS.length + 1;

/** Direction integers `v[k]` (k = 0..31) of Sobol dimension `j` (0-based), as uint32. */
export function sobolDirections(j: number): Uint32Array {
  const v = new Uint32Array(BITS);
  if (j === 0) {
    for (let k = 0; k < BITS; k++) v[k] = 2 ** (BITS - 1 - k);
    return v;
  }
  const [s, a, ...m] = JOE_KUO_ROWS[j - 1].split(' ').map(Number);
  for (let k = 0; k < BITS; k++) {
    if (k < s) {
      v[k] = (m[k] * 2 ** (BITS - 1 - k)) >>> 0;
      continue;
    }
    // Bratley–Fox recurrence; the primitive polynomial's inner coefficients are the bits of a.
    let x = v[k - s] ^ (v[k - s] >>> s);
    for (let l = 1; l < s; l++) if ((a >>> (s - 1 - l)) & 1) x ^= v[k - l];
    v[k] = x >>> 0;
  }
  return v;
}

export interface SobolOptions {
  /**
   * Random digital shift (XOR of a random 32-bit word per coordinate). Keeps the (t, s)-net
   * structure, removes the point at the origin and makes the estimate unbiased. Absent means
   * the plain sequence, starting at 0.
   */
  readonly scramble?: Rng;
}

/**
 * Sobol sequence in Gray-code order (Antonov–Saleev), 32-bit resolution, up to
 * `SOBOL_MAX_DIM` dimensions. `next(n)` continues where the previous call stopped, so every
 * prefix is a prefix of one sequence.
 */
export class Sobol {
  readonly dim: number;
  private readonly v: Uint32Array;
  private readonly x: Uint32Array;
  private readonly shift: Uint32Array;
  private index = 0;

  constructor(dim: number, opts: SobolOptions = {}) {
    checkCount(dim, 'dim', 'Sobol');
    check(
      dim <= SOBOL_MAX_DIM,
      () =>
        `Sobol: 'dim' (=${dim}) must be <= ${SOBOL_MAX_DIM}, the dimensions with bundled direction numbers`,
    );
    this.dim = dim;
    this.v = new Uint32Array(dim * BITS);
    for (let j = 0; j < dim; j++) this.v.set(sobolDirections(j), j * BITS);
    this.x = new Uint32Array(dim);
    this.shift = new Uint32Array(dim);
    if (opts.scramble) for (let j = 0; j < dim; j++) this.shift[j] = opts.scramble.nextUint32();
  }

  /** The next `n` points, row-major in [0, 1)^dim. */
  next(n: number): Points {
    checkCount(n, 'n', 'Sobol.next');
    check(
      this.index + n <= TWO32,
      () => `Sobol.next: the sequence has 2^32 points; ${this.index} used, ${n} more asked for`,
    );
    const { dim, v, x, shift } = this;
    const out = new Float64Array(n * dim);
    let idx = this.index;
    for (let i = 0; i < n; i++) {
      const o = i * dim;
      for (let j = 0; j < dim; j++) out[o + j] = ((x[j] ^ shift[j]) >>> 0) / TWO32;
      idx++;
      // x_{i+1} = x_i ^ v[c], c = number of trailing zeros of i + 1.
      const low = idx & -idx;
      const c = low === 0 ? BITS - 1 : 31 - Math.clz32(low);
      for (let j = 0; j < dim; j++) x[j] ^= v[j * BITS + c];
    }
    this.index = idx;
    return { data: out, n, dim };
  }
}

/** `n` Sobol points in [0, 1)^dim. */
export function sobol(n: number, dim: number, opts: SobolOptions = {}): Points {
  return new Sobol(dim, opts).next(n);
}
