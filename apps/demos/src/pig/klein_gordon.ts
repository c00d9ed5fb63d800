/**
 * PIG on the (2+1)-D Klein–Gordon equation of the SPINN and PIG papers:
 *   u_tt − Δu + u² = f  on (x, y, t) ∈ [−1, 1]² × [0, 10],
 * with the manufactured solution u = (x + y) cos(2t) + x y sin(2t) (so f = u² − 4u), u given at
 * t = 0 and on the lateral boundary (the papers' conditions; no u_t condition). Reference: the
 * exact solution on a 50³ grid (the paper's test grid).
 *
 * Model as in the paper's code (Klein_Gordon3d): 100 Gaussians per channel there; here the
 * channels share G Gaussians (default 100 × 4 = 400, the same count), σ₀ = 0.5 in the paper's
 * coordinates (inputs scaled to [0, 2]³), i.e. σ₀ = (0.5, 0.5, 2.5) in (x, y, t); MLP 4 → 16 → 1.
 */
import { Rng, saveModel } from '@pinnate/core';
import { Rectangle, SpaceTime, TimeDomain } from '@pinnate/geometry';
import { dirichlet, grid, initial, linspace, Pig, Pinn, Problem } from '@pinnate/pinn';
import { type GaussianOverlay, overlayOf } from './report.ts';
import { type ErrorRecord, type PigOptimizer, runSchedule } from './train.ts';

export const KG_EXACT = '(x + y)*cos(2*t) + x*y*sin(2*t)';

export function kleinGordonExact(x: number, y: number, t: number): number {
  return (x + y) * Math.cos(2 * t) + x * y * Math.sin(2 * t);
}

export interface KleinGordonOptions {
  readonly model?: 'pig' | 'pinn';
  /** Gaussians (default 400: the paper's 100 per channel × 4 channels). */
  readonly gaussians?: number;
  /** Default 'adam' (the paper's optimizer). */
  readonly optimizer?: PigOptimizer;
  /** Default 3000. */
  readonly iterations?: number;
  readonly roundIterations?: number;
  /** Adam learning rate (default 1e-2), decayed ×0.9 every 2000 steps as in the paper. */
  readonly lr?: number;
  /** Collocation points, redrawn every step/round (default 4096 = the paper's 16³). */
  readonly points?: number;
  /** Initial and boundary points (default 256 and 1024: the paper's 16² and 4 × 16²). */
  readonly initialPoints?: number;
  readonly boundaryPoints?: number;
  readonly timeBudgetSeconds?: number;
  /** Test grid side (default 50). */
  readonly testGrid?: number;
  readonly seed?: number;
  readonly log?: (line: string) => void;
  readonly modelDir?: string;
}

export interface KleinGordonResult {
  readonly model: 'pig' | 'pinn';
  readonly relL2: number;
  readonly iterations: number;
  /** Loss-and-gradient evaluations (L-BFGS line-search trials included). */
  readonly evaluations: number;
  readonly trainSeconds: number;
  readonly trainCpuSeconds: number;
  readonly secondsPerIteration: number;
  readonly cpuSecondsPerIteration: number;
  readonly records: ErrorRecord[];
  readonly loss: number;
  readonly seed: number;
  readonly parameters: number;
  /** Slice at the final time: axis and fields u[iy * n + ix]. */
  readonly axis: Float64Array;
  readonly slicePred: Float64Array;
  readonly sliceRef: Float64Array;
  readonly overlay: GaussianOverlay | null;
}

export function kleinGordonProblem(): Problem {
  return new Problem({
    domain: new SpaceTime(new Rectangle([-1, -1], [1, 1]), new TimeDomain(0, 10)),
    pde: { name: 'pde', expression: 'u_tt - lap(u) + u^2', forcing: `(${KG_EXACT})^2 - 4*(${KG_EXACT})` },
    conditions: [dirichlet({ value: KG_EXACT, name: 'bc' }), initial({ value: KG_EXACT, name: 'ic' })],
  });
}

/** A (2+1)-D benchmark: problem, exact solution, box (x, y, t), the paper's σ₀ and sizes. */
export interface SpaceTimeCase {
  readonly problem: () => Problem;
  readonly exact: (x: number, y: number, t: number) => number;
  readonly lo: readonly [number, number, number];
  readonly hi: readonly [number, number, number];
  readonly sigma: readonly [number, number, number];
  readonly gaussians: number;
  /** Adam decay per step. */
  readonly decay: number;
}

