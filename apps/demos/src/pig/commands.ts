/**
 * The `pig` demo commands: argument parsing, runs, outputs (metrics.json, .npy, report.html
 * with the Gaussians over the solution). Documented in apps/demos/docs/pig.md.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { saveArrays } from '@pinnate/pinn';
import * as tf from '@tensorflow/tfjs';
import { FLOW_MIXING } from './flow_mixing.ts';
import {
  AVERAGE_LAST_DEFAULT,
  type HelmholtzOptions,
  type HelmholtzResult,
  runHelmholtz,
} from './helmholtz.ts';
import { KLEIN_GORDON, type KleinGordonResult, runSpaceTime } from './klein_gordon.ts';
import { errorCurves, fieldFigure, writeReport } from './report.ts';
import { errorAt } from './train.ts';

const USAGE = `usage: pig <command> [options]
commands:
  helmholtz     PIG on 2-D Helmholtz, then the PINN baseline (--no-baseline to skip)
  klein-gordon  PIG on (2+1)-D Klein–Gordon (--baseline adds the PINN)
  flow-mixing   PIG on (2+1)-D flow mixing (same options; --gaussians default 1000)
  ablation      Helmholtz: learned vs fixed means (same seed, same budget)
  sweep         Helmholtz: number of Gaussians (--sizes 100,200,400,800)
options (helmholtz, ablation, sweep):
  --out DIR (runs/pig-helmholtz)  --seeds 0,1,2 (0)  --iterations N (4000 L-BFGS, 6000 Adam)  --round N (20)
  --cold (restart the L-BFGS memory every round)  --history M (100)  --cutoff C (7)
  --optimizer lbfgs|adam  --lr 1e-2  --gaussians 800  --sigma 0.1  --mean-margin 0.1  --points 10000
  --boundary 4000  --redraw-boundary  --threads 2  --lr-end 1e-5  --decay G (overrides --lr-end)  --fixed-means  --pinn-iterations N (same)  --time-budget SECONDS
  --average K (${AVERAGE_LAST_DEFAULT}: the model is the mean of the iterates of the last K iterations, at most a quarter
  of the run; 0 = the last iterate)  --sampler sobol|halton|random (sobol: how the collocation points are drawn each round)
  --no-baseline  --no-pig  --sizes LIST (sweep)
options (klein-gordon, flow-mixing):
  --out DIR (runs/pig-<command>)  --seed S  --time-budget SECONDS  --baseline (adds the PINN)
  --optimizer lbfgs|adam  --iterations N  (klein-gordon: lbfgs, 1000; flow-mixing: adam, 3000)
  --gaussians G (400; 2000)  --sigma sx,sy,st  --points N (8192; 4096)  --initial N (256; 2048)  --boundary N (1024)
  --residual-weight W (1; 10)  --condition-weight W (1; 10)  --mean-margin M (0, in σ₀ per side)
  --core N (flow-mixing: Gaussians started in the vortex core, default G/2)  --cutoff C (5)  --threads T (2)
  --round N (20)  --history M (400; 100)  --cold  --rad-k K  --rad-pool P (L-BFGS: RAD draws, density |res|^K, pool P × points)
  --sampler random|sobol|halton (random)  --average K (0: the model is the mean of the iterates of the last K iterations)
  --mean-sampler sobol|halton|random (klein-gordon: sobol, flow-mixing: random; how the initial means are placed)
  --lr 1e-2 (Adam, ×0.9 every 2000 steps)`;

interface Args {
  readonly command: string;
  readonly flags: Map<string, string | true>;
}

function parseArgs(argv: readonly string[]): Args {
  const rest = argv.filter((a) => a !== '--');
  const command = rest[0];
  if (!command || command === '--help' || command === '-h') throw new Error(USAGE);
  const flags = new Map<string, string | true>();
  for (let i = 1; i < rest.length; i++) {
    const a = rest[i];
    if (!a.startsWith('--')) throw new Error(`pig: unexpected argument '${a}'\n${USAGE}`);
    const next = rest[i + 1];
    if (next === undefined || next.startsWith('--')) flags.set(a.slice(2), true);
    else {
      flags.set(a.slice(2), next);
      i++;
    }
  }
  return { command, flags };
}

class Flags {
  private readonly used = new Set<string>();
  constructor(private readonly f: Map<string, string | true>) {}
  num(name: string): number | undefined {
    this.used.add(name);
    const v = this.f.get(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (v === true || !Number.isFinite(n))
      throw new Error(`pig: '--${name}' needs a number, got ${String(v)}`);
    return n;
  }
  list(name: string): number[] | undefined {
    this.used.add(name);
    const v = this.f.get(name);
    if (v === undefined) return undefined;
    if (v === true) throw new Error(`pig: '--${name}' needs a comma-separated list`);
    return v.split(',').map((s) => {
      const n = Number(s);
      if (s === '' || !Number.isFinite(n)) throw new Error(`pig: '--${name}' has a bad entry '${s}'`);
      return n;
    });
  }
  str(name: string): string | undefined {
    this.used.add(name);
    const v = this.f.get(name);
    if (v === true) throw new Error(`pig: '--${name}' needs a value`);
    return v;
  }
  bool(name: string): boolean {
    this.used.add(name);
    const v = this.f.get(name);
    if (v !== undefined && v !== true) throw new Error(`pig: '--${name}' takes no value, got '${v}'`);
    return v === true;
  }
  checkAllUsed(): void {
    const unknown = [...this.f.keys()].filter((k) => !this.used.has(k));
    if (unknown.length)
      throw new Error(`pig: unknown option(s) ${unknown.map((k) => `--${k}`).join(', ')}\n${USAGE}`);
  }
}

const log = (line: string) => console.log(line);

/** 1, 5 and 15-minute load averages (the machine is shared: timings need them). */
export function load(): string {
  return loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');
}

