import type { Rng } from '@pinnate/core/rng';
import type { Points } from '../points.ts';

/** `n` i.i.d. uniform points of [0, 1)^dim, drawn row by row from `rng`. */
export function randomUnit(n: number, dim: number, rng: Rng): Points {
  const data = new Float64Array(n * dim);
  rng.fillUniform(data);
  return { data, n, dim };
}
