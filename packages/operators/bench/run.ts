/**
 * Reference-solver timings: Darcy 64² / 128² / 421² (FNO thresholded coefficient, f = 1),
 * Navier–Stokes 64² for 1 time unit (ν = 1e-3, FNO forcing, dt = 1e-3 and 1e-4), Burgers 1024
 * points for 1 time unit (ν = 0.1, the FNO setup). When /usr/bin/python3 has SciPy,
 * the same Darcy matrices are solved with scipy.sparse.linalg.spsolve for comparison.
 * Run: pnpm --filter @pinnate/operators bench
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serializeNpy } from '@pinnate/core/npy';
import { Rng } from '@pinnate/core/rng';
import { solveBurgersPeriodic } from '../src/reference/burgers.ts';
import { solveDarcy } from '../src/reference/darcy.ts';
import { FNO_BURGERS_GRF, FNO_DARCY_GRF, FNO_NS_GRF, Grf1d, Grf2d } from '../src/reference/grf.ts';
import { threshold } from '../src/reference/inputs.ts';
import { fnoForcing, solveNavierStokes2d } from '../src/reference/navier_stokes.ts';

function best(runs: number, f: () => void): number {
  let b = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    b = Math.min(b, performance.now() - t0);
  }
  return b;
}

const python = '/usr/bin/python3';
const hasScipy = spawnSync(python, ['-c', 'import scipy.sparse.linalg'], { stdio: 'ignore' }).status === 0;
const SCIPY = `
import sys, time, numpy as np, scipy.sparse as sp, scipy.sparse.linalg as sla
a = np.load(sys.argv[1]).astype(np.float64); n = a.shape[0]; h = 1.0 / (n - 1)
m = n - 2; idx = lambda i, j: (i - 1) * m + (j - 1)
H = lambda p, q: 2 * p * q / (p + q)
aw = H(a[1:-1, 1:-1], a[1:-1, :-2]); ae = H(a[1:-1, 1:-1], a[1:-1, 2:])
as_ = H(a[1:-1, 1:-1], a[:-2, 1:-1]); an = H(a[1:-1, 1:-1], a[2:, 1:-1])
t0 = time.perf_counter()
d = (aw + ae + as_ + an).ravel()
E = -ae[:, :-1].copy(); N = -an[:-1, :].ravel()
e = np.zeros((m, m)); e[:, :-1] = E; e = e.ravel()[:-1]
A = sp.diags([d, e, e, N, N], [0, 1, -1, m, -m], format='csc')
t1 = time.perf_counter()
u = sla.spsolve(A, np.full(m * m, h * h))
t2 = time.perf_counter()
ours = np.load(sys.argv[2])[1:-1, 1:-1].ravel()
print(f"{(t2 - t1) * 1e3:.1f} {(t1 - t0) * 1e3:.1f} {np.abs(u - ours).max() / np.abs(u).max():.2e}")
`;

console.log(`# Pinnate reference solvers (Node ${process.version}, best of runs, ms)`);
const tmp = mkdtempSync(join(tmpdir(), 'pinnate-bench-'));
try {
  for (const n of [64, 128, 421]) {
    const g = new Grf2d({ n, boundary: 'neumann', covariance: FNO_DARCY_GRF, zeroMean: true });
    const a = threshold(g.sample(new Rng(0)), { above: 12, below: 3 });
    let iterations = 0;
    let u: Float64Array = new Float64Array(0);
    const ms = best(n > 200 ? 2 : 4, () => {
      const r = solveDarcy({ n, coefficient: a, tol: 1e-10 });
      iterations = r.iterations;
      u = r.u;
    });
    let line = `darcy ${n}x${n}: ${ms.toFixed(1)} ms (MIC-PCG, ${iterations} iterations, rel. residual 1e-10)`;
    if (hasScipy) {
      writeFileSync(join(tmp, 'a.npy'), serializeNpy({ data: a, shape: [n, n] }));
      writeFileSync(join(tmp, 'u.npy'), serializeNpy({ data: u, shape: [n, n] }));
      const r = spawnSync(python, ['-c', SCIPY, join(tmp, 'a.npy'), join(tmp, 'u.npy')], {
        encoding: 'utf8',
      });
      if (r.status === 0) {
        const [solve, assemble, diff] = r.stdout.trim().split(' ');
        line += ` | scipy spsolve ${solve} ms (+${assemble} ms assembly), ratio ours/scipy ${(ms / Number(solve)).toFixed(2)}, max rel. diff ${diff}`;
      } else {
        line += ` | scipy failed: ${r.stderr.trim().split('\n').at(-1)}`;
      }
    }
    console.log(line);
  }
  const n = 64;
  const w0 = new Grf2d({ n, boundary: 'periodic', covariance: FNO_NS_GRF, zeroMean: true }).sample(
    new Rng(0),
  );
  const f = fnoForcing(n);
  for (const steps of [1000, 10000]) {
    const ms = best(1, () =>
      solveNavierStokes2d({ viscosity: 1e-3, initial: w0, forcing: f, tEnd: 1, steps }),
    );
    console.log(`navier-stokes 64x64, 1 time unit, dt = ${1 / steps}: ${ms.toFixed(0)} ms`);
  }
  const u0 = new Grf1d({ n: 1024, boundary: 'periodic', covariance: FNO_BURGERS_GRF, zeroMean: true }).sample(
    new Rng(0),
  );
  for (const steps of [1000, 4000]) {
    const ms = best(2, () => solveBurgersPeriodic({ viscosity: 0.1, initial: u0, tEnd: 1, steps }));
    console.log(`burgers 1024 points, 1 time unit, ETDRK4 dt = ${1 / steps}: ${ms.toFixed(0)} ms`);
  }
  if (!hasScipy) console.log('(scipy not found at /usr/bin/python3: comparison skipped)');
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
