/** Seeded weight initializers (Glorot / He), computed in JS so every backend gets the same numbers. */
import type { Rng } from '../rng.ts';

export type Initializer = 'glorotNormal' | 'glorotUniform' | 'heNormal' | 'heUniform' | 'zeros';

export function initWeights(kind: Initializer, fanIn: number, fanOut: number, rng: Rng): Float32Array {
  const out = new Float32Array(fanIn * fanOut);
  switch (kind) {
    case 'glorotNormal':
      return fill(out, () => rng.normal() * Math.sqrt(2 / (fanIn + fanOut)));
    case 'glorotUniform': {
      const a = Math.sqrt(6 / (fanIn + fanOut));
      return fill(out, () => rng.uniformIn(-a, a));
    }
    case 'heNormal':
      return fill(out, () => rng.normal() * Math.sqrt(2 / fanIn));
    case 'heUniform': {
      const a = Math.sqrt(6 / fanIn);
      return fill(out, () => rng.uniformIn(-a, a));
    }
    case 'zeros':
      return out;
    default: {
      const never: never = kind;
      throw new Error(`initWeights: unknown initializer '${String(never)}'`);
    }
  }
}

function fill(a: Float32Array, f: () => number): Float32Array {
  for (let i = 0; i < a.length; i++) a[i] = f();
  return a;
}
