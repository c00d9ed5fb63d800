/**
 * Seeded pseudo-random numbers, identical on every platform.
 *
 * Generator: xoshiro128** (Blackman & Vigna 2018), 128-bit state, period 2^128 - 1, seeded by
 * splitmix32 from a 32-bit integer seed. It uses only 32-bit integer ops (`Math.imul`, shifts),
 * so the stream is bit-identical in Node and in every browser. Doubles take 53 random bits
 * from two outputs. No module state: every consumer holds its own `Rng`, and `state()` /
 * `Rng.fromState` let a training run checkpoint and resume the exact stream.
 *
 * This module has no tfjs dependency (importable as `@pinnate/core/rng`).
 */
export type RngState = readonly [number, number, number, number];

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** @param seed any finite number; its low 32 bits (after `>>> 0`) select the stream. */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`Rng: 'seed' must be a finite number, got ${seed}`);
    const sm = splitmix32(Math.trunc(seed));
    this.s0 = sm();
    this.s1 = sm();
    this.s2 = sm();
    this.s3 = sm();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  static fromState(state: RngState): Rng {
    const r = new Rng(0);
    r.setState(state, 'Rng.fromState');
    return r;
  }

  /**
   * Continue from a saved `state()` in place — for a generator that closures hold by reference
   * (a sampler's stream restored from a checkpoint).
   */
  setState(state: RngState, caller = 'Rng.setState'): void {
    if (!Array.isArray(state) || state.length !== 4 || state.some((v) => !Number.isInteger(v))) {
      throw new Error(`${caller}: 'state' must be 4 uint32 integers, got ${JSON.stringify(state)}`);
    }
    [this.s0, this.s1, this.s2, this.s3] = state.map((v) => v >>> 0);
  }

  state(): RngState {
    return [this.s0, this.s1, this.s2, this.s3];
  }

  clone(): Rng {
    return Rng.fromState(this.state());
  }

  /** Uniform uint32. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform double in [lo, hi). */
  uniformIn(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Uniform integer in [0, n). Unbiased (rejection). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 2 ** 32) {
      throw new Error(`Rng.int: 'n' must be an integer in [1, 2^32], got ${n}`);
    }
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** Standard normal by Box–Muller (one draw per call keeps the state a plain 128-bit value). */
  normal(): number {
    let u = this.uniform();
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Fill `out` with uniform [lo, hi) doubles. */
  fillUniform<T extends Float32Array | Float64Array>(out: T, lo = 0, hi = 1): T {
    for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * this.uniform();
    return out;
  }

  /** Fill `out` with N(mean, std^2) draws. */
  fillNormal<T extends Float32Array | Float64Array>(out: T, mean = 0, std = 1): T {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.normal();
    return out;
  }

  /**
   * An independent child stream. Children are derived from this stream's next outputs, so
   * `split` advances this generator: split a fresh Rng per sublayer in a fixed order.
   */
  split(): Rng {
    const r = new Rng(0);
    r.s0 = this.nextUint32() ^ 0x243f6a88;
    r.s1 = this.nextUint32() ^ 0x85a308d3;
    r.s2 = this.nextUint32() ^ 0x13198a2e;
    r.s3 = this.nextUint32() ^ 0x03707344;
    if ((r.s0 | r.s1 | r.s2 | r.s3) === 0) r.s0 = 1;
    // Decorrelate the child from the parent's raw outputs.
    for (let i = 0; i < 8; i++) r.nextUint32();
    return r;
  }

  /** Fisher–Yates permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
