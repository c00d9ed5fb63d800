/**
 * The hcmoe command: data → the three variants (soft, hard with 1 expert, hard with 4 experts)
 * → test relative L2 table → timing of a training step and of inference against the number of
 * constraint points (1 vs 4 experts, 1 vs 2 workers) → figures and metrics.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fieldHeatmaps, lossCurves, PLOT_CONFIG, Rng, renderSvg } from '@pinnate/core';
import { SolverPool } from '@pinnate/pinn';
import * as tf from '@tensorflow/tfjs';
import {
  type ConstraintConfig,
  type ConstraintForm,
  type DataConfig,
  DsModel,
  type EvalResult,
  type ExpertConditions,
  type ExpertSplit,
  evaluate,
  GridOps,
  type IcWeight,
  type ModelConfig,
  makeData,
  pdeLoss,
  referenceResidual,
  T_END,
  type TrainConfig,
  type TrainRecord,
  type TrainResidual,
  train,
  type Variant,
} from './ds.ts';

export interface HcmoeOptions {
  readonly out: string;
  readonly data: DataConfig;
  readonly model: ModelConfig;
  readonly train: TrainConfig;
  readonly pointsPerExpert: number;
  readonly experts: number;
  readonly ridge: number;
  /** Weight of the PDE rows in the constraint solve (default 1/T: physical units). */
  readonly pdeWeight: number;
  /** IC rows of the constraint: u − c ('unit') or (u − c)/c ('paper', the paper code's). */
  readonly icWeight: IcWeight;
  /** Condition rows per expert: all ('shared', the paper code's), its own slab's ('local'), or its slab's IC and both boundaries ('ic-local'). */
  readonly conditions: ExpertConditions;
  /** 'lsq': the paper's overdetermined rows; 'ansatz': conditions in the ansatz, PDE rows alone. */
  readonly form: ConstraintForm;
  /** Half-width in cells of the blend between neighbouring experts (0: the paper's hard switch). */
  readonly blend?: number;
  /** Axis the experts split: 'x' (the paper's) or 't' (windows in time). */
  readonly split?: ExpertSplit;
  /** Derivatives of the training loss's residual: FD of the assembled field ('grid', the paper code's) or each point's expert's ('expert'). */
  readonly trainResidual?: TrainResidual;
  readonly lmMaxIter: number;
  /**
   * Independent trainings per variant (model init and minibatch/point draws seeded
   * train.seed + i, the same data): the spread of the test mean across seeds is what an
   * ordering of two variants has to beat.
   */
  readonly seeds: number;
  readonly variants: readonly Variant[];
  /** Worker lanes for training and evaluation. */
  readonly workers: number;
  /** Timing: total constraint points, worker counts, grid, batch, repeats; empty: skip. */
  readonly benchPoints: readonly number[];
  readonly benchWorkers: readonly number[];
  readonly benchGrid: readonly [number, number];
  readonly benchBatch: number;
  readonly benchRepeats: number;
  readonly evalBatch: number;
  /**
   * Also write the test predictions (fields_<variant>_s<seed>.f32, [test, nt, nx] float32) and
   * the reference (fields_reference.f64) for analysis outside the command.
   */
  readonly saveFields?: boolean;
  /**
   * After training a hard-constraint variant, also evaluate its trained basis with the other
   * expert count (1 ↔ experts): the same basis solved by one or by K constraint problems, which
   * separates what the experts' solves do from what training did.
   */
  readonly crossEval?: boolean;
}

/**
 * The default run (see docs/hcmoe.md for what it costs): 51 × 128 grid, 1000 steps, 2 seeds per
 * variant; each expert fits its support's IC cells and both boundaries' rows, neighbouring
 * experts blended over ±16 cells — the setting where soft ≫ hard > MoE holds with the experts
 * doing the work. `conditions: 'shared', blend: 0` is the paper code's router (every expert every
 * condition row; there the experts return one expert's answer).
 */
