/**
 * The training loop both PI-HC-MoE cases share: Adam with a staircase-halved rate and gradient
 * clipping, minibatches of training trajectories in a seeded permutation per epoch, constraint
 * points drawn per step from their own stream. The case supplies the points and the loss.
 */
import { AdamOptimizer, exponentialDecay, Rng } from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';

export interface TrainLoopConfig {
  readonly steps: number;
  /** Trajectories per step. */
  readonly batch: number;
  readonly lr: number;
  /** Halve the rate every this many steps. */
  readonly decayEvery: number;
  /** Clip the global gradient norm to this. */
  readonly clip: number;
  readonly seed: number;
  /** Stop early after this many wall seconds (0 or absent: off). */
  readonly timeBudget?: number;
}

export interface TrainLoopRecord {
  readonly loss: number[];
  readonly stepMs: number[];
  readonly wallS: number;
  readonly cpuS: number;
  /** Steps taken (fewer than `steps` when the time budget ran out). */
  readonly steps: number;
}

export interface TrainLoopCase<P> {
  /** Prefix of the log lines and of the divergence error. */
  readonly name: string;
  readonly variables: tf.Variable[];
  /** Number of training trajectories the minibatches index. */
  readonly trainCount: number;
  /** Constraint points for one step (any shape the loss takes). */
  drawPoints(rng: Rng): P;
  /** Scalar loss of the trajectories `batch` (indices) on `points`; runs inside the gradient tape. */
  loss(batch: readonly number[], points: P): tf.Scalar;
  /** Extra text for a log line, read after the step (e.g. a loss term the closure recorded). */
  note?(): string;
}

export function trainLoop<P>(
  c: TrainLoopCase<P>,
  cfg: TrainLoopConfig,
  log: (msg: string) => void = () => {},
): TrainLoopRecord {
  if (!(cfg.batch >= 1 && cfg.batch <= c.trainCount))
    throw new Error(
      `${c.name}: 'batch' must be in [1, ${c.trainCount}] (training trajectories), got ${cfg.batch}`,
    );
  const rng = new Rng(cfg.seed);
  // Points from their own stream, so the minibatch order does not depend on how many points a
  // variant draws: hard and MoE of one seed see the same trajectories in the same order.
  const pointRng = rng.split();
  const vars = c.variables;
  const opt = new AdamOptimizer(vars, {
    lr: exponentialDecay({ lr: cfg.lr, decayRate: 0.5, decaySteps: cfg.decayEvery, staircase: true }),
    clipNorm: cfg.clip,
  });
  const loss: number[] = [];
  const stepMs: number[] = [];
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let perm = rng.permutation(c.trainCount);
  let cursor = 0;
  let steps = 0;
  try {
    for (let step = 0; step < cfg.steps; step++) {
      const s0 = performance.now();
      if (cursor + cfg.batch > c.trainCount) {
        perm = rng.permutation(c.trainCount);
        cursor = 0;
      }
      const batch = Array.from(perm.subarray(cursor, cursor + cfg.batch));
      cursor += cfg.batch;
      const points = c.drawPoints(pointRng);
      const { value, grads } = tf.variableGrads(() => c.loss(batch, points), vars);
      const l = value.dataSync()[0];
      if (!Number.isFinite(l)) {
        tf.dispose([value, ...Object.values(grads)]);
        throw new Error(`${c.name}: training diverged at step ${step + 1} (loss ${l}); try a lower --lr`);
      }
      opt.applyGradients(vars.map((v) => grads[v.name]));
      tf.dispose([value, ...Object.values(grads)]);
      loss.push(l);
      stepMs.push(performance.now() - s0);
      steps = step + 1;
      if (step % 25 === 0 || step === cfg.steps - 1)
        log(
          `${c.name} step ${step + 1}/${cfg.steps} loss ${l.toExponential(3)}${c.note?.() ?? ''} ${stepMs[step].toFixed(0)} ms`,
        );
      if ((cfg.timeBudget ?? 0) > 0 && (performance.now() - t0) / 1000 > (cfg.timeBudget as number)) {
        log(`${c.name}: time budget reached after ${step + 1} steps`);
        break;
      }
    }
  } finally {
    opt.dispose();
  }
  const cpu = process.cpuUsage(cpu0);
  return { loss, stepMs, wallS: (performance.now() - t0) / 1000, cpuS: (cpu.user + cpu.system) / 1e6, steps };
}
