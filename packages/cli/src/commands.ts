/**
 * The CLI's commands as functions (main.ts only parses arguments):
 *
 *   train(configFile)   validate the config, create the run directory, train, evaluate, report
 *   resume(runDir)      continue from the latest checkpoint with the run's own config.json
 *   report(runDir)      figures/*.svg + *.png and report.html from whatever the run holds
 *   predict(runDir)     evaluate the trained model at points from a .npy file
 *
 * An interrupt (Ctrl-C, or `signal` aborting, or `stopAfter` steps in this session) ends the
 * current step, writes a checkpoint and marks the run 'interrupted'; `resume` picks it up.
 */

import {
  apply,
  assignParametersFromNpz,
  type BackendName,
  buildReport,
  initBackend,
  latestCheckpoint,
  loadModel,
  type MetricsRecord,
  type Module,
  type ProgressMode,
  type ProgressSink,
  parseNpy,
  RunDirectory,
  saveModel,
  type Trainer,
  type TrainerConfig,
  transposeOrder,
  writeNpyFile,
} from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';
import { parseRunConfig, type RunConfig, readRunConfig } from './config.ts';
import { svgToPng } from './png.ts';
import { gridPoints, makeProblem, type Problem } from './problems.ts';
import { versions } from './versions.ts';

export interface CommonOptions {
  /** Where messages and progress go (default process.stdout). */
  readonly output?: ProgressSink;
  readonly backend?: BackendName;
}

export interface TrainOptions extends CommonOptions {
  /** Run directory (default runs/<name>-<yyyymmdd-hhmmss>). */
  readonly out?: string;
  readonly progress?: ProgressMode;
  /** Aborting it interrupts training after the current step (Ctrl-C in the CLI). */
  readonly signal?: AbortSignal;
  /** Interrupt after this many steps in this session (time-boxed runs, tests). */
  readonly stopAfter?: number;
  /** Build report.html when training finishes (default true). */
  readonly report?: boolean;
  /** Write PNGs next to the SVGs (default true). */
  readonly png?: boolean;
  /** Reuse a run directory that already holds a run (default false). */
  readonly force?: boolean;
  /** The command line, stored in run.json. */
  readonly command?: string;
}

export interface ResumeOptions extends Omit<TrainOptions, 'out' | 'force'> {
  /** New total number of Adam steps (extends a finished run). */
  readonly steps?: number;
}

export interface TrainOutcome {
  readonly runDir: string;
  readonly status: 'finished' | 'interrupted';
  readonly step: number;
  readonly summary?: Record<string, number | string>;
  readonly report?: string;
}

const stdout = (): ProgressSink => process.stdout;

function say(output: ProgressSink | undefined, line: string): void {
  (output ?? stdout()).write(`${line}\n`);
}