export const FULL: Omit<HcmoeOptions, 'out'> = {
  data: { nx: 128, nt: 51, fine: 4, solverSteps: 500, train: 100, test: 50, seed: 0 },
  model: { basis: 16, width: 12, modes: 6, layers: 3, projection: 32, padding: 4, seed: 0 },
  train: {
    steps: 1000,
    batch: 4,
    lr: 3e-3,
    decayEvery: 333,
    clip: 1,
    seed: 0,
    timeBudget: 0,
    loss: 'paper',
  },
  pointsPerExpert: 160,
  experts: 4,
  ridge: 1e-4,
  pdeWeight: 1 / 500,
  icWeight: 'unit',
  conditions: 'ic-local',
  blend: 16,
  form: 'lsq',
  lmMaxIter: 100,
  seeds: 2,
  variants: ['soft', 'hard', 'moe'],
  workers: 1,
  benchPoints: [100, 1000, 10000],
  benchWorkers: [1, 2],
  benchGrid: [101, 128],
  benchBatch: 2,
  benchRepeats: 2,
  evalBatch: 10,
  crossEval: true,
};

/** A seconds-long smoke run of every path (used by the test). */
export const QUICK: Omit<HcmoeOptions, 'out'> = {
  ...FULL,
  data: { nx: 16, nt: 11, fine: 2, solverSteps: 100, train: 8, test: 4, seed: 0 },
  model: { basis: 4, width: 4, modes: 2, layers: 1, projection: 8, padding: 0, seed: 0 },
  train: { ...FULL.train, steps: 3, batch: 2, decayEvery: 100, timeBudget: 0 },
  pointsPerExpert: 16,
  // 16 cells and 4 experts leave room for a blend of ±1 cell (the boundary cells stay one expert's).
  blend: 1,
  seeds: 2,
  benchPoints: [40],
  benchGrid: [11, 16],
  benchRepeats: 1,
  evalBatch: 2,
};

/** Mean, max and median (upper middle) of a sample; NaN for an empty one. */
export const stats = (xs: readonly number[]) => {
  if (xs.length === 0) return { mean: Number.NaN, max: Number.NaN, median: Number.NaN };
  const s = [...xs].sort((a, b) => a - b);
  return {
    mean: xs.reduce((a, b) => a + b, 0) / xs.length,
    max: s[s.length - 1],
    median: s[Math.floor(s.length / 2)],
  };
};

interface VariantResult {
  readonly variant: Variant;
  readonly experts: number;
  /** The replicate's seed, train.seed + i (model init, minibatches and points; the data keep data.seed). */
  readonly seed: number;
  readonly train: Omit<TrainRecord, 'loss' | 'pde' | 'stepMs'> & { msPerStep: number; finalLoss: number };
  readonly test: Omit<EvalResult, 'u' | 'relL2'> & { relL2: number[] };
  readonly u: Float32Array;
  readonly loss: number[];
  /** `crossEval`: the same trained basis solved with the other expert count. */
  readonly cross?: {
    readonly experts: number;
    readonly mean: number;
    readonly std: number;
    readonly relL2: number[];
  };
}

export interface BenchRow {
  readonly points: number;
  readonly experts: number;
  readonly workers: number;
  readonly trainStepMs: number;
  readonly trainStepCpuMs: number;
  readonly inferMs: number;
  readonly inferCpuMs: number;
  /** Float64 solve and implicit backward alone (median). */
  readonly solveMs: number;
  readonly adjointMs: number;
  readonly lmIterations: number;
  readonly load1: number;
}

/** The constraint of a hard / MoE model with `experts` experts under the command's options. */
function constraintOf(
  o: HcmoeOptions,
  experts: number,
  pointsPerExpert: number,
  pool: SolverPool,
): ConstraintConfig {
  return {
    experts,
    pointsPerExpert,
    ridge: o.ridge,
    pdeWeight: o.pdeWeight,
    icWeight: o.icWeight,
    conditions: o.conditions,
    form: o.form,
    blend: o.blend,
    split: o.split,
    trainResidual: o.trainResidual,
    lm: { maxIter: o.lmMaxIter },
    pool,
  };
}

