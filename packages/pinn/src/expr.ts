/**
 * PDE expressions: a mathjs string is parsed (never evaluated), every symbol is checked against
 * what the problem declares, and the tree is compiled once into a small typed AST that three
 * evaluators share:
 *
 * - `evalTensor`: tfjs ops on [N, 1] columns (residuals inside a training step);
 * - `evalFloat64`: plain float64 arrays (exact solutions, boundary data, manufactured forcing);
 * - `evalJet`: Taylor-mode jets of the inputs (hard-constraint output transforms).
 *
 *   const e = compileExpression('u_t + u*u_x - nu*u_xx', symbols);
 *   e.derivatives // [{ name: 'u_t', field: 'u', inputs: ['t'] }, ...]
 *
 * Symbols: inputs (coordinates, e.g. x, t), fields (u), derivatives `<field>_<inputs>` with
 * input names concatenated (`u_xt`, order ≤ 4), `lap(u)` (Laplacian over the spatial inputs),
 * constants (numbers, plus `pi` and `e`), trainable parameters, and auxiliary per-point columns
 * (boundary normals `n_x`, `n_y`, …). Only arithmetic (+ − * / ^, unary −) and the functions in
 * `FUNCTIONS` are accepted: assignments, function definitions, indexing, matrices, strings and
 * any other function name are rejected with an error naming them.
 */

import {
  type DerivativeTable,
  derivativeTable,
  Jet,
  jetAddConstant,
  jetAxpby,
  jetMul,
  jetSliceColumns,
  jetUnary,
  MAX_ORDER,
} from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';
import { type MathNode, derivative as mathDerivative, parse } from 'mathjs';

/** Functions a PDE string may call (all elementwise, one argument, except `pow`). */
export const FUNCTIONS = [
  'sin',
  'cos',
  'tan',
  'exp',
  'log',
  'sqrt',
  'tanh',
  'sinh',
  'cosh',
  'abs',
  'pow',
  'lap',
] as const;
type FunctionName = (typeof FUNCTIONS)[number];

/** What an expression may refer to. */
export interface SymbolTable {
  /** Coordinate names in column order, e.g. ['x', 't']. */
  readonly inputs: readonly string[];
  /** Spatial inputs for `lap(u)` (default: all inputs except 't'). */
  readonly spatial?: readonly string[];
  /** Unknown fields (network outputs), e.g. ['u'] or ['u', 'v', 'p']. */
  readonly fields?: readonly string[];
  /** Named numbers; `pi` and `e` are always known unless redefined here. */
  readonly constants?: Readonly<Record<string, number>>;
  /** Trainable scalar coefficients (inverse problems). */
  readonly parameters?: readonly string[];
  /** Per-point auxiliary columns (e.g. boundary normals `n_x`). */
  readonly aux?: readonly string[];
}

/** A partial derivative of a field: `inputs` lists the input names, repeated by order. */
export interface DerivativeRef {
  /** The name used in the expression and in `Derivatives` requests: 'u_xt', or 'u' for the value. */
  readonly name: string;
  readonly field: string;
  readonly inputs: readonly string[];
  /** Collapsed Laplacian over these inputs (for `lap(u)`); `inputs` is then empty. */
  readonly laplacian?: readonly string[];
}

export type Ast =
  | { readonly k: 'num'; readonly v: number }
  | { readonly k: 'input'; readonly i: number; readonly name: string }
  | { readonly k: 'deriv'; readonly ref: DerivativeRef }
  | { readonly k: 'param'; readonly name: string }
  | { readonly k: 'aux'; readonly name: string }
  | { readonly k: 'neg'; readonly a: Ast }
  | { readonly k: 'bin'; readonly op: '+' | '-' | '*' | '/' | '^'; readonly a: Ast; readonly b: Ast }
  | { readonly k: 'fn'; readonly name: Exclude<FunctionName, 'lap' | 'pow'>; readonly a: Ast };

