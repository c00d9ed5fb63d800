/**
 * pnpm --filter @pinnate/demos darcy [--res 29] [--train 1000] [--test 100] [--epochs 40]
 *   [--minutes M] [--batch 8] [--lr 1e-3] [--decay 1e-4] [--l2 0] [--eval-every 5] [--eval-res R]
 *   [--channels 24] [--layers 4] [--smoothing 1,1,1,2] [--width 32] [--modes 12] [--fno-layers 4]
 *   [--models mgno,fno] [--out runs/darcy] [--backend wasm|cpu]
 *   [--parallel | --no-parallel]   (default: one worker thread per model when training both)
 * pnpm --filter @pinnate/demos darcy --predict in.npy --out out.npy [--model runs/darcy/mgno]
 */
import type { BackendName } from '@pinnate/core';
import { predictDarcy, runDarcy } from './darcy.ts';

// pnpm 10 passes the `--` of `pnpm --filter … darcy -- --res 29` through to the script.
const args = process.argv.slice(2).filter((a) => a !== '--');
const flags = new Map<string, string>();
// Flags that take no value.
const switches = new Set(['parallel', 'no-parallel']);
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (!a.startsWith('--')) throw new Error(`darcy: unexpected argument '${a}'`);
  if (switches.has(a.slice(2))) {
    flags.set(a.slice(2), '');
    continue;
  }
  flags.set(a.slice(2), args[i + 1] ?? '');
  i++;
}
if (flags.has('parallel') && flags.has('no-parallel'))
  throw new Error("darcy: give one of '--parallel' and '--no-parallel'");
const num = (k: string): number | undefined => {
  if (!flags.has(k)) return undefined;
  const v = Number(flags.get(k));
  if (!Number.isFinite(v)) throw new Error(`darcy: '--${k}' must be a number, got '${flags.get(k)}'`);
  return v;
};
const backend = flags.get('backend') as BackendName | undefined;

if (flags.has('predict')) {
  const out = flags.get('out');
  if (!out) throw new Error("darcy: '--predict in.npy' needs '--out out.npy'");
  const shape = await predictDarcy(
    flags.get('model') ?? 'runs/darcy/mgno',
    flags.get('predict') as string,
    out,
    backend,
  );
  console.log(`wrote ${out} [${shape}]`);
} else {
  const models = (flags.get('models') ?? 'mgno,fno').split(',') as ('mgno' | 'fno')[];
  for (const m of models)
    if (m !== 'mgno' && m !== 'fno') throw new Error(`darcy: '--models' takes mgno and/or fno, got '${m}'`);
  const smoothing = flags.has('smoothing')
    ? (flags.get('smoothing') as string).split(',').map((v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0)
          throw new Error(
            `darcy: '--smoothing' must be step counts like 1,1,1,2, got '${flags.get('smoothing')}'`,
          );
        return n;
      })
    : undefined;
  const t0 = performance.now();
  const r = await runDarcy({
    res: num('res'),
    train: num('train'),
    test: num('test'),
    epochs: num('epochs'),
    minutes: num('minutes'),
    batchSize: num('batch'),
    lr: num('lr'),
    decay: num('decay'),
    l2: num('l2'),
    seed: num('seed'),
    evalEvery: num('eval-every'),
    evalRes: num('eval-res'),
    out: flags.get('out'),
    backend,
    models,
    ...(flags.has('no-parallel') ? { parallel: false } : flags.has('parallel') ? { parallel: true } : {}),
    mgno: {
      ...(num('channels') ? { channels: num('channels') } : {}),
      ...(num('layers') ? { layers: num('layers') } : {}),
      ...(smoothing ? { smoothing } : {}),
    },
    fno: {
      ...(num('width') ? { width: num('width') } : {}),
      ...(num('modes') ? { modes: num('modes') } : {}),
      ...(num('fno-layers') ? { layers: num('fno-layers') } : {}),
    },
  });
  console.log(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s; report in ${r.out}/report.md`);
}
