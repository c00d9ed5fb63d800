/** Modules applied in order; parameter names are prefixed by position ('0.layers.1.w'). */
import type { Jet } from '../jets/jet.ts';
import type { Module, ModuleConfig, NamedVariable } from './module.ts';
import { prefixed } from './module.ts';

export class Sequential implements Module {
  readonly inSize: number;
  readonly outSize: number;

  constructor(readonly modules: readonly Module[]) {
    if (modules.length === 0) throw new Error("Sequential: 'modules' must not be empty");
    for (let i = 1; i < modules.length; i++) {
      if (modules[i].inSize !== modules[i - 1].outSize) {
        throw new Error(
          `Sequential: modules[${i}].inSize (=${modules[i].inSize}) must equal modules[${i - 1}].outSize (=${modules[i - 1].outSize})`,
        );
      }
    }
    this.inSize = modules[0].inSize;
    this.outSize = modules[modules.length - 1].outSize;
  }

  parameters(): NamedVariable[] {
    return this.modules.flatMap((m, i) => prefixed(String(i), m.parameters()));
  }

  disposeConstants(): void {
    for (const m of this.modules) m.disposeConstants?.();
  }

  forward(x: Jet): Jet {
    return this.modules.reduce((h, m) => m.forward(h), x);
  }

  config(): ModuleConfig {
    return { type: 'Sequential', modules: this.modules.map((m) => m.config()) };
  }
}