export interface CompiledExpression {
  readonly source: string;
  readonly ast: Ast;
  /** Field derivatives the expression uses (values included, as order 0). */
  readonly derivatives: readonly DerivativeRef[];
  readonly parameters: readonly string[];
  readonly aux: readonly string[];
  /** Whether the expression uses any input coordinate. */
  readonly usesInputs: boolean;
}

export class ExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpressionError';
  }
}

const BUILTIN_CONSTANTS: Record<string, number> = { pi: Math.PI, e: Math.E };

const BINARY: Record<string, '+' | '-' | '*' | '/' | '^'> = {
  add: '+',
  subtract: '-',
  multiply: '*',
  dotMultiply: '*',
  divide: '/',
  dotDivide: '/',
  pow: '^',
  dotPow: '^',
};

/** Parses with mathjs, rejecting anything but arithmetic on symbols and whitelisted calls. */
export function parseExpression(source: string, what = 'expression'): MathNode {
  if (typeof source !== 'string' || source.trim() === '') {
    throw new ExpressionError(`${what}: expected a non-empty string, got ${JSON.stringify(source)}`);
  }
  let node: MathNode;
  try {
    node = parse(source);
  } catch (e) {
    throw new ExpressionError(`${what}: cannot parse '${source}': ${(e as Error).message}`);
  }
  return node;
}

/** Describes the known symbols for error messages. */
function known(t: SymbolTable): string {
  const parts = [`inputs ${t.inputs.join(', ')}`, `fields ${(t.fields ?? []).join(', ') || '(none)'}`];
  if ((t.fields ?? []).length) {
    const f = (t.fields ?? [])[0];
    parts.push(`derivatives like ${f}_${t.inputs[0]}, ${f}_${t.inputs[0]}${t.inputs[0]}, lap(${f})`);
  }
  const consts = Object.keys({ ...BUILTIN_CONSTANTS, ...(t.constants ?? {}) });
  parts.push(`constants ${consts.join(', ')}`);
  if ((t.parameters ?? []).length) parts.push(`parameters ${(t.parameters ?? []).join(', ')}`);
  if ((t.aux ?? []).length) parts.push(`point data ${(t.aux ?? []).join(', ')}`);
  parts.push(`functions ${FUNCTIONS.join(', ')}`);
  return parts.join('; ');
}

/** Splits '<field>_<inputs>' into input names, longest names first. */
function splitDerivative(sym: string, t: SymbolTable, source: string): DerivativeRef | null {
  const cut = sym.indexOf('_');
  if (cut <= 0) return null;
  const field = sym.slice(0, cut);
  const rest = sym.slice(cut + 1);
  const fields = t.fields ?? [];
  if (!fields.includes(field)) {
    throw new ExpressionError(
      `'${source}': '${sym}' is a derivative of '${field}', which is not a declared field; known: ${known(t)}`,
    );
  }
  const byLength = [...t.inputs].sort((a, b) => b.length - a.length);
  const inputs: string[] = [];
  let pos = 0;
  while (pos < rest.length) {
    const hit = byLength.find((n) => rest.startsWith(n, pos));
    if (!hit) {
      throw new ExpressionError(
        `'${source}': '${sym}' differentiates by '${rest.slice(pos)}', which is not an input; known: ${known(t)}`,
      );
    }
    inputs.push(hit);
    pos += hit.length;
  }
  if (inputs.length > MAX_ORDER) {
    throw new ExpressionError(
      `'${source}': '${sym}' is a derivative of order ${inputs.length}; the maximum is ${MAX_ORDER}`,
    );
  }
  return { name: sym, field, inputs };
}

