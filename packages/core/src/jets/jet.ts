/**
 * Taylor-mode jets: a tensor together with its partial derivatives with respect to the
 * network inputs, propagated forward through every layer with ordinary tfjs ops.
 *
 * Each stream is [N, H], or [1, H] when it is the same for every point (the derivatives of the
 * input, and of a first linear layer), or `null` when identically zero. Keeping those cases
 * apart is what makes the first layers cheap: ∂x/∂x_i is a one-hot row, and every order ≥ 2
 * stream is zero until the first nonlinearity.
 *
 * Parameter gradients come from one ordinary reverse pass over these ops.
 */
import * as tf from '@tensorflow/tfjs';
import { add, addAll, matMulFast, mul, scale } from '../ops/fast.ts';
import { type ActivationName, type DerivativeTable, derivativeTable } from './activations.ts';
import { chainRuleTerms, codeIndex, type MultiIndexKey, productRuleTerms } from './multiindex.ts';
import type { JetPlan } from './plan.ts';

export type Stream = tf.Tensor | null;

export class Jet {
  constructor(
    readonly plan: JetPlan,
    /** Aligned with `plan.streams`; entry 0 is the value [N, H]. */
    readonly streams: readonly Stream[],
  ) {
    if (streams.length !== plan.streams.length) {
      throw new Error(`Jet: ${streams.length} streams for a plan of ${plan.streams.length}`);
    }
    if (!streams[0]) throw new Error('Jet: the value stream cannot be zero');
  }

  get value(): tf.Tensor {
    return this.streams[0] as tf.Tensor;
  }

  /** Number of points N. */
  get batch(): number {
    return this.value.shape[0];
  }

  /** Width H of the last axis. */
  get width(): number {
    return this.value.shape[this.value.rank - 1] as number;
  }

  stream(id: string): Stream {
    return this.streams[this.plan.indexOf(id)];
  }

  /** Stream by id as a dense [N, H] tensor (zeros and broadcast rows expanded). */
  dense(id: string): tf.Tensor {
    const s = this.stream(id);
    const shape = [this.batch, this.width];
    if (s === null) return tf.zeros(shape);
    if (s.shape[0] === this.batch) return s;
    return tf.broadcastTo(s, shape);
  }

  /** Apply the same transformation to every non-zero stream (a linear map). */
  mapLinear(f: (s: tf.Tensor, isValue: boolean) => tf.Tensor): Jet {
    return new Jet(
      this.plan,
      this.streams.map((s, i) => (s === null ? null : f(s, i === 0))),
    );
  }
}

/** Lookup of a simple partial by key within a jet's streams. */
function simpleStream(jet: Jet, key: MultiIndexKey): Stream {
  return jet.streams[jet.plan.indexOf(key)];
}

/**
 * The input jet of points x: [N, d]. ∂x/∂x_i is the one-hot row e_i ([1, d]), higher partials
 * are zero; a collapsed first-order stream Σ c_i ∂_i is the row of its coefficients.
 */
export function inputJet(x: tf.Tensor2D, plan: JetPlan): Jet {
  const d = x.shape[1];
  if (plan.maxInputIndex() >= d) {
    throw new Error(`inputJet: the plan differentiates input ${plan.maxInputIndex()} but x has ${d} columns`);
  }
  const streams = plan.streams.map((s, i): Stream => {
    if (i === 0) return x;
    if (s.order !== 1) return null;
    const row = new Float32Array(d);
    for (const t of s.terms) row[codeIndex(t.key)] += t.coef;
    return tf.tensor2d(row, [1, d]);
  });
  return new Jet(plan, streams);
}

/** Affine map on the last axis: value ← value W + b, derivatives ← derivative W. */
export function jetLinear(jet: Jet, w: tf.Tensor2D, b?: tf.Tensor): Jet {
  return jet.mapLinear((s, isValue) => {
    const z = matMulFast(s as tf.Tensor2D, w);
    return isValue && b ? add(z, b) : z;
  });
}

/** Product of the tensors of some blocks, or null if any is zero. Rows [1, H] multiply first. */
function productOf(factors: Stream[]): tf.Tensor | null {
  if (factors.some((f) => f === null)) return null;
  const fs = [...(factors as tf.Tensor[])].sort((a, b) => a.shape[0] - b.shape[0]);
  let acc = fs[0];
  for (let i = 1; i < fs.length; i++) acc = mul(acc, fs[i]);
  return acc;
}

/** Σ_order f^(order) · (Σ coef · Π blocks), with products grouped per derivative order. */
function combine(derivs: (tf.Tensor | null)[], byOrder: Map<number, tf.Tensor[]>): tf.Tensor | null {
  const parts: tf.Tensor[] = [];
  for (const [order, prods] of byOrder) {
    const d = derivs[order];
    if (d === null || prods.length === 0) continue;
    parts.push(mul(addAll(prods), d));
  }
  return parts.length ? addAll(parts) : null;
}

