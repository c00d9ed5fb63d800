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
  const W = tf.randomNormal([64, 64]);
  const hT = tf.randomNormal([64, N]); const dzT = tf.randomNormal([64, N]);
  const h = tf.randomNormal([N, 64]);
  console.log('N', N);
  time('fwd matMul(Wt,hT)', () => tf.matMul(W, hT));
  time('fwd matMul(h,W)', () => tf.matMul(h, W));
  time('dW matMul(dzT,hT,F,T)', () => tf.matMul(dzT, hT, false, true));
  time('dW via transpose', () => tf.tidy(() => tf.matMul(dzT, tf.transpose(hT))));
  time('dh matMul(Wt,dzT,T,F)', () => tf.matMul(W, dzT, true, false));
  time('bias add [64,1]', () => tf.add(hT, tf.ones([64, 1])));
  time('row sum via ones', () => tf.matMul(hT, tf.ones([N, 1])));
  time('sum axis1', () => tf.sum(hT, 1));
  time('sigmoid', () => tf.sigmoid(hT));
  time('mul', () => tf.mul(hT, dzT));
  const wide = tf.randomNormal([64, 4 * N]);
  time('fwd matMul(Wt, 4 streams wide)', () => tf.matMul(W, wide));
  time('slice cols', () => tf.slice(wide, [0, N], [64, N]));
  time('concat cols', () => tf.concat([hT, dzT, hT, dzT], 1));
  const s3 = tf.randomNormal([4, 64, N]);
  time('slice batch0 of [4,64,N]', () => tf.slice(s3, [1, 0, 0], [1, 64, N]));
  time('batched matMul W[1,64,64] x [4,64,N]', () => tf.matMul(W.reshape([1,64,64]), s3));
}
