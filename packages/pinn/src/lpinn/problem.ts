/**
 * The transport problems both solvers share: w_t + f(w) w_x = ν w_xx on a periodic interval
 * [0, P) × [0, T], w(x, 0) = u0(x), and the options both take, so the Lagrangian model and
 * its Eulerian baseline see the same grid, embedding, loss form and budget.
 */
import type { ActivationName } from '@pinnate/core';

/** f(w) in w_t + f(w) w_x = ν w_xx: a constant speed β (convection) or w itself (Burgers). */
export type Flux = { readonly kind: 'convection'; readonly speed: number } | { readonly kind: 'burgers' };

export interface TransportProblem {
  readonly flux: Flux;
  /** Viscosity ν ≥ 0 (default 0). */
  readonly nu?: number;
  /** Initial data u0(x), P-periodic. */
  readonly initial: (x: number) => number;
  /** Spatial period P (default 2π). */
  readonly period?: number;
  /** Final time T > 0 (default 1). */
  readonly tEnd?: number;
}

export interface TransportSolverOptions {
  /**
   * Collocation grid: nx points x_i = iP/nx (labels x0 for the Lagrangian model) × nt times
   * t_j = jT/(nt − 1), full batch, fixed (default 64 × 64). The t = 0 row carries the
   * initial condition.
   */
  readonly grid?: { readonly nx?: number; readonly nt?: number };
  /** Hidden widths of the state network u (default [50, 50, 50, 50]). */
  readonly hidden?: readonly number[];
  /** Hidden widths of the characteristic branch (Lagrangian model only; default [50, 50]). */
  readonly hiddenX?: readonly number[];
  /** Default 'tanh'. */
  readonly activation?: ActivationName;
  /**
   * Term weights: `rx` the characteristic residual (Lagrangian only), `ru` the state
   * residual (the PDE residual of the Eulerian baseline), `ic` the initial condition
   * (default 1, 1, 100).
   */
  readonly weights?: { readonly rx?: number; readonly ru?: number; readonly ic?: number };
  /**
   * How a residual vector becomes a loss term: 'mse' mean of squares (default), or 'rms'
   * the root of it — the official code's unsquared norms up to a constant factor.
   */
  readonly norm?: 'mse' | 'rms';
  /**
   * Speed scale s of the characteristic branch, X = x0 + s·t·N (Lagrangian only; default 1).
   * Setting it to the size of the characteristic speed (|β|, or max |u0| for Burgers) keeps
   * the network output O(1); it only rescales the output, the ansatz is unchanged.
   */
  readonly speedScale?: number;
  /** Seeds the network initialisation (default 0). */
  readonly seed?: number;
}

export interface ResolvedProblem {
  readonly flux: Flux;
  readonly nu: number;
  readonly initial: (x: number) => number;
  readonly period: number;
  readonly tEnd: number;
}

export function resolveProblem(p: TransportProblem, op: string): ResolvedProblem {
  if (p === null || typeof p !== 'object') throw new Error(`${op}: 'problem' must be an object`);
  const flux = p.flux;
  switch (flux?.kind) {
    case 'convection':
      if (!Number.isFinite(flux.speed)) {
        throw new Error(`${op}: 'flux.speed' must be a finite number, got ${flux.speed}`);
      }
      break;
    case 'burgers':
      break;
    default: {
      const never: never = flux as never;
      throw new Error(
        `${op}: 'flux' must be { kind: 'convection', speed } or { kind: 'burgers' }, got ${JSON.stringify(never)}`,
      );
    }
  }
  const nu = p.nu ?? 0;
  if (!(Number.isFinite(nu) && nu >= 0)) throw new Error(`${op}: 'nu' must be a number ≥ 0, got ${p.nu}`);
  const period = p.period ?? 2 * Math.PI;
  if (!(Number.isFinite(period) && period > 0)) {
    throw new Error(`${op}: 'period' must be a positive number, got ${p.period}`);
  }
  const tEnd = p.tEnd ?? 1;
  if (!(Number.isFinite(tEnd) && tEnd > 0))
    throw new Error(`${op}: 'tEnd' must be a positive number, got ${p.tEnd}`);
  if (typeof p.initial !== 'function') throw new Error(`${op}: 'initial' must be a function u0(x)`);
  return { flux, nu, initial: p.initial, period, tEnd };
}

export interface ResolvedOptions {
  readonly nx: number;
  readonly nt: number;
  readonly weights: { readonly rx: number; readonly ru: number; readonly ic: number };
  readonly norm: 'mse' | 'rms';
  readonly speedScale: number;
  readonly seed: number;
}

export function resolveOptions(o: TransportSolverOptions, op: string): ResolvedOptions {
  const int = (v: unknown, name: string, min: number): number => {
    if (!(typeof v === 'number' && Number.isInteger(v) && v >= min)) {
      throw new Error(`${op}: '${name}' must be an integer ≥ ${min}, got ${String(v)}`);
    }
    return v;
  };
  const nx = int(o.grid?.nx ?? 64, 'grid.nx', 2);
  const nt = int(o.grid?.nt ?? 64, 'grid.nt', 2);
  const w = { rx: o.weights?.rx ?? 1, ru: o.weights?.ru ?? 1, ic: o.weights?.ic ?? 100 };
  for (const [k, v] of Object.entries(w)) {
    if (!(Number.isFinite(v) && v >= 0))
      throw new Error(`${op}: 'weights.${k}' must be a number ≥ 0, got ${v}`);
  }
  const norm = o.norm ?? 'mse';
  if (norm !== 'mse' && norm !== 'rms')
    throw new Error(`${op}: 'norm' must be 'mse' or 'rms', got ${String(norm)}`);
  const speedScale = o.speedScale ?? 1;
  if (!(Number.isFinite(speedScale) && speedScale > 0)) {
    throw new Error(`${op}: 'speedScale' must be a positive number, got ${o.speedScale}`);
  }
  const seed = o.seed ?? 0;
  if (!Number.isInteger(seed)) throw new Error(`${op}: 'seed' must be an integer, got ${o.seed}`);
  for (const key of ['hidden', 'hiddenX'] as const) {
    const h = o[key];
    if (h !== undefined && !(Array.isArray(h) && h.every((v) => Number.isInteger(v) && v > 0))) {
      throw new Error(`${op}: '${key}' must be an array of positive integers, got ${JSON.stringify(h)}`);
    }
  }
  return { nx, nt, weights: w, norm, speedScale, seed };
}

/** Grid [nt·nx, 2] row-major over (t outer, x inner): columns (x, t). */
export function gridPoints(nx: number, nt: number, period: number, tEnd: number): Float32Array {
  const out = new Float32Array(nx * nt * 2);
  for (let j = 0; j < nt; j++) {
    const t = (j * tEnd) / (nt - 1);
    for (let i = 0; i < nx; i++) {
      out[2 * (j * nx + i)] = (i * period) / nx;
      out[2 * (j * nx + i) + 1] = t;
    }
  }
  return out;
}
