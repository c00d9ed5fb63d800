/**
 * A PINN problem: where (a geometry domain, with time where needed), what is unknown (fields
 * and trainable coefficients), what holds (PDE residuals and conditions), and what was
 * observed (data). Conditions are plain values built by the functions below; `Pinn` turns
 * them into loss terms.
 *
 *   const problem = new Problem({
 *     domain: new SpaceTime(new Interval(-1, 1), new TimeDomain(0, 1)),
 *     constants: { nu: 0.01 / Math.PI },
 *     pde: 'u_t + u*u_x - nu*u_xx',
 *     conditions: [dirichlet({ value: 0 }), initial({ value: '-sin(pi*x)' })],
 *   });
 */

import { type Domain, type Points, SpaceTime } from '@pinnate/geometry';
import type * as tf from '@tensorflow/tfjs';
import {
  type CompiledExpression,
  compileExpression,
  evalFloat64,
  type SymbolTable,
  substituteExact,
} from './expr.ts';

/** A boundary point filter (one point's coordinates). */
export type Where = (p: Float64Array) => boolean;

/** Data on points: a number, an expression string of the inputs and constants, or a function. */
export type Value = number | string | ((x: Points) => ArrayLike<number>);

interface ConditionBase {
  /** Loss-term name (default: kind + index). */
  readonly name?: string;
  /** Static weight of this term (default 1). */
  readonly weight?: number;
  /** Number of points (default: the `Pinn` option for its kind). */
  readonly n?: number;
}

export interface DirichletCondition extends ConditionBase {
  readonly kind: 'dirichlet';
  readonly field: string;
  readonly value: Value;
  readonly where?: Where;
}
export interface NeumannCondition extends ConditionBase {
  readonly kind: 'neumann';
  readonly field: string;
  /** ∂u/∂n (outward normal) on the boundary. */
  readonly value: Value;
  readonly where?: Where;
}
export interface RobinCondition extends ConditionBase {
  readonly kind: 'robin';
  readonly field: string;
  /** a·u + b·∂u/∂n = value. */
  readonly a: number;
  readonly b: number;
  readonly value: Value;
  readonly where?: Where;
}
export interface PeriodicCondition extends ConditionBase {
  readonly kind: 'periodic';
  readonly field: string;
  /** The periodic input; the period is its extent in the domain's bounding box. */
  readonly input: string;
  /** Match derivatives up to this order across the two sides (default 1). */
  readonly derivatives: number;
}
export interface InitialCondition extends ConditionBase {
  readonly kind: 'initial';
  readonly field: string;
  readonly value: Value;
  /** 0: u(x, t0) = value; 1: u_t(x, t0) = value. */
  readonly derivative: 0 | 1;
}
export interface OperatorCondition extends ConditionBase {
  readonly kind: 'operator';
  /** Any residual expression; boundary normals are available as n_<input>. */
  readonly expression: string;
  /** Right-hand side (default 0). */
  readonly value: Value;
  /** 'boundary' (default), 'initial' or 'domain'. */
  readonly on: 'boundary' | 'initial' | 'domain';
  readonly where?: Where;
}
export interface ObservationCondition extends ConditionBase {
  readonly kind: 'observations';
  readonly points: Points;
  /** Observed values per field (length = points.n each). */
  readonly values: Readonly<Record<string, ArrayLike<number>>>;
}

export type Condition =
  | DirichletCondition
  | NeumannCondition
  | RobinCondition
  | PeriodicCondition
  | InitialCondition
  | OperatorCondition
  | ObservationCondition;

type Opt<T> = Omit<T, 'kind' | 'field'> & { readonly field?: string };

