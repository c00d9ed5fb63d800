/** Rebuilding MgNO / FNO from a saved config (`loadOperator(dir, buildOperator)`). */
import type { ModuleConfig } from '@pinnate/core';
import { Fno, type FnoConfig } from './fno.ts';
import { Mgno, type MgnoConfig } from './mgno.ts';
import type { GridOperator } from './operator.ts';

export function buildOperator(config: ModuleConfig): GridOperator {
  switch (config?.type) {
    case 'Mgno':
      return new Mgno(config as unknown as MgnoConfig);
    case 'Fno':
      return new Fno(config as unknown as FnoConfig);
    default:
      throw new Error(
        `buildOperator: 'config.type' must be 'Mgno' or 'Fno', got ${JSON.stringify(config?.type)}`,
      );
  }
}
