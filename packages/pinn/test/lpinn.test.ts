import { Rng } from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  eulerianDerivatives,
  interpolatePeriodic,
  Lpinn,
  lagrangianResiduals,
  PeriodicPinn,
  spectralNorm,
  topHessianEigenvalue,
} from '../src/index.ts';
import { useWasm } from './setup.ts';

beforeAll(useWasm);

const col = (v: ArrayLike<number>) => tf.tensor2d(Float32Array.from(v), [v.length, 1]);
const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('eulerianDerivatives (chain rule through x0 → X)', () => {
  it('matches w_x, w_xx of a known w through a random monotone map, with label derivatives by finite differences', () => {
    // X(x0) = x0 + Σ_k (a_k sin k x0 + b_k cos k x0) / k² with small random coefficients (X' > 0).
    const rng = new Rng(3);
    const a = [1, 2, 3].map(() => 0.15 * rng.normal());
    const b = [1, 2, 3].map(() => 0.15 * rng.normal());
    const X = (x: number) =>
      x +
      a.reduce(
        (s, ak, k) => s + (ak * Math.sin((k + 1) * x) + b[k] * Math.cos((k + 1) * x)) / (k + 1) ** 2,
        0,
      );
    const w = (x: number) => Math.sin(2 * x) + 0.3 * Math.cos(x);
    const wx = (x: number) => 2 * Math.cos(2 * x) - 0.3 * Math.sin(x);
    const wxx = (x: number) => -4 * Math.sin(2 * x) - 0.3 * Math.cos(x);
    const u = (x0: number) => w(X(x0));
    const h = 1e-3;
    const d1 = (f: (x: number) => number, x: number) => (f(x + h) - f(x - h)) / (2 * h);
    const d2 = (f: (x: number) => number, x: number) => (f(x + h) - 2 * f(x) + f(x - h)) / (h * h);
    const x0 = Array.from({ length: 50 }, (_, i) => (i * 2 * Math.PI) / 50);
    for (const x of x0) expect(d1(X, x)).toBeGreaterThan(0.2);
    const { wX, wXX } = tf.tidy(() => {
      const r = eulerianDerivatives({
        uX0: col(x0.map((x) => d1(u, x))),
        uX0X0: col(x0.map((x) => d2(u, x))),
        xX0: col(x0.map((x) => d1(X, x))),
        xX0X0: col(x0.map((x) => d2(X, x))),
      });
      return { wX: r.wX.dataSync(), wXX: (r.wXX as tf.Tensor).dataSync() };
    });
    const exactX = x0.map((x) => wx(X(x)));
    const exactXX = x0.map((x) => wxx(X(x)));
    expect(maxAbs(wX, exactX)).toBeLessThan(1e-4);
    expect(maxAbs(wXX, exactXX)).toBeLessThan(2e-3);
    // Differentiating by the label instead (the official code's shortcut) is visibly wrong here.
    expect(
      maxAbs(
        x0.map((x) => d2(u, x)),
        exactXX,
      ),
    ).toBeGreaterThan(0.1);
  });
});