/** u = value on the boundary (lateral boundary for space-time domains). */
export function dirichlet(o: Opt<DirichletCondition>): DirichletCondition {
  return { kind: 'dirichlet', field: o.field ?? 'u', ...o };
}
/** ∂u/∂n = value on the boundary. */
export function neumann(o: Opt<NeumannCondition>): NeumannCondition {
  return { kind: 'neumann', field: o.field ?? 'u', ...o };
}
/** a·u + b·∂u/∂n = value on the boundary. */
export function robin(o: Opt<RobinCondition>): RobinCondition {
  return { kind: 'robin', field: o.field ?? 'u', ...o };
}
/** u and its derivatives in `input` (up to `derivatives`, default 1) agree on opposite sides. */
export function periodic(
  o: Omit<Opt<PeriodicCondition>, 'derivatives'> & { derivatives?: number },
): PeriodicCondition {
  const d = o.derivatives ?? 1;
  if (!Number.isInteger(d) || d < 0 || d > 3) {
    throw new Error(`periodic: 'derivatives' must be an integer in [0, 3], got ${o.derivatives}`);
  }
  return { kind: 'periodic', field: o.field ?? 'u', ...o, derivatives: d };
}
/** u(x, t0) = value, or with `derivative: 1` u_t(x, t0) = value. */
export function initial(
  o: Omit<Opt<InitialCondition>, 'derivative'> & { derivative?: 0 | 1 },
): InitialCondition {
  return { kind: 'initial', field: o.field ?? 'u', ...o, derivative: o.derivative ?? 0 };
}
/** expression = value on a region (any residual, e.g. 'u_x + 2*u'). */
export function operator(
  o: Omit<OperatorCondition, 'kind' | 'value' | 'on'> & { value?: Value; on?: OperatorCondition['on'] },
): OperatorCondition {
  return { kind: 'operator', ...o, value: o.value ?? 0, on: o.on ?? 'boundary' };
}
/** Point observations of one or more fields. */
export function observations(o: Omit<ObservationCondition, 'kind'>): ObservationCondition {
  return { kind: 'observations', ...o };
}

export interface ParameterSpec {
  /** Initial value (default 0, or 1 when `positive`). */
  readonly init?: number;
  /** Learn log(value) so the value stays > 0 (for viscosities). Default false. */
  readonly positive?: boolean;
}

/** Residual context of a PDE written as a TypeScript function. */
export interface ResidualContext {
  /** Number of points. */
  readonly n: number;
  /** An input column [N, 1]. */
  input(name: string): tf.Tensor;
  /** A field: `.value`, `.d('x', 'x')` (any partial up to order 4), `.lap()`. */
  field(name: string): FieldView;
  /** A trainable coefficient (scalar). */
  param(name: string): tf.Tensor;
  readonly constants: Readonly<Record<string, number>>;
}

export interface FieldView {
  readonly value: tf.Tensor;
  d(...inputs: string[]): tf.Tensor;
  lap(): tf.Tensor;
}

/** A residual written in TypeScript: one tensor [N, 1], or several named ones (systems). */
export type ResidualFunction = (ctx: ResidualContext) => tf.Tensor | Record<string, tf.Tensor>;

/** One PDE equation: a string, or a string with a name and a forcing term. */
export type PdeSpec =
  | string
  | { readonly name?: string; readonly expression: string; readonly forcing?: string };

export interface ProblemConfig {
  readonly domain: Domain;
  /** Column names; default x / x,y / x,y,z, plus 't' last for a SpaceTime domain. */
  readonly inputs?: readonly string[];
  /** Default ['u']. */
  readonly fields?: readonly string[];
  readonly constants?: Readonly<Record<string, number>>;
  /** Trainable coefficients (inverse problems). */
  readonly parameters?: Readonly<Record<string, ParameterSpec>>;
  /** Residuals that must vanish in the domain (strings, or one TypeScript function). */
  readonly pde: PdeSpec | readonly PdeSpec[] | ResidualFunction;
  readonly conditions?: readonly Condition[];
}

export interface Equation {
  readonly name: string;
  readonly residual: CompiledExpression;
  /** residual − forcing = 0 (forcing of the inputs). */
  readonly forcing: CompiledExpression | null;
}

const DEFAULT_NAMES = ['x', 'y', 'z'];

export class Problem {
  readonly domain: Domain;
  readonly inputs: readonly string[];
  readonly spatial: readonly string[];
  /** Name of the time input, or null. */
  readonly time: string | null;
  readonly fields: readonly string[];
  readonly constants: Readonly<Record<string, number>>;
  readonly parameters: Readonly<Record<string, ParameterSpec>>;
  readonly equations: readonly Equation[];
  readonly residualFunction: ResidualFunction | null;
  readonly conditions: readonly Condition[];

