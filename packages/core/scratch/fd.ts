import * as tf from '@tensorflow/tfjs';
import { Mlp } from '../src/nn/mlp.ts';
import { ModifiedMlp } from '../src/nn/modified_mlp.ts';
import { Rng } from '../src/rng.ts';
import { Derivatives } from '../src/jets/derivatives.ts';
await tf.setBackend('cpu');
for (const make of [() => new Mlp({ sizes: [2, 10, 10, 1], activation: 'sin', factorization: {} }, new Rng(2)), () => new ModifiedMlp({ inSize: 2, hidden: 10, depth: 2, outSize: 1 }, new Rng(3))]) {
  const model = make();
  const d = new Derivatives({ inputs: ['x', 't'], outputs: ['u'], requests: ['u', 'u_t', 'u_x', 'u_xx', 'u_xxxx'] });
  const rng = new Rng(7);
  const x = tf.tensor2d(Float32Array.from({ length: 64 }, () => rng.uniformIn(-1, 1)), [32, 2]);
  const lossOf = () => { const r = d.evaluate(model, x); const res = tf.add(tf.add(r.u_t, tf.mul(r.u, r.u_x)), tf.mul(r.u_xx, tf.scalar(-0.1))); return tf.add(tf.mean(tf.square(res)), tf.mean(tf.square(r.u_xxxx))) as tf.Scalar; };
  const vars = model.parameters().map((p) => p.variable);
  const { grads } = tf.variableGrads(lossOf, vars);
  const dirs = vars.map((v) => tf.tensor(Float32Array.from({ length: v.size }, () => rng.normal()), v.shape));
  const analytic = vars.reduce((s, v, i) => s + tf.sum(tf.mul(grads[v.name], dirs[i])).dataSync()[0], 0);
  const orig = vars.map((v) => v.clone());
  const at = (eps: number) => { vars.forEach((v, i) => v.assign(tf.add(orig[i], tf.mul(dirs[i], tf.scalar(eps))))); return tf.tidy(() => lossOf().dataSync()[0]); };
  for (const h of [3e-2, 1e-2, 3e-3, 1e-3, 3e-4]) {
    const fd = (8 * (at(h) - at(-h)) - (at(2 * h) - at(-2 * h))) / (12 * h);
    console.log(h, analytic, fd, Math.abs(fd - analytic) / Math.abs(analytic));
  }
}
