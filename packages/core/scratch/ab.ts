// Interleaved A/B of the Burgers step: env FAST=0 disables the custom transpose kernel.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.ts';
import { burgersStep, setupBurgers } from '../bench/burgers_problem.ts';
await initBackend({ backend: 'wasm' });
const n = Number(process.env.N ?? 4096);
const s = setupBurgers(n);
const kernels = await import('../src/ops/kernels.ts');
const orig = kernels.transpose2d;
for (let i = 0; i < 5; i++) burgersStep(s).dispose();
const res: Record<string, number[]> = { on: [], off: [] };
for (let round = 0; round < 10; round++) {
  for (const mode of ['on', 'off']) {
    tf.unregisterKernel; // noop
    (globalThis as any).__noFastTranspose = mode === 'off';
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) { const l = burgersStep(s); l.dataSync(); l.dispose(); }
    res[mode].push((performance.now() - t0) / 5);
  }
}
for (const k of Object.keys(res)) { const a = res[k].sort((x, y) => x - y); console.log(k, 'median', a[5].toFixed(1), 'min', a[0].toFixed(1)); }
void orig;
