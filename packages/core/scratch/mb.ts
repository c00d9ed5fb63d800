import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
await tf.setBackend('wasm'); await tf.ready();
function time(name: string, f: () => tf.Tensor, reps = 20) {
  for (let i = 0; i < 3; i++) { const t = f(); t.dataSync(); t.dispose(); }
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) { const t = f(); t.dataSync(); t.dispose(); }
  console.log(name, ((performance.now() - t0) / reps).toFixed(2), 'ms');
}
for (const N of [4096, 16384]) {
  const h = tf.randomNormal([N, 64]); const dz = tf.randomNormal([N, 64]); const W = tf.randomNormal([64, 64]);
  const hT = tf.randomNormal([64, N]);
  console.log('N', N);
  time('matMul hW', () => tf.matMul(h, W));
  time('transpose h', () => tf.transpose(h));
  time('matMul(h,dz,T,F)', () => tf.matMul(h, dz, true, false));
  time('matMul(hT,dz)', () => tf.matMul(hT, dz));
  time('matMul(dz,W,F,T)', () => tf.matMul(dz, W, false, true));
  time('tanh', () => tf.tanh(h));
  time('sigmoid-tanh', () => tf.tidy(() => tf.sub(tf.mul(tf.sigmoid(tf.mul(h, 2)), 2), 1)));
  time('mul', () => tf.mul(h, dz));
  time('concat4', () => tf.concat([h, dz, h, dz], 0));
  const big = tf.concat([h, dz, h, dz], 0);
  time('slice', () => tf.slice(big, [N, 0], [N, 64]));
  time('reshape+batchMatMul 4x', () => tf.matMul(big.reshape([4, N, 64]), W.reshape([1,64,64]).tile([4,1,1])));
  time('matMul big W', () => tf.matMul(big, W));
  time('ones sum', () => tf.matMul(tf.ones([1, N]), h));
}
