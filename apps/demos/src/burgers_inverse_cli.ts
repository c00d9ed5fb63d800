/**
 * pnpm --filter @pinnate/demos burgers:inverse -- [--noise 0.01] [--samples 2000] [--steps 1000]
 *   [--lbfgs 4000] [--seed 0] [--backend wasm] [--out DIR]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BackendName } from '@pinnate/core';
import { type BurgersInverseOptions, runBurgersInverse } from './burgers_inverse.ts';

const args = process.argv.slice(2).filter((a) => a !== '--');
const o: Record<string, unknown> = {};
let out: string | undefined;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const v = args[++i];
  const n = Number(v);
  const key = {
    '--noise': 'noise',
    '--samples': 'samples',
    '--steps': 'steps',
    '--lbfgs': 'lbfgsIter',
    '--seed': 'seed',
  }[a];
  if (key) {
    if (!Number.isFinite(n)) throw new Error(`burgers:inverse: '${a}' needs a number, got ${v}`);
    o[key] = n;
  } else if (a === '--backend') o.backend = v as BackendName;
  else if (a === '--out') out = v;
  else throw new Error(`burgers:inverse: unknown argument '${a}'`);
}
const r = await runBurgersInverse({ progress: 'lines', ...(o as BurgersInverseOptions) });
console.log(JSON.stringify(r, null, 2));
if (out) {
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'metrics.json'), `${JSON.stringify(r, null, 2)}\n`);
}
