import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.ts';
import { DataParallel } from '../src/parallel/data_parallel.ts';
import { AdamOptimizer } from '../src/optim/adam.ts';
import { Rng } from '../src/rng.ts';
import { burgersStep, setupBurgers } from '../bench/burgers_problem.ts';
await initBackend({ backend: 'wasm' });
const n = Number(process.env.N ?? 4096);
const dp = await DataParallel.start({ module: new URL('../bench/burgers_task.ts', import.meta.url), config: { n }, shards: 2 });
const opt = new AdamOptimizer(dp.variables, { lr: 1e-3 });
const rng = new Rng(0);
const single = setupBurgers(n);
const stepPar = () => { const { terms, grads } = dp.lossAndGrads(0, rng); opt.applyGradients(grads); tf.dispose(grads); return terms; };
for (let i = 0; i < 3; i++) { stepPar(); burgersStep(single).dispose(); }
// Both start from the same init (seed 0): compare losses over steps.
const res: Record<string, number[]> = { par: [], single: [] };
for (let round = 0; round < 8; round++) {
  let t0 = performance.now();
  for (let i = 0; i < 5; i++) stepPar();
  res.par.push((performance.now() - t0) / 5);
  t0 = performance.now();
  for (let i = 0; i < 5; i++) { const l = burgersStep(single); l.dataSync(); l.dispose(); }
  res.single.push((performance.now() - t0) / 5);
}
for (const k of Object.keys(res)) { const a = res[k].sort((x, y) => x - y); console.log(k, 'median', a[4].toFixed(1), 'min', a[0].toFixed(1)); }
console.log('par terms', Array.from(stepPar()), 'single', burgersStep(single).dataSync()[0], 'tensors', tf.memory().numTensors);
await dp.close();
