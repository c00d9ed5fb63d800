/**
 * Multi-indices for partial derivatives, and the combinatorics the jet engine needs.
 *
 * A partial derivative ∂^n / ∂x_{i1} … ∂x_{in} is a multiset of input indices, stored as a
 * sorted key string of digits-like codes: '' is the value, '0' is ∂/∂x0, '01' is ∂²/∂x0∂x1,
 * '0011' is ∂⁴/∂x0²∂x1². Codes are single characters ('0'–'9', then 'a'…) so keys compare and
 * concatenate as strings; inputs are limited to 36 dimensions.
 *
 * A stream is a linear combination of multi-indices of one order (e.g. the Laplacian
 * '00' + '11'). Carrying such a combination as ONE tensor through the network is the
 * "collapsed" Taylor mode: the chain rule is linear in the top-order term, so only the
 * lower-order cross terms must be kept separately.
 */
export const MAX_ORDER = 4;
const CODES = '0123456789abcdefghijklmnopqrstuvwxyz';

export type MultiIndexKey = string;

export function indexCode(i: number): string {
  if (!Number.isInteger(i) || i < 0 || i >= CODES.length) {
    throw new Error(`jets: input index must be an integer in [0, ${CODES.length - 1}], got ${i}`);
  }
  return CODES[i];
}

export function codeIndex(c: string): number {
  const i = CODES.indexOf(c);
  if (i < 0) throw new Error(`jets: bad multi-index code '${c}'`);
  return i;
}

/** Key of the multiset of input indices (order-independent). */
export function keyOf(indices: readonly number[]): MultiIndexKey {
  return indices
    .map(indexCode)
    .sort((a, b) => codeIndex(a) - codeIndex(b))
    .join('');
}

export function sortKey(key: string): MultiIndexKey {
  return keyOf([...key].map(codeIndex));
}

/** All distinct sub-multisets of `key` (including '' and `key` itself), lowest order first. */
export function subMultisets(key: MultiIndexKey): MultiIndexKey[] {
  const out = new Set<string>();
  const chars = [...key];
  const n = chars.length;
  for (let mask = 0; mask < 1 << n; mask++) {
    let s = '';
    for (let i = 0; i < n; i++) if (mask & (1 << i)) s += chars[i];
    out.add(s);
  }
  return [...out].sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
}

/** Set partitions of {0..n-1} (Bell(4) = 15 for n = 4). */
export function setPartitions(n: number): number[][][] {
  if (n === 0) return [[]];
  const result: number[][][] = [];
  for (const p of setPartitions(n - 1)) {
    for (let b = 0; b < p.length; b++) {
      result.push(p.map((block, j) => (j === b ? [...block, n - 1] : block)));
    }
    result.push([...p, [n - 1]]);
  }
  return result;
}

/**
 * One term of Faà di Bruno's formula for ∂_S f(z):  coef · f^(order)(z) · Π_blocks z_block.
 * Terms with equal order and block multiset are merged (their count is `coef`).
 */
export interface ChainTerm {
  readonly order: number;
  readonly coef: number;
  readonly blocks: readonly MultiIndexKey[];
}

const chainCache = new Map<string, ChainTerm[]>();

/** Faà di Bruno expansion of ∂_key f(z(x)) over set partitions of the key's positions. */
export function chainRuleTerms(key: MultiIndexKey): ChainTerm[] {
  const cached = chainCache.get(key);
  if (cached) return cached;
  const chars = [...key];
  const merged = new Map<string, ChainTerm>();
  for (const partition of setPartitions(chars.length)) {
    const blocks = partition.map((b) => sortKey(b.map((i) => chars[i]).join(''))).sort();
    const id = `${partition.length}|${blocks.join(',')}`;
    const prev = merged.get(id);
    merged.set(id, { order: partition.length, coef: (prev?.coef ?? 0) + 1, blocks });
  }
  const terms = [...merged.values()].sort((a, b) => a.order - b.order);
  chainCache.set(key, terms);
  return terms;
}

/** One term of the Leibniz rule for ∂_S (a·b): coef · a_left · b_right. */
export interface ProductTerm {
  readonly coef: number;
  readonly left: MultiIndexKey;
  readonly right: MultiIndexKey;
}

/** Leibniz expansion of ∂_key (a b) over subsets of the key's positions, merged. */
export function productRuleTerms(key: MultiIndexKey): ProductTerm[] {
  const chars = [...key];
  const n = chars.length;
  const merged = new Map<string, ProductTerm>();
  for (let mask = 0; mask < 1 << n; mask++) {
    let l = '';
    let r = '';
    for (let i = 0; i < n; i++) {
      if (mask & (1 << i)) l += chars[i];
      else r += chars[i];
    }
    const left = sortKey(l);
    const right = sortKey(r);
    const id = `${left}|${right}`;
    const prev = merged.get(id);
    merged.set(id, { coef: (prev?.coef ?? 0) + 1, left, right });
  }
  return [...merged.values()];
}