/** Elementwise f through the jet by Faà di Bruno's formula. */
export function jetUnary(jet: Jet, table: DerivativeTable): Jet {
  const plan = jet.plan;
  const derivs = table(jet.value, plan.maxOrder);
  const out: Stream[] = plan.streams.map((spec, i) => {
    if (i === 0) return derivs[0];
    const byOrder = new Map<number, tf.Tensor[]>();
    const push = (order: number, t: tf.Tensor | null, coef: number) => {
      if (t === null) return;
      const list = byOrder.get(order) ?? [];
      list.push(scale(t, coef));
      byOrder.set(order, list);
    };
    if (spec.collapsed) {
      // First-order term is linear in the combination: f'(z) · z_Σ.
      push(1, jet.streams[i], 1);
      for (const t of spec.terms) {
        for (const term of chainRuleTerms(t.key)) {
          if (term.order < 2) continue;
          push(term.order, productOf(term.blocks.map((b) => simpleStream(jet, b))), t.coef * term.coef);
        }
      }
    } else {
      for (const term of chainRuleTerms(spec.id)) {
        push(term.order, productOf(term.blocks.map((b) => simpleStream(jet, b))), term.coef);
      }
    }
    return combine(derivs, byOrder);
  });
  return new Jet(plan, out);
}

export function jetActivation(jet: Jet, name: ActivationName): Jet {
  if (name === 'identity') return jet;
  return jetUnary(jet, derivativeTable(name));
}

/** Elementwise product of two jets by the Leibniz rule (gated layers). */
export function jetMul(a: Jet, b: Jet): Jet {
  assertSamePlan(a, b, 'jetMul');
  const plan = a.plan;
  const out: Stream[] = plan.streams.map((spec, i) => {
    if (i === 0) return mul(a.value, b.value);
    const parts: tf.Tensor[] = [];
    const pushProduct = (x: Stream, y: Stream, coef: number) => {
      const p = productOf([x, y]);
      if (p) parts.push(scale(p, coef));
    };
    if (spec.collapsed) {
      pushProduct(a.streams[i], b.value, 1);
      pushProduct(a.value, b.streams[i], 1);
      for (const t of spec.terms) {
        for (const term of productRuleTerms(t.key)) {
          if (term.left === '' || term.right === '') continue;
          pushProduct(simpleStream(a, term.left), simpleStream(b, term.right), t.coef * term.coef);
        }
      }
    } else {
      for (const term of productRuleTerms(spec.id)) {
        pushProduct(simpleStream(a, term.left), simpleStream(b, term.right), term.coef);
      }
    }
    return parts.length ? addAll(parts) : null;
  });
  return new Jet(plan, out);
}

/** Stream-wise α·a + β·b. */
export function jetAxpby(alpha: number, a: Jet, beta: number, b: Jet): Jet {
  assertSamePlan(a, b, 'jetAxpby');
  const out = a.streams.map((x, i) => {
    const y = b.streams[i];
    const xs = x === null || alpha === 0 ? null : scale(x, alpha);
    const ys = y === null || beta === 0 ? null : scale(y, beta);
    if (xs && ys) return add(xs, ys);
    return xs ?? ys;
  });
  if (out[0] === null) out[0] = tf.zerosLike(a.value);
  return new Jet(a.plan, out);
}

export const jetAdd = (a: Jet, b: Jet): Jet => jetAxpby(1, a, 1, b);
export const jetSub = (a: Jet, b: Jet): Jet => jetAxpby(1, a, -1, b);

/** Add a constant c to the value only. */
export function jetAddConstant(jet: Jet, c: number): Jet {
  return new Jet(
    jet.plan,
    jet.streams.map((s, i) => (i === 0 ? tf.add(s as tf.Tensor, tf.scalar(c)) : s)),
  );
}

/** Concatenate jets along the feature axis. Zero and broadcast streams are expanded as needed. */
export function jetConcat(jets: readonly Jet[]): Jet {
  if (jets.length === 1) return jets[0];
  const plan = jets[0].plan;
  for (const j of jets) assertSamePlan(jets[0], j, 'jetConcat');
  const n = jets[0].batch;
  const out = plan.streams.map((_, i) => {
    const parts = jets.map((j) => j.streams[i]);
    if (parts.every((p) => p === null)) return null;
    const rows = parts.every((p) => p === null || p.shape[0] === 1) && i > 0 ? 1 : n;
    return tf.concat(
      parts.map((p, k) => {
        const w = jets[k].width;
        if (p === null) return tf.zeros([rows, w]);
        return p.shape[0] === rows ? p : tf.broadcastTo(p, [rows, w]);
      }),
      1,
    );
  });
  return new Jet(plan, out);
}

/** Keep feature columns [start, start + size) of every stream. */
export function jetSliceColumns(jet: Jet, start: number, size: number): Jet {
  return jet.mapLinear((s) => tf.slice(s, [0, start], [s.shape[0], size]));
}

function assertSamePlan(a: Jet, b: Jet, op: string) {
  if (a.plan !== b.plan) throw new Error(`${op}: jets must share one JetPlan`);
}
