/**
 * Dataset recipes: for each kind, the shared grid arrays, the per-sample arrays, and the exact
 * parameters and solver settings recorded in the manifest. A recipe draws every random number
 * of sample i from that sample's own Rng, so samples can be computed in any order or process.
 */
import type { Rng } from '@pinnate/core/rng';
import { antiderivative } from '../reference/antiderivative.ts';
import { solveBurgersPeriodic } from '../reference/burgers.ts';
import { type DarcyGeometry, darcyMask, solveDarcy } from '../reference/darcy.ts';
import { PDEBENCH_DIFFUSION_SORPTION, solveDiffusionSorption } from '../reference/diffusion_sorption.ts';
import { FNO_BURGERS_GRF, FNO_DARCY_GRF, FNO_NS_GRF, Grf1d, Grf2d } from '../reference/grf.ts';
import { threshold } from '../reference/inputs.ts';
import { fnoForcing, solveNavierStokes2d } from '../reference/navier_stokes.ts';
import { diffusionReaction1d, fisherKpp1d } from '../reference/reaction_diffusion.ts';

export const DATASET_KINDS = [
  'antiderivative',
  'diffusion-reaction',
  'fisher-kpp',
  'burgers',
  'darcy',
  'diffusion-sorption',
  'navier-stokes',
] as const;
export type DatasetKind = (typeof DATASET_KINDS)[number];

/** Kind-specific knobs (all optional; defaults follow the DeepONet / FNO / PDEBench setups). */
export interface DatasetParams {
  readonly viscosity?: number;
  readonly tEnd?: number;
  readonly snapshots?: number;
  readonly steps?: number;
  readonly geometry?: DarcyGeometry;
  readonly solverRes?: number;
  readonly lengthScale?: number;
}

export interface ArraySpec {
  readonly shape: readonly number[];
  readonly dtype: 'float64' | 'uint8';
  readonly description: string;
}

export interface Recipe {
  readonly parameters: Record<string, unknown>;
  readonly solver: Record<string, unknown>;
  readonly grid: Record<string, unknown>;
  /** Arrays shared by all samples (coordinates, masks). */
  readonly shared: Record<string, { spec: ArraySpec; data: Float64Array | Uint8Array }>;
  /** Per-sample arrays: shape excludes the leading sample axis. */
  readonly perSample: Record<string, ArraySpec>;
  readonly sample: (rng: Rng) => Record<string, Float64Array>;
}

const linspace = (a: number, b: number, n: number): Float64Array =>
  Float64Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));

function positiveInt(name: string, v: unknown, min = 1): number {
  if (!Number.isInteger(v) || (v as number) < min)
    throw new Error(`generateDataset: '${name}' must be an integer >= ${min}, got ${v}`);
  return v as number;
}

function positive(name: string, v: unknown): number {
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v))
    throw new Error(`generateDataset: '${name}' must be a positive number, got ${v}`);
  return v;
}

/** Rounds `steps` up to a multiple of `parts` so snapshots land on steps. */
const roundUp = (steps: number, parts: number): number => Math.ceil(steps / parts) * parts;