export const KLEIN_GORDON: SpaceTimeCase = {
  problem: () => kleinGordonProblem(),
  exact: kleinGordonExact,
  lo: [-1, -1, 0],
  hi: [1, 1, 10],
  sigma: [0.5, 0.5, 2.5],
  gaussians: 400,
  decay: 0.9 ** (1 / 2000),
};

export async function runKleinGordon(o: KleinGordonOptions = {}): Promise<KleinGordonResult> {
  return runSpaceTime(KLEIN_GORDON, o);
}

/** Trains and evaluates one (2+1)-D case (`KLEIN_GORDON`, `FLOW_MIXING`). */
export async function runSpaceTime(c: SpaceTimeCase, o: KleinGordonOptions = {}): Promise<KleinGordonResult> {
  const seed = o.seed ?? 0;
  const model = o.model ?? 'pig';
  const optimizer = o.optimizer ?? 'adam';
  const problem = c.problem();
  const n = o.points ?? 4096;
  const rng = new Rng(seed);
  const network =
    model === 'pig'
      ? new Pig(
          {
            inSize: 3,
            gaussians: o.gaussians ?? c.gaussians,
            channels: 4,
            lo: [...c.lo],
            hi: [...c.hi],
            sigma: [...c.sigma],
            hidden: [16],
          },
          rng.split(),
        )
      : undefined;
  const pinn = new Pinn(problem, {
    network,
    hidden: [64, 64, 64],
    points: { domain: n, boundary: o.boundaryPoints ?? 1024, initial: o.initialPoints ?? 256 },
    seed,
    resampleEvery: optimizer === 'adam' ? 1 : undefined,
    adaptiveSampling:
      optimizer === 'lbfgs'
        ? { method: 'rad', k: 0, c: 1, pool: n, every: Number.MAX_SAFE_INTEGER }
        : undefined,
  });
  const side = o.testGrid ?? 50;
  const xs = linspace(c.lo[0], c.hi[0], side);
  const ts = linspace(c.lo[2], c.hi[2], side);
  const test = grid([ts, xs, xs], [2, 1, 0]); // columns (x, y, t); x fastest
  const ref = new Float64Array(side ** 3);
  for (let it = 0; it < side; it++)
    for (let iy = 0; iy < side; iy++)
      for (let ix = 0; ix < side; ix++) ref[(it * side + iy) * side + ix] = c.exact(xs[ix], xs[iy], ts[it]);
  const s = await runSchedule(pinn, test, ref, {
    optimizer,
    iterations: o.iterations ?? 3000,
    roundIterations: o.roundIterations,
    lr: o.lr,
    decay: c.decay,
    evalEvery: 500,
    timeBudgetSeconds: o.timeBudgetSeconds,
    seed,
    log: o.log,
  });
  const u = pinn.predict(test).u;
  let num = 0;
  let den = 0;
  for (let i = 0; i < ref.length; i++) {
    num += (u[i] - ref[i]) ** 2;
    den += ref[i] ** 2;
  }
  const last = (side - 1) * side * side;
  const net = pinn.model.network;
  const result: KleinGordonResult = {
    model,
    relL2: Math.sqrt(num / den),
    iterations: s.iterations,
    evaluations: s.evaluations,
    trainSeconds: s.seconds,
    trainCpuSeconds: s.cpuSeconds,
    secondsPerIteration: s.iterations > 0 ? s.seconds / s.iterations : 0,
    cpuSecondsPerIteration: s.iterations > 0 ? s.cpuSeconds / s.iterations : 0,
    records: s.records,
    loss: s.loss,
    seed,
    parameters: net.parameters().reduce((a, p) => a + p.variable.size, 0),
    axis: xs,
    slicePred: u.slice(last, last + side * side),
    sliceRef: ref.slice(last, last + side * side),
    overlay: network ? overlayOf(network.features) : null,
  };
  if (o.modelDir) await saveModel(o.modelDir, net, { relL2: result.relL2, seed });
  pinn.dispose();
  return result;
}
