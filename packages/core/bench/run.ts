/**
 * `pnpm bench` for @pinnate/core. Writes <repo>/bench/results/latest.json: a list of
 * { name, backend, msPerStep, ... }. Timings are medians over repeated runs after warm-up.
 *
 * - burgers-step-{4096,16384}: one Adam step of the Burgers PINN (see burgers_problem.ts).
 * - jet-forward-*: forward jets only (no gradient), for the derivative sets PINNs ask for.
 * - torch peer: the same step in PyTorch (nested autograd, one thread) when
 *   `python3 -c "import torch"` works; the ratio ours / torch is printed and stored.
 *
 * Environment: PINNATE_BACKEND=wasm|cpu|... (default: best available), BENCH_QUICK=1 for a
 * short smoke run.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackendFromEnv } from '../src/backend.ts';
import { type DerivativeRequest, Derivatives } from '../src/jets/derivatives.ts';
import { Mlp } from '../src/nn/mlp.ts';
import { AdamOptimizer } from '../src/optim/adam.ts';
import { DataParallel } from '../src/parallel/data_parallel.ts';
import { Rng } from '../src/rng.ts';
import { burgersStep, setupBurgers } from './burgers_problem.ts';

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.env.BENCH_QUICK === '1';

interface Result {
  name: string;
  backend: string;
  msPerStep: number;
  [k: string]: unknown;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timeIt(
  reps: number,
  warmup: number,
  f: () => Promise<void> | void,
): Promise<{ median: number; min: number }> {
  for (let i = 0; i < warmup; i++) await f();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await f();
    ts.push(performance.now() - t0);
  }
  return { median: median(ts), min: Math.min(...ts) };
}

function torchPeer(sizes: number[]): Record<string, number> | null {
  const py = ['/usr/bin/python3', 'python3'];
  for (const exe of py) {
    try {
      execFileSync(exe, ['-c', 'import torch'], { stdio: 'ignore' });
    } catch {
      continue;
    }
    const out = execFileSync(exe, [join(here, 'torch_burgers.py'), ...sizes.map(String)], {
      encoding: 'utf8',
    });
    return JSON.parse(out.trim().split('\n').pop() as string);
  }
  return null;
}

const choice = await initBackendFromEnv();
const backend = choice.name;
console.log(`backend: ${backend}`);
const results: Result[] = [];

// Burgers training step.
const sizes = quick ? [4096] : [4096, 16384];
const ours: Record<string, number> = {};
for (const n of sizes) {
  const s = setupBurgers(n);
  const before = tf.memory().numTensors;
  const t = await timeIt(quick ? 5 : n <= 4096 ? 40 : 20, 5, async () => {
    const loss = burgersStep(s);
    await loss.data();
    loss.dispose();
  });
  const leaked = tf.memory().numTensors - before;
  s.dispose();
  ours[n] = t.median;
  results.push({
    name: `burgers-step-${n}`,
    backend,
    msPerStep: t.median,
    minMs: t.min,
    points: n,
    leakedTensors: leaked,
  });
  console.log(
    `burgers-step-${n}: ${t.median.toFixed(1)} ms/step (min ${t.min.toFixed(1)}), tensors leaked: ${leaked}`,
  );
}

// The same step data-parallel over 2 threads (main + 1 worker, each with its own wasm backend).
const oursParallel: Record<string, number> = {};
for (const n of sizes) {
  const dp = await DataParallel.start({
    module: new URL('./burgers_task.ts', import.meta.url),
    config: { n },
    shards: 2,
  });
  const opt = new AdamOptimizer(dp.variables, { lr: 1e-3 });
  const rngP = new Rng(0);
  const t = await timeIt(quick ? 5 : n <= 4096 ? 40 : 20, 5, () => {
    const { grads } = dp.lossAndGrads(0, rngP);
    opt.applyGradients(grads);
    tf.dispose(grads);
  });
  opt.dispose();
  await dp.close();
  oursParallel[n] = t.median;
  results.push({
    name: `burgers-step-${n}-2threads`,
    backend,
    msPerStep: t.median,
    minMs: t.min,
    points: n,
    threads: 2,
  });
  console.log(
    `burgers-step-${n} on 2 threads: ${t.median.toFixed(1)} ms/step (min ${t.min.toFixed(1)}), speedup ${(ours[n] / t.median).toFixed(2)}x`,
  );
}

// Jet-only forward passes on the same network size.
const rng = new Rng(1);
const jetCases: { name: string; inputs: string[]; requests: DerivativeRequest[] }[] = [
  { name: 'value', inputs: ['x', 't'], requests: ['u'] },
  { name: 'burgers (u, u_x, u_t, u_xx)', inputs: ['x', 't'], requests: ['u', 'u_x', 'u_t', 'u_xx'] },
  {
    name: 'laplacian-2d collapsed',
    inputs: ['x', 'y'],
    requests: [{ name: 'lap', output: 'u', laplacian: ['x', 'y'] }],
  },
  { name: 'laplacian-2d plain (u_xx, u_yy)', inputs: ['x', 'y'], requests: ['u_xx', 'u_yy'] },
  { name: 'order-4 (u_xxxx)', inputs: ['x', 't'], requests: ['u_xxxx'] },
  {
    name: 'biharmonic-2d collapsed',
    inputs: ['x', 'y'],
    requests: [{ name: 'bih', output: 'u', biharmonic: ['x', 'y'] }],
  },
];
for (const n of quick ? [4096] : [4096, 16384]) {
  const model = new Mlp({ sizes: [2, 64, 64, 64, 1], activation: 'tanh' }, rng.split());
  const x = tf.randomUniform([n, 2], -1, 1, 'float32', 1) as tf.Tensor2D;
  for (const c of jetCases) {
    const d = new Derivatives({ inputs: c.inputs, outputs: ['u'], requests: c.requests });
    const t = await timeIt(quick ? 3 : 15, 3, async () => {
      const out = tf.tidy(() => tf.concat(Object.values(d.evaluate(model, x)), 1));
      await out.data();
      out.dispose();
    });
    results.push({
      name: `jet-forward ${c.name} ${n}`,
      backend,
      msPerStep: t.median,
      points: n,
      streams: d.plan.streams.length,
    });
    console.log(`jet-forward ${c.name} @${n}: ${t.median.toFixed(2)} ms (${d.plan.streams.length} streams)`);
  }
  x.dispose();
}

// PyTorch peer.
const torch = quick ? null : torchPeer(sizes);
if (torch) {
  for (const n of sizes) {
    const ratio = ours[n] / torch[n];
    results.push({
      name: `burgers-step-${n}-torch`,
      backend: 'torch-cpu-1thread',
      msPerStep: torch[n],
      points: n,
    });
    const r = results.find((x) => x.name === `burgers-step-${n}`);
    if (r) Object.assign(r, { torchMsPerStep: torch[n], ratioVsTorch: ratio });
    console.log(
      `torch burgers-step-${n}: ${torch[n].toFixed(1)} ms/step; ratio pinnate/torch = ${ratio.toFixed(2)}`,
    );
  }
} else {
  console.log(
    quick ? 'torch peer skipped (BENCH_QUICK)' : 'torch peer skipped: `python3 -c "import torch"` failed',
  );
}

const outDir = join(here, '..', '..', '..', 'bench', 'results');
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(`wrote ${join(outDir, 'latest.json')}`);