/** Compiles a checked mathjs tree (or a string) into the shared AST. */
export function compileExpression(
  input: string | MathNode,
  table: SymbolTable,
  what = 'expression',
): CompiledExpression {
  const node = typeof input === 'string' ? parseExpression(input, what) : input;
  const source = typeof input === 'string' ? input : input.toString();
  const derivs = new Map<string, DerivativeRef>();
  const params = new Set<string>();
  const aux = new Set<string>();
  let usesInputs = false;
  const constants = { ...BUILTIN_CONSTANTS, ...(table.constants ?? {}) };
  for (const [k, v] of Object.entries(table.constants ?? {})) {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ExpressionError(`${what}: constant '${k}' must be a finite number, got ${String(v)}`);
    }
  }
  const spatial = table.spatial ?? table.inputs.filter((n) => n !== 't');

  const walk = (n: MathNode): Ast => {
    const any = n as unknown as Record<string, unknown>;
    switch (n.type) {
      case 'ParenthesisNode':
        return walk(any.content as MathNode);
      case 'ConstantNode': {
        const v = any.value;
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          throw new ExpressionError(`'${source}': only finite numbers are allowed, got ${JSON.stringify(v)}`);
        }
        return { k: 'num', v };
      }
      case 'SymbolNode': {
        const name = any.name as string;
        if ((table.aux ?? []).includes(name)) {
          aux.add(name);
          return { k: 'aux', name };
        }
        const i = table.inputs.indexOf(name);
        if (i >= 0) {
          usesInputs = true;
          return { k: 'input', i, name };
        }
        if ((table.fields ?? []).includes(name)) {
          const ref = { name, field: name, inputs: [] };
          derivs.set(name, ref);
          return { k: 'deriv', ref };
        }
        if ((table.parameters ?? []).includes(name)) {
          params.add(name);
          return { k: 'param', name };
        }
        if (name in constants) return { k: 'num', v: constants[name] };
        const ref = splitDerivative(name, table, source);
        if (ref) {
          derivs.set(name, ref);
          return { k: 'deriv', ref };
        }
        throw new ExpressionError(`'${source}': unknown symbol '${name}'; known: ${known(table)}`);
      }
      case 'OperatorNode': {
        const fn = any.fn as string;
        const args = any.args as MathNode[];
        if (fn === 'unaryMinus' && args.length === 1) return { k: 'neg', a: walk(args[0]) };
        if (fn === 'unaryPlus' && args.length === 1) return walk(args[0]);
        const op = BINARY[fn];
        if (!op || args.length < 2) {
          throw new ExpressionError(
            `'${source}': operator '${String(any.op)}' is not allowed; use + - * / ^ and unary -`,
          );
        }
        let acc = walk(args[0]);
        for (let j = 1; j < args.length; j++) acc = { k: 'bin', op, a: acc, b: walk(args[j]) };
        return acc;
      }
      case 'FunctionNode': {
        const fnNode = any.fn as MathNode;
        const name =
          fnNode.type === 'SymbolNode' ? ((fnNode as unknown as { name: string }).name as string) : '';
        const args = any.args as MathNode[];
        if (!(FUNCTIONS as readonly string[]).includes(name)) {
          throw new ExpressionError(
            `'${source}': function '${name || fnNode.toString()}' is not allowed; allowed: ${FUNCTIONS.join(', ')}`,
          );
        }
        if (name === 'lap') {
          const arg = args[0] as unknown as { type: string; name: string };
          if (args.length !== 1 || arg.type !== 'SymbolNode' || !(table.fields ?? []).includes(arg.name)) {
            throw new ExpressionError(
              `'${source}': lap() takes one field name; fields are ${(table.fields ?? []).join(', ')}`,
            );
          }
          const ref: DerivativeRef = {
            name: `lap_${arg.name}`,
            field: arg.name,
            inputs: [],
            laplacian: spatial,
          };
          derivs.set(ref.name, ref);
          return { k: 'deriv', ref };
        }
        if (name === 'pow') {
          if (args.length !== 2) throw new ExpressionError(`'${source}': pow() takes 2 arguments`);
          return { k: 'bin', op: '^', a: walk(args[0]), b: walk(args[1]) };
        }
        if (args.length !== 1) {
          throw new ExpressionError(`'${source}': ${name}() takes 1 argument, got ${args.length}`);
        }
        return { k: 'fn', name: name as Exclude<FunctionName, 'lap' | 'pow'>, a: walk(args[0]) };
      }
      default:
        throw new ExpressionError(
          `'${source}': ${n.type.replace(/Node$/, '').toLowerCase()} '${n.toString()}' is not allowed (only arithmetic on known symbols)`,
        );
    }
  };
  const ast = fold(walk(node));
  return {
    source,
    ast,
    derivatives: [...derivs.values()],
    parameters: [...params],
    aux: [...aux],
    usesInputs,
  };
}

