/**
 * Top eigenvalue of the loss Hessian with respect to the parameters, by power iteration on
 * Hessian-vector products taken as central differences of gradients:
 * H v ≈ (∇L(θ + εv) − ∇L(θ − εv)) / 2ε. (Nested reverse mode is unavailable on tfjs for tanh,
 * see NOTES.md.) Used to compare loss-landscape sharpness of LPINN and PINN.
 */
import { Rng } from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';

export interface HessianEigenOptions {
  /** Power iterations (default 20). */
  readonly iterations?: number;
  /** Step ε along the unit direction (default 1e-3). */
  readonly epsilon?: number;
  /** Seed of the start vector (default 0). */
  readonly seed?: number;
  /** Stop when successive estimates agree to this relative tolerance (default 1e-3). */
  readonly tol?: number;
}

function flatGradient(vars: tf.Variable[], loss: () => tf.Scalar): Float64Array {
  const { value, grads } = tf.variableGrads(loss, vars);
  const parts = vars.map((v) => grads[v.name].dataSync());
  tf.dispose([value, ...Object.values(grads)]);
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Float64Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function assignFlat(vars: tf.Variable[], base: Float32Array[], dir: Float64Array | null, eps: number): void {
  let o = 0;
  vars.forEach((v, i) => {
    const b = base[i];
    const data = new Float32Array(b.length);
    for (let k = 0; k < b.length; k++) data[k] = b[k] + (dir ? eps * dir[o + k] : 0);
    o += b.length;
    tf.tidy(() => v.assign(tf.tensor(data, v.shape)));
  });
}

/**
 * Dominant eigenvalue (largest in magnitude, with its sign) of ∇²L at the current
 * parameters. The parameters are restored afterwards.
 */
export function topHessianEigenvalue(
  vars: tf.Variable[],
  loss: () => tf.Scalar,
  options: HessianEigenOptions = {},
): { eigenvalue: number; iterations: number } {
  const iterations = options.iterations ?? 20;
  const eps = options.epsilon ?? 1e-3;
  const tol = options.tol ?? 1e-3;
  if (!(Number.isInteger(iterations) && iterations > 0)) {
    throw new Error(`topHessianEigenvalue: 'iterations' must be a positive integer, got ${iterations}`);
  }
  if (!(eps > 0)) throw new Error(`topHessianEigenvalue: 'epsilon' must be > 0, got ${eps}`);
  if (vars.length === 0) throw new Error("topHessianEigenvalue: 'vars' is empty");
  const base = vars.map((v) => v.dataSync().slice() as Float32Array);
  const n = base.reduce((a, b) => a + b.length, 0);
  const rng = new Rng(options.seed ?? 0);
  let v = new Float64Array(n);
  for (let k = 0; k < n; k++) v[k] = rng.normal();
  const normalize = (a: Float64Array) => {
    let s = 0;
    for (let k = 0; k < a.length; k++) s += a[k] * a[k];
    const r = Math.sqrt(s);
    for (let k = 0; k < a.length; k++) a[k] /= r;
    return r;
  };
  normalize(v);
  let lambda = 0;
  let it = 0;
  try {
    for (it = 1; it <= iterations; it++) {
      assignFlat(vars, base, v, eps);
      const gp = flatGradient(vars, loss);
      assignFlat(vars, base, v, -eps);
      const gm = flatGradient(vars, loss);
      const hv = new Float64Array(n);
      let rayleigh = 0;
      for (let k = 0; k < n; k++) {
        hv[k] = (gp[k] - gm[k]) / (2 * eps);
        rayleigh += v[k] * hv[k];
      }
      const prev = lambda;
      lambda = rayleigh;
      normalize(hv);
      v = hv;
      if (it > 2 && Math.abs(lambda - prev) <= tol * Math.abs(lambda)) break;
    }
  } finally {
    assignFlat(vars, base, null, 0);
  }
  return { eigenvalue: lambda, iterations: Math.min(it, iterations) };
}
