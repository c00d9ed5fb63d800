import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.ts';
import { burgersStep, setupBurgers } from '../bench/burgers_problem.ts';
await initBackend({ backend: (process.env.B as never) ?? 'wasm' });
for (const n of [4096, 16384]) {
  const s = setupBurgers(n);
  const times: number[] = [];
  for (let i = 0; i < 25; i++) {
    const t0 = performance.now();
    const l = burgersStep(s);
    const v = l.dataSync()[0];
    l.dispose();
    times.push(performance.now() - t0);
    if (i === 24) console.log('loss', v, 'tensors', tf.memory().numTensors);
  }
  times.sort((a, b) => a - b);
  console.log(n, 'median ms', times[12].toFixed(1), 'min', times[0].toFixed(1));
  s.dispose();
}
