/**
 * The trained object: a network, optional output transforms (hard constraints) and the
 * problem's trainable coefficients, as one `Module`. Because the coefficients are among its
 * `parameters()`, the core `Trainer` learns them with the network (Adam and L-BFGS) and its
 * checkpoints save and restore them.
 */

import {
  type Jet,
  jetAdd,
  jetConcat,
  jetMul,
  jetSliceColumns,
  type Module,
  type ModuleConfig,
  type NamedVariable,
  prefixed,
} from '@pinnate/core';
import { Ball, Box, type Domain, Interval, SpaceTime } from '@pinnate/geometry';
import * as tf from '@tensorflow/tfjs';
import { type CompiledExpression, compileExpression, evalJet } from './expr.ts';
import type { ParameterSpec, Problem } from './problem.ts';

/**
 * Hard constraint for one field: u = particular(x) + distance(x) · N(x), with `distance`
 * vanishing where the condition holds and `particular` meeting it there. Both are expressions
 * of the inputs and constants (e.g. distance 't*(1-x^2)', particular '-sin(pi*x)' for
 * Burgers), or a function of the input jet for anything else.
 */
export interface OutputTransform {
  readonly field: string;
  readonly distance: string | ((x: Jet) => Jet);
  /** Default 0. */
  readonly particular?: string | ((x: Jet) => Jet);
}

/**
 * A distance-like function (zero on the boundary, positive inside) for simple domains, as an
 * expression string: products of face distances for intervals and boxes, r² − |x − c|² for
 * balls; for a space-time domain, the spatial one times (t − t0) (zero at the initial slice).
 * Other domains (polygons, CSG) need a user transform: their signed distance has kinks where
 * derivatives would be wrong.
 */
export function distanceExpression(domain: Domain, inputs: readonly string[], withInitial = true): string {
  const num = (v: number) => (v < 0 ? `(${v})` : `${v}`);
  if (domain instanceof SpaceTime) {
    const space = distanceExpression(domain.space, inputs.slice(0, -1));
    const t = inputs[inputs.length - 1];
    return withInitial ? `(${space})*(${t}-${num(domain.time.lo)})` : space;
  }
  if (domain instanceof Interval) return `(${inputs[0]}-${num(domain.lo)})*(${num(domain.hi)}-${inputs[0]})`;
  if (domain instanceof Box) {
    return Array.from(
      domain.lo,
      (lo, j) => `(${inputs[j]}-${num(lo)})*(${num(domain.hi[j])}-${inputs[j]})`,
    ).join('*');
  }
  if (domain instanceof Ball) {
    const terms = Array.from(domain.center, (c, j) => `(${inputs[j]}-${num(c)})^2`).join('+');
    return `${domain.radius * domain.radius}-(${terms})`;
  }
  throw new Error(
    `distanceExpression: no closed-form distance for ${domain.kind}; pass 'distance' as an expression or a jet function`,
  );
}

interface CompiledTransform {
  readonly index: number;
  readonly distance: CompiledExpression | ((x: Jet) => Jet);
  readonly particular: CompiledExpression | ((x: Jet) => Jet) | null;
}

export interface CoefficientVariable {
  readonly name: string;
  readonly raw: tf.Variable;
  readonly positive: boolean;
}

export class PinnModel implements Module {
  readonly inSize: number;
  readonly outSize: number;
  readonly network: Module;
  readonly coefficients: readonly CoefficientVariable[];
  private readonly transforms: readonly CompiledTransform[];
  private readonly transformSpecs: readonly OutputTransform[];

  constructor(problem: Problem, network: Module, transforms: readonly OutputTransform[] = []) {
    if (network.inSize !== problem.inputs.length || network.outSize !== problem.fields.length) {
      throw new Error(
        `PinnModel: 'network' maps ${network.inSize} -> ${network.outSize} but the problem has ${problem.inputs.length} inputs (${problem.inputs.join(', ')}) and ${problem.fields.length} fields (${problem.fields.join(', ')})`,
      );
    }
    this.network = network;
    this.inSize = network.inSize;
    this.outSize = network.outSize;
    this.transformSpecs = transforms;
    const table = problem.dataSymbols();
    this.transforms = transforms.map((t) => {
      const index = problem.fields.indexOf(t.field);
      if (index < 0) {
        throw new Error(
          `PinnModel: transform names unknown field '${t.field}'; fields are ${problem.fields.join(', ')}`,
        );
      }
      const comp = (v: string | ((x: Jet) => Jet), what: string) =>
        typeof v === 'string' ? compileExpression(v, table, `transform of '${t.field}' ${what}`) : v;
      return {
        index,
        distance: comp(t.distance, 'distance'),
        particular: t.particular === undefined ? null : comp(t.particular, 'particular'),
      };
    });
    this.coefficients = Object.entries(problem.parameters).map(([name, spec]: [string, ParameterSpec]) => {
      const positive = spec.positive ?? false;
      const init = spec.init ?? (positive ? 1 : 0);
      if (!Number.isFinite(init) || (positive && !(init > 0))) {
        throw new Error(
          `PinnModel: parameter '${name}' needs a finite 'init'${positive ? ' > 0' : ''}, got ${init}`,
        );
      }
      // tidy: tf.variable copies its initial tensor, which would otherwise stay allocated.
      return { name, positive, raw: tf.tidy(() => tf.variable(tf.scalar(positive ? Math.log(init) : init))) };
    });
  }

  disposeConstants(): void {
    this.network.disposeConstants?.();
  }

  parameters(): NamedVariable[] {
    return [
      ...prefixed('network', this.network.parameters()),
      ...this.coefficients.map((c) => ({ name: `coefficients.${c.name}`, variable: c.raw })),
    ];
  }

  /** The coefficient's value as a scalar tensor (exp of the raw variable when positive). */
  coefficient(name: string): tf.Tensor {
    const c = this.coefficients.find((k) => k.name === name);
    if (!c) throw new Error(`PinnModel: unknown parameter '${name}'`);
    return c.positive ? tf.exp(c.raw) : c.raw;
  }

  /** Current coefficient values. */
  coefficientValues(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.coefficients) {
      const v = c.raw.dataSync()[0];
      out[c.name] = c.positive ? Math.exp(v) : v;
    }
    return out;
  }

  forward(x: Jet): Jet {
    const y = this.network.forward(x);
    if (this.transforms.length === 0) return y;
    const cols = Array.from({ length: this.outSize }, (_, j) =>
      this.outSize === 1 ? y : jetSliceColumns(y, j, 1),
    );
    for (const t of this.transforms) {
      const d = typeof t.distance === 'function' ? t.distance(x) : evalJet(t.distance, x);
      let out = jetMul(d, cols[t.index]);
      if (t.particular) {
        const g = typeof t.particular === 'function' ? t.particular(x) : evalJet(t.particular, x);
        out = jetAdd(g, out);
      }
      cols[t.index] = out;
    }
    return jetConcat(cols);
  }

  config(): ModuleConfig {
    return {
      type: 'PinnModel',
      network: this.network.config(),
      transforms: this.transformSpecs.map((t) => ({
        field: t.field,
        distance: typeof t.distance === 'string' ? t.distance : '<function>',
        particular: typeof t.particular === 'function' ? '<function>' : (t.particular ?? null),
      })),
      coefficients: this.coefficients.map((c) => ({ name: c.name, positive: c.positive })),
    };
  }
}
