/**
 * Elementwise functions with their derivatives up to order 4, as tensors at the primal value.
 *
 * Each entry maps z -> [f, f', f'', ..., f^(order)] with shared intermediates (e.g. every
 * derivative of tanh is a polynomial in t = tanh z). The jet engine combines these with
 * Faà di Bruno's formula, so adding a function is one entry here.
 *
 * tanh is evaluated as 2·sigmoid(2z) − 1: on wasm `tanh` is 5.5x slower than `sigmoid`
 * (NOTES.md) and the absolute error stays below 2e-7, which is what the derivative
 * polynomials see.
 */
import * as tf from '@tensorflow/tfjs';

export type ActivationName =
  | 'tanh'
  | 'sin'
  | 'cos'
  | 'exp'
  | 'sigmoid'
  | 'softplus'
  | 'swish'
  | 'silu'
  | 'gelu'
  | 'gaussian'
  | 'square'
  | 'identity';

export const ACTIVATIONS: readonly ActivationName[] = [
  'tanh',
  'sin',
  'cos',
  'exp',
  'sigmoid',
  'softplus',
  'swish',
  'silu',
  'gelu',
  'gaussian',
  'square',
  'identity',
];

/** Returns [f(z), f'(z), ..., f^(order)(z)]; entries may be `null` when identically zero. */
export type DerivativeTable = (z: tf.Tensor, order: number) => (tf.Tensor | null)[];

const c = (v: number) => tf.scalar(v);

export function fastTanh(z: tf.Tensor): tf.Tensor {
  return tf.sub(tf.mul(tf.sigmoid(tf.mul(z, c(2))), c(2)), c(1));
}

function tanhTable(z: tf.Tensor, order: number): tf.Tensor[] {
  const t = fastTanh(z);
  const out = [t];
  if (order < 1) return out;
  const t2 = tf.square(t);
  const s = tf.sub(c(1), t2); // 1 - t²
  out.push(s);
  if (order < 2) return out;
  const ts = tf.mul(t, s);
  out.push(tf.mul(ts, c(-2)));
  if (order < 3) return out;
  out.push(tf.mul(s, tf.sub(tf.mul(t2, c(6)), c(2))));
  if (order < 4) return out;
  out.push(tf.mul(tf.mul(ts, c(8)), tf.sub(c(2), tf.mul(t2, c(3)))));
  return out;
}

/** Derivatives of σ up to `order` from σ itself. */
function sigmoidFrom(s: tf.Tensor, order: number): tf.Tensor[] {
  const out = [s];
  if (order < 1) return out;
  const q = tf.mul(s, tf.sub(c(1), s)); // σ(1-σ)
  out.push(q);
  if (order < 2) return out;
  const oneMinus2s = tf.sub(c(1), tf.mul(s, c(2)));
  out.push(tf.mul(q, oneMinus2s));
  if (order < 3) return out;
  out.push(tf.mul(q, tf.sub(c(1), tf.mul(q, c(6))))); // 1 - 6σ + 6σ² = 1 - 6q
  if (order < 4) return out;
  out.push(tf.mul(tf.mul(q, oneMinus2s), tf.sub(c(1), tf.mul(q, c(12))))); // 1 - 12σ + 12σ² = 1 - 12q
  return out;
}

function periodicTable(first: 'sin' | 'cos') {
  return (z: tf.Tensor, order: number): tf.Tensor[] => {
    // sin: [s, c, -s, -c, s]; cos: [c, -s, -c, s, c]. Compute only what the order needs.
    const seq: (() => tf.Tensor)[] = [];
    let sv: tf.Tensor | undefined;
    let cv: tf.Tensor | undefined;
    const S = () => (sv ??= tf.sin(z));
    const C = () => (cv ??= tf.cos(z));
    if (first === 'sin')
      seq.push(
        S,
        C,
        () => tf.neg(S()),
        () => tf.neg(C()),
        S,
      );
    else
      seq.push(
        C,
        () => tf.neg(S()),
        () => tf.neg(C()),
        S,
        C,
      );
    return seq.slice(0, order + 1).map((f) => f());
  };
}