export async function runHcmoe(
  o: HcmoeOptions,
  log: (m: string) => void = console.log,
): Promise<{
  results: VariantResult[];
  bench: BenchRow[];
}> {
  if (!Number.isInteger(o.seeds) || o.seeds < 1)
    throw new Error(`hcmoe: 'seeds' must be a positive integer, got ${o.seeds}`);
  await mkdir(o.out, { recursive: true });
  const load0 = loadavg()[0];
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  log(
    `hcmoe: data ${o.data.train} train + ${o.data.test} test trajectories on ${o.data.nt} × ${o.data.nx} (solver ${o.data.nx * o.data.fine} cells, ${o.data.solverSteps} steps)`,
  );
  const data = makeData(o.data);
  const dataS = (performance.now() - t0) / 1000;
  log(`hcmoe: data in ${dataS.toFixed(1)} s`);
  const ops = new GridOps(o.data.nx, o.data.nt);
  const refResidual = referenceResidual(ops, data);
  log(
    `hcmoe: FD residual of the reference test solutions: rms ${refResidual.rmsTau.toExponential(2)} (τ units, τ > 0), paper-form ‖r‖₂ per trajectory ${refResidual.paperNorm.toExponential(2)} (physical units, whole grid)`,
  );
  const pool = await SolverPool.start({ workers: o.workers });
  const results: VariantResult[] = [];
  try {
    // Seeds outside, variants inside: each completed seed is a full soft/hard/MoE comparison.
    for (let i = 0; i < o.seeds; i++) {
      for (const variant of o.variants) {
        const experts = variant === 'moe' ? o.experts : 1;
        const before = tf.memory().numTensors;
        const model = new DsModel(
          variant,
          { ...o.model, seed: o.model.seed + i },
          constraintOf(o, experts, o.pointsPerExpert, pool),
        );
        const tag = `${variant} seed ${o.train.seed + i}`;
        const rec = train(model, ops, data, { ...o.train, seed: o.train.seed + i }, log);
        const ev = evaluate(model, ops, data, o.evalBatch, o.train.seed + 1000 + i);
        const st = stats(rec.stepMs.slice(1));
        let cross: VariantResult['cross'];
        if (o.crossEval && variant !== 'soft') {
          const k2 = experts === 1 ? o.experts : 1;
          const other = new DsModel(
            k2 === 1 ? 'hard' : 'moe',
            { ...o.model, seed: o.model.seed + i },
            constraintOf(o, k2, o.pointsPerExpert, pool),
          );
          const trained = model.variables();
          other.variables().forEach((v, j) => {
            v.assign(trained[j]);
          });
          const ce = evaluate(other, ops, data, o.evalBatch, o.train.seed + 1000 + i);
          cross = { experts: k2, mean: ce.mean, std: ce.std, relL2: ce.relL2 };
          log(
            `${tag}: its trained basis solved with K = ${k2}: test relL2 ${(100 * ce.mean).toFixed(2)} ± ${(100 * ce.std).toFixed(2)} % (K = ${experts}: ${(100 * ev.mean).toFixed(2)} %)`,
          );
          other.dispose();
        }
        results.push({
          cross,
          variant,
          experts: variant === 'soft' ? 0 : experts,
          seed: o.train.seed + i,
          train: {
            steps: rec.steps,
            wallS: rec.wallS,
            cpuS: rec.cpuS,
            msPerStep: st.median,
            finalLoss: rec.loss[rec.loss.length - 1],
          },
          test: { ...ev, u: undefined, relL2: ev.relL2 } as never,
          u: ev.u,
          loss: rec.loss,
        });
        const r = stats(ev.residualRms);
        log(
          `${tag}: test relL2 ${(100 * ev.mean).toFixed(2)} ± ${(100 * ev.std).toFixed(2)} %` +
            (model.moe
              ? `; after solve: raw PDE residual at the constraint points rms ${r.mean.toExponential(2)} τ units = ${(r.mean / T_END).toExponential(2)} physical (max ${(stats(ev.residualMax).max / T_END).toExponential(2)} physical), conditions rms ${stats(ev.conditionRms).mean.toExponential(2)}, LM its ${stats(ev.lmIterations).mean.toFixed(1)}, LM exit ‖Jᵀr‖∞ max ${stats(ev.lmGradNorm).max.toExponential(2)}, objective ½‖r‖² mean ${stats(ev.lmCost).mean.toExponential(2)}; paper's stop test (rtol = atol = 1e-4) step ratio max ${stats(ev.paperStepRatio).max.toExponential(2)}, cost ratio max ${stats(ev.paperCostRatio).max.toExponential(2)} (< 1: met); LM stopped by ${JSON.stringify(tally(ev.lmReason))}`
              : '') +
            `; ${rec.steps} steps, ${st.median.toFixed(0)} ms/step, wall ${rec.wallS.toFixed(1)} s, cpu ${rec.cpuS.toFixed(1)} s`,
        );
        model.dispose();
        log(`${tag}: tensors left after dispose: ${tf.memory().numTensors - before}`);
      }
    }
  } finally {
    await pool.close();
  }
  const bench = o.benchPoints.length > 0 ? await runBench(o, log) : [];
  await writeOutputs(o, data, results, bench, {
    wallS: (performance.now() - t0) / 1000,
    cpuS: ((u) => (u.user + u.system) / 1e6)(process.cpuUsage(cpu0)),
    load1Start: load0,
    load1End: loadavg()[0],
    dataS,
    refRmsTau: refResidual.rmsTau,
    refPaperNorm: refResidual.paperNorm,
  });
  ops.dispose();
  return { results, bench };
}