export async function runPigCommand(argv: readonly string[]): Promise<void> {
  const { command, flags } = parseArgs(argv);
  const f = new Flags(flags);
  switch (command) {
    case 'helmholtz':
      return helmholtzCommand(f);
    case 'klein-gordon':
      return spaceTimeCommand(f, 'klein-gordon');
    case 'flow-mixing':
      return spaceTimeCommand(f, 'flow-mixing');
    case 'ablation':
      return variantsCommand(f, 'ablation');
    case 'sweep':
      return variantsCommand(f, 'sweep');
    default:
      throw new Error(`pig: unknown command '${command}'\n${USAGE}`);
  }
}

function helmholtzOptions(f: Flags): HelmholtzOptions {
  const optimizer = f.str('optimizer') ?? 'lbfgs';
  if (optimizer !== 'lbfgs' && optimizer !== 'adam')
    throw new Error(`pig: '--optimizer' must be 'lbfgs' or 'adam', got '${optimizer}'`);
  return {
    optimizer,
    iterations: f.num('iterations'),
    roundIterations: f.num('round'),
    warmStart: !f.bool('cold'),
    history: f.num('history'),
    cutoff: f.num('cutoff'),
    threads: f.num('threads'),
    lr: f.num('lr'),
    decay: f.num('decay'),
    lrEnd: f.num('lr-end'),
    gaussians: f.num('gaussians'),
    sigma: f.num('sigma'),
    meanMargin: f.num('mean-margin'),
    points: f.num('points'),
    boundaryPoints: f.num('boundary'),
    redrawBoundary: f.bool('redraw-boundary'),
    learnMeans: !f.bool('fixed-means'),
    timeBudgetSeconds: f.num('time-budget'),
    averageLast: f.num('average'),
    sampler: sampler(f.str('sampler')),
    log,
  };
}

function sampler(s: string | undefined, flag = 'sampler'): HelmholtzOptions['sampler'] {
  if (s === undefined || s === 'random' || s === 'sobol' || s === 'halton') return s;
  throw new Error(`pig: '--${flag}' must be 'random', 'sobol' or 'halton', got '${s}'`);
}

function summary(r: HelmholtzResult | KleinGordonResult) {
  const at1000 = errorAt(r.records, 1000);
  return {
    model: r.model,
    seed: r.seed,
    relL2: r.relL2,
    relL2At1000: at1000?.relL2 ?? null,
    // With averaging the final model is the average; this is the last raw iterate (training grid).
    lastIterateRelL2: r.records.at(-1)?.relL2 ?? null,
    iterations: r.iterations,
    evaluations: r.evaluations,
    cpuSecondsPerEvaluation: r.evaluations > 0 ? Number((r.trainCpuSeconds / r.evaluations).toFixed(4)) : 0,
    trainSeconds: Number(r.trainSeconds.toFixed(1)),
    trainCpuSeconds: Number(r.trainCpuSeconds.toFixed(1)),
    secondsPerIteration: Number(r.secondsPerIteration.toFixed(4)),
    cpuSecondsPerIteration: Number(r.cpuSecondsPerIteration.toFixed(4)),
    parameters: r.parameters,
    loss: r.loss,
  };
}