describe('lagrangianResiduals', () => {
  it('vanish on the exact characteristics of a viscous Burgers front and not on perturbed ones', () => {
    // w = c − A tanh(A (x − c t) / 2ν) solves w_t + w w_x = ν w_xx. Characteristics X_t = w(X, t)
    // and their label derivatives (variational equations) by RK4 in float64.
    const nu = 0.1;
    const c = 0.5;
    const A = 1;
    const z = (x: number, t: number) => (A * (x - c * t)) / (2 * nu);
    const w = (x: number, t: number) => c - A * Math.tanh(z(x, t));
    const sech2 = (x: number, t: number) => 1 / Math.cosh(z(x, t)) ** 2;
    const wx = (x: number, t: number) => (-A * A * sech2(x, t)) / (2 * nu);
    const wxx = (x: number, t: number) =>
      ((A * A * A * A) / (2 * nu * nu)) * sech2(x, t) * Math.tanh(z(x, t));
    const wt = (x: number, t: number) => -c * wx(x, t);
    const T = 0.7;
    const labels = Array.from({ length: 40 }, (_, i) => -1.5 + (3 * i) / 39);
    const rhs = (s: number[], t: number) => {
      const [x, p, q] = s; // X, X_x0, X_x0x0
      return [w(x, t), wx(x, t) * p, wxx(x, t) * p * p + wx(x, t) * q];
    };
    const fields = labels.map((x0) => {
      let s = [x0, 1, 0];
      const n = 400;
      const dt = T / n;
      for (let k = 0; k < n; k++) {
        const t = k * dt;
        const k1 = rhs(s, t);
        const k2 = rhs(
          s.map((v, i) => v + (dt / 2) * k1[i]),
          t + dt / 2,
        );
        const k3 = rhs(
          s.map((v, i) => v + (dt / 2) * k2[i]),
          t + dt / 2,
        );
        const k4 = rhs(
          s.map((v, i) => v + dt * k3[i]),
          t + dt,
        );
        s = s.map((v, i) => v + (dt / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]));
      }
      const [x, p, q] = s;
      return {
        xT: w(x, T),
        xX0: p,
        xX0X0: q,
        u: w(x, T),
        uT: wt(x, T) + wx(x, T) * w(x, T),
        uX0: wx(x, T) * p,
        uX0X0: wxx(x, T) * p * p + wx(x, T) * q,
      };
    });
    const get = (k: keyof (typeof fields)[0], scale = 1) => col(fields.map((f) => f[k] * scale));
    const run = (nuUsed: number, uTScale = 1, form: 'divided' | 'cleared' = 'divided') =>
      tf.tidy(() => {
        const r = lagrangianResiduals(
          {
            xT: get('xT'),
            xX0: get('xX0'),
            xX0X0: get('xX0X0'),
            u: get('u'),
            uT: get('uT', uTScale),
            uX0: get('uX0'),
            uX0X0: get('uX0X0'),
          },
          { flux: { kind: 'burgers' }, nu: nuUsed },
          form,
        );
        return { rx: tf.max(tf.abs(r.rx)).dataSync()[0], ru: tf.max(tf.abs(r.ru)).dataSync()[0] };
      });
    const scaleU = Math.max(...fields.map((f) => Math.abs(f.uT)));
    expect(scaleU).toBeGreaterThan(0.5); // the front passes through the labels: a real test
    const exact = run(nu);
    expect(exact.rx).toBeLessThan(1e-6);
    expect(exact.ru / scaleU).toBeLessThan(1e-4);
    expect(run(2 * nu).ru / scaleU).toBeGreaterThan(0.1);
    expect(run(nu, 1.1).ru / scaleU).toBeGreaterThan(0.05);
    // The cleared form (× X_x0³) has the same zeros.
    expect(run(nu, 1, 'cleared').ru / scaleU).toBeLessThan(1e-4);
    expect(run(nu, 1.1, 'cleared').ru / scaleU).toBeGreaterThan(1e-3);
  });

  it('convection: r_x = X_t − β, r_u = u_t when ν = 0', () => {
    const { rx, ru } = tf.tidy(() => {
      const r = lagrangianResiduals(
        { xT: col([3, 3]), u: col([0.1, 0.2]), uT: col([0.5, -0.5]) },
        { flux: { kind: 'convection', speed: 3 } },
      );
      return { rx: r.rx.dataSync(), ru: r.ru.dataSync() };
    });
    expect(Array.from(rx)).toEqual([0, 0]);
    expect(Array.from(ru)).toEqual([0.5, -0.5]);
  });
});

describe('interpolatePeriodic and spectralNorm', () => {
  it('interpolates a shifted, wrapped, unsorted sample set and closes the circle', () => {
    const P = 2 * Math.PI;
    const n = 400;
    // Points x0 + 7.3 (wrap several times) carrying sin(x0): the function sin(x − 7.3).
    const pos = Array.from({ length: n }, (_, i) => (((i * 37) % n) * P) / n + 7.3);
    const val = pos.map((p) => Math.sin(p - 7.3));
    const q = Array.from({ length: 97 }, (_, i) => -3 + (i * 11) / 96);
    const out = interpolatePeriodic(pos, val, P, q);
    const h = P / n;
    expect(
      maxAbs(
        out,
        q.map((x) => Math.sin(x - 7.3)),
      ),
    ).toBeLessThan((h * h) / 8 + 1e-12);
    expect(() => interpolatePeriodic([0], [1], P, [0])).toThrow(/at least 2 samples/);
    expect(() => interpolatePeriodic([0, 1], [1], P, [0])).toThrow(/'values'/);
  });

  it('spectral norm of a rank-1 and a diagonal matrix', () => {
    // u vᵀ with |u| = 5, |v| = 2 ⇒ σ = 10.
    const u = [3, 4];
    const v = [2, 0, 0];
    expect(
      spectralNorm(
        u.flatMap((a) => v.map((b) => a * b)),
        2,
        3,
      ),
    ).toBeCloseTo(10, 10);
    expect(spectralNorm([1, 0, 0, 0, -3, 0], 2, 3)).toBeCloseTo(3, 8);
  });
});

