import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS, useBackend } from '../../test/setup-backend.ts';
import { TaylorSpace } from '../../test/taylor64.ts';
import type { Dense } from '../nn/dense.ts';
import { FourierFeatures, PeriodicEmbedding } from '../nn/embeddings.ts';
import { Mlp } from '../nn/mlp.ts';
import { ModifiedMlp } from '../nn/modified_mlp.ts';
import type { Module } from '../nn/module.ts';
import { Sequential } from '../nn/sequential.ts';
import { Rng } from '../rng.ts';
import { ACTIVATIONS, type ActivationName } from './activations.ts';
import { Derivatives } from './derivatives.ts';

type Poly = Float64Array;
const NAMES = ['x', 'y', 'z'];

function read2d(t: tf.Tensor): number[][] {
  return t.arraySync() as number[][];
}

/** Float64 forward of a module on Taylor polynomials, from the module's float32 weights. */
function referenceForward(m: Module, S: TaylorSpace, xs: Poly[]): Poly[] {
  const cfg = m.config();
  const act = (name: ActivationName, p: Poly): Poly => {
    switch (name) {
      case 'silu':
        return S.swish(p);
      case 'identity':
        return p;
      case 'square':
        return S.mul(p, p);
      default:
        return (S as unknown as Record<string, (p: Poly) => Poly>)[name](p);
    }
  };
  const dense = (d: Dense, h: Poly[]): Poly[] => {
    const w = read2d(d.w);
    const s = d.s ? read2d(d.s)[0] : null;
    const b = d.b ? read2d(d.b)[0] : null;
    return Array.from({ length: d.outSize }, (_, j) => {
      let acc = S.constant(b ? b[j] : 0);
      h.forEach((hi, i) => {
        acc = S.add(acc, S.scale(hi, w[i][j] * (s ? Math.exp(s[j]) : 1)));
      });
      return acc;
    });
  };
  if (m instanceof Mlp) {
    let h = xs;
    m.layers.forEach((l, i) => {
      h = dense(l, h);
      if (i + 1 < m.layers.length) h = h.map((p) => act(m.activation, p));
    });
    return h;
  }
  if (m instanceof ModifiedMlp) {
    const p = m as unknown as { u: Dense; v: Dense; first: Dense; gates: Dense[]; last: Dense };
    const a = (h: Poly[]) => h.map((q) => act(cfg.activation as ActivationName, q));
    const u = a(dense(p.u, xs));
    const v = a(dense(p.v, xs));
    let h = a(dense(p.first, xs));
    for (const g of p.gates) {
      const z = a(dense(g, h));
      h = z.map((zk, k) => S.add(u[k], S.mul(zk, S.add(v[k], S.scale(u[k], -1)))));
    }
    return dense(p.last, h);
  }
  if (m instanceof FourierFeatures) {
    const b = read2d(m.b);
    const z = Array.from({ length: b[0].length }, (_, j) =>
      xs.reduce((acc, x, i) => S.add(acc, S.scale(x, 2 * Math.PI * b[i][j])), S.constant(0)),
    );
    return [...z.map((q) => S.cos(q)), ...z.map((q) => S.sin(q))];
  }
  if (m instanceof PeriodicEmbedding) {
    const periods = cfg.periods as (number | null)[];
    const k = cfg.harmonics as number;
    const z: Poly[] = [];
    periods.forEach((p, i) => {
      if (p !== null) for (let h = 1; h <= k; h++) z.push(S.scale(xs[i], (2 * Math.PI * h) / p));
    });
    const pass = periods.flatMap((p, i) => (p === null ? [xs[i]] : []));
    return [...pass, ...z.map((q) => S.cos(q)), ...z.map((q) => S.sin(q))];
  }
  if (m instanceof Sequential) return m.modules.reduce((h, mm) => referenceForward(mm, S, h), xs);
  throw new Error(`no reference for ${cfg.type}`);
}