/**
 * Per-step and per-inference time on a bench grid (FNO untrained: the basis quality changes LM
 * iteration counts, reported beside). Total constraint points m are split evenly over experts.
 */
async function runBench(o: HcmoeOptions, log: (m: string) => void): Promise<BenchRow[]> {
  const [nt, nx] = o.benchGrid;
  const ops = new GridOps(nx, nt);
  const rows: BenchRow[] = [];
  const c = Float64Array.from(
    { length: o.benchBatch },
    (_, i) => 0.05 + (0.1 * i) / Math.max(1, o.benchBatch),
  );
  for (const workers of o.benchWorkers) {
    const pool = await SolverPool.start({ workers });
    try {
      for (const points of o.benchPoints) {
        for (const experts of [1, o.experts]) {
          const per = Math.floor(points / experts);
          const model = new DsModel(
            experts === 1 ? 'hard' : 'moe',
            o.model,
            constraintOf(o, experts, per, pool),
          );
          const rng = new Rng(7);
          const vars = model.variables();
          const trainMs: number[] = [];
          const trainCpu: number[] = [];
          const inferMs: number[] = [];
          const inferCpu: number[] = [];
          const solveMs: number[] = [];
          const adjMs: number[] = [];
          const its: number[] = [];
          for (let r = 0; r <= o.benchRepeats; r++) {
            const sample = model.samplePoints(ops, rng);
            let c0 = process.cpuUsage();
            let w0 = performance.now();
            const { value, grads } = tf.variableGrads(
              () => pdeLoss(ops, model.forward(ops, c, sample)),
              vars,
            );
            value.dataSync();
            tf.dispose([value, ...Object.values(grads)]);
            const tw = performance.now() - w0;
            const tc = process.cpuUsage(c0);
            const constraint = (model.moe as NonNullable<typeof model.moe>).constraint;
            const sm = constraint.timing.solveMs;
            const am = constraint.timing.adjointMs;
            its.push(stats(constraint.lastSolve.map((s) => s.iterations)).mean);
            c0 = process.cpuUsage();
            w0 = performance.now();
            const u = model.forward(ops, c, sample);
            u.dataSync();
            u.dispose();
            const iw = performance.now() - w0;
            const ic = process.cpuUsage(c0);
            if (r === 0) continue; // warm-up
            trainMs.push(tw);
            trainCpu.push((tc.user + tc.system) / 1000);
            inferMs.push(iw);
            inferCpu.push((ic.user + ic.system) / 1000);
            solveMs.push(sm);
            adjMs.push(am);
          }
          const row: BenchRow = {
            points: per * experts,
            experts,
            workers,
            trainStepMs: stats(trainMs).median,
            trainStepCpuMs: stats(trainCpu).median,
            inferMs: stats(inferMs).median,
            inferCpuMs: stats(inferCpu).median,
            solveMs: stats(solveMs).median,
            adjointMs: stats(adjMs).median,
            lmIterations: stats(its).mean,
            load1: loadavg()[0],
          };
          rows.push(row);
          log(
            `bench m=${row.points} K=${experts} W=${workers}: train step ${row.trainStepMs.toFixed(0)} ms (cpu ${row.trainStepCpuMs.toFixed(0)}), inference ${row.inferMs.toFixed(0)} ms (cpu ${row.inferCpuMs.toFixed(0)}); solve ${row.solveMs.toFixed(0)} ms, backward ${row.adjointMs.toFixed(0)} ms, LM its ${row.lmIterations.toFixed(1)}; load ${row.load1.toFixed(2)}`,
          );
          model.dispose();
        }
      }
    } finally {
      await pool.close();
    }
  }
  ops.dispose();
  return rows;
}

