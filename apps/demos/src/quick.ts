/**
 * A quick (< 1 minute) end-to-end check: the Burgers pipeline at ν = 0.02 with a small network
 * and few steps. It prints the relative L2 error against Cole–Hopf; expect a few 1e-2, not the
 * full demo's accuracy (`pnpm --filter @pinnate/demos burgers`).
 */
import { runBurgers } from './burgers.ts';

const r = await runBurgers({
  nu: 0.02,
  steps: 300,
  lbfgsIter: 300,
  lbfgsRounds: 1,
  // A network this small is bound by per-op overhead, which a second thread does not halve.
  threads: 1,
  points: 1024,
  hidden: [32, 32, 32],
  radEvery: 150,
  lr: 3e-3,
  progress: 'lines',
  logEvery: 100,
  out: process.argv[2] ?? 'runs/quick',
});
console.log(
  `quick Burgers (ν = 0.02): relL2 ${r.relL2.toExponential(2)}, ${r.steps} Adam + ${r.lbfgsIterations} L-BFGS, ` +
    `${r.wallSeconds.toFixed(1)} s, ${r.msPerStep.toFixed(1)} ms/step on ${r.backend}`,
);
