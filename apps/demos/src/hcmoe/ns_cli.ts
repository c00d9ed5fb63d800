/**
 * pnpm --filter @pinnate/demos hcmoe-ns -- [--quick] [--out DIR] [options]   (see ../../docs/hcmoe.md)
 *
 * The PI-HC-MoE stretch case: soft, hard (1 expert) and hard with 2 × 2 experts on 2-D
 * Navier–Stokes in vorticity form.
 */
import { initBackendFromEnv } from '@pinnate/core';
import { parseFlags } from '../cli_flags.ts';
import { NS_FULL, NS_QUICK, type NsOptions, runNs } from './ns_run.ts';

const USAGE = `usage: hcmoe-ns [--quick] [--out DIR (runs/hcmoe-ns)] [--steps N] [--decay-every N (333)] [--train N] [--test N]
  [--n N (grid, even)] [--nt N (snapshots)] [--ic-scale X (5)] [--basis N] [--width N] [--modes N]
  [--points N (per expert)] [--seed S] [--seeds N] [--variants soft,hard,moe]`;

function parse(argv: readonly string[]): NsOptions {
  const f = parseFlags('hcmoe-ns', USAGE, argv);
  const { num } = f;
  const base = f.has('quick') ? NS_QUICK : NS_FULL;
  const out = f.str('out');
  const variants = f.subset('variants', ['soft', 'hard', 'moe'] as const, base.variants);
  const seed = num('seed');
  const o: NsOptions = {
    ...base,
    out: out ?? base.out,
    data: {
      ...base.data,
      n: num('n') ?? base.data.n,
      fine: 2 * (num('n') ?? base.data.n),
      nt: num('nt') ?? base.data.nt,
      train: num('train') ?? base.data.train,
      test: num('test') ?? base.data.test,
      icScale: num('ic-scale') ?? base.data.icScale,
    },
    model: {
      ...base.model,
      basis: num('basis') ?? base.model.basis,
      width: num('width') ?? base.model.width,
      modes: num('modes') ?? base.model.modes,
      seed: seed ?? base.model.seed,
    },
    train: {
      ...base.train,
      steps: num('steps') ?? base.train.steps,
      decayEvery: num('decay-every') ?? base.train.decayEvery,
      seed: seed ?? base.train.seed,
    },
    pointsPerExpert: num('points') ?? base.pointsPerExpert,
    seeds: num('seeds') ?? base.seeds,
    variants,
  };
  f.finish();
  return o;
}

await initBackendFromEnv();
try {
  await runNs(parse(process.argv.slice(2)));
} catch (e) {
  console.error((e as Error).message);
  process.exitCode = 1;
}