async function writeOutputs(
  o: HcmoeOptions,
  data: ReturnType<typeof makeData>,
  results: VariantResult[],
  bench: BenchRow[],
  run: Record<string, number>,
): Promise<void> {
  const G = data.nt * data.nx;
  // The test trajectory shown: the median initial constant.
  const order = Array.from(data.cTest, (c, i) => [c, i] as const).sort((a, b) => a[0] - b[0]);
  const shown = order[Math.floor(order.length / 2)][1];
  const ref = data.uTest.subarray(shown * G, (shown + 1) * G);
  const tAxis = { name: 't', values: data.t };
  const xAxis = { name: 'x', values: data.x };
  // fieldHeatmaps wants [a, b] row-major with a horizontal: put t horizontal, x vertical.
  const toTx = (v: ArrayLike<number>) => {
    const out = new Float64Array(G);
    for (let s = 0; s < data.nt; s++)
      for (let j = 0; j < data.nx; j++) out[s * data.nx + j] = v[s * data.nx + j];
    return out;
  };
  // Figures from the first replicate of each variant.
  const first = results.filter((r) => r.seed === o.train.seed);
  for (const r of first) {
    const pred = r.u.subarray(shown * G, (shown + 1) * G);
    const spec = fieldHeatmaps({
      a: tAxis,
      b: xAxis,
      prediction: toTx(pred),
      reference: toTx(ref),
      label: `${r.variant} (relL2 ${(100 * r.test.relL2[shown]).toFixed(2)} %)`,
      title: `diffusion–sorption, test trajectory c = ${data.cTest[shown].toFixed(4)}: ${r.variant}`,
    });
    await writeFile(join(o.out, `field_${r.variant}.svg`), await renderSvg(spec, `field_${r.variant}`));
  }
  if (first.length > 0) {
    await writeFile(
      join(o.out, 'profiles.svg'),
      await renderSvg(profilesSpec(data, ref, first, shown), 'profiles'),
    );
  }
  if (results.length > 0) {
    const terms: Record<string, number[]> = {};
    for (const r of first) terms[r.variant] = r.loss;
    await writeFile(
      join(o.out, 'loss.svg'),
      await renderSvg(
        lossCurves({
          terms,
          title:
            o.train.loss === 'paper'
              ? 'training loss (all variants: ‖PDE residual‖ + relative IC + ‖BC‖, paper form)'
              : 'training loss (hard/moe: PDE residual; soft: + IC + BC)',
        }),
        'loss',
      ),
    );
  }
  const metrics = {
    paper: { soft: 0.8593, hard: 0.0755, moe: 0.036 },
    options: { ...o, out: undefined },
    run,
    referenceResidual:
      run.refRmsTau === undefined ? undefined : { rmsTau: run.refRmsTau, paperNorm: run.refPaperNorm },
    shownTrajectory: shown,
    summary: summarise(results),
    variants: results.map((r) => ({
      variant: r.variant,
      experts: r.experts,
      seed: r.seed,
      train: r.train,
      // The same trained basis solved with the other expert count (`crossEval`), per trajectory.
      cross: r.cross,
      test: {
        relL2Mean: r.test.mean,
        relL2Std: r.test.std,
        relL2: r.test.relL2,
        residualRmsMean: stats(r.test.residualRms).mean,
        residualMaxMax: stats(r.test.residualMax).max,
        conditionRmsMean: stats(r.test.conditionRms).mean,
        lmIterationsMean: stats(r.test.lmIterations).mean,
        lmGradNormMax: stats(r.test.lmGradNorm).max,
        lmCostMean: stats(r.test.lmCost).mean,
        paperStepRatioMax: stats(r.test.paperStepRatio).max,
        paperCostRatioMax: stats(r.test.paperCostRatio).max,
        paperStopMet: r.test.paperStepRatio.filter((x, j) => x < 1 && r.test.paperCostRatio[j] < 1).length,
        solves: r.test.paperStepRatio.length,
        // Which stopping rule ended the solves (and which rule ended those that miss the paper's test).
        lmReasons: tally(r.test.lmReason),
        lmReasonsPaperMissed: tally(
          r.test.lmReason.filter((_, j) => !(r.test.paperStepRatio[j] < 1 && r.test.paperCostRatio[j] < 1)),
        ),
        inferMsPerBatch: stats(r.test.inferMs).median,
      },
    })),
    bench,
  };
  await writeFile(join(o.out, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  if (o.saveFields) {
    await writeFile(join(o.out, 'fields_reference.f64'), new Uint8Array(data.uTest.buffer));
    for (const r of results)
      await writeFile(join(o.out, `fields_${r.variant}_s${r.seed}.f32`), new Uint8Array(r.u.buffer));
  }
  const pct = (x: number) => (100 * x).toFixed(2);
  const sum = metrics.summary;
  const lines = [
    `Test relative L2 over ${data.cTest.length} test trajectories per run; ${o.seeds} seed(s) per variant (mean ± std of the per-seed means).`,
    '',
    '| variant | test relL2, mean over seeds ± std across seeds | per seed (mean ± std over trajectories) | paper |',
    '| --- | --- | --- | --- |',
    ...sum.variants.map(
      (v) =>
        `| ${v.variant}${v.experts > 0 ? ` (K=${v.experts})` : ''} | ${pct(v.mean)}${v.perSeed.length > 1 ? ` ± ${pct(v.stdAcrossSeeds)}` : ''} % | ${v.perSeed.map((x) => `${pct(x.mean)} ± ${pct(x.std)}`).join('; ')} % | ${pct(metrics.paper[v.variant])} % |`,
    ),
  ];
  if (sum.hardMinusMoe) {
    const d = sum.hardMinusMoe;
    lines.push(
      '',
      `hard − MoE per seed (same init seed and data): ${d.perSeed.map(pct).join(', ')} points; mean ${pct(d.mean)} ± ${pct(d.std)} (std across seeds); MoE better in ${d.moeBetter} of ${d.perSeed.length} seeds.`,
    );
  }
  lines.push(
    '',
    '| run | test relL2 | raw PDE residual rms at the constraint points after the solve (τ units; physical = ÷ 500) | max | conditions rms | LM its | LM exit ‖Jᵀr‖∞ (max) | paper stop test met (rtol = atol = 1e-4), solves | steps | ms/step | wall s | cpu s |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...results.map((r, j) => {
      const m = metrics.variants[j].test;
      const hard = r.variant !== 'soft';
      const h = (x: string) => (hard ? x : '–');
      return `| ${r.variant}${hard ? ` (K=${r.experts})` : ''} seed ${r.seed} | ${pct(r.test.mean)} ± ${pct(r.test.std)} % | ${h(m.residualRmsMean.toExponential(2))} | ${h(m.residualMaxMax.toExponential(2))} | ${h(m.conditionRmsMean.toExponential(2))} | ${h(m.lmIterationsMean.toFixed(1))} | ${h(m.lmGradNormMax.toExponential(1))} | ${h(`${m.paperStopMet} / ${m.solves}`)} | ${r.train.steps} | ${r.train.msPerStep.toFixed(0)} | ${r.train.wallS.toFixed(0)} | ${r.train.cpuS.toFixed(0)} |`;
    }),
  );
  const crossed = results.filter((r) => r.cross);
  if (crossed.length > 0) {
    lines.push(
      '',
      "Each trained basis solved with 1 and with K experts at inference (`--cross-eval`): what the experts' solves change for a fixed basis.",
      '',
      '| trained as | seed | solved with 1 expert | solved with K experts | 1 − K (points) | K better on (trajectories) |',
      '| --- | --- | --- | --- | --- | --- |',
      ...crossed.map((r) => {
        const c = r.cross as NonNullable<VariantResult['cross']>;
        const one = r.experts === 1 ? r.test : c;
        const many = r.experts === 1 ? c : r.test;
        const better = one.relL2.filter((x, t) => many.relL2[t] < x).length;
        return `| ${r.variant} (K=${r.experts}) | ${r.seed} | ${pct(one.mean)} ± ${pct(one.std)} % | ${pct(many.mean)} ± ${pct(many.std)} % | ${pct(one.mean - many.mean)} | ${better} / ${one.relL2.length} |`;
      }),
    );
  }
  if (bench.length > 0) {
    lines.push(
      '',
      '| points m | experts K | workers W | train step ms (cpu ms) | inference ms (cpu ms) | LM solve ms | IFT backward ms | LM its | load |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...bench.map(
        (b) =>
          `| ${b.points} | ${b.experts} | ${b.workers} | ${b.trainStepMs.toFixed(0)} (${b.trainStepCpuMs.toFixed(0)}) | ${b.inferMs.toFixed(0)} (${b.inferCpuMs.toFixed(0)}) | ${b.solveMs.toFixed(0)} | ${b.adjointMs.toFixed(0)} | ${b.lmIterations.toFixed(1)} | ${b.load1.toFixed(2)} |`,
      ),
    );
  }
  lines.push(
    '',
    `run: wall ${run.wallS.toFixed(0)} s, cpu ${run.cpuS.toFixed(0)} s, load ${run.load1Start.toFixed(2)} → ${run.load1End.toFixed(2)}`,
  );
  await writeFile(join(o.out, 'results.md'), `${lines.join('\n')}\n`);
}