  constructor(config: ProblemConfig) {
    const op = 'Problem';
    const { domain } = config;
    if (!domain || typeof domain.sample !== 'function' || !Number.isInteger(domain.dim)) {
      throw new Error(`${op}: 'domain' must be a @pinnate/geometry Domain`);
    }
    this.domain = domain;
    const isSpaceTime = domain instanceof SpaceTime;
    const defaults = isSpaceTime
      ? [...DEFAULT_NAMES.slice(0, domain.dim - 1), 't']
      : DEFAULT_NAMES.slice(0, domain.dim);
    this.inputs = config.inputs ?? defaults;
    if (this.inputs.length !== domain.dim) {
      throw new Error(`${op}: 'inputs' has ${this.inputs.length} names but the domain has dim ${domain.dim}`);
    }
    this.time = isSpaceTime ? this.inputs[this.inputs.length - 1] : null;
    this.spatial = this.inputs.filter((n) => n !== this.time);
    this.fields = config.fields ?? ['u'];
    checkNames(this.inputs, 'inputs');
    checkNames(this.fields, 'fields');
    this.constants = config.constants ?? {};
    this.parameters = config.parameters ?? {};
    checkNames(Object.keys(this.parameters), 'parameters');
    const clash = [...this.fields, ...Object.keys(this.constants), ...Object.keys(this.parameters)].find(
      (n, i, all) => all.indexOf(n) !== i || this.inputs.includes(n),
    );
    if (clash)
      throw new Error(`${op}: the name '${clash}' is declared twice (inputs, fields, constants, parameters)`);
    this.conditions = config.conditions ?? [];
    if (typeof config.pde === 'function') {
      this.residualFunction = config.pde;
      this.equations = [];
    } else {
      this.residualFunction = null;
      const list = (Array.isArray(config.pde) ? config.pde : [config.pde]) as PdeSpec[];
      if (list.length === 0) throw new Error(`${op}: 'pde' must give at least one equation`);
      this.equations = list.map((p, i) => {
        const spec = typeof p === 'string' ? { expression: p } : p;
        const name = spec.name ?? (list.length === 1 ? 'pde' : `pde${i + 1}`);
        return {
          name,
          residual: compileExpression(spec.expression, this.symbols(), `pde '${name}'`),
          forcing: spec.forcing
            ? compileExpression(spec.forcing, this.dataSymbols(), `forcing of '${name}'`)
            : null,
        };
      });
    }
    for (const c of this.conditions) this.checkCondition(c);
  }

  /** Symbols a residual may use. */
  symbols(aux: readonly string[] = []): SymbolTable {
    return {
      inputs: this.inputs,
      spatial: this.spatial,
      fields: this.fields,
      constants: this.constants,
      parameters: Object.keys(this.parameters),
      aux,
    };
  }

  /** Symbols data expressions may use (inputs and constants). */
  dataSymbols(): SymbolTable {
    return { inputs: this.inputs, spatial: this.spatial, constants: this.constants };
  }

  /** Evaluates a `Value` at points, in float64. */
  evaluateValue(v: Value, x: Points, what: string): Float64Array {
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new Error(`${what}: value must be finite, got ${v}`);
      return new Float64Array(x.n).fill(v);
    }
    if (typeof v === 'function') {
      const out = Float64Array.from(v(x));
      if (out.length !== x.n)
        throw new Error(`${what}: the value function returned ${out.length} values for ${x.n} points`);
      return out;
    }
    const e = compileExpression(v, this.dataSymbols(), what);
    return evalFloat64(e, { n: x.n, input: (i) => column(x, i) }, what);
  }

  private checkCondition(c: Condition): void {
    const what = `condition '${c.name ?? c.kind}'`;
    if ('field' in c && !this.fields.includes(c.field)) {
      throw new Error(`${what}: unknown field '${c.field}'; fields are ${this.fields.join(', ')}`);
    }
    if ('value' in c && typeof c.value === 'string')
      compileExpression(c.value, this.dataSymbols(), `${what} value`);
    if ('where' in c && c.where !== undefined && typeof c.where !== 'function') {
      throw new Error(
        `${what}: 'where' must be a function of a point (p: Float64Array) => boolean, got ${typeof c.where} ${JSON.stringify(c.where)}`,
      );
    }
    if (c.kind === 'initial' && this.time === null) {
      throw new Error(`${what}: initial conditions need a SpaceTime domain`);
    }
    if (c.kind === 'periodic' && !this.inputs.includes(c.input)) {
      throw new Error(`${what}: 'input' must be one of ${this.inputs.join(', ')}, got '${c.input}'`);
    }
    if (c.kind === 'operator') {
      compileExpression(c.expression, this.symbols(this.spatial.map((s) => `n_${s}`)), `${what} expression`);
    }
    if (c.kind === 'observations') {
      if (!c.points || c.points.dim !== this.inputs.length) {
        throw new Error(`${what}: 'points' must be Points of dim ${this.inputs.length}`);
      }
      for (const [f, vals] of Object.entries(c.values)) {
        if (!this.fields.includes(f)) throw new Error(`${what}: 'values' names unknown field '${f}'`);
        if (vals.length !== c.points.n) {
          throw new Error(`${what}: 'values.${f}' has ${vals.length} entries for ${c.points.n} points`);
        }
      }
    }
  }
}

