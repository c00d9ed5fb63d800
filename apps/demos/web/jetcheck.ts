/**
 * A fixed network and fixed points whose Burgers derivatives (u, u_x, u_t, u_xx, u_xxxx) every
 * backend must agree on: the browser page runs it on webgl/webgpu, the e2e test runs it on
 * wasm in Node and compares.
 */
import { Derivatives, Mlp, Rng } from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';

export const JET_NAMES = ['u', 'u_x', 'u_t', 'u_xx', 'u_xxxx'] as const;

export async function jetCheck(): Promise<Record<string, number[]>> {
  const rng = new Rng(2024);
  const model = new Mlp({ sizes: [2, 32, 32, 32, 1], activation: 'tanh' }, rng.split());
  const pts = Float32Array.from({ length: 128 }, (_, i) =>
    i % 2 === 0 ? rng.uniformIn(-1, 1) : rng.uniform(),
  );
  const d = new Derivatives({ inputs: ['x', 't'], outputs: ['u'], requests: [...JET_NAMES] });
  const x = tf.tensor2d(pts, [64, 2]);
  const r = d.evaluate(model, x);
  const out: Record<string, number[]> = {};
  for (const n of JET_NAMES) out[n] = Array.from((await r[n].data()) as Float32Array);
  tf.dispose([x, ...Object.values(r)]);
  for (const p of model.parameters()) p.variable.dispose();
  return out;
}

/** Max over points of |a − b| / max|b| per derivative. */
export function jetDifferences(
  a: Record<string, number[]>,
  b: Record<string, number[]>,
): Record<string, number> {
  const res: Record<string, number> = {};
  for (const n of JET_NAMES) {
    const scale = Math.max(...b[n].map(Math.abs), 1e-6);
    res[n] = Math.max(...a[n].map((v, i) => Math.abs(v - b[n][i]))) / scale;
  }
  return res;
}