describe('Lpinn and PeriodicPinn training', () => {
  const problem = { flux: { kind: 'convection' as const, speed: 2 }, nu: 0.05, initial: Math.sin };
  const options = { grid: { nx: 16, nt: 8 }, hidden: [16, 16], hiddenX: [8], seed: 1, speedScale: 2 };

  for (const Solver of [Lpinn, PeriodicPinn]) {
    it(`${Solver.name}: 40 Adam steps reduce the loss, steps keep numTensors, same seed → same loss`, async () => {
      const losses: number[] = [];
      for (const run of [0, 1]) {
        const s = new Solver(problem, options);
        const trainer = s.trainerFor({ steps: 40, adam: { lr: 1e-2 }, progress: 'none' });
        const first = await trainer.adamStep();
        const before = tf.memory().numTensors;
        await trainer.adamStep();
        expect(tf.memory().numTensors).toBe(before);
        const r = await trainer.fit();
        expect(tf.memory().numTensors).toBe(before);
        expect(r.loss).toBeLessThan(0.5 * first.loss);
        losses.push(r.loss);
        trainer.dispose();
        s.dispose();
        if (run === 0) expect(Number.isFinite(r.loss)).toBe(true);
      }
      expect(losses[1]).toBe(losses[0]);
    });
  }

  it('Lpinn.predict interpolates the characteristics it reports', () => {
    const s = new Lpinn(problem, { ...options, predictLabels: 256 });
    const t = Float64Array.of(0, 0.5, 1);
    const labels = Float64Array.from({ length: 256 }, (_, i) => (i * 2 * Math.PI) / 256);
    const { X, u } = s.characteristics(labels, t);
    // At t = 0 the hard constraint puts every label at itself.
    expect(maxAbs(X.subarray(0, 256), labels)).toBeLessThan(1e-6);
    // Query exactly at the (wrapped) characteristic positions: predict returns the labels' u.
    const q = Array.from(X.subarray(256 * 2, 256 * 2 + 5));
    const pred = s.predict(q, [1]);
    expect(maxAbs(pred, u.subarray(256 * 2, 256 * 2 + 5))).toBeLessThan(1e-6);
    s.dispose();
  });

  it('rejects bad options with the argument name', () => {
    expect(() => new Lpinn(problem, { grid: { nx: 1 } })).toThrow(/'grid.nx'/);
    expect(() => new Lpinn({ ...problem, nu: -1 })).toThrow(/'nu'/);
    expect(() => new Lpinn(problem, { speedScale: 0 })).toThrow(/'speedScale'/);
    expect(() => new PeriodicPinn({ ...problem, flux: { kind: 'wave' } as never })).toThrow(/'flux'/);
  });
});

describe('topHessianEigenvalue', () => {
  it('finds the top eigenvalue of a quadratic and restores the parameters', () => {
    // L = ½ θᵀ A θ with A = Q diag(7, 2, −1, 0.5) Qᵀ (Q: a rotation in the first two axes).
    const c = Math.cos(0.3);
    const s = Math.sin(0.3);
    const d = [7, 2, -1, 0.5];
    const A = [
      [c * c * d[0] + s * s * d[1], c * s * (d[0] - d[1]), 0, 0],
      [c * s * (d[0] - d[1]), s * s * d[0] + c * c * d[1], 0, 0],
      [0, 0, d[2], 0],
      [0, 0, 0, d[3]],
    ];
    const theta = tf.variable(tf.tensor1d([0.3, -0.2, 0.1, 0.5]));
    const At = tf.tensor2d(A);
    const loss = () =>
      tf.tidy(
        () =>
          tf.mul(0.5, tf.sum(tf.mul(theta, tf.matMul(At, theta.reshape([4, 1])).reshape([4])))) as tf.Scalar,
      );
    const before = theta.dataSync().slice();
    const r = topHessianEigenvalue([theta], loss, { iterations: 60, tol: 1e-7 });
    expect(r.eigenvalue).toBeCloseTo(7, 2);
    expect(Array.from(theta.dataSync())).toEqual(Array.from(before));
    tf.dispose([theta, At]);
  });
});