/** Per variant: the per-seed test means, their mean and spread; hard − MoE paired by seed. */
function summarise(results: readonly VariantResult[]) {
  const meanStd = (xs: readonly number[]) => {
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
    return { mean, std };
  };
  const variants = [...new Set(results.map((r) => r.variant))].map((variant) => {
    const rs = results.filter((r) => r.variant === variant).sort((a, b) => a.seed - b.seed);
    const { mean, std } = meanStd(rs.map((r) => r.test.mean));
    return {
      variant,
      experts: rs[0].experts,
      mean,
      /** Sample std (n − 1) of the per-seed means; 0 with one seed. */
      stdAcrossSeeds: rs.length > 1 ? std : 0,
      perSeed: rs.map((r) => ({ seed: r.seed, mean: r.test.mean, std: r.test.std })),
    };
  });
  const hard = variants.find((v) => v.variant === 'hard');
  const moe = variants.find((v) => v.variant === 'moe');
  let hardMinusMoe: { perSeed: number[]; mean: number; std: number; moeBetter: number } | undefined;
  if (hard && moe && hard.perSeed.length === moe.perSeed.length) {
    const perSeed = hard.perSeed.map((h, i) => h.mean - moe.perSeed[i].mean);
    const { mean, std } = meanStd(perSeed);
    hardMinusMoe = {
      perSeed,
      mean,
      std: perSeed.length > 1 ? std : 0,
      moeBetter: perSeed.filter((d) => d > 0).length,
    };
  }
  return { variants, hardMinusMoe };
}