export function recipe(kind: DatasetKind, res: number, p: DatasetParams): Recipe {
  switch (kind) {
    case 'antiderivative': {
      positiveInt('res', res, 4);
      const l = positive('lengthScale', p.lengthScale ?? 0.2);
      const x = linspace(0, 1, res);
      const grf = new Grf1d({
        n: res,
        boundary: 'free',
        covariance: { kind: 'squaredExponential', lengthScale: l, variance: 1 },
      });
      return {
        parameters: {
          operator: 's(x) = ∫_0^x u(t) dt',
          input: { grf: 'squaredExponential', lengthScale: l, variance: 1, boundary: 'free' },
        },
        solver: { method: 'cubic (4th-order) cumulative quadrature' },
        grid: { x: 'linspace(0, 1, res)' },
        shared: { x: { spec: { shape: [res], dtype: 'float64', description: 'grid points' }, data: x } },
        perSample: {
          u: { shape: [res], dtype: 'float64', description: 'input function u(x)' },
          s: { shape: [res], dtype: 'float64', description: 'antiderivative s(x)' },
        },
        sample: (rng) => {
          const u = grf.sample(rng);
          return { u, s: antiderivative(u, { h: 1 / (res - 1), method: 'cubic' }) };
        },
      };
    }
    case 'diffusion-reaction':
    case 'fisher-kpp': {
      positiveInt('res', res, 4);
      const nt = positiveInt('snapshots', p.snapshots ?? res, 2);
      const steps = roundUp(positiveInt('steps', p.steps ?? 2 * (res - 1)), nt - 1);
      const tEnd = positive('tEnd', p.tEnd ?? 1);
      const l = positive('lengthScale', p.lengthScale ?? 0.2);
      const x = linspace(0, 1, res);
      const t = linspace(0, tEnd, nt);
      const grf = new Grf1d({
        n: res,
        boundary: 'free',
        covariance: { kind: 'squaredExponential', lengthScale: l, variance: 1 },
      });
      const dr = kind === 'diffusion-reaction';
      const D = 0.01;
      const rate = dr ? 0.01 : 1;
      return {
        parameters: dr
          ? {
              equation: 's_t = D s_xx + k s² + u(x)',
              D,
              k: rate,
              initial: 0,
              boundary: 's(0,t) = s(1,t) = 0',
              input: { grf: 'squaredExponential', lengthScale: l, variance: 1 },
            }
          : {
              equation: 'u_t = D u_xx + r u (1 − u) + f(x)',
              D,
              r: rate,
              initial: 0,
              boundary: 'u(0,t) = u(1,t) = 0',
              input: { grf: 'squaredExponential', lengthScale: l, variance: 1 },
            },
        solver: { method: 'finite differences + Crank–Nicolson, Newton per step', steps, tEnd },
        grid: { x: 'linspace(0, 1, res)', t: `linspace(0, ${tEnd}, snapshots)` },
        shared: {
          x: { spec: { shape: [res], dtype: 'float64', description: 'grid points' }, data: x },
          t: { spec: { shape: [nt], dtype: 'float64', description: 'snapshot times' }, data: t },
        },
        perSample: {
          [dr ? 'u' : 'f']: {
            shape: [res],
            dtype: 'float64',
            description: 'source term (the operator input)',
          },
          [dr ? 's' : 'u']: { shape: [nt, res], dtype: 'float64', description: 'solution [t, x]' },
        },
        sample: (rng): Record<string, Float64Array> => {
          const src = grf.sample(rng);
          const sol = dr
            ? diffusionReaction1d(src, { diffusion: D, k: rate, tEnd, steps, snapshots: nt })
            : fisherKpp1d(
                { diffusion: D, rate, source: src, initial: new Float64Array(res), tEnd },
                { nx: res, steps, snapshots: nt },
              );
          return dr ? { u: src, s: sol.u } : { f: src, u: sol.u };
        },
      };
    }
    case 'burgers': {
      positiveInt('res', res, 4);
      if (res % 2 !== 0) throw new Error(`generateDataset: 'res' must be even for 'burgers', got ${res}`);
      const nu = positive('viscosity', p.viscosity ?? 0.1);
      const tEnd = positive('tEnd', p.tEnd ?? 1);
      const nt = positiveInt('snapshots', p.snapshots ?? 2, 2);
      const solverRes = positiveInt(
        'solverRes',
        p.solverRes ?? res * Math.max(1, Math.ceil(1024 / res)),
        res,
      );
      if (solverRes % res !== 0)
        throw new Error(`generateDataset: 'solverRes' (=${solverRes}) must be a multiple of 'res' (=${res})`);
      const sub = solverRes / res;
      const grf = new Grf1d({
        n: solverRes,
        boundary: 'periodic',
        covariance: FNO_BURGERS_GRF,
        zeroMean: true,
      });
      const x = Float64Array.from({ length: res }, (_, j) => j / res);
      return {
        parameters: {
          equation: 'u_t + u u_x = ν u_xx, periodic on [0, 1)',
          viscosity: nu,
          tEnd,
          input: { grf: 'inverseLaplacian', ...FNO_BURGERS_GRF, zeroMean: true },
        },
        solver: {
          method: 'Fourier pseudo-spectral, ETDRK4, 2/3 dealiasing',
          solverRes,
          steps: p.steps ?? 'adaptive: 2·tEnd·max|u0|·solverRes, at least 200, rounded to the snapshots',
        },
        grid: { x: 'j / res, j = 0..res−1 (periodic)', t: `linspace(0, ${tEnd}, snapshots)` },
        shared: {
          x: { spec: { shape: [res], dtype: 'float64', description: 'grid points' }, data: x },
          t: {
            spec: { shape: [nt], dtype: 'float64', description: 'snapshot times' },
            data: linspace(0, tEnd, nt),
          },
        },
        perSample: {
          a: { shape: [res], dtype: 'float64', description: 'initial condition u(x, 0)' },
          u: {
            shape: [nt, res],
            dtype: 'float64',
            description: 'solution [t, x] (row 0 is the initial condition)',
          },
        },
        sample: (rng) => {
          const u0 = grf.sample(rng);
          let umax = 0;
          for (const v of u0) umax = Math.max(umax, Math.abs(v));
          const steps = roundUp(p.steps ?? Math.max(200, Math.ceil(2 * tEnd * umax * solverRes)), nt - 1);
          const sol = solveBurgersPeriodic({ viscosity: nu, initial: u0, tEnd, steps, snapshots: nt });
          const a = Float64Array.from({ length: res }, (_, j) => u0[j * sub]);
          const u = new Float64Array(nt * res);
          for (let r = 0; r < nt; r++)
            for (let j = 0; j < res; j++) u[r * res + j] = sol.u[r * solverRes + j * sub];
          return { a, u };
        },
      };
    }
    case 'darcy': {
      positiveInt('res', res, 5);
      const geometry = p.geometry ?? 'square';
      const mask = darcyMask(geometry, res);
      const grf = new Grf2d({ n: res, boundary: 'neumann', covariance: FNO_DARCY_GRF, zeroMean: true });
      const x = linspace(0, 1, res);
      return {
        parameters: {
          equation: '−∇·(a ∇u) = 1, u = 0 on the boundary',
          geometry,
          coefficient: 'a = 12 where g >= 0, 3 where g < 0',
          input: { grf: 'inverseLaplacian', ...FNO_DARCY_GRF, boundary: 'neumann', zeroMean: true },
        },
        solver: {
          method: 'vertex finite volumes, harmonic face averages, cut-cell walls, MIC(0)-PCG',
          tol: 1e-10,
        },
        grid: { x: 'linspace(0, 1, res)', y: 'linspace(0, 1, res)', layout: '[y, x] (row i is y = x[i])' },
        shared: {
          x: { spec: { shape: [res], dtype: 'float64', description: 'grid points in x and in y' }, data: x },
          mask: {
            spec: {
              shape: [res, res],
              dtype: 'uint8',
              description: '1 = unknown vertex, 0 = Dirichlet/outside',
            },
            data: mask,
          },
        },
        perSample: {
          a: { shape: [res, res], dtype: 'float64', description: 'coefficient a(x, y)' },
          u: { shape: [res, res], dtype: 'float64', description: 'solution u(x, y)' },
        },
        sample: (rng) => {
          const a = threshold(grf.sample(rng), { above: 12, below: 3 });
          return { a, u: solveDarcy({ n: res, coefficient: a, geometry }).u };
        },
      };
    }
    case 'diffusion-sorption': {
      positiveInt('res', res, 3);
      const tEnd = positive('tEnd', p.tEnd ?? 500);
      const nt = positiveInt('snapshots', p.snapshots ?? 101, 2);
      const steps = roundUp(positiveInt('steps', p.steps ?? 1000), nt - 1);
      const x = Float64Array.from({ length: res }, (_, i) => (i + 0.5) / res);
      return {
        parameters: {
          equation: 'R(u) u_t = D u_xx, R = 1 + ((1−φ)/φ) ρ_s k n_f |u + ε|^(n_f−1)',
          ...PDEBENCH_DIFFUSION_SORPTION,
          boundary: 'u(0, t) = 1; u(1, t) = −D u_x(1, t)',
          initial: 'constant c ~ U(0, 0.2) (PDEBench)',
          tEnd,
        },
        solver: { method: 'cell-centred finite volumes, BDF2, Newton per step', steps },
        grid: { x: '(i + 0.5) / res (cell centres)', t: `linspace(0, ${tEnd}, snapshots)` },
        shared: {
          x: { spec: { shape: [res], dtype: 'float64', description: 'cell centres' }, data: x },
          t: {
            spec: { shape: [nt], dtype: 'float64', description: 'snapshot times' },
            data: linspace(0, tEnd, nt),
          },
        },
        perSample: {
          u: {
            shape: [nt, res],
            dtype: 'float64',
            description: 'solution [t, x] (row 0 is the initial condition)',
          },
        },
        sample: (rng) => {
          const c = rng.uniformIn(0, 0.2);
          return {
            u: solveDiffusionSorption({ initial: new Float64Array(res).fill(c), tEnd, steps, snapshots: nt })
              .u,
          };
        },
      };
    }
    case 'navier-stokes': {
      positiveInt('res', res, 4);
      if (res % 2 !== 0)
        throw new Error(`generateDataset: 'res' must be even for 'navier-stokes', got ${res}`);
      const nu = positive('viscosity', p.viscosity ?? 1e-3);
      const tEnd = positive('tEnd', p.tEnd ?? 10);
      const nt = positiveInt('snapshots', p.snapshots ?? Math.round(tEnd) + 1, 2);
      const steps = roundUp(positiveInt('steps', p.steps ?? Math.ceil(tEnd * 4 * res)), nt - 1);
      const grf = new Grf2d({ n: res, boundary: 'periodic', covariance: FNO_NS_GRF, zeroMean: true });
      const forcing = fnoForcing(res);
      const x = Float64Array.from({ length: res }, (_, j) => j / res);
      return {
        parameters: {
          equation: 'w_t + u·∇w = ν Δw + f, ∇·u = 0, periodic unit square',
          viscosity: nu,
          forcing: '0.1 (sin 2π(x+y) + cos 2π(x+y))',
          tEnd,
          input: { grf: 'inverseLaplacian', ...FNO_NS_GRF, zeroMean: true },
        },
        solver: {
          method: 'Fourier pseudo-spectral, Crank–Nicolson + Heun, 2/3 dealiasing',
          steps,
          dt: tEnd / steps,
        },
        grid: {
          x: 'j / res (periodic)',
          y: 'i / res',
          t: `linspace(0, ${tEnd}, snapshots)`,
          layout: '[t, y, x]',
        },
        shared: {
          x: { spec: { shape: [res], dtype: 'float64', description: 'grid points in x and in y' }, data: x },
          t: {
            spec: { shape: [nt], dtype: 'float64', description: 'snapshot times' },
            data: linspace(0, tEnd, nt),
          },
        },
        perSample: {
          a: { shape: [res, res], dtype: 'float64', description: 'initial vorticity w(x, y, 0)' },
          u: {
            shape: [nt, res, res],
            dtype: 'float64',
            description: 'vorticity [t, y, x] (row 0 is the initial condition)',
          },
        },
        sample: (rng) => {
          const w0 = grf.sample(rng);
          return {
            a: w0,
            u: solveNavierStokes2d({ viscosity: nu, initial: w0, forcing, tEnd, steps, snapshots: nt }).w,
          };
        },
      };
    }
    default: {
      const never: never = kind;
      throw new Error(
        `generateDataset: 'kind' must be one of ${DATASET_KINDS.join(', ')}, got ${JSON.stringify(never)}`,
      );
    }
  }
}