async function helmholtzCommand(f: Flags): Promise<void> {
  const out = f.str('out') ?? 'runs/pig-helmholtz';
  const seeds = f.list('seeds') ?? [0];
  const base = helmholtzOptions(f);
  const noBaseline = f.bool('no-baseline');
  const noPig = f.bool('no-pig');
  const pinnIterations = f.num('pinn-iterations');
  f.checkAllUsed();
  await mkdir(out, { recursive: true });
  const t0 = performance.now();
  const runs: ReturnType<typeof summary>[] = [];
  const figures: { name: string; title: string; caption?: string; svg: string }[] = [];
  const curves: { name: string; points: { iteration: number; relL2: number }[] }[] = [];
  const loadStart = load();
  for (const seed of noPig ? [] : seeds) {
    log(`== PIG seed ${seed}`);
    const r = await runHelmholtz({
      ...base,
      seed,
      model: 'pig',
      modelDir: join(out, `pig-seed${seed}`, 'model'),
    });
    runs.push(summary(r));
    log(JSON.stringify(summary(r)));
    await writeSeed(out, `pig-seed${seed}`, r);
    curves.push({ name: `PIG seed ${seed}`, points: r.records });
    if (seed === seeds[0] && r.overlay) {
      const overlay = r.overlay;
      figures.push({
        name: 'gaussians',
        title: `PIG solution with its ${overlay.mu.length / 2} Gaussians (centres, 1σ ellipses)`,
        caption: `seed ${seed}, relative L2 ${r.relL2.toExponential(2)}`,
        svg: fieldFigure({ xs: r.axis, ys: r.axis, values: r.uPred, title: 'u (PIG)', overlay }),
      });
      const err = r.uPred.map((v, i) => v - r.uRef[i]);
      figures.push({
        name: 'error',
        title: 'Pointwise error u_PIG − u_exact',
        svg: fieldFigure({
          xs: r.axis,
          ys: r.axis,
          values: err,
          title: 'error',
          scheme: 'blueorange',
          symmetric: true,
        }),
      });
    }
  }
  if (!noBaseline) {
    log('== PINN baseline');
    const r = await runHelmholtz({
      ...base,
      seed: seeds[0],
      model: 'pinn',
      modelDir: join(out, `pinn-seed${seeds[0]}`, 'model'),
      iterations: pinnIterations ?? base.iterations,
    });
    runs.push(summary(r));
    log(JSON.stringify(summary(r)));
    await writeSeed(out, `pinn-seed${seeds[0]}`, r);
    curves.push({ name: 'PINN', points: r.records });
    figures.push({
      name: 'pinn',
      title: 'PINN baseline solution',
      caption: `relative L2 ${r.relL2.toExponential(2)}`,
      svg: fieldFigure({ xs: r.axis, ys: r.axis, values: r.uPred, title: 'u (PINN)' }),
    });
  }
  figures.push({
    name: 'curves',
    title: 'Relative L2 error during training (101 × 101 grid)',
    svg: await errorCurves(curves, 'Helmholtz: relative L2 vs iteration'),
  });
  const pigRuns = runs.filter((r) => r.model === 'pig');
  const stats = meanStd(pigRuns.map((r) => r.relL2));
  const metrics = {
    problem: 'helmholtz',
    runs,
    pig: pigRuns.length ? { relL2Mean: stats.mean, relL2Std: stats.std, seeds: pigRuns.length } : null,
    bounds: { relL2: 1e-4, relL2At1000: 1.2e-2 },
    wallSeconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
    loadAverage: { start: loadStart, end: load() },
    options: { ...base, log: undefined },
    tfjs: tf.version.tfjs,
    backend: tf.getBackend(),
  };
  await writeFile(join(out, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  await writeReport({
    dir: out,
    title: 'PIG — 2-D Helmholtz',
    metrics: runs.flatMap((r) => [
      [`${r.model} seed ${r.seed}: relative L2`, r.relL2.toExponential(3)],
      [`${r.model} seed ${r.seed}: relative L2 at 1000 it`, r.relL2At1000?.toExponential(3) ?? 'n/a'],
      [`${r.model} seed ${r.seed}: iterations / s per it`, `${r.iterations} / ${r.secondsPerIteration}`],
    ]),
    figures,
    config: metrics.options,
  });
  log(JSON.stringify({ out, pig: metrics.pig, wallSeconds: metrics.wallSeconds, load: metrics.loadAverage }));
}

function meanStd(v: number[]): { mean: number; std: number } {
  if (v.length === 0) return { mean: Number.NaN, std: Number.NaN };
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  return { mean, std };
}

async function writeSeed(out: string, name: string, r: HelmholtzResult): Promise<void> {
  const dir = join(out, name);
  await mkdir(dir, { recursive: true });
  const n = r.axis.length;
  await saveArrays(dir, {
    axis: { data: r.axis, shape: [n] },
    u_pred: { data: r.uPred, shape: [n, n] },
    u_ref: { data: r.uRef, shape: [n, n] },
  });
  await writeFile(join(dir, 'history.json'), `${JSON.stringify(r.records)}\n`);
}

/** `--sigma sx,sy,st` of the (2+1)-D commands. */
function sigma3(v: number[] | undefined): [number, number, number] | undefined {
  if (v === undefined) return undefined;
  if (v.length !== 3 || v.some((s) => !(s > 0)))
    throw new Error(`pig: '--sigma' needs three positive numbers sx,sy,st, got ${v.join(',')}`);
  return [v[0], v[1], v[2]];
}

async function spaceTimeCommand(f: Flags, name: 'klein-gordon' | 'flow-mixing'): Promise<void> {
  const out = f.str('out') ?? `runs/pig-${name}`;
  const kase = name === 'klein-gordon' ? KLEIN_GORDON : FLOW_MIXING;
  const seed = f.num('seed') ?? 0;
  const optimizer = f.str('optimizer') ?? kase.optimizer;
  if (optimizer !== 'lbfgs' && optimizer !== 'adam')
    throw new Error(`pig: '--optimizer' must be 'lbfgs' or 'adam', got '${optimizer}'`);
  const options = {
    optimizer,
    iterations: f.num('iterations'),
    roundIterations: f.num('round'),
    gaussians: f.num('gaussians'),
    points: f.num('points'),
    lr: f.num('lr'),
    history: f.num('history'),
    cold: f.bool('cold'),
    sigma: sigma3(f.list('sigma')),
    cutoff: f.num('cutoff'),
    threads: f.num('threads'),
    residualWeight: f.num('residual-weight'),
    conditionWeight: f.num('condition-weight'),
    initialPoints: f.num('initial'),
    boundaryPoints: f.num('boundary'),
    meanMargin: f.num('mean-margin'),
    coreGaussians: f.num('core'),
    radK: f.num('rad-k'),
    radPool: f.num('rad-pool'),
    sampler: sampler(f.str('sampler')),
    averageLast: f.num('average'),
    meanSampler: sampler(f.str('mean-sampler'), 'mean-sampler'),
    timeBudgetSeconds: f.num('time-budget'),
    seed,
    log,
  } as const;
  const baseline = f.bool('baseline');
  f.checkAllUsed();
  await mkdir(out, { recursive: true });
  const t0 = performance.now();
  const loadStart = load();
  const runs: ReturnType<typeof summary>[] = [];
  const figures: { name: string; title: string; caption?: string; svg: string }[] = [];
  const curves: { name: string; points: { iteration: number; relL2: number }[] }[] = [];
  for (const model of baseline ? (['pig', 'pinn'] as const) : (['pig'] as const)) {
    log(`== ${model.toUpperCase()} seed ${seed}`);
    const r = await runSpaceTime(kase, {
      ...options,
      model,
      modelDir: join(out, `${model}-seed${seed}`, 'model'),
    });
    runs.push(summary(r));
    log(JSON.stringify(summary(r)));
    curves.push({ name: model.toUpperCase(), points: r.records });
    const dir = join(out, `${model}-seed${seed}`);
    const n = r.axis.length;
    await saveArrays(dir, {
      axis: { data: r.axis, shape: [n] },
      u_pred_t10: { data: r.slicePred, shape: [n, n] },
      u_ref_t10: { data: r.sliceRef, shape: [n, n] },
    });
    await writeFile(join(dir, 'history.json'), `${JSON.stringify(r.records)}\n`);
    figures.push({
      name: `${model}-t10`,
      title: `${model.toUpperCase()} solution at the final time${r.overlay ? ' with the Gaussians projected on (x, y)' : ''}`,
      caption: `relative L2 over the 50³ grid ${r.relL2.toExponential(2)}`,
      svg: fieldFigure({
        xs: r.axis,
        ys: r.axis,
        values: r.slicePred,
        title: `u(x, y, t_end) (${model.toUpperCase()})`,
        overlay: r.overlay ?? undefined,
      }),
    });
  }
  figures.push({
    name: 'curves',
    title: 'Relative L2 error during training (50³ grid)',
    svg: await errorCurves(curves, `${name}: relative L2 vs iteration`),
  });
  const metrics = {
    problem: name,
    runs,
    bounds: { relL2: name === 'klein-gordon' ? 5e-3 : 1e-3 },
    wallSeconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
    loadAverage: { start: loadStart, end: load() },
    options: { ...options, log: undefined },
    tfjs: tf.version.tfjs,
    backend: tf.getBackend(),
  };
  await writeFile(join(out, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  await writeReport({
    dir: out,
    title: `PIG — (2+1)-D ${name}`,
    metrics: runs.flatMap((r) => [
      [`${r.model}: relative L2`, r.relL2.toExponential(3)],
      [
        `${r.model}: iterations / s per it (cpu s per it)`,
        `${r.iterations} / ${r.secondsPerIteration} (${r.cpuSecondsPerIteration})`,
      ],
    ]),
    figures,
    config: metrics.options,
  });
  log(JSON.stringify({ out, runs, wallSeconds: metrics.wallSeconds, load: metrics.loadAverage }));
}

/** Helmholtz variants with one seed and one budget: learned vs fixed means, or G sweep. */
async function variantsCommand(f: Flags, kind: 'ablation' | 'sweep'): Promise<void> {
  const out = f.str('out') ?? `runs/pig-helmholtz-${kind}`;
  const seed = f.num('seed') ?? 0;
  const base = helmholtzOptions(f);
  const sizes = f.list('sizes') ?? [100, 200, 400, 800];
  f.checkAllUsed();
  await mkdir(out, { recursive: true });
  const loadStart = load();
  const t0 = performance.now();
  const variants: { name: string; options: HelmholtzOptions }[] =
    kind === 'ablation'
      ? [
          { name: 'learned means', options: { ...base, learnMeans: true } },
          { name: 'fixed means', options: { ...base, learnMeans: false } },
        ]
      : sizes.map((g) => ({ name: `G = ${g}`, options: { ...base, gaussians: g } }));
  const rows: (ReturnType<typeof summary> & { variant: string })[] = [];
  const curves: { name: string; points: { iteration: number; relL2: number }[] }[] = [];
  for (const v of variants) {
    log(`== ${v.name}`);
    const r = await runHelmholtz({ ...v.options, seed, model: 'pig' });
    rows.push({ variant: v.name, ...summary(r) });
    log(JSON.stringify(rows.at(-1)));
    curves.push({ name: v.name, points: r.records });
  }
  const figures = [
    {
      name: 'curves',
      title: 'Relative L2 error during training',
      svg: await errorCurves(curves, `Helmholtz ${kind}`),
    },
  ];
  const metrics = {
    problem: `helmholtz-${kind}`,
    rows,
    wallSeconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
    loadAverage: { start: loadStart, end: load() },
    options: { ...base, log: undefined },
  };
  await writeFile(join(out, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  await writeReport({
    dir: out,
    title: `PIG — Helmholtz ${kind}`,
    metrics: rows.map((r) => [
      r.variant,
      `relL2 ${r.relL2.toExponential(3)}, ${r.iterations} it, ${r.secondsPerIteration} s/it (cpu ${r.cpuSecondsPerIteration})`,
    ]),
    figures,
    config: metrics.options,
  });
  log(JSON.stringify({ out, rows: rows.map((r) => [r.variant, r.relL2]) }));
}
