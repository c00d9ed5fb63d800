/**
 * Inverse Burgers (Raissi et al. 2019, §4.1.1): recover λ1 and λ2 in
 * u_t + λ1 u u_x − λ2 u_xx = 0 from N random samples of the exact solution (ν = 0.01/π, so
 * λ1 = 1, λ2 = ν), clean or with Gaussian noise of `noise` × std(u). No initial or boundary
 * conditions are given: the data and the PDE residual at the same points are the whole loss.
 * λ2 is learned as exp(raw) (it must stay positive), starting from λ1 = 0, λ2 = e⁻⁶ as there.
 */

import { type BackendName, initBackend, initBackendFromEnv, Rng } from '@pinnate/core';
import { Interval, SpaceTime, TimeDomain } from '@pinnate/geometry';
import { burgersColeHopf, raissiInitialAntiderivative } from '@pinnate/operators';
import { observations, Pinn, Problem } from '@pinnate/pinn';
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_NU } from './burgers.ts';

export interface BurgersInverseOptions {
  /** Samples of the exact solution (default 2000). */
  readonly samples?: number;
  /** Noise level relative to std(u) (default 0). */
  readonly noise?: number;
  readonly nu?: number;
  /** Adam steps (default 2000) then L-BFGS iterations (default 3000). */
  readonly steps?: number;
  /** L-BFGS iterations after Adam (default 4000: 2000 measured short of the λ2 bounds). */
  readonly lbfgsIter?: number;
  readonly seed?: number;
  readonly hidden?: readonly number[];
  readonly backend?: BackendName;
  readonly progress?: 'auto' | 'bar' | 'lines' | 'none';
}

export interface BurgersInverseResult {
  readonly lambda1: number;
  readonly lambda2: number;
  /** |λ1 − 1| and |λ2 − ν|/ν. */
  readonly lambda1Error: number;
  readonly lambda2Error: number;
  readonly nu: number;
  readonly noise: number;
  readonly wallSeconds: number;
  readonly msPerStep: number;
  readonly steps: number;
  readonly lbfgsIterations: number;
}

/** Samples (x, t) uniformly in [−1, 1] × (0, 1] with Cole–Hopf values. */
export function burgersSamples(n: number, nu: number, rng: Rng): { data: Float64Array; u: Float64Array } {
  const data = new Float64Array(2 * n);
  const u = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = rng.uniformIn(-1, 1);
    const t = 1 - rng.uniform(); // (0, 1]
    data[2 * i] = x;
    data[2 * i + 1] = t;
    u[i] = burgersColeHopf(Float64Array.of(x), t, {
      viscosity: nu,
      initialAntiderivative: raissiInitialAntiderivative,
    })[0];
  }
  return { data, u };
}

export async function runBurgersInverse(options: BurgersInverseOptions = {}): Promise<BurgersInverseResult> {
  const t0 = performance.now();
  if (options.backend) await initBackend({ backend: options.backend });
  else if (tf.getBackend() === undefined || tf.getBackend() === 'cpu') await initBackendFromEnv();
  const nu = options.nu ?? DEFAULT_NU;
  const n = options.samples ?? 2000;
  const noise = options.noise ?? 0;
  const seed = options.seed ?? 0;
  const rng = new Rng(seed + 1000);
  const { data, u } = burgersSamples(n, nu, rng);
  if (noise > 0) {
    let mean = 0;
    for (const v of u) mean += v / n;
    let sd = 0;
    for (const v of u) sd += (v - mean) ** 2 / n;
    sd = Math.sqrt(sd);
    for (let i = 0; i < n; i++) u[i] += noise * sd * rng.normal();
  }
  const problem = new Problem({
    domain: new SpaceTime(new Interval(-1, 1), new TimeDomain(0, 1)),
    parameters: { lambda1: { init: 0 }, lambda2: { init: Math.exp(-6), positive: true } },
    pde: 'u_t + lambda1*u*u_x - lambda2*u_xx',
    conditions: [observations({ name: 'data', points: { data, n, dim: 2 }, values: { u } })],
  });
  const pinn = new Pinn(problem, {
    hidden: options.hidden ?? [32, 32, 32, 32, 32],
    points: { domain: n },
    sampler: 'sobol',
    seed,
  });
  const steps = options.steps ?? 2000;
  const result = await pinn.train({
    steps,
    adam: {
      lr: { kind: 'exponential', lr: 2e-3, decayRate: 0.5, decaySteps: Math.max(1, Math.round(steps / 3)) },
    },
    lbfgs:
      (options.lbfgsIter ?? 4000) > 0
        ? { maxIter: options.lbfgsIter ?? 4000, m: 50, gradTol: 1e-10 }
        : undefined,
    seed,
    progress: options.progress ?? 'auto',
    logEvery: 250,
  });
  const { lambda1, lambda2 } = pinn.coefficients();
  pinn.dispose();
  return {
    lambda1,
    lambda2,
    lambda1Error: Math.abs(lambda1 - 1),
    lambda2Error: Math.abs(lambda2 - nu) / nu,
    nu,
    noise,
    wallSeconds: (performance.now() - t0) / 1000,
    msPerStep: result.msPerStep,
    steps: result.steps,
    lbfgsIterations: result.lbfgsIterations,
  };
}