/** Constant folding: numeric subtrees become numbers. */
function fold(a: Ast): Ast {
  switch (a.k) {
    case 'neg': {
      const x = fold(a.a);
      return x.k === 'num' ? { k: 'num', v: -x.v } : { k: 'neg', a: x };
    }
    case 'bin': {
      const x = fold(a.a);
      const y = fold(a.b);
      if (x.k === 'num' && y.k === 'num') return { k: 'num', v: numBinary(a.op, x.v, y.v) };
      return { k: 'bin', op: a.op, a: x, b: y };
    }
    case 'fn': {
      const x = fold(a.a);
      return x.k === 'num' ? { k: 'num', v: NUMERIC[a.name](x.v) } : { k: 'fn', name: a.name, a: x };
    }
    default:
      return a;
  }
}

function numBinary(op: string, x: number, y: number): number {
  switch (op) {
    case '+':
      return x + y;
    case '-':
      return x - y;
    case '*':
      return x * y;
    case '/':
      return x / y;
    default:
      return x ** y;
  }
}

const NUMERIC: Record<Exclude<FunctionName, 'lap' | 'pow'>, (x: number) => number> = {
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  tanh: Math.tanh,
  sinh: Math.sinh,
  cosh: Math.cosh,
  abs: Math.abs,
};

// ---------------------------------------------------------------------------------------------
// Tensor evaluation

export interface TensorEnv {
  /** Number of points (for broadcasting constants). */
  readonly n: number;
  /** Input column i as [N, 1]. */
  input(i: number): tf.Tensor;
  deriv(ref: DerivativeRef): tf.Tensor;
  param(name: string): tf.Tensor;
  aux(name: string): tf.Tensor;
}

type TV = number | tf.Tensor;

const TF_FN: Record<Exclude<FunctionName, 'lap' | 'pow'>, (x: tf.Tensor) => tf.Tensor> = {
  sin: tf.sin,
  cos: tf.cos,
  tan: tf.tan,
  exp: tf.exp,
  log: tf.log,
  sqrt: tf.sqrt,
  tanh: tf.tanh,
  sinh: tf.sinh,
  cosh: tf.cosh,
  abs: tf.abs,
};

function tensorOf(v: TV): tf.Tensor {
  return typeof v === 'number' ? tf.scalar(v) : v;
}

function tBinary(op: string, x: TV, y: TV): TV {
  if (typeof x === 'number' && typeof y === 'number') return numBinary(op, x, y);
  switch (op) {
    case '+':
      if (x === 0) return y;
      if (y === 0) return x;
      return tf.add(tensorOf(x), tensorOf(y));
    case '-':
      if (y === 0) return x;
      if (x === 0) return tf.neg(tensorOf(y));
      return tf.sub(tensorOf(x), tensorOf(y));
    case '*':
      if (x === 1) return y;
      if (y === 1) return x;
      return tf.mul(tensorOf(x), tensorOf(y));
    case '/':
      if (y === 1) return x;
      if (typeof y === 'number') return tf.mul(tensorOf(x), tf.scalar(1 / y));
      return tf.div(tensorOf(x), y);
    default: {
      if (typeof y === 'number' && Number.isInteger(y) && y >= 0 && y <= 8) {
        const base = tensorOf(x);
        if (y === 0) return tf.onesLike(base);
        if (y === 2) return tf.square(base);
        let acc = base;
        for (let j = 1; j < y; j++) acc = tf.mul(acc, base);
        return acc;
      }
      return tf.pow(tensorOf(x), tensorOf(y));
    }
  }
}

