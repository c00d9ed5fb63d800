import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
await tf.setBackend('wasm'); await tf.ready();
function time(name: string, f: () => tf.Tensor, reps = 50) {
  for (let i = 0; i < 3; i++) { const t = f(); t.dataSync(); t.dispose(); }
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) { const t = f(); t.dataSync(); t.dispose(); }
  console.log(name, ((performance.now() - t0) / reps).toFixed(3), 'ms');
}
function jsTranspose(x: tf.Tensor2D): tf.Tensor2D {
  const [r, c] = x.shape;
  const src = x.dataSync() as Float32Array;
  const out = new Float32Array(r * c);
  const B = 32;
  for (let i0 = 0; i0 < r; i0 += B) for (let j0 = 0; j0 < c; j0 += B) {
    const i1 = Math.min(r, i0 + B), j1 = Math.min(c, j0 + B);
    for (let i = i0; i < i1; i++) { const row = i * c; for (let j = j0; j < j1; j++) out[j * r + i] = src[row + j]; }
  }
  return tf.tensor2d(out, [c, r]);
}
for (const N of [4096, 16384]) {
  const h = tf.randomNormal([N, 64]) as tf.Tensor2D;
  const dz = tf.randomNormal([N, 64]) as tf.Tensor2D;
  console.log(N);
  time('tf.transpose', () => tf.transpose(h));
  time('js transpose', () => jsTranspose(h));
  time('dW tf', () => tf.tidy(() => tf.matMul(tf.transpose(h), dz)));
  time('dW js', () => tf.tidy(() => tf.matMul(jsTranspose(h), dz)));
  time('dW TF form', () => tf.matMul(h, dz, true, false));
  time('fwd', () => tf.matMul(h, tf.ones([64, 64])));
  time('sumRows', () => tf.matMul(tf.ones([1, N]), h));
  time('sum0', () => tf.sum(h, 0));
}