function timestamp(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** Forward pass in batches: points row-major [n, model.inSize] → [n, model.outSize]. */
export function predictPoints(model: Module, points: Float32Array, batch = 8192): Float32Array {
  const n = points.length / model.inSize;
  const out = new Float32Array(n * model.outSize);
  for (let start = 0; start < n; start += batch) {
    const m = Math.min(batch, n - start);
    const y = tf.tidy(() =>
      apply(
        model,
        tf.tensor2d(points.subarray(start * model.inSize, (start + m) * model.inSize), [m, model.inSize]),
      ),
    );
    out.set(y.dataSync() as Float32Array, start * model.outSize);
    y.dispose();
  }
  return out;
}

async function startBackend(
  requested: BackendName | undefined,
  output: ProgressSink | undefined,
): Promise<string> {
  const choice = await initBackend(requested ? { backend: requested } : {});
  const skipped = choice.skipped.map((s) => s.name).join(', ');
  say(output, `backend: ${choice.name}${skipped ? ` (skipped ${skipped})` : ''}`);
  return choice.name;
}

/** Adam (+ L-BFGS) with checkpoints and metrics, then evaluation, arrays, summary and report. */
async function session(
  run: RunDirectory,
  config: RunConfig,
  problem: Problem,
  makeTrainer: (cfg: TrainerConfig) => Promise<Trainer>,
  options: TrainOptions,
  previousSeconds: number,
): Promise<TrainOutcome> {
  const tc = config.training;
  const model = problem.model;
  const t0 = performance.now();
  const elapsed = () => previousSeconds + (performance.now() - t0) / 1000;
  const pending: MetricsRecord[] = [];
  let sessionSteps = 0;
  let interrupted = false;
  const trainer = await makeTrainer({
    steps: tc.steps,
    adam: {
      lr: tc.lrDecay
        ? { kind: 'exponential', lr: tc.lr, decayRate: tc.lrDecay.rate, decaySteps: tc.lrDecay.every }
        : tc.lr,
    },
    ...(tc.lbfgs ? { lbfgs: { maxIter: tc.lbfgs.maxIter } } : {}),
    ...(tc.weights ? { weights: tc.weights } : {}),
    seed: tc.seed,
    checkpoint: { dir: run.checkpointsDir, every: tc.checkpointEvery },
    logEvery: tc.logEvery,
    progress: options.progress ?? 'auto',
    output: options.output ?? stdout(),
    callbacks: [
      {
        onStep: async (info) => {
          sessionSteps++;
          if (info.step % tc.metricsEvery === 0 || info.step === tc.steps) {
            pending.push({
              step: info.step,
              phase: info.phase,
              loss: info.loss,
              terms: info.terms,
              time: Number(elapsed().toFixed(3)),
            });
          }
          // Flush at checkpoint steps (the trainer checkpoints after the callbacks), so the
          // metrics on disk always cover the latest checkpoint.
          if (pending.length && (info.step % tc.checkpointEvery === 0 || pending.length >= 50)) {
            await run.appendMetrics(pending.splice(0));
          }
          if (
            options.signal?.aborted ||
            (options.stopAfter !== undefined && sessionSteps >= options.stopAfter)
          ) {
            interrupted = true;
            return 'stop';
          }
          return undefined;
        },
      },
    ],
  });
  const startStep = trainer.step;
  try {
    const result = await trainer.fit();
    await run.appendMetrics(pending.splice(0));
    if (interrupted && result.steps < tc.steps) {
      await trainer.saveCheckpoint();
      await run.updateInfo({ status: 'interrupted', step: result.steps, seconds: elapsed() });
      say(
        options.output,
        `interrupted at step ${result.steps}; checkpoint written. Continue with: pinnate resume ${run.dir}`,
      );
      return { runDir: run.dir, status: 'interrupted', step: result.steps };
    }
    // L-BFGS evaluations are not reported through onStep: add them from the history.
    const lbfgsLosses = result.history.loss.slice(result.steps);
    const lbfgsRecords: MetricsRecord[] = [];
    for (let i = 0; i < lbfgsLosses.length; i++) {
      if ((i + 1) % tc.metricsEvery === 0 || i === lbfgsLosses.length - 1) {
        const terms = Object.fromEntries(
          Object.entries(result.history.terms).map(([k, v]) => [k, v[result.steps + i]]),
        );
        lbfgsRecords.push({ step: i + 1, phase: 'lbfgs', loss: lbfgsLosses[i], terms });
      }
    }
    await run.appendMetrics(lbfgsRecords);

    await saveModel(run.modelDir, model, {
      problem: config.problem.type,
      inputs: problem.inputs,
      outputs: problem.outputs,
    });
    const { axes } = problem.grid(config.evaluation.points);
    const pts = gridPoints(axes);
    const pred = predictPoints(model, pts);
    const exact = problem.reference(axes);
    const shape = axes.map((a) => a.values.length);
    for (const a of axes) await run.saveArray(a.name, { data: a.values, shape: [a.values.length] });
    await run.saveArray('u_pred', { data: pred, shape });
    await run.saveArray('u_ref', { data: exact, shape });
    for (const [kind, p] of Object.entries(problem.samplePoints(tc.seed))) {
      await run.saveArray(`points_${kind}`, {
        data: p,
        shape: [p.length / problem.inputs.length, problem.inputs.length],
      });
    }
    let num = 0;
    let den = 0;
    let maxErr = 0;
    for (let i = 0; i < pred.length; i++) {
      num += (pred[i] - exact[i]) ** 2;
      den += exact[i] ** 2;
      maxErr = Math.max(maxErr, Math.abs(pred[i] - exact[i]));
    }
    const seconds = elapsed();
    const summary: Record<string, number | string> = {
      rel_l2_error: Math.sqrt(num / (den || 1)),
      max_abs_error: maxErr,
      final_loss: result.loss,
      steps: result.steps,
      lbfgs_iterations: result.lbfgsIterations,
      seconds: Number(seconds.toFixed(2)),
      ms_per_step: Number(result.msPerStep.toFixed(2)),
      parameters: model.parameters().reduce((n, p) => n + p.variable.size, 0),
    };
    await run.writeSummary(summary);
    await run.updateInfo({ status: 'finished', step: result.steps, seconds });
    say(
      options.output,
      `finished ${result.steps - startStep} steps in ${(seconds - previousSeconds).toFixed(1)} s: loss ${result.loss.toExponential(3)}, rel. L2 error ${(summary.rel_l2_error as number).toExponential(3)}`,
    );
    let reportPath: string | undefined;
    if (options.report ?? true)
      reportPath = await report(run.dir, { output: options.output, png: options.png });
    return {
      runDir: run.dir,
      status: 'finished',
      step: result.steps,
      summary,
      ...(reportPath ? { report: reportPath } : {}),
    };
  } catch (e) {
    await run.updateInfo({ status: 'failed', error: e instanceof Error ? e.message : String(e) });
    throw e;
  } finally {
    trainer.dispose();
  }
}

/** `pinnate train <config>`. */
export async function train(configFile: string, options: TrainOptions = {}): Promise<TrainOutcome> {
  const config = await readRunConfig(configFile);
  const name = config.name ?? config.problem.type;
  const dir = options.out ?? `runs/${name}-${timestamp()}`;
  const run = await RunDirectory.create(dir);
  if (!options.force && ((await run.readConfig()) !== null || (await latestCheckpoint(run.checkpointsDir)))) {
    throw new Error(
      `--out: '${dir}' already holds a run; continue it with \`pinnate resume ${dir}\`, pick another --out, or pass --force`,
    );
  }
  if (options.force) {
    // Start over: nothing of the previous run may mix into this one.
    const fs = await import('node:fs/promises');
    for (const f of [
      'checkpoints',
      'model',
      'arrays',
      'figures',
      'metrics.jsonl',
      'metrics.json',
      'run.json',
      'report.html',
    ]) {
      await fs.rm(run.path(f), { recursive: true, force: true });
    }
  }
  const backend = await startBackend(options.backend ?? config.backend, options.output);
  const problem = await makeProblem(config);
  await run.writeConfig(config);
  await run.updateInfo({
    name,
    status: 'running',
    backend,
    versions: await versions(),
    inputs: problem.inputs,
    outputs: problem.outputs,
    ...(options.command ? { command: options.command } : {}),
  });
  say(options.output, `run directory: ${run.dir}`);
  return session(run, config, problem, async (cfg) => problem.trainer(cfg), options, 0);
}

/** `pinnate resume <runDir>`. */
export async function resume(runDir: string, options: ResumeOptions = {}): Promise<TrainOutcome> {
  const run = await RunDirectory.open(runDir);
  const raw = await run.readConfig();
  if (raw === null) {
    throw new Error(
      `<runDir>: '${runDir}' has no config.json; resume works on directories made by \`pinnate train\``,
    );
  }
  const config = parseRunConfig(raw, run.path('config.json'));
  if (options.steps !== undefined) {
    if (!Number.isInteger(options.steps) || options.steps < 1) {
      throw new Error(`--steps must be an integer ≥ 1, got ${options.steps}`);
    }
    config.training.steps = options.steps;
  }
  const latest = await latestCheckpoint(run.checkpointsDir);
  if (!latest)
    throw new Error(
      `<runDir>: no checkpoint in '${run.checkpointsDir}'; start the run again with \`pinnate train\``,
    );
  const info = await run.readInfo();
  const ckptStep = Number(/ckpt-(\d+)$/.exec(latest)?.[1] ?? Number.NaN);
  if (info?.status === 'finished' && ckptStep >= config.training.steps) {
    say(
      options.output,
      `${run.dir} already finished at step ${ckptStep}; pass --steps N (> ${ckptStep}) to train further`,
    );
    return { runDir: run.dir, status: 'finished', step: ckptStep };
  }
  if (options.steps !== undefined) await run.writeConfig(config);
  const backend = await startBackend(options.backend ?? config.backend, options.output);
  const problem = await makeProblem(config);
  await run.updateInfo({
    status: 'running',
    backend,
    ...(options.command ? { command: `${info?.command ?? ''}; ${options.command}`.replace(/^; /, '') } : {}),
  });
  return session(
    run,
    config,
    problem,
    async (cfg) => {
      const trainer = await problem.resumeTrainer(run.checkpointsDir, cfg);
      const dropped = await run.truncateMetrics(trainer.step);
      say(
        options.output,
        `resuming ${run.dir} at step ${trainer.step} of ${config.training.steps}${dropped ? ` (dropped ${dropped} metrics records past the checkpoint)` : ''}`,
      );
      return trainer;
    },
    options,
    typeof info?.seconds === 'number' ? info.seconds : 0,
  );
}

export interface ReportOptions {
  readonly output?: ProgressSink;
  /** Write PNGs (default true). */
  readonly png?: boolean;
  /** PNG pixel density (default 2). */
  readonly scale?: number;
}

/** `pinnate report <runDir>`: returns the path of report.html. */
export async function report(runDir: string, options: ReportOptions = {}): Promise<string> {
  const run = await RunDirectory.open(runDir);
  const t0 = performance.now();
  const v = await versions();
  const built = await buildReport(run, {
    ...(options.png === false
      ? {}
      : { rasterize: (svg: string) => svgToPng(svg, { scale: options.scale ?? 2 }) }),
    environment: {
      'report generated by': `@pinnate/cli ${v['@pinnate/cli']} on ${new Date().toISOString()}`,
    },
  });
  for (const n of built.notes) say(options.output, `note: ${n}`);
  say(
    options.output,
    `report: ${built.path} (${built.figures.length} figures: ${built.figures.map((f) => f.name).join(', ')}; ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  return built.path;
}

export interface PredictOptions extends CommonOptions {
  /** .npy of points [N, inputs] (or [N] for one input). */
  readonly input: string;
  /** .npy to write, float32 [N, outputs]. */
  readonly out: string;
}

/**
 * `pinnate predict <runDir> --input points.npy --out values.npy`, or, when the directory is a
 * saved grid operator (MgNO, FNO: `operator.json`, e.g. the Darcy demo's `runs/…/mgno`),
 * `pinnate predict <operatorDir> --input fields.npy --out solutions.npy`: coefficient fields
 * [N, H, W] (any grid size) → solutions [N, H, W].
 */
export async function predict(
  runDir: string,
  options: PredictOptions,
): Promise<{ readonly n: number; readonly out: string }> {
  if (typeof options.input !== 'string' || options.input === '')
    throw new Error('--input is required (a .npy file of points, or of input fields for an operator)');
  if (typeof options.out !== 'string' || options.out === '')
    throw new Error('--out is required (the .npy file to write)');
  const fs = await import('node:fs/promises');
  if (
    await fs.stat(`${runDir}/operator.json`).then(
      () => true,
      () => false,
    )
  )
    return predictFields(runDir, options);
  const run = await RunDirectory.open(runDir);
  let modelDir = run.modelDir;
  try {
    await fs.stat(`${modelDir}/model.json`);
  } catch {
    const latest = await latestCheckpoint(run.checkpointsDir);
    if (!latest) throw new Error(`<runDir>: '${runDir}' has neither model/ nor a checkpoint; train it first`);
    modelDir = latest;
  }
  await initBackend(options.backend ? { backend: options.backend } : {});
  // Runs made by `pinnate train` rebuild their model from config.json (PINN models need their
  // problem); other model directories load through the core module registry.
  let model: Module;
  let names: string;
  const raw = await run.readConfig();
  if (raw !== null) {
    const problem = await makeProblem(parseRunConfig(raw, run.path('config.json')));
    model = problem.model;
    await assignParametersFromNpz(model, await fs.readFile(`${modelDir}/params.npz`));
    names = problem.inputs.join(', ');
  } else {
    const loaded = await loadModel(modelDir);
    model = loaded.module;
    names =
      (loaded.manifest.metadata?.inputs as string[] | undefined)?.join(', ') ?? `${model.inSize} inputs`;
  }
  const arr = await readInputNpy(options.input);
  const inSize = model.inSize;
  const ok = (arr.shape.length === 2 && arr.shape[1] === inSize) || (arr.shape.length === 1 && inSize === 1);
  if (!ok)
    throw new Error(
      `--input: points must have shape [N, ${inSize}] (${names}), got [${arr.shape.join(', ')}]`,
    );
  if (arr.dtype === 'int64' || arr.dtype === 'bool' || arr.dtype === 'uint8') {
    throw new Error(`--input: points must be float32, float64 or int32, got ${arr.dtype}`);
  }
  const data = arr.order === 'F' ? transposeOrder(arr.data, arr.shape, false) : arr.data;
  const points = data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
  const n = points.length / inSize;
  const values = predictPoints(model, points);
  await writeNpyFile(options.out, { data: values, shape: [n, model.outSize] });
  say(
    options.output,
    `predict: ${n} points → ${options.out} [${n}, ${model.outSize}] (model from ${modelDir})`,
  );
  for (const p of model.parameters()) p.variable.dispose();
  return { n, out: options.out };
}

/** The `--input` .npy, with errors that name the option. */
async function readInputNpy(file: string): Promise<ReturnType<typeof parseNpy>> {
  const fs = await import('node:fs/promises');
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(file);
  } catch {
    throw new Error(`--input: cannot read '${file}'`);
  }
  try {
    return parseNpy(bytes);
  } catch (e) {
    throw new Error(`--input: '${file}' is not a .npy file (${e instanceof Error ? e.message : e})`);
  }
}

/** A saved grid operator applied to input fields [N, H, W] or [N, H, W, C] → [N, H, W(, C)]. */
async function predictFields(
  dir: string,
  options: PredictOptions,
): Promise<{ readonly n: number; readonly out: string }> {
  const { buildOperator, loadOperator, predict: apply } = await import('@pinnate/operators');
  await initBackend(options.backend ? { backend: options.backend } : {});
  const arr = await readInputNpy(options.input);
  if (arr.shape.length !== 3 && arr.shape.length !== 4)
    throw new Error(
      `--input: input fields must have shape [N, H, W] or [N, H, W, C], got [${arr.shape.join(', ')}]`,
    );
  if (arr.dtype === 'int64' || arr.dtype === 'bool' || arr.dtype === 'uint8')
    throw new Error(`--input: fields must be float32, float64 or int32, got ${arr.dtype}`);
  const data = arr.order === 'F' ? transposeOrder(arr.data, arr.shape, false) : arr.data;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(Number(data[i])))
      throw new Error(`--input: '${options.input}' holds a non-finite value at flat index ${i}`);
  }
  const { operator } = await loadOperator(dir, buildOperator);
  try {
    const y = apply(operator, { data: data as ArrayLike<number>, shape: arr.shape });
    // One output channel is written as [N, H, W], like the input fields.
    const shape = y.shape.length === 4 && y.shape[3] === 1 ? y.shape.slice(0, 3) : y.shape;
    await writeNpyFile(options.out, { data: y.data, shape });
    say(
      options.output,
      `predict: ${shape[0]} fields [${shape.slice(1).join(' × ')}] → ${options.out} (operator from ${dir})`,
    );
    return { n: shape[0], out: options.out };
  } finally {
    operator.dispose();
  }
}