/** Evaluates on [N, 1] tensors; the result is always [N, 1]. */
export function evalTensor(e: CompiledExpression | Ast, env: TensorEnv): tf.Tensor {
  const ast = 'ast' in e ? e.ast : e;
  const go = (a: Ast): TV => {
    switch (a.k) {
      case 'num':
        return a.v;
      case 'input':
        return env.input(a.i);
      case 'deriv':
        return env.deriv(a.ref);
      case 'param':
        return env.param(a.name);
      case 'aux':
        return env.aux(a.name);
      case 'neg': {
        const x = go(a.a);
        return typeof x === 'number' ? -x : tf.neg(x);
      }
      case 'bin':
        return tBinary(a.op, go(a.a), go(a.b));
      case 'fn': {
        const x = go(a.a);
        return typeof x === 'number' ? NUMERIC[a.name](x) : TF_FN[a.name](x);
      }
    }
  };
  const v = go(ast);
  if (typeof v === 'number') return tf.fill([env.n, 1], v);
  if (v.rank === 0 || v.shape[0] !== env.n) return tf.mul(tf.ones([env.n, 1]), v);
  return v;
}

// ---------------------------------------------------------------------------------------------
// Float64 evaluation

export interface Float64Env {
  readonly n: number;
  /** Input column i (length n). */
  input(i: number): Float64Array;
  deriv?(ref: DerivativeRef): Float64Array;
  param?(name: string): number;
  aux?(name: string): Float64Array;
}

type FV = number | Float64Array;

function fMap(x: FV, f: (v: number) => number): FV {
  return typeof x === 'number' ? f(x) : x.map(f);
}

function fZip(x: FV, y: FV, f: (a: number, b: number) => number): FV {
  if (typeof x === 'number' && typeof y === 'number') return f(x, y);
  const n = typeof x === 'number' ? (y as Float64Array).length : x.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = f(typeof x === 'number' ? x : x[i], typeof y === 'number' ? y : y[i]);
  }
  return out;
}

/** Evaluates in float64 at n points; the result has length n. */
export function evalFloat64(e: CompiledExpression | Ast, env: Float64Env, what = 'expression'): Float64Array {
  const ast = 'ast' in e ? e.ast : e;
  const go = (a: Ast): FV => {
    switch (a.k) {
      case 'num':
        return a.v;
      case 'input':
        return env.input(a.i);
      case 'deriv':
        if (!env.deriv)
          throw new ExpressionError(`${what}: '${a.ref.name}' cannot be used here (no field values)`);
        return env.deriv(a.ref);
      case 'param':
        if (!env.param) throw new ExpressionError(`${what}: parameter '${a.name}' cannot be used here`);
        return env.param(a.name);
      case 'aux':
        if (!env.aux) throw new ExpressionError(`${what}: '${a.name}' cannot be used here`);
        return env.aux(a.name);
      case 'neg':
        return fMap(go(a.a), (v) => -v);
      case 'bin': {
        const op = a.op;
        return fZip(go(a.a), go(a.b), (x, y) => numBinary(op, x, y));
      }
      case 'fn':
        return fMap(go(a.a), NUMERIC[a.name]);
    }
  };
  const v = go(ast);
  return typeof v === 'number' ? new Float64Array(env.n).fill(v) : v;
}

// ---------------------------------------------------------------------------------------------
// Jet evaluation (inputs and constants only)

type JV = number | Jet;