/**
 * The three variants on one test trajectory: u(x) at three times (early, middle, final) with
 * the reference, one panel per time, so soft / hard / MoE are compared on the same axes.
 */
function profilesSpec(
  data: ReturnType<typeof makeData>,
  ref: Float64Array,
  first: readonly VariantResult[],
  shown: number,
): Parameters<typeof renderSvg>[0] {
  const G = data.nt * data.nx;
  const times = [Math.max(1, Math.round((data.nt - 1) / 10)), Math.round((data.nt - 1) / 2), data.nt - 1];
  const rows: { t: string; x: number; u: number; kind: string }[] = [];
  const kinds = [
    'reference',
    ...first.map((r) => `${r.variant} (${(100 * r.test.relL2[shown]).toFixed(1)} %)`),
  ];
  for (const s of times) {
    const t = `t = ${data.t[s].toFixed(0)} s`;
    for (let j = 0; j < data.nx; j++) {
      const x = Number(data.x[j].toFixed(4));
      rows.push({ t, x, u: ref[s * data.nx + j], kind: kinds[0] });
      first.forEach((r, k) => {
        rows.push({ t, x, u: r.u[shown * G + s * data.nx + j], kind: kinds[k + 1] });
      });
    }
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `diffusion–sorption, test trajectory c = ${data.cTest[shown].toFixed(4)}: u(x) at three times (relL2 over the whole trajectory)`,
    config: PLOT_CONFIG,
    data: { values: rows },
    facet: {
      column: {
        field: 't',
        type: 'nominal',
        sort: times.map((s) => `t = ${data.t[s].toFixed(0)} s`),
        title: null,
      },
    },
    spec: {
      width: 220,
      height: 180,
      mark: { type: 'line', strokeWidth: 2 },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: 'x' },
        y: { field: 'u', type: 'quantitative', title: 'u' },
        color: {
          field: 'kind',
          type: 'nominal',
          title: null,
          scale: { domain: kinds, range: ['#333', '#e45756', '#4c78a8', '#54a24b'].slice(0, kinds.length) },
        },
        strokeDash: {
          field: 'kind',
          type: 'nominal',
          title: null,
          scale: {
            domain: kinds,
            range: kinds.map((_, k) => (k === 0 ? [5, 3] : k === 3 ? [2, 2] : [1, 0])),
          },
        },
      },
    },
  } as Parameters<typeof renderSvg>[0];
}

/** Counts of each value, e.g. { gtol: 480, xtol: 20 }. */
function tally(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