/** Column i of points as a new Float64Array. */
export function column(x: Points, i: number): Float64Array {
  const out = new Float64Array(x.n);
  for (let r = 0; r < x.n; r++) out[r] = x.data[r * x.dim + i];
  return out;
}

function checkNames(names: readonly string[], what: string) {
  for (const n of names) {
    if (typeof n !== 'string' || !/^[A-Za-z][A-Za-z0-9]*$/.test(n)) {
      throw new Error(
        `Problem: '${what}' entries must be alphanumeric names starting with a letter, got '${n}'`,
      );
    }
  }
}

export interface ManufacturedConfig extends Omit<ProblemConfig, 'pde' | 'conditions'> {
  /** PDE operators (without forcing): L[u] = f with f derived from the exact solution. */
  readonly pde: string | readonly string[];
  /** Exact solution per field, as expressions of the inputs. */
  readonly exact: Readonly<Record<string, string>>;
  /** Conditions to impose with data from the exact solution (`value` is filled in). */
  readonly conditions?: readonly (
    | 'dirichlet'
    | 'initial'
    | 'neumann'
    | { kind: 'robin'; a: number; b: number }
  )[];
}

/**
 * Manufactured solutions: the forcing f = L[u_exact] is derived symbolically (mathjs
 * `derivative`) so the problem L[u] = f has the given exact solution; boundary and initial data
 * come from the exact solution too. Returns the problem and the exact solution as a function.
 */
export function manufactured(config: ManufacturedConfig): {
  problem: Problem;
  exact: (x: Points) => Record<string, Float64Array>;
} {
  const base = new Problem({ ...config, pde: config.pde, parameters: undefined, conditions: [] });
  const table = base.symbols();
  const list = Array.isArray(config.pde) ? (config.pde as string[]) : [config.pde as string];
  const pde = list.map((p) => ({
    expression: p,
    forcing: substituteExact(p, config.exact, table).toString(),
  }));
  const exactExpr: Record<string, CompiledExpression> = {};
  for (const f of base.fields)
    exactExpr[f] = compileExpression(config.exact[f], base.dataSymbols(), `exact.${f}`);
  const exact = (x: Points) => {
    const out: Record<string, Float64Array> = {};
    for (const f of base.fields) out[f] = evalFloat64(exactExpr[f], { n: x.n, input: (i) => column(x, i) });
    return out;
  };
  const conditions: Condition[] = [];
  for (const c of config.conditions ?? []) {
    for (const f of base.fields) {
      const value = (x: Points) => exact(x)[f];
      const suffix = base.fields.length > 1 ? `_${f}` : '';
      if (c === 'dirichlet') conditions.push(dirichlet({ field: f, value, name: `dirichlet${suffix}` }));
      else if (c === 'initial') conditions.push(initial({ field: f, value, name: `initial${suffix}` }));
      else {
        // ∂u/∂n from the symbolic gradient.
        const grads = base.spatial.map((s) =>
          compileExpression(substituteExact(`${f}_${s}`, config.exact, table).toString(), base.dataSymbols()),
        );
        const flux = (x: Points) => {
          const nrm = base.domain.normal(x);
          const out = new Float64Array(x.n);
          grads.forEach((g, j) => {
            const gv = evalFloat64(g, { n: x.n, input: (i) => column(x, i) });
            for (let r = 0; r < x.n; r++) out[r] += gv[r] * nrm.data[r * nrm.dim + j];
          });
          return out;
        };
        if (c === 'neumann') conditions.push(neumann({ field: f, value: flux, name: `neumann${suffix}` }));
        else {
          const { a, b } = c;
          const v = (x: Points) => {
            const u = value(x);
            const q = flux(x);
            return u.map((ui, r) => a * ui + b * q[r]);
          };
          conditions.push(robin({ field: f, a, b, value: v, name: `robin${suffix}` }));
        }
      }
    }
  }
  const problem = new Problem({ ...config, pde, conditions });
  return { problem, exact };
}
