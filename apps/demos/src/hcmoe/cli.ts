/**
 * pnpm --filter @pinnate/demos hcmoe -- [--quick] [--out DIR] [options]   (see ../../docs/hcmoe.md)
 *
 * Soft constraint, hard constraint (1 expert) and hard constraints with 4 experts on 1-D
 * diffusion–sorption, then the timing table (1 vs 4 experts, 1 vs 2 workers).
 */
import { initBackendFromEnv } from '@pinnate/core';
import { parseFlags } from '../cli_flags.ts';
import { CONSTRAINT_FORMS, EXPERT_CONDITIONS, EXPERT_SPLITS } from './ds.ts';
import { FULL, type HcmoeOptions, QUICK, runHcmoe } from './run.ts';

const USAGE = `usage: hcmoe [--quick] [--out DIR (runs/hcmoe)] [--steps N (1000)] [--train N] [--test N]
  [--nx N] [--nt N] [--basis N] [--width N] [--modes N] [--layers N] [--batch N] [--lr X]
  [--points N (per expert)] [--experts K] [--pde-weight W (1/500)] [--workers W] [--variants soft,hard,moe]
  [--bench-points 100,1000,10000] [--bench-workers 1,2] [--bench-grid NT,NX] [--no-bench]
  [--time-budget SECONDS (per variant)] [--loss ms|paper] [--decay-every N (333)] [--seed S]
  [--seeds N (trainings per variant, seeds S..S+N-1)] [--ic-weight unit|paper]
  [--expert-conditions shared|local|ic-local (IC/BC rows per expert: all (the paper code's),
   its own slab's, or its slab's IC and both boundaries (default))] [--split x|t (experts as x-slabs or time windows)]
  [--constraint lsq|ic-ansatz|ansatz|ansatz-smooth (IC and BC as rows of the solve; the IC
   built into the ansatz, BC rows; both built in (BC in the boundary cell, or by a smooth
   lifting), PDE rows alone)] [--ridge X (1e-4)] [--blend W (16 cells; blend neighbouring experts, 0: none;
   at most nx / experts − 3)]
  [--train-residual grid|expert (training residual from FD of the assembled field, or each
   point's expert's own derivatives: no differences across the seams)]
  [--data-seed S (data only; --seed sets data, model and training)]
  [--save-fields (test predictions and reference as raw float arrays in --out)]
  [--no-cross-eval (skip solving each trained hard/MoE basis with the other expert count)]`;

function parse(argv: readonly string[]): HcmoeOptions {
  const f = parseFlags('hcmoe', USAGE, argv);
  const { num, list, choice } = f;
  const base = f.has('quick') ? QUICK : FULL;
  const out = f.str('out');
  const vs = f.subset('variants', ['soft', 'hard', 'moe'] as const, base.variants);
  const seed = num('seed');
  const grid = list('bench-grid');
  const o: HcmoeOptions = {
    ...base,
    out: out ?? (f.has('quick') ? 'runs/hcmoe-quick' : 'runs/hcmoe'),
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
    split: choice('split', EXPERT_SPLITS, base.split ?? 'x'),
    trainResidual: choice('train-residual', ['grid', 'expert'], base.trainResidual),
    seeds: num('seeds') ?? base.seeds,
    workers: num('workers') ?? base.workers,
    variants: vs,
    benchPoints: f.has('no-bench') ? [] : (list('bench-points') ?? base.benchPoints),
    benchWorkers: list('bench-workers') ?? base.benchWorkers,
    benchGrid: grid ? [grid[0], grid[1]] : base.benchGrid,
    saveFields: f.has('save-fields'),
    crossEval: !f.has('no-cross-eval') && base.crossEval,
  };
  f.finish();
  return o;
}

await initBackendFromEnv();
try {
  await runHcmoe(parse(process.argv.slice(2)));
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