/** Every multi-index of total order 1..4 over d inputs, as request names. */
function allRequests(d: number, out: string): { name: string; alpha: number[] }[] {
  const res: { name: string; alpha: number[] }[] = [{ name: out, alpha: new Array(d).fill(0) }];
  const rec = (start: number, prefix: number[]) => {
    if (prefix.length > 0) {
      const alpha = new Array(d).fill(0);
      for (const i of prefix) alpha[i]++;
      res.push({ name: `${out}_${prefix.map((i) => NAMES[i]).join('')}`, alpha });
    }
    if (prefix.length === 4) return;
    for (let i = start; i < d; i++) rec(i, [...prefix, i]);
  };
  rec(0, []);
  return res;
}

/** Max over requests of max_points |jet − ref| / max_points |ref| (with a floor for tiny refs). */
function compare(model: Module, d: number, points: number[][], outputs: string[], maxOrder = 4) {
  const S = new TaylorSpace(d, 4);
  const reqs = outputs
    .flatMap((o) => allRequests(d, o))
    .filter((r) => r.alpha.reduce((a, b) => a + b, 0) <= maxOrder);
  const deriv = new Derivatives({ inputs: NAMES.slice(0, d), outputs, requests: reqs.map((r) => r.name) });
  const got = tf.tidy(() => {
    const res = deriv.evaluate(model, tf.tensor2d(points));
    return Object.fromEntries(Object.entries(res).map(([k, v]) => [k, v.arraySync() as number[][]]));
  });
  const refs = points.map((pt) =>
    referenceForward(
      model,
      S,
      pt.map((v, i) => S.variable(i, v)),
    ),
  );
  const worstByOrder = [0, 0, 0, 0, 0];
  if (process.env.PINNATE_DEBUG)
    setTimeout(() => console.log(model.config().type, worstByOrder.map((e) => e.toExponential(1)).join(' ')));
  for (const r of reqs) {
    const o = outputs.indexOf(r.name.split('_')[0]);
    const ref = refs.map((polys) => S.partial(polys[o], r.alpha));
    const scale = Math.max(...ref.map(Math.abs), 1e-3);
    const err = Math.max(...ref.map((v, p) => Math.abs(got[r.name][p][0] - v))) / scale;
    const order = r.alpha.reduce((a, b) => a + b, 0);
    worstByOrder[order] = Math.max(worstByOrder[order], err);
  }
  return worstByOrder;
}

function randomPoints(n: number, d: number, rng: Rng): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: d }, () => rng.uniformIn(-1, 1)));
}

// Bound per order on the relative error: float32 rounding (6e-8) amplified by depth and the
// cancellation inside high-order Faà di Bruno sums.
const BOUND = [2e-6, 5e-6, 5e-6, 2e-5, 2e-5];