function gaussianTable(z: tf.Tensor, order: number): tf.Tensor[] {
  // d^n/dz^n exp(-z²) = (-1)^n H_n(z) exp(-z²), physicists' Hermite polynomials.
  const g = tf.exp(tf.neg(tf.square(z)));
  const out = [g];
  if (order < 1) return out;
  const z2 = tf.square(z);
  out.push(tf.mul(g, tf.mul(z, c(-2))));
  if (order < 2) return out;
  out.push(tf.mul(g, tf.sub(tf.mul(z2, c(4)), c(2))));
  if (order < 3) return out;
  out.push(tf.mul(g, tf.mul(z, tf.sub(c(12), tf.mul(z2, c(8))))));
  if (order < 4) return out;
  out.push(tf.mul(g, tf.add(tf.mul(z2, tf.sub(tf.mul(z2, c(16)), c(48))), c(12))));
  return out;
}

function geluTable(z: tf.Tensor, order: number): tf.Tensor[] {
  // Exact GELU z·Φ(z). With φ the normal density: f' = Φ + zφ, f'' = φ(2 − z²),
  // f''' = φ(z³ − 4z), f'''' = φ(−z⁴ + 7z² − 4).
  const phiCdf = tf.mul(tf.add(tf.erf(tf.mul(z, c(Math.SQRT1_2))), c(1)), c(0.5));
  const out = [tf.mul(z, phiCdf)];
  if (order < 1) return out;
  const z2 = tf.square(z);
  const phi = tf.mul(tf.exp(tf.mul(z2, c(-0.5))), c(1 / Math.sqrt(2 * Math.PI)));
  out.push(tf.add(phiCdf, tf.mul(z, phi)));
  if (order < 2) return out;
  out.push(tf.mul(phi, tf.sub(c(2), z2)));
  if (order < 3) return out;
  out.push(tf.mul(phi, tf.mul(z, tf.sub(z2, c(4)))));
  if (order < 4) return out;
  out.push(tf.mul(phi, tf.sub(tf.mul(z2, tf.sub(c(7), z2)), c(4))));
  return out;
}

function swishTable(z: tf.Tensor, order: number): tf.Tensor[] {
  // (zσ)^(n) = n σ^(n-1) + z σ^(n)
  const s = sigmoidFrom(tf.sigmoid(z), order);
  const out: tf.Tensor[] = [tf.mul(z, s[0])];
  for (let n = 1; n <= order; n++) out.push(tf.add(tf.mul(s[n - 1], c(n)), tf.mul(z, s[n])));
  return out;
}

export const DERIVATIVE_TABLES: Record<ActivationName, DerivativeTable> = {
  tanh: tanhTable,
  sigmoid: (z, order) => sigmoidFrom(tf.sigmoid(z), order),
  softplus: (z, order) => [tf.softplus(z), ...(order >= 1 ? sigmoidFrom(tf.sigmoid(z), order - 1) : [])],
  sin: periodicTable('sin'),
  cos: periodicTable('cos'),
  exp: (z, order) => {
    const e = tf.exp(z);
    return Array.from({ length: order + 1 }, () => e);
  },
  swish: swishTable,
  silu: swishTable,
  gelu: geluTable,
  gaussian: gaussianTable,
  // Constant derivatives stay scalars: they broadcast in the chain rule without a full tensor.
  square: (z, order) => [tf.square(z), tf.mul(z, c(2)), c(2), null, null].slice(0, order + 1),
  identity: (z, order) => [z, tf.onesLike(z), null, null, null].slice(0, order + 1),
};

export function derivativeTable(name: ActivationName): DerivativeTable {
  const t = DERIVATIVE_TABLES[name];
  if (!t) {
    throw new Error(`activation: unknown '${name}'; expected one of ${ACTIVATIONS.join(', ')}`);
  }
  return t;
}

/** Plain (value-only) application, for the fast path without derivatives. */
export function applyActivation(name: ActivationName, z: tf.Tensor): tf.Tensor {
  return derivativeTable(name)(z, 0)[0] as tf.Tensor;
}
