/**
 * Named derivative requests, compiled once into a jet plan.
 *
 *   const d = new Derivatives({ inputs: ['x', 't'], outputs: ['u'],
 *                               requests: ['u', 'u_t', 'u_x', 'u_xx'] });
 *   const { u_t, u_x, u_xx } = d.evaluate(model, points); // each [N, 1]
 *
 * A name is `<output>_<inputs>` where the inputs are concatenated input names, e.g. `u_xxt`;
 * multi-character input names are matched longest first (`u_x1x2`). Collapsed sums are
 * requested as objects: `{ name: 'lap_u', output: 'u', laplacian: ['x', 'y'] }` carries the
 * Laplacian as one stream instead of one stream per second derivative.
 */
import * as tf from '@tensorflow/tfjs';
import type { Module } from '../nn/module.ts';
import { inputJet, type Jet } from './jet.ts';
import { keyOf, MAX_ORDER } from './multiindex.ts';
import { collapsedId, JetPlan, type StreamRequest, type StreamTerm } from './plan.ts';

export type DerivativeRequest =
  | string
  | {
      readonly name: string;
      readonly output: string;
      /** Σ_v ∂²/∂v² over these inputs. */
      readonly laplacian?: readonly string[];
      /** Σ_v ∂⁴/∂v⁴ + 2 Σ_{v<w} ∂⁴/∂v²∂w² (biharmonic Δ²) over these inputs. */
      readonly biharmonic?: readonly string[];
      /** A general combination of partials of one order: [coef, 'xxy'] pairs. */
      readonly sum?: readonly (readonly [number, string])[];
    };

export interface DerivativesConfig {
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly requests: readonly DerivativeRequest[];
}

interface CompiledRequest {
  readonly name: string;
  readonly output: number;
  readonly streamId: string;
}

export class Derivatives {
  readonly plan: JetPlan;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  private readonly compiled: readonly CompiledRequest[];

  constructor(config: DerivativesConfig) {
    const { inputs, outputs, requests } = config;
    checkNames(inputs, 'inputs');
    checkNames(outputs, 'outputs');
    this.inputs = inputs;
    this.outputs = outputs;
    const streamRequests: StreamRequest[] = [];
    const compiled: CompiledRequest[] = [];
    const seen = new Set<string>();
    for (const r of requests) {
      const c = typeof r === 'string' ? this.parseName(r) : this.parseObject(r);
      if (seen.has(c.name)) throw new Error(`Derivatives: request '${c.name}' appears twice`);
      seen.add(c.name);
      streamRequests.push(c.request);
      compiled.push({ name: c.name, output: c.output, streamId: c.streamId });
    }
    this.plan = JetPlan.build(streamRequests);
    this.compiled = compiled;
  }

  /** Names of the requested derivatives, in request order. */
  get names(): string[] {
    return this.compiled.map((c) => c.name);
  }

  /** Forward the jet of x [N, inputs.length] through the model: the raw output jet. */
  jet(model: Module, x: tf.Tensor2D): Jet {
    if (x.rank !== 2 || x.shape[1] !== this.inputs.length) {
      throw new Error(
        `Derivatives: 'x' must be [N, ${this.inputs.length}] (inputs ${this.inputs.join(', ')}), got [${x.shape}]`,
      );
    }
    if (model.inSize !== this.inputs.length || model.outSize !== this.outputs.length) {
      throw new Error(
        `Derivatives: model maps ${model.inSize} -> ${model.outSize} but inputs/outputs are ${this.inputs.length} -> ${this.outputs.length}`,
      );
    }
    return model.forward(inputJet(x, this.plan));
  }

  /** Every requested derivative as [N, 1]. */
  evaluate(model: Module, x: tf.Tensor2D): Record<string, tf.Tensor2D> {
    return this.extract(this.jet(model, x));
  }

  /** Pick the requested columns out of an output jet. */
  extract(out: Jet): Record<string, tf.Tensor2D> {
    const result: Record<string, tf.Tensor2D> = {};
    const m = this.outputs.length;
    const cache = new Map<string, tf.Tensor[]>();
    for (const c of this.compiled) {
      let cols = cache.get(c.streamId);
      if (!cols) {
        const full = out.dense(c.streamId);
        cols = m === 1 ? [full] : tf.split(full, m, 1);
        cache.set(c.streamId, cols);
      }
      result[c.name] = cols[c.output] as tf.Tensor2D;
    }
    return result;
  }

