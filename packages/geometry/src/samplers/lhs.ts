import type { Rng } from '@pinnate/core/rng';
import { checkCount } from '../errors.ts';
import type { Points } from '../points.ts';

/**
 * Latin hypercube of `n` points in [0, 1)^dim: in every coordinate each of the `n` strata
 * `[k/n, (k+1)/n)` holds exactly one point, placed uniformly inside it.
 */
export function latinHypercube(n: number, dim: number, rng: Rng): Points {
  checkCount(n, 'n', 'latinHypercube');
  checkCount(dim, 'dim', 'latinHypercube');
  const data = new Float64Array(n * dim);
  for (let j = 0; j < dim; j++) {
    const perm = rng.permutation(n);
    for (let i = 0; i < n; i++) data[i * dim + j] = (perm[i] + rng.uniform()) / n;
  }
  return { data, n, dim };
}
