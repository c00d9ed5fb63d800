import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.ts';
import { burgersStep, setupBurgers } from '../bench/burgers_problem.ts';
await initBackend({ backend: (process.env.B as never) ?? 'wasm' });
const s = setupBurgers(Number(process.env.N ?? 4096));
for (let i = 0; i < 3; i++) burgersStep(s).dispose();
const info = await tf.profile(() => { burgersStep(s).dispose(); });
const agg = new Map<string, { n: number; ms: number }>();
for (const k of info.kernels) {
  const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
  const a = agg.get(key) ?? { n: 0, ms: 0 };
  a.n++; a.ms += (await k.kernelTimeMs) as number;
  agg.set(key, a);
}
const byName = new Map<string, number>();
for (const [k, v] of agg) byName.set(k.split(' ')[0], (byName.get(k.split(' ')[0]) ?? 0) + v.ms);
console.log([...byName].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}: ${v.toFixed(1)}`).join('\n'));
console.log('---');
console.log([...agg].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25).map(([k, v]) => `${v.ms.toFixed(1)}ms x${v.n} ${k}`).join('\n'));
console.log('kernels', info.kernels.length);
