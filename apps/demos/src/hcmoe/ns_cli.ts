/**
 * pnpm --filter @pinnate/demos hcmoe-ns -- [--quick] [--out DIR] [options]   (see ../../docs/hcmoe.md)
 *
 * The PI-HC-MoE stretch case: soft, hard (1 expert) and hard with 2 × 2 experts on 2-D
 * Navier–Stokes in vorticity form.
 */
import { initBackendFromEnv } from '@pinnate/core';
import type { NsVariant } from './ns.ts';
import { NS_FULL, NS_QUICK, type NsOptions, runNs } from './ns_run.ts';

const USAGE = `usage: hcmoe-ns [--quick] [--out DIR (runs/hcmoe-ns)] [--steps N] [--decay-every N (333)] [--train N] [--test N]
  [--n N (grid, even)] [--nt N (snapshots)] [--ic-scale X (5)] [--basis N] [--width N] [--modes N]
  [--points N (per expert)] [--seed S] [--seeds N] [--variants soft,hard,moe]`;

function parse(argv: readonly string[]): NsOptions {
  const args = argv.filter((a) => a !== '--');
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--help' || a === '-h') throw new Error(USAGE);
    if (!a.startsWith('--')) throw new Error(`hcmoe-ns: unexpected argument '${a}'\n${USAGE}`);
    const next = args[i + 1];
    if (next === undefined || next.startsWith('--')) flags.set(a.slice(2), true);
    else {
      flags.set(a.slice(2), next);
      i++;
    }
  }
  const used = new Set<string>(['quick', 'out', 'variants']);
  const num = (k: string): number | undefined => {
    used.add(k);
    const v = flags.get(k);
    if (v === undefined) return undefined;
    const x = Number(v);
    if (v === true || !Number.isFinite(x)) throw new Error(`hcmoe-ns: '--${k}' needs a number, got '${v}'`);
    return x;
  };
  const base = flags.has('quick') ? NS_QUICK : NS_FULL;
  const out = flags.get('out');
  const vs = flags.get('variants');
  const variants =
    vs === undefined || vs === true ? base.variants : (vs.split(',').map((v) => v.trim()) as NsVariant[]);
  for (const v of variants)
    if (v !== 'soft' && v !== 'hard' && v !== 'moe')
      throw new Error(`hcmoe-ns: '--variants' takes soft, hard and moe, got '${v}'`);
  const seed = num('seed');
  const o: NsOptions = {
    ...base,
    out: out === undefined || out === true ? base.out : out,
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
  for (const k of flags.keys())
    if (!used.has(k)) throw new Error(`hcmoe-ns: unknown option '--${k}'\n${USAGE}`);
  return o;
}

await initBackendFromEnv();
try {
  await runNs(parse(process.argv.slice(2)));
} catch (e) {
  console.error((e as Error).message);
  process.exitCode = 1;
}
