/**
 * The hcmoe-ns command: NS data → soft / hard (1 expert) / MoE (2 × 2 experts) trained on the
 * PDE residual → test relative L2, each trained hard / MoE basis also solved with the other
 * expert count → results.md and metrics.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fieldHeatmaps, renderSvg } from '@pinnate/core';
import { SolverPool } from '@pinnate/pinn';
import * as tf from '@tensorflow/tfjs';
import {
  evaluateNs,
  makeNsData,
  type NsConstraintConfig,
  type NsDataConfig,
  NsGridOps,
  NsModel,
  type NsModelConfig,
  type NsTrainConfig,
  type NsVariant,
  nsPaperLoss,
  trainNs,
} from './ns.ts';
import { stats } from './run.ts';

export interface NsOptions {
  readonly out: string;
  readonly data: NsDataConfig;
  readonly model: NsModelConfig;
  readonly train: NsTrainConfig;
  readonly pointsPerExpert: number;
  readonly ridge: number;
  readonly lmMaxIter: number;
  readonly seeds: number;
  readonly variants: readonly NsVariant[];
  readonly evalBatch: number;
}

/** 32² × 17 snapshots over 5 s (paper: 64² × 64, 256² test), 100 / 20 trajectories, 1000 steps (at 300 every variant stays near the initial field's drift, 27–30 %). */
export const NS_FULL: NsOptions = {
  out: 'runs/hcmoe-ns',
  data: { n: 32, fine: 64, nt: 17, solverSteps: 512, train: 100, test: 20, seed: 0, icScale: 5 },
  model: { basis: 16, width: 12, modes: 8, layers: 3, projection: 32, seed: 0 },
  train: { steps: 1000, batch: 2, lr: 3e-3, decayEvery: 333, clip: 1, seed: 0 },
  pointsPerExpert: 200,
  ridge: 1e-4,
  lmMaxIter: 100,
  seeds: 1,
  variants: ['soft', 'hard', 'moe'],
  evalBatch: 4,
};

export const NS_QUICK: NsOptions = {
  ...NS_FULL,
  out: 'runs/hcmoe-ns-quick',
  data: { n: 8, fine: 16, nt: 5, solverSteps: 32, train: 4, test: 2, seed: 0, icScale: 5 },
  model: { basis: 4, width: 4, modes: 2, layers: 1, projection: 8, seed: 0 },
  train: { ...NS_FULL.train, steps: 2 },
  pointsPerExpert: 6,
  lmMaxIter: 30,
};

export interface NsVariantResult {
  readonly variant: NsVariant;
  readonly experts: number;
  readonly seed: number;
  readonly mean: number;
  readonly std: number;
  readonly relL2: number[];
  readonly residualRms: number;
  readonly msPerStep: number;
  readonly cpuS: number;
  readonly finalLoss: number;
  /** The same trained basis solved with the other expert count. */
  readonly cross?: { experts: number; mean: number; std: number };
}

const pct = (x: number) => (100 * x).toFixed(2);

/** Vorticity at t = T of test trajectory 0: prediction, reference, |error| over (x, y). */
async function writeFigure(
  o: NsOptions,
  reference: Float64Array,
  prediction: Float64Array,
  variant: NsVariant,
  relL2: number,
): Promise<void> {
  const { n, nt } = o.data;
  const last = (v: Float64Array) => {
    // fieldHeatmaps wants [a, b] row-major with a horizontal: a = x, b = y.
    const out = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[j * n + i] = v[((nt - 1) * n + i) * n + j];
    return out;
  };
  const values = Float64Array.from({ length: n }, (_, j) => j / n);
  const spec = fieldHeatmaps({
    a: { name: 'x', values },
    b: { name: 'y', values },
    prediction: last(prediction),
    reference: last(reference),
    name: 'ω',
    label: `${variant} (relL2 over the trajectory ${pct(relL2)} %)`,
    title: `Navier–Stokes, test trajectory 0, vorticity at t = 5 s: ${variant}`,
  });
  await writeFile(join(o.out, `field_${variant}.svg`), await renderSvg(spec, `field_${variant}`));
}