/** f(z) = z^p: derivatives p(p−1)…(p−k+1) z^(p−k). */
function powerTable(p: number): DerivativeTable {
  return (z, order) => {
    const out: (tf.Tensor | null)[] = [];
    let coef = 1;
    for (let k = 0; k <= order; k++) {
      if (coef === 0) out.push(null);
      else out.push(tf.mul(tf.pow(z, tf.scalar(p - k)), tf.scalar(coef)));
      coef *= p - k;
    }
    return out;
  };
}

const logTable: DerivativeTable = (z, order) => {
  const out: tf.Tensor[] = [tf.log(z)];
  let coef = 1; // (−1)^(k−1) (k−1)!
  for (let k = 1; k <= order; k++) {
    out.push(tf.mul(tf.pow(z, tf.scalar(-k)), tf.scalar(coef)));
    coef *= -k;
  }
  return out;
};

const trigTable =
  (kind: 'sinh' | 'cosh'): DerivativeTable =>
  (z, order) => {
    const s = tf.sinh(z);
    const c = tf.cosh(z);
    const [a, b] = kind === 'sinh' ? [s, c] : [c, s];
    return Array.from({ length: order + 1 }, (_, k) => (k % 2 === 0 ? a : b));
  };

const tanTable: DerivativeTable = (z, order) => {
  // Derivatives of tan are polynomials in t = tan z: t' = 1 + t².
  const t = tf.tan(z);
  const polys: number[][] = [[0, 1]];
  for (let k = 1; k <= order; k++) {
    const p = polys[k - 1];
    const d = new Array(p.length + 1).fill(0);
    for (let j = 1; j < p.length; j++) {
      d[j - 1] += j * p[j];
      d[j + 1] += j * p[j];
    }
    polys.push(d);
  }
  return polys.map((p) => {
    let acc: tf.Tensor = tf.fill(z.shape, p[p.length - 1]);
    for (let j = p.length - 2; j >= 0; j--) acc = tf.add(tf.mul(acc, t), tf.scalar(p[j]));
    return acc;
  });
};

const JET_TABLES: Partial<Record<Exclude<FunctionName, 'lap' | 'pow'>, DerivativeTable>> = {
  log: logTable,
  sqrt: powerTable(0.5),
  sinh: trigTable('sinh'),
  cosh: trigTable('cosh'),
  tan: tanTable,
};

function constJet(like: Jet, v: number): Jet {
  const streams = like.plan.streams.map((_, i) => (i === 0 ? tf.fill([like.batch, 1], v) : null));
  return new Jet(like.plan, streams);
}

function scaleJet(j: Jet, c: number): Jet {
  return jetAxpby(c, j, 0, j);
}

/**
 * Evaluates an expression of the inputs as a jet [N, 1], given the input jet x [N, d]. Used
 * for output transforms: u = g(x) + d(x)·N(x) with g, d written as strings.
 */
