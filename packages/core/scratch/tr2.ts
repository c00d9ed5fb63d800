import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.ts';
import { registerCoreKernels, transpose2d } from '../src/ops/kernels.ts';
await initBackend({ backend: 'wasm' });
registerCoreKernels();
const h = tf.randomNormal([4096, 64]) as tf.Tensor2D;
console.log('equal', tf.max(tf.abs(tf.sub(transpose2d(h), tf.transpose(h)))).dataSync()[0]);
for (let round = 0; round < 3; round++) for (const [name, f] of [['tf', () => tf.transpose(h)], ['ours', () => transpose2d(h)]] as const) {
  const t0 = performance.now();
  for (let i = 0; i < 50; i++) { const t = f(); t.dataSync(); t.dispose(); }
  console.log(name, ((performance.now() - t0) / 50).toFixed(3));
}