  private outputIndex(name: string, request: string): number {
    const i = this.outputs.indexOf(name);
    if (i < 0) {
      throw new Error(
        `Derivatives: request '${request}' names unknown output '${name}'; outputs are ${this.outputs.join(', ')}`,
      );
    }
    return i;
  }

  /** Split 'xxt' into input indices, longest input names first. */
  private parseInputs(s: string, request: string): number[] {
    const byLength = this.inputs.map((n, i) => [n, i] as const).sort((a, b) => b[0].length - a[0].length);
    const out: number[] = [];
    let pos = 0;
    while (pos < s.length) {
      const hit = byLength.find(([n]) => s.startsWith(n, pos));
      if (!hit) {
        throw new Error(
          `Derivatives: request '${request}' differentiates by unknown input '${s.slice(pos)}'; inputs are ${this.inputs.join(', ')}`,
        );
      }
      out.push(hit[1]);
      pos += hit[0].length;
    }
    if (out.length > MAX_ORDER) {
      throw new Error(
        `Derivatives: request '${request}' has order ${out.length}; the maximum is ${MAX_ORDER}`,
      );
    }
    return out;
  }

  private parseName(name: string) {
    if (this.outputs.includes(name)) {
      return { name, output: this.outputs.indexOf(name), streamId: '', request: '' as StreamRequest };
    }
    const cut = name.indexOf('_');
    if (cut <= 0) {
      throw new Error(
        `Derivatives: cannot read request '${name}': expected an output (${this.outputs.join(', ')}) or '<output>_<inputs>' like '${this.outputs[0]}_${this.inputs[0]}'`,
      );
    }
    const output = this.outputIndex(name.slice(0, cut), name);
    const key = keyOf(this.parseInputs(name.slice(cut + 1), name));
    return { name, output, streamId: key, request: key as StreamRequest };
  }

  private parseObject(r: Exclude<DerivativeRequest, string>) {
    const output = this.outputIndex(r.output, r.name);
    const given = [r.laplacian, r.biharmonic, r.sum].filter((v) => v !== undefined).length;
    if (given !== 1) {
      throw new Error(`Derivatives: request '${r.name}' must give exactly one of laplacian, biharmonic, sum`);
    }
    const idx = (v: string) => this.parseInputs(v, r.name);
    let terms: StreamTerm[];
    if (r.laplacian) {
      terms = r.laplacian.map((v) => {
        const [i] = idx(v);
        return { coef: 1, key: keyOf([i, i]) };
      });
    } else if (r.biharmonic) {
      const vs = r.biharmonic.map((v) => idx(v)[0]);
      terms = [];
      vs.forEach((i, a) => {
        terms.push({ coef: 1, key: keyOf([i, i, i, i]) });
        for (let b = a + 1; b < vs.length; b++) terms.push({ coef: 2, key: keyOf([i, i, vs[b], vs[b]]) });
      });
    } else {
      terms = (r.sum ?? []).map(([coef, v]) => ({ coef, key: keyOf(idx(v)) }));
    }
    const normalized = JetPlan.build([{ terms }]);
    // A single plain partial is not collapsed: find which stream id the plan gave it.
    const id = collapsedIdOrKey(terms);
    if (!normalized.has(id)) throw new Error(`Derivatives: internal error compiling '${r.name}'`);
    return { name: r.name, output, streamId: id, request: { terms } as StreamRequest };
  }
}

function collapsedIdOrKey(terms: StreamTerm[]): string {
  const sorted = terms
    .filter((t) => t.coef !== 0)
    .map((t) => ({ coef: t.coef, key: t.key }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  if (sorted.length === 1 && sorted[0].coef === 1) return sorted[0].key;
  return collapsedId(sorted);
}

function checkNames(names: readonly string[], what: string) {
  if (!Array.isArray(names) || names.length === 0) {
    throw new Error(`Derivatives: '${what}' must be a non-empty array of names`);
  }
  const bad = names.find((n) => typeof n !== 'string' || !/^[A-Za-z][A-Za-z0-9]*$/.test(n));
  if (bad !== undefined) {
    throw new Error(
      `Derivatives: '${what}' entries must be alphanumeric names starting with a letter, got '${bad}'`,
    );
  }
  if (new Set(names).size !== names.length) throw new Error(`Derivatives: '${what}' has duplicates`);
}