describe.each(TEST_BACKENDS)('jets on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  // Every registered activation (silu is swish's alias; identity is skipped by jetActivation),
  // so adding one without a float64 reference fails here.
  const activations = ACTIVATIONS.filter((a) => a !== 'silu' && a !== 'identity');
  it.each(activations)('MLP with %s matches the float64 reference to order 4 (3 inputs)', (act) => {
    const rng = new Rng(11);
    const model = new Mlp({ sizes: [3, 8, 8, 1], activation: act }, rng);
    const worst = compare(model, 3, randomPoints(5, 3, rng), ['u']);
    worst.forEach((e, order) => expect(e, `order ${order}: ${worst}`).toBeLessThan(BOUND[order]));
  });

  it('two outputs, random weight factorization, 2 inputs', () => {
    const rng = new Rng(3);
    const model = new Mlp(
      { sizes: [2, 16, 16, 2], activation: 'tanh', factorization: { mean: 0.5, std: 0.1 } },
      rng,
    );
    const worst = compare(model, 2, randomPoints(6, 2, rng), ['u', 'v']);
    worst.forEach((e, order) => expect(e, `order ${order}: ${worst}`).toBeLessThan(BOUND[order]));
  });

  it('modified MLP (gated, product rule) matches the reference', () => {
    const rng = new Rng(5);
    const model = new ModifiedMlp({ inSize: 2, hidden: 12, depth: 2, outSize: 1 }, rng);
    const worst = compare(model, 2, randomPoints(5, 2, rng), ['u']);
    worst.forEach((e, order) => expect(e, `order ${order}: ${worst}`).toBeLessThan(BOUND[order]));
  });

  it('Fourier features and periodic embedding feed exact jets', () => {
    const rng = new Rng(9);
    const ff = new Sequential([
      new FourierFeatures({ inSize: 2, features: 4, sigma: 0.5 }, rng),
      new Mlp({ sizes: [8, 10, 1] }, rng),
    ]);
    const w1 = compare(ff, 2, randomPoints(4, 2, rng), ['u']);
    w1.forEach((e, order) => expect(e, `fourier order ${order}: ${w1}`).toBeLessThan(BOUND[order]));
    const pe = new Sequential([
      new PeriodicEmbedding({ periods: [2, null], harmonics: 2 }),
      new Mlp({ sizes: [5, 10, 1] }, rng),
    ]);
    const w2 = compare(pe, 2, randomPoints(4, 2, rng), ['u']);
    w2.forEach((e, order) => expect(e, `periodic order ${order}: ${w2}`).toBeLessThan(BOUND[order]));
  });

  it('collapsed Laplacian and biharmonic equal the sums of plain partials', () => {
    const rng = new Rng(21);
    const model = new Mlp({ sizes: [2, 16, 16, 1], activation: 'tanh' }, rng);
    const pts = randomPoints(6, 2, rng);
    const d = new Derivatives({
      inputs: ['x', 'y'],
      outputs: ['u'],
      requests: [
        { name: 'lap', output: 'u', laplacian: ['x', 'y'] },
        { name: 'bih', output: 'u', biharmonic: ['x', 'y'] },
      ],
    });
    const got = tf.tidy(() => {
      const r = d.evaluate(model, tf.tensor2d(pts));
      return { lap: r.lap.arraySync() as number[][], bih: r.bih.arraySync() as number[][] };
    });
    const S = new TaylorSpace(2, 4);
    pts.forEach((pt, p) => {
      const [u] = referenceForward(
        model,
        S,
        pt.map((v, i) => S.variable(i, v)),
      );
      const lap = S.partial(u, [2, 0]) + S.partial(u, [0, 2]);
      const bih = S.partial(u, [4, 0]) + 2 * S.partial(u, [2, 2]) + S.partial(u, [0, 4]);
      expect(Math.abs(got.lap[p][0] - lap)).toBeLessThan(1e-5 * Math.max(1, Math.abs(lap)));
      expect(Math.abs(got.bih[p][0] - bih)).toBeLessThan(3e-4 * Math.max(1, Math.abs(bih)));
    });
    // The collapsed plan carries fewer streams than asking for u_xx and u_yy separately.
    const plain = new Derivatives({
      inputs: ['x', 'y'],
      outputs: ['u'],
      requests: ['u_xxxx', 'u_xxyy', 'u_yyyy'],
    });
    expect(d.plan.streams.length).toBeLessThan(plain.plan.streams.length + 2);
  });

  it('first derivatives agree with central finite differences in float64 of the reference', () => {
    const rng = new Rng(2);
    const model = new Mlp({ sizes: [2, 8, 1], activation: 'tanh' }, rng);
    const d = new Derivatives({ inputs: ['x', 't'], outputs: ['u'], requests: ['u', 'u_x'] });
    const pts = [[0.3, -0.2]];
    const h = 1e-3;
    const r = tf.tidy(() => {
      const f = (p: number[][]) => (d.evaluate(model, tf.tensor2d(p)).u.arraySync() as number[][])[0][0];
      return {
        fd: (f([[0.3 + h, -0.2]]) - f([[0.3 - h, -0.2]])) / (2 * h),
        ux: (d.evaluate(model, tf.tensor2d(pts)).u_x.arraySync() as number[][])[0][0],
      };
    });
    expect(Math.abs(r.fd - r.ux)).toBeLessThan(2e-3 * Math.max(1, Math.abs(r.ux)));
  });
});