export function evalJet(e: CompiledExpression | Ast, x: Jet, what = 'transform'): Jet {
  const ast = 'ast' in e ? e.ast : e;
  const unary = (name: Exclude<FunctionName, 'lap' | 'pow'>, j: Jet): Jet => {
    if (name === 'abs')
      throw new ExpressionError(`${what}: abs() has no derivatives at 0; it cannot be used in a transform`);
    const table = JET_TABLES[name] ?? derivativeTable(name as never);
    return jetUnary(j, table);
  };
  const go = (a: Ast): JV => {
    switch (a.k) {
      case 'num':
        return a.v;
      case 'input':
        return jetSliceColumns(x, a.i, 1);
      case 'deriv':
      case 'param':
      case 'aux':
        throw new ExpressionError(
          `${what}: '${'name' in a ? a.name : a.ref.name}' cannot be used in a transform (inputs and constants only)`,
        );
      case 'neg': {
        const v = go(a.a);
        return typeof v === 'number' ? -v : scaleJet(v, -1);
      }
      case 'fn': {
        const v = go(a.a);
        return typeof v === 'number' ? NUMERIC[a.name](v) : unary(a.name, v);
      }
      case 'bin': {
        const p = go(a.a);
        const q = go(a.b);
        if (typeof p === 'number' && typeof q === 'number') return numBinary(a.op, p, q);
        switch (a.op) {
          case '+':
          case '-': {
            const s = a.op === '+' ? 1 : -1;
            if (typeof p === 'number') return jetAddConstant(scaleJet(q as Jet, s), p);
            if (typeof q === 'number') return jetAddConstant(p, s * q);
            return jetAxpby(1, p, s, q);
          }
          case '*':
            if (typeof p === 'number') return scaleJet(q as Jet, p);
            if (typeof q === 'number') return scaleJet(p, q);
            return jetMul(p, q);
          case '/':
            if (typeof q === 'number') return scaleJet(p as Jet, 1 / q);
            {
              const inv = jetUnary(q, powerTable(-1));
              return typeof p === 'number' ? scaleJet(inv, p) : jetMul(p, inv);
            }
          default: {
            if (typeof q !== 'number') {
              // a^b = exp(b log a)
              const la = typeof p === 'number' ? Math.log(p) : jetUnary(p, logTable);
              const prod = typeof la === 'number' ? scaleJet(q, la) : jetMul(la, q);
              return jetUnary(prod, derivativeTable('exp'));
            }
            const base = p as Jet;
            if (Number.isInteger(q) && q >= 1 && q <= 8) {
              let acc = base;
              for (let j = 1; j < q; j++) acc = jetMul(acc, base);
              return acc;
            }
            if (q === 0) return constJet(base, 1);
            return jetUnary(base, powerTable(q));
          }
        }
      }
    }
  };
  const v = go(ast);
  return typeof v === 'number' ? constJet(x, v) : v;
}

// ---------------------------------------------------------------------------------------------
// Symbolic differentiation (manufactured solutions)

/**
 * Replaces every field symbol and derivative symbol in `pde` by the corresponding derivative of
 * the exact solution (mathjs `derivative`), giving an expression of the inputs only.
 */
export function substituteExact(
  pde: string,
  exact: Readonly<Record<string, string>>,
  table: SymbolTable,
): MathNode {
  const compiled = compileExpression(pde, table, 'pde');
  const exactNodes: Record<string, MathNode> = {};
  for (const f of table.fields ?? []) {
    if (!(f in exact)) throw new ExpressionError(`manufactured: 'exact' has no solution for field '${f}'`);
    const node = parseExpression(exact[f], `exact.${f}`);
    // Check: only inputs and constants.
    compileExpression(node, { inputs: table.inputs, constants: table.constants }, `exact.${f}`);
    exactNodes[f] = node;
  }
  const spatial = table.spatial ?? table.inputs.filter((n) => n !== 't');
  const derivOf = (ref: DerivativeRef): MathNode => {
    if (ref.laplacian) {
      const parts = ref.laplacian.map((v) => mathDerivative(mathDerivative(exactNodes[ref.field], v), v));
      return parts.reduce((acc, p) => parse(`(${acc.toString()}) + (${p.toString()})`));
    }
    let node = exactNodes[ref.field];
    for (const v of ref.inputs) node = mathDerivative(node, v);
    return node;
  };
  void spatial;
  const byName = new Map(compiled.derivatives.map((d) => [d.name, d]));
  const node = parseExpression(pde, 'pde');
  return node.transform((n) => {
    const any = n as unknown as { type: string; name?: string; fn?: { name?: string }; args?: MathNode[] };
    if (any.type === 'SymbolNode' && any.name !== undefined && byName.has(any.name)) {
      return parse(`(${derivOf(byName.get(any.name) as DerivativeRef).toString()})`);
    }
    if (any.type === 'FunctionNode' && any.fn?.name === 'lap') {
      const arg = ((any.args ?? [])[0] as unknown as { name: string }).name;
      return parse(`(${derivOf(byName.get(`lap_${arg}`) as DerivativeRef).toString()})`);
    }
    return n;
  });
}
