/**
 * Which derivative streams a jet carries.
 *
 * A plan is closed: every stream's chain rule only refers to streams in the plan. Requests
 * are simple partials (a multi-index key) or collapsed linear combinations of partials of one
 * order (e.g. the Laplacian), which travel as a single stream.
 */
import {
  chainRuleTerms,
  codeIndex,
  MAX_ORDER,
  type MultiIndexKey,
  sortKey,
  subMultisets,
} from './multiindex.ts';

export interface StreamTerm {
  readonly coef: number;
  readonly key: MultiIndexKey;
}

export interface StreamSpec {
  /** '' for the value, the key for a simple partial, `Σ[...]` for a collapsed combination. */
  readonly id: string;
  readonly order: number;
  /** For simple streams one term with coefficient 1. */
  readonly terms: readonly StreamTerm[];
  readonly collapsed: boolean;
}

export type StreamRequest = MultiIndexKey | { readonly terms: readonly StreamTerm[] };

export function collapsedId(terms: readonly StreamTerm[]): string {
  return `Σ[${terms.map((t) => `${t.coef}*${t.key}`).join('+')}]`;
}

export class JetPlan {
  readonly streams: readonly StreamSpec[];
  readonly maxOrder: number;
  private readonly index: Map<string, number>;

  private constructor(streams: StreamSpec[]) {
    this.streams = streams;
    this.index = new Map(streams.map((s, i) => [s.id, i]));
    this.maxOrder = Math.max(0, ...streams.map((s) => s.order));
  }

  /** The value-only plan (plain forward pass). */
  static readonly VALUE = JetPlan.build([]);

  /** Smallest closed plan containing the value and every request. */
  static build(requests: readonly StreamRequest[]): JetPlan {
    const simple = new Set<string>(['']);
    const collapsed = new Map<string, StreamSpec>();
    const addSimpleClosure = (key: string) => {
      for (const sub of subMultisets(key)) simple.add(sub);
    };
    for (const r of requests) {
      if (typeof r === 'string') {
        const key = sortKey(r);
        checkOrder(key.length, key);
        addSimpleClosure(key);
        continue;
      }
      const terms = r.terms
        .map((t) => ({ coef: t.coef, key: sortKey(t.key) }))
        .filter((t) => t.coef !== 0)
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      if (terms.length === 0) throw new Error('jets: a collapsed stream needs at least one non-zero term');
      const order = terms[0].key.length;
      if (terms.some((t) => t.key.length !== order)) {
        throw new Error(
          `jets: all terms of a collapsed stream must have one order, got ${terms.map((t) => t.key)}`,
        );
      }
      checkOrder(order, terms[0].key);
      if (terms.length === 1 && terms[0].coef === 1) {
        addSimpleClosure(terms[0].key);
        continue;
      }
      // The chain rule of a combination needs every strict sub-multiset of each component.
      for (const t of terms) {
        for (const term of chainRuleTerms(t.key)) {
          if (term.order >= 2) for (const b of term.blocks) addSimpleClosure(b);
        }
      }
      const id = collapsedId(terms);
      collapsed.set(id, { id, order, terms, collapsed: true });
    }
    const streams: StreamSpec[] = [
      ...[...simple].map(
        (key): StreamSpec => ({ id: key, order: key.length, terms: [{ coef: 1, key }], collapsed: false }),
      ),
      ...collapsed.values(),
    ];
    streams.sort((a, b) => a.order - b.order || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return new JetPlan(streams);
  }

  has(id: string): boolean {
    return this.index.has(id);
  }

  indexOf(id: string): number {
    const i = this.index.get(id);
    if (i === undefined) {
      throw new Error(
        `jets: stream '${id}' is not in this plan (has ${this.streams.map((s) => `'${s.id}'`).join(', ')})`,
      );
    }
    return i;
  }

  /** Largest input index any stream refers to, or -1. */
  maxInputIndex(): number {
    let m = -1;
    for (const s of this.streams)
      for (const t of s.terms) for (const ch of t.key) m = Math.max(m, codeIndex(ch));
    return m;
  }
}

function checkOrder(order: number, key: string) {
  if (order > MAX_ORDER) {
    throw new Error(
      `jets: derivative order ${order} (key '${key}') exceeds the supported maximum ${MAX_ORDER}`,
    );
  }
}