export async function runNs(
  o: NsOptions,
  log: (s: string) => void = console.log,
): Promise<NsVariantResult[]> {
  await mkdir(o.out, { recursive: true });
  const t0 = performance.now();
  const data = makeNsData(o.data);
  log(
    `hcmoe-ns: data ${o.data.train} + ${o.data.test} trajectories on ${o.data.n}² × ${o.data.nt} (solver ${o.data.fine}², ${o.data.solverSteps} steps) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const ops = new NsGridOps(o.data.n, o.data.nt);
  // The reference's own residual on this grid: the floor a trained field's residual is read against.
  const refLoss = tf.tidy(() => {
    const ref = tf.tensor5d(Float32Array.from(data.test[0]), [1, o.data.nt, o.data.n, o.data.n, 1]);
    return nsPaperLoss(ops, ref).dataSync()[0];
  });
  log(`hcmoe-ns: paper-form residual norm of test trajectory 0 on this grid: ${refLoss.toExponential(3)}`);
  const pool = SolverPool.inProcess();
  const constraint = (experts: [number, number]): NsConstraintConfig => ({
    experts,
    pointsPerExpert: o.pointsPerExpert,
    ridge: o.ridge,
    lm: { maxIter: o.lmMaxIter },
    pool,
  });
  const split = (v: NsVariant): [number, number] => (v === 'moe' ? [2, 2] : [1, 1]);
  const results: NsVariantResult[] = [];
  for (let i = 0; i < o.seeds; i++) {
    for (const variant of o.variants) {
      const seed = o.train.seed + i;
      const model = new NsModel(
        variant,
        o.data.nt,
        { ...o.model, seed: o.model.seed + i },
        variant === 'soft' ? null : constraint(split(variant)),
      );
      const rec = trainNs(model, ops, data, { ...o.train, seed }, log);
      const ev = evaluateNs(model, ops, data, o.evalBatch, seed + 1000);
      let cross: NsVariantResult['cross'];
      if (variant !== 'soft') {
        const other = new NsModel(
          variant === 'hard' ? 'moe' : 'hard',
          o.data.nt,
          { ...o.model, seed: o.model.seed + i },
          constraint(variant === 'hard' ? [2, 2] : [1, 1]),
        );
        const trained = model.variables();
        other.variables().forEach((v, j) => {
          v.assign(trained[j]);
        });
        const ce = evaluateNs(other, ops, data, o.evalBatch, seed + 1000);
        cross = { experts: variant === 'hard' ? 4 : 1, mean: ce.mean, std: ce.std };
        other.dispose();
      }
      if (i === 0) await writeFigure(o, data.test[0], ev.first, variant, ev.relL2[0]);
      const r: NsVariantResult = {
        variant,
        experts: variant === 'soft' ? 0 : split(variant)[0] * split(variant)[1],
        seed,
        mean: ev.mean,
        std: ev.std,
        relL2: ev.relL2,
        residualRms: ev.residualRms.length
          ? Math.sqrt(ev.residualRms.reduce((a, x) => a + x * x, 0) / ev.residualRms.length)
          : Number.NaN,
        msPerStep: rec.stepMs.length > 1 ? stats(rec.stepMs.slice(1)).median : rec.stepMs[0],
        cpuS: rec.cpuS,
        finalLoss: rec.loss[rec.loss.length - 1],
        cross,
      };
      results.push(r);
      log(
        `hcmoe-ns ${variant} seed ${seed}: test relL2 ${pct(r.mean)} ± ${pct(r.std)} %${cross ? `; its basis with K = ${cross.experts}: ${pct(cross.mean)} %` : ''}; ${r.msPerStep.toFixed(0)} ms/step, ${r.cpuS.toFixed(0)} CPU s`,
      );
      model.dispose();
    }
  }
  ops.dispose();
  const rows = results.map(
    (r) =>
      `| ${r.variant}${r.experts ? ` (K = ${r.experts})` : ''} | ${r.seed} | ${pct(r.mean)} ± ${pct(r.std)} % | ${r.cross ? `${pct(r.cross.mean)} % (K = ${r.cross.experts})` : '–'} | ${Number.isNaN(r.residualRms) ? '–' : r.residualRms.toExponential(2)} | ${r.finalLoss.toExponential(2)} | ${r.msPerStep.toFixed(0)} | ${r.cpuS.toFixed(0)} |`,
  );
  const md = [
    '# PI-HC-MoE stretch: 2-D Navier–Stokes (vorticity, periodic, ν = 1e-4, T = 5 s)',
    '',
    `Grid ${o.data.n}² × ${o.data.nt} (solver ${o.data.fine}²), ${o.data.train} train / ${o.data.test} test trajectories, ${o.train.steps} steps, batch ${o.train.batch}, N = ${o.model.basis}, ${o.pointsPerExpert} points per expert; paper (256² test): soft 18.08 % / hard 11.75 % / MoE 8.30 %.`,
    `Paper-form residual norm of the reference (test trajectory 0) on this grid: ${refLoss.toExponential(3)}.`,
    '',
    '| variant | seed | test relL2 | same basis, other expert count | residual rms at the constraint points after the solve (τ units) | final training loss | ms / step (median) | train CPU s |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
  await writeFile(join(o.out, 'results.md'), md);
  await writeFile(
    join(o.out, 'metrics.json'),
    `${JSON.stringify({ options: { ...o, out: undefined }, referenceResidualNorm: refLoss, results }, null, 2)}\n`,
  );
  return results;
}
