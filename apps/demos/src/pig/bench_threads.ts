/**
 * The fused Gaussian kernel on one thread against `threads: 2` at the Helmholtz size (G = 800,
 * N points, σ ≈ 0.1, cutoff 5, plan {u, u_xx, u_yy}, k = 4): wall and CPU ms per forward and
 * reverse pass (mean of `reps`), and whether the results are bit-identical.
 *   pnpm --filter @pinnate/demos exec tsx src/pig/bench_threads.ts [N = 10000] [reps = 10]
 */
import { loadavg } from 'node:os';
import { Rng } from '@pinnate/core';
import { gaussianStreams, gaussianStreamsBackward, type KernelInputs } from '@pinnate/pinn';

const g = 800;
const n = Number(process.argv[2] ?? 10000);
const d = 2;
const k = 4;
const rng = new Rng(1);
const x = new Float64Array(n * d).map(() => rng.uniformIn(-1, 1));
const mu = new Float64Array(g * d).map(() => rng.uniformIn(-1, 1));
const ls = new Float64Array(g * d).map(() => Math.log(0.1) + 0.05 * rng.uniformIn(-1, 1));
const w = new Float64Array(g * k).map(() => 0.01 * rng.uniformIn(-1, 1));
const streams = [
  { coefs: new Float64Array([1]), alphas: new Int32Array([0, 0]) },
  { coefs: new Float64Array([1]), alphas: new Int32Array([2, 0]) },
  { coefs: new Float64Array([1]), alphas: new Int32Array([0, 2]) },
];
const dOut = new Float32Array(streams.length * n * k).map(() => rng.uniformIn(-1, 1));
const base: KernelInputs = { n, g, d, k, x, mu, logSigma: ls, w, streams, cutoff: 5 };
const reps = Number(process.argv[3] ?? 10);
function time(threads: number) {
  const p = { ...base, threads };
  let f = gaussianStreams(p);
  let b = gaussianStreamsBackward(p, dOut);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let tf = 0;
  let tb = 0;
  for (let r = 0; r < reps; r++) {
    const a = performance.now();
    f = gaussianStreams(p);
    const m = performance.now();
    b = gaussianStreamsBackward(p, dOut);
    tf += m - a;
    tb += performance.now() - m;
  }
  const c = process.cpuUsage(c0);
  return {
    f,
    b,
    fwdMs: tf / reps,
    bwdMs: tb / reps,
    wallMs: (performance.now() - t0) / reps,
    cpuMs: (c.user + c.system) / 1000 / reps,
  };
}
const one = time(1);
const two = time(2);
const same = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]));
console.log(
  JSON.stringify({
    n,
    g,
    reps,
    load: loadavg()
      .map((v) => v.toFixed(2))
      .join(' '),
    one: { fwdMs: one.fwdMs.toFixed(1), bwdMs: one.bwdMs.toFixed(1), cpuMs: one.cpuMs.toFixed(1) },
    two: { fwdMs: two.fwdMs.toFixed(1), bwdMs: two.bwdMs.toFixed(1), cpuMs: two.cpuMs.toFixed(1) },
    speedup: (one.wallMs / two.wallMs).toFixed(2),
    identical:
      same(one.f.out, two.f.out) &&
      same(one.b.mu, two.b.mu) &&
      same(one.b.logSigma, two.b.logSigma) &&
      same(one.b.w, two.b.w) &&
      one.f.pairs === two.f.pairs &&
      one.b.pairs === two.b.pairs,
  }),
);
