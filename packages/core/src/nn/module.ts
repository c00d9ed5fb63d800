/**
 * The shape every model in Pinnate implements: named parameters, and a forward pass on jets
 * (which is also the plain forward pass: a value-only jet). Later packages (Gaussian
 * embeddings, operators) implement the same interface.
 */
import type * as tf from '@tensorflow/tfjs';
import { inputJet, type Jet } from '../jets/jet.ts';
import { JetPlan } from '../jets/plan.ts';

export interface NamedVariable {
  readonly name: string;
  readonly variable: tf.Variable;
}

/** JSON description of a module: enough to rebuild it (weights are stored separately). */
export interface ModuleConfig {
  readonly type: string;
  readonly [key: string]: unknown;
}

export interface Module {
  readonly inSize: number;
  readonly outSize: number;
  /** Parameters in a fixed order with hierarchical names ('layers.0.w'). */
  parameters(): NamedVariable[];
  /** Forward pass on a jet [N, inSize] -> [N, outSize]. */
  forward(x: Jet): Jet;
  config(): ModuleConfig;
  /**
   * Frees tensors the module holds besides its parameters (fixed masks, cached constants);
   * `disposeModule` calls it. A module made of others calls theirs.
   */
  disposeConstants?(): void;
}

/** Plain forward pass: x [N, inSize] -> [N, outSize]. */
export function apply(module: Module, x: tf.Tensor2D): tf.Tensor2D {
  return module.forward(inputJet(x, JetPlan.VALUE)).value as tf.Tensor2D;
}

export function prefixed(prefix: string, params: NamedVariable[]): NamedVariable[] {
  return params.map((p) => ({ name: `${prefix}.${p.name}`, variable: p.variable }));
}

export function variablesOf(module: Module): tf.Variable[] {
  return module.parameters().map((p) => p.variable);
}

export function countParameters(module: Module): number {
  return module.parameters().reduce((n, p) => n + p.variable.size, 0);
}

/** Frees everything a module owns: its parameters' variables and its other tensors. */
export function disposeModule(module: Module): void {
  for (const p of module.parameters()) p.variable.dispose();
  module.disposeConstants?.();
}

export function checkPositiveInt(value: unknown, name: string, op: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new Error(`${op}: '${name}' must be a positive integer, got ${String(value)}`);
  }
  return value;
}
