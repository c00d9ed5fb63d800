/**
 * pnpm --filter @pinnate/demos hcmoe -- [--quick] [--out DIR] [options]   (see ../../docs/hcmoe.md)
 *
 * Soft constraint, hard constraint (1 expert) and hard constraints with 4 experts on 1-D
 * diffusion–sorption, then the timing table (1 vs 4 experts, 1 vs 2 workers).
 */
import { initBackendFromEnv } from '@pinnate/core';
import { CONSTRAINT_FORMS, EXPERT_CONDITIONS, type Variant } from './ds.ts';
import { FULL, type HcmoeOptions, QUICK, runHcmoe } from './run.ts';

const USAGE = `usage: hcmoe [--quick] [--out DIR (runs/hcmoe)] [--steps N] [--train N] [--test N]
  [--nx N] [--nt N] [--basis N] [--width N] [--modes N] [--layers N] [--batch N] [--lr X]
  [--points N (per expert)] [--experts K] [--pde-weight W (1/500)] [--workers W] [--variants soft,hard,moe]
  [--bench-points 100,1000,10000] [--bench-workers 1,2] [--bench-grid NT,NX] [--no-bench]
  [--time-budget SECONDS (per variant)] [--loss ms|paper] [--decay-every N] [--seed S]
  [--seeds N (trainings per variant, seeds S..S+N-1)] [--ic-weight unit|paper]
  [--expert-conditions shared|local|ic-local (IC/BC rows per expert: all, its own slab's,
   or its slab's IC and both boundaries)]
  [--constraint lsq|ic-ansatz|ansatz|ansatz-smooth (IC and BC as rows of the solve; the IC
   built into the ansatz, BC rows; both built in (BC in the boundary cell, or by a smooth
   lifting), PDE rows alone)] [--ridge X (1e-4)] [--blend W (cells; blend neighbouring experts)]
  [--train-residual grid|expert (training residual from FD of the assembled field, or each
   point's expert's own derivatives: no differences across the seams)]
  [--data-seed S (data only; --seed sets data, model and training)]
  [--save-fields (test predictions and reference as raw float arrays in --out)]
  [--no-cross-eval (skip solving each trained hard/MoE basis with the other expert count)]`;

function parse(argv: readonly string[]): HcmoeOptions {
  const args = argv.filter((a) => a !== '--');
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--help' || a === '-h') throw new Error(USAGE);
    if (!a.startsWith('--')) throw new Error(`hcmoe: unexpected argument '${a}'\n${USAGE}`);
    const next = args[i + 1];
    if (next === undefined || next.startsWith('--')) flags.set(a.slice(2), true);
    else {
      flags.set(a.slice(2), next);
      i++;
    }
  }
  const base = flags.has('quick') ? QUICK : FULL;
  const used = new Set(['quick']);
  const num = (k: string): number | undefined => {
    used.add(k);
    const v = flags.get(k);
    if (v === undefined) return undefined;
    const x = Number(v);
    if (v === true || !Number.isFinite(x)) throw new Error(`hcmoe: '--${k}' needs a number, got '${v}'`);
    return x;
  };
  const list = (k: string): number[] | undefined => {
    used.add(k);
    const v = flags.get(k);
    if (v === undefined) return undefined;
    const xs = String(v).split(',').map(Number);
    if (v === true || xs.some((x) => !Number.isFinite(x)))
      throw new Error(`hcmoe: '--${k}' needs numbers, got '${v}'`);
    return xs;
  };
  used.add('out');
  used.add('variants');
  used.add('no-bench');
  used.add('save-fields');
  used.add('no-cross-eval');
  const out = flags.get('out');
  const variants = flags.get('variants');
  const vs = variants === undefined ? base.variants : (String(variants).split(',') as Variant[]);
  for (const v of vs)
    if (!['soft', 'hard', 'moe'].includes(v)) throw new Error(`hcmoe: unknown variant '${v}'`);
  const seed = num('seed');
  // An option with a fixed set of values; absent = the base configuration's.
  const choice = <const T extends string, F extends T | undefined>(
    k: string,
    allowed: readonly T[],
    fallback: F,
  ): T | F => {
    used.add(k);
    const v = flags.get(k);
    if (v === undefined) return fallback;
    if (!allowed.includes(v as T))
      throw new Error(`hcmoe: '--${k}' must be ${allowed.map((a) => `'${a}'`).join(' or ')}, got '${v}'`);
    return v as T;
  };
  const grid = list('bench-grid');
  const o: HcmoeOptions = {
    ...base,
    out: out === undefined || out === true ? (flags.has('quick') ? 'runs/hcmoe-quick' : 'runs/hcmoe') : out,
    data: {
      ...base.data,
      nx: num('nx') ?? base.data.nx,
      nt: num('nt') ?? base.data.nt,
      train: num('train') ?? base.data.train,
      test: num('test') ?? base.data.test,
      seed: num('data-seed') ?? seed ?? base.data.seed,
    },
    model: {
      ...base.model,
      basis: num('basis') ?? base.model.basis,
      width: num('width') ?? base.model.width,
      modes: num('modes') ?? base.model.modes,
      layers: num('layers') ?? base.model.layers,
      seed: seed ?? base.model.seed,
    },
    train: {
      ...base.train,
      steps: num('steps') ?? base.train.steps,
      batch: num('batch') ?? base.train.batch,
      lr: num('lr') ?? base.train.lr,
      decayEvery: num('decay-every') ?? base.train.decayEvery,
      timeBudget: num('time-budget') ?? base.train.timeBudget,
      loss: choice('loss', ['ms', 'paper'], base.train.loss),
      seed: seed ?? base.train.seed,
    },
    pointsPerExpert: num('points') ?? base.pointsPerExpert,
    experts: num('experts') ?? base.experts,
    pdeWeight: num('pde-weight') ?? base.pdeWeight,
    icWeight: choice('ic-weight', ['unit', 'paper'], base.icWeight),
    conditions: choice('expert-conditions', EXPERT_CONDITIONS, base.conditions),
    form: choice('constraint', CONSTRAINT_FORMS, base.form),
    ridge: num('ridge') ?? base.ridge,
    blend: num('blend') ?? base.blend,
    trainResidual: choice('train-residual', ['grid', 'expert'], base.trainResidual),
    seeds: num('seeds') ?? base.seeds,
    workers: num('workers') ?? base.workers,
    variants: vs,
    benchPoints: flags.has('no-bench') ? [] : (list('bench-points') ?? base.benchPoints),
    benchWorkers: list('bench-workers') ?? base.benchWorkers,
    benchGrid: grid ? [grid[0], grid[1]] : base.benchGrid,
    saveFields: flags.has('save-fields'),
    crossEval: !flags.has('no-cross-eval') && base.crossEval,
  };
  for (const k of flags.keys()) if (!used.has(k)) throw new Error(`hcmoe: unknown option '--${k}'\n${USAGE}`);
  return o;
}

await initBackendFromEnv();
try {
  await runHcmoe(parse(process.argv.slice(2)));
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
