/**
 * PIG: closed-form Gaussian jets against an independent float64 Taylor reference, the fused
 * kernel's hand-written reverse pass against autodiff through the generic jet ops, locality,
 * and use through `Pinn`, `Trainer` and `saveModel` / `loadModel`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apply, Derivatives, inputJet, JetPlan, loadModel, Rng, saveModel } from '@pinnate/core';
import { Interval, Rectangle } from '@pinnate/geometry';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TaylorSpace } from '../../core/test/taylor64.ts';
import {
  dirichlet,
  GaussianFeatures,
  gaussianStreams,
  gaussianStreamsBackward,
  gaussianStreamsBackwardInterpreted,
  gaussianStreamsInterpreted,
  isRawInputJet,
  PIG_MODULES,
  Pig,
  type PigConfig,
  Pinn,
  Problem,
  threadsAvailable,
  workerSliceCount,
} from '../src/index.ts';
import { useWasm } from './setup.ts';

beforeAll(useWasm);

/** Every multi-index of total order 1..4 in d dimensions, as counts and as a jet key. */
function multiIndices(d: number): { alpha: number[]; key: string }[] {
  const out: { alpha: number[]; key: string }[] = [];
  const rec = (prefix: number[], left: number) => {
    if (prefix.length === d) {
      const order = prefix.reduce((a, b) => a + b, 0);
      if (order >= 1) out.push({ alpha: prefix, key: prefix.map((c, j) => String(j).repeat(c)).join('') });
      return;
    }
    for (let e = 0; e <= left; e++) rec([...prefix, e], left - e);
  };
  rec([], 4);
  return out;
}

/**
 * The PIG model at one point in float64 Taylor arithmetic: q = Σ_j (Σ_l A_jl (x_l − μ_l))²,
 * exp(−q/2) (a power series), the weighted sum, then the MLP with tanh. Shares no formula with
 * the Hermite jets or the core jet engine.
 */
function pigTaylor(pig: Pig, point: number[], ts: TaylorSpace): Float64Array {
  const f = pig.features;
  const d = f.inSize;
  const g = f.gaussians;
  const k = f.outSize;
  const mu = f.mu.dataSync();
  const ls = f.logSigma.dataSync();
  const off = f.offDiag?.dataSync();
  const w = f.w.dataSync();
  const xs = point.map((v, j) => ts.variable(j, v));
  const feats = Array.from({ length: k }, () => ts.constant(0));
  for (let i = 0; i < g; i++) {
    let q = ts.constant(0);
    let c = 0;
    for (let j = 0; j < d; j++) {
      let z = ts.scale(ts.add(xs[j], ts.constant(-mu[i * d + j])), Math.exp(-ls[i * d + j]));
      for (let l = 0; l < j; l++) {
        const a = off ? off[i * ((d * (d - 1)) / 2) + c++] : 0;
        z = ts.add(z, ts.scale(ts.add(xs[l], ts.constant(-mu[i * d + l])), a));
      }
      q = ts.add(q, ts.mul(z, z));
    }
    const e = ts.exp(ts.scale(q, -0.5));
    for (let ch = 0; ch < k; ch++) feats[ch] = ts.add(feats[ch], ts.scale(e, w[i * k + ch]));
  }
  let h = feats;
  pig.mlp.layers.forEach((layer, li) => {
    const W = layer.w.dataSync();
    const b = layer.b?.dataSync();
    const out = layer.outSize;
    const next: Float64Array[] = [];
    for (let o = 0; o < out; o++) {
      let acc = ts.constant(b ? b[o] : 0);
      for (let m = 0; m < h.length; m++) acc = ts.add(acc, ts.scale(h[m], W[m * out + o]));
      next.push(li + 1 < pig.mlp.layers.length ? ts.tanh(acc) : acc);
    }
    h = next;
  });
  return h[0];
}

function smallPig(d: number, extra: Partial<PigConfig> = {}, seed = 1): Pig {
  // σ ≈ 0.4 and a few Gaussians keep every partial well inside float32's range.
  return new Pig(
    { inSize: d, gaussians: 6, channels: 3, sigma: 0.4, hidden: [5], weightStd: 0.5, ...extra },
    new Rng(seed),
  );
}

/** Randomize σ per Gaussian and dimension so the test does not rely on equal scales. */
function perturb(pig: Pig, seed: number): void {
  const f = pig.features;
  const rng = new Rng(seed);
  const ls = f.logSigma.dataSync().map((v) => v + 0.3 * rng.normal());
  f.logSigma.assign(tf.tensor2d(ls, f.logSigma.shape as [number, number]));
  if (f.offDiag) {
    const o = f.offDiag.dataSync().map(() => 0.8 * rng.normal());
    f.offDiag.assign(tf.tensor2d(o, f.offDiag.shape as [number, number]));
  }
}

function checkJets(pig: Pig, d: number, wantPath: 'fused' | 'tensor') {
  const idx = multiIndices(d);
  const der = new Derivatives({
    inputs: Array.from({ length: d }, (_, j) => `x${j}`),
    outputs: ['u'],
    requests: [
      'u',
      ...idx.map(
        (m) =>
          `u_${m.key
            .split('')
            .map((c) => `x${c}`)
            .join('')}`,
      ),
      { name: 'lap', output: 'u', laplacian: Array.from({ length: d }, (_, j) => `x${j}`) },
    ],
  });
  const rng = new Rng(7);
  const pts = Array.from({ length: 5 }, () => Array.from({ length: d }, () => rng.uniformIn(-0.8, 0.8)));
  const x = tf.tensor2d(pts.flat(), [pts.length, d]);
  expect(pig.features.pathFor(inputJet(x, der.plan))).toBe(wantPath);
  const got = tf.tidy(() => {
    const r = der.evaluate(pig, x);
    return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Array.from(v.dataSync())]));
  });
  x.dispose();
  const ts = new TaylorSpace(d, 4);
  let worst = 0;
  pts.forEach((p, r) => {
    const ref = pigTaylor(pig, p, ts);
    const scale = (order: number) =>
      Math.max(
        1,
        ...idx.filter((m) => sum(m.alpha) === order).map((m) => Math.abs(ts.partial(ref, m.alpha))),
      );
    const cmp = (name: string, want: number, order: number) => {
      const err = Math.abs(got[name][r] - want) / scale(order);
      worst = Math.max(worst, err);
      expect(err, `${name} at point ${r}`).toBeLessThan(order === 0 ? 2e-6 : 1e-5);
    };
    cmp('u', ref[0], 0);
    for (const m of idx)
      cmp(
        `u_${m.key
          .split('')
          .map((c) => `x${c}`)
          .join('')}`,
        ts.partial(ref, m.alpha),
        sum(m.alpha),
      );
    const lap = Array.from({ length: d }, (_, j) =>
      ts.partial(
        ref,
        Array.from({ length: d }, (_, l) => (l === j ? 2 : 0)),
      ),
    );
    cmp(
      'lap',
      lap.reduce((a, b) => a + b, 0),
      2,
    );
  });
  return worst;
}

const sum = (a: number[]) => a.reduce((s, v) => s + v, 0);

describe('PIG jets against a float64 Taylor reference (all partials up to order 4)', () => {
  for (const d of [1, 2, 3]) {
    it(`fused closed-form jets, d = ${d}`, () => {
      const pig = smallPig(d);
      perturb(pig, 11 + d);
      checkJets(pig, d, 'fused');
    });
    it(`generic tensor jets, d = ${d}`, () => {
      const pig = smallPig(d, { kernel: 'tensor' });
      perturb(pig, 11 + d);
      checkJets(pig, d, 'tensor');
    });
  }
  it('full covariance (Cholesky factor of the precision), d = 2 and 3', () => {
    for (const d of [2, 3]) {
      const pig = smallPig(d, { covariance: 'full' });
      perturb(pig, 5);
      checkJets(pig, d, 'tensor');
    }
  });
  it('a non-input jet (after a linear map) takes the generic path', () => {
    const f = new GaussianFeatures({ inSize: 2, gaussians: 3 }, new Rng(0));
    const plan = JetPlan.build(['0', '11']);
    const x = tf.tensor2d([0.1, 0.2], [1, 2]);
    const jet = inputJet(x, plan);
    expect(isRawInputJet(jet)).toBe(true);
    const scaled = jet.mapLinear((s) => tf.mul(s, 2));
    expect(isRawInputJet(scaled)).toBe(false);
    expect(f.pathFor(scaled)).toBe('tensor');
    tf.dispose([x]);
  });
});

describe('fused kernel', () => {
  const rng = new Rng(3);
  const n = 40;
  const g = 7;
  const d = 2;
  const k = 3;
  const streams = [
    { coefs: Float64Array.of(1), alphas: Int32Array.of(0, 0) },
    { coefs: Float64Array.of(1), alphas: Int32Array.of(1, 0) },
    { coefs: Float64Array.of(1, 1), alphas: Int32Array.of(2, 0, 0, 2) },
    { coefs: Float64Array.of(2), alphas: Int32Array.of(2, 2) },
  ];
  const p = {
    n,
    g,
    d,
    k,
    x: rng.fillUniform(new Float64Array(n * d), -1, 1),
    mu: rng.fillUniform(new Float64Array(g * d), -1, 1),
    logSigma: rng.fillNormal(new Float64Array(g * d), Math.log(0.4), 0.2),
    w: rng.fillNormal(new Float64Array(g * k), 0, 1),
    streams,
    cutoff: Number.POSITIVE_INFINITY,
  };
  const dy = rng.fillNormal(new Float64Array(streams.length * n * k), 0, 1);

  it('generated and interpreted kernels agree (forward and reverse)', () => {
    const a = gaussianStreams(p);
    const b = gaussianStreamsInterpreted(p);
    expect(a.pairs).toBe(n * g);
    for (let i = 0; i < a.out.length; i++) expect(a.out[i]).toBeCloseTo(b.out[i], 4);
    const ga = gaussianStreamsBackward(p, dy);
    const gb = gaussianStreamsBackwardInterpreted(p, dy);
    for (const key of ['mu', 'logSigma', 'w'] as const) {
      ga[key].forEach((v, i) => {
        expect(Math.abs(v - gb[key][i])).toBeLessThan(1e-4 * (1 + Math.abs(gb[key][i])));
      });
    }
  });

  it('banded locality: generated kernels visit exactly the pairs inside the cutoff (d = 1, 2, 3)', () => {
    for (const dim of [1, 2, 3]) {
      const r = new Rng(10 + dim);
      const nn = 300;
      const gg = 60;
      const st = [
        { coefs: Float64Array.of(1), alphas: new Int32Array(dim) },
        { coefs: Float64Array.of(1), alphas: Int32Array.from({ length: dim }, (_, j) => (j === 0 ? 2 : 0)) },
      ];
      // Mixed scales, so the per-band largest σ (forward) and each Gaussian's own σ (reverse)
      // bound different chords; the cutoff leaves most pairs out.
      const q = {
        n: nn,
        g: gg,
        d: dim,
        k: 2,
        x: r.fillUniform(new Float64Array(nn * dim), -1, 1),
        mu: r.fillUniform(new Float64Array(gg * dim), -1.2, 1.2),
        logSigma: r.fillNormal(new Float64Array(gg * dim), Math.log(0.08), 0.5),
        w: r.fillNormal(new Float64Array(gg * 2), 0, 1),
        streams: st,
        cutoff: 3,
      };
      const a = gaussianStreams(q);
      const b = gaussianStreamsInterpreted(q);
      expect(a.pairs, `d = ${dim}`).toBe(b.pairs);
      expect(a.pairs).toBeLessThan((nn * gg) / 4);
      for (let i = 0; i < a.out.length; i++) expect(a.out[i]).toBeCloseTo(b.out[i], 4);
      const up = r.fillNormal(new Float64Array(st.length * nn * 2), 0, 1);
      const ga = gaussianStreamsBackward(q, up);
      const gb = gaussianStreamsBackwardInterpreted(q, up);
      expect(ga.pairs).toBe(b.pairs);
      for (const key of ['mu', 'logSigma', 'w'] as const) {
        ga[key].forEach((v, i) => {
          expect(Math.abs(v - gb[key][i])).toBeLessThan(1e-4 * (1 + Math.abs(gb[key][i])));
        });
      }
    }
  });

  it('threads: 2 and 3 threads give bit-identical outputs and gradients to one thread', () => {
    const r = new Rng(21);
    const nn = 700;
    const gg = 150; // nn·gg above the size where calls are split
    const q = {
      n: nn,
      g: gg,
      d: 2,
      k: 3,
      x: r.fillUniform(new Float64Array(nn * 2), -1, 1),
      mu: r.fillUniform(new Float64Array(gg * 2), -1.1, 1.1),
      logSigma: r.fillNormal(new Float64Array(gg * 2), Math.log(0.15), 0.3),
      w: r.fillNormal(new Float64Array(gg * 3), 0, 1),
      streams,
      cutoff: 5,
    };
    const up = r.fillNormal(new Float64Array(streams.length * nn * 3), 0, 1);
    const one = gaussianStreams(q);
    const gOne = gaussianStreamsBackward(q, up);
    expect(threadsAvailable()).toBe(true);
    for (const threads of [2, 3]) {
      const before = workerSliceCount();
      const many = gaussianStreams({ ...q, threads });
      const gMany = gaussianStreamsBackward({ ...q, threads }, up);
      // Both calls were really split: threads − 1 worker slices each.
      expect(workerSliceCount() - before).toBe(2 * (threads - 1));
      expect(many.pairs).toBe(one.pairs);
      expect(gMany.pairs).toBe(gOne.pairs);
      expect(Array.from(many.out)).toEqual(Array.from(one.out));
      for (const key of ['mu', 'logSigma', 'w'] as const)
        expect(Array.from(gMany[key])).toEqual(Array.from(gOne[key]));
    }
    // Small calls stay on the calling thread.
    const before = workerSliceCount();
    gaussianStreams({ ...p, threads: 2 });
    expect(workerSliceCount()).toBe(before);
    expect(() => gaussianStreams({ ...q, threads: 0 })).toThrow(/'threads'/);
    expect(() => gaussianStreams({ ...q, threads: 1.5 })).toThrow(/'threads'/);
  });

  it('reverse pass matches central differences of the float64 forward', () => {
    const f = (q: typeof p) => {
      const { out } = gaussianStreamsInterpreted(q);
      let s = 0;
      for (let i = 0; i < out.length; i++) s += out[i] * dy[i];
      return s;
    };
    const grads = gaussianStreamsBackward(p, dy);
    const h = 1e-3;
    for (const key of ['mu', 'logSigma', 'w'] as const) {
      for (const i of [0, 3, 5]) {
        const plus = { ...p, [key]: p[key].map((v, j) => (j === i ? v + h : v)) };
        const minus = { ...p, [key]: p[key].map((v, j) => (j === i ? v - h : v)) };
        const fd = (f(plus) - f(minus)) / (2 * h);
        // float32 outputs: the difference quotient carries ~1e-7·|f|/h of rounding.
        expect(Math.abs(grads[key][i] - fd), `${key}[${i}]`).toBeLessThan(2e-3 * (1 + Math.abs(fd)));
      }
    }
  });

  it('locality: a cutoff of 7σ skips far pairs and changes nothing at float32 precision', () => {
    const small = { ...p, logSigma: p.logSigma.map(() => Math.log(0.05)) };
    const all = gaussianStreams({ ...small, cutoff: Number.POSITIVE_INFINITY });
    const cut = gaussianStreams({ ...small, cutoff: 7 });
    expect(cut.pairs).toBeLessThan(all.pairs);
    let worst = 0;
    let scale = 0;
    for (let i = 0; i < all.out.length; i++) {
      worst = Math.max(worst, Math.abs(all.out[i] - cut.out[i]));
      scale = Math.max(scale, Math.abs(all.out[i]));
    }
    expect(worst / scale).toBeLessThan(1e-7);
  });

  it('a cutoff leaves jumps the jets cannot see: Green identity off at cutoff 3, exact at 7', () => {
    // ∫ φ u'' = −[φ' u] + ∫ u φ'' on [−1, 1] with φ = cos(πx/2) holds for a smooth u. A Gaussian
    // cut at cσ jumps by exp(−c²/2) of its peak there; the jet u'' misses those jumps, so the
    // identity fails by about Σ jump · φ'(jump). This is why the demos keep cutoff 7.
    const n = 20000;
    const h = 2 / n;
    const x = Float64Array.from({ length: n + 2 }, (_, i) => (i < n ? -1 + (i + 0.5) * h : i === n ? -1 : 1));
    const inputs = (cutoff: number) => ({
      n: n + 2,
      g: 3,
      d: 1,
      k: 1,
      x,
      mu: Float64Array.of(-0.3, 0.1, 0.4),
      logSigma: Float64Array.of(Math.log(0.15), Math.log(0.12), Math.log(0.15)),
      w: Float64Array.of(1, -0.7, 0.5),
      streams: [
        { coefs: Float64Array.of(1), alphas: Int32Array.of(0) },
        { coefs: Float64Array.of(1), alphas: Int32Array.of(2) },
      ],
      cutoff,
    });
    const mismatch = (cutoff: number) => {
      const { out } = gaussianStreams(inputs(cutoff)); // [2 streams, n + 2 points, 1]
      const u = (i: number) => out[i];
      const uxx = (i: number) => out[n + 2 + i];
      let lhs = 0;
      let rhs = 0;
      for (let i = 0; i < n; i++) {
        const phi = Math.cos((Math.PI * x[i]) / 2);
        lhs += phi * uxx(i) * h;
        rhs += -((Math.PI * Math.PI) / 4) * phi * u(i) * h;
      }
      // φ'(±1) = ∓π/2
      rhs -= (-Math.PI / 2) * u(n + 1) - (Math.PI / 2) * u(n);
      return Math.abs(lhs - rhs) / Math.abs(rhs);
    };
    expect(mismatch(Number.POSITIVE_INFINITY)).toBeLessThan(1e-6);
    expect(mismatch(7)).toBeLessThan(1e-6);
    expect(mismatch(3)).toBeGreaterThan(1e-3);
  });

  it('parameter gradients through the model: fused equals autodiff of the generic path', () => {
    const der = new Derivatives({
      inputs: ['x', 'y'],
      outputs: ['u'],
      requests: ['u', 'u_x', { name: 'lap', output: 'u', laplacian: ['x', 'y'] }],
    });
    const x = tf.tensor2d(rng.fillUniform(new Float32Array(64 * 2), -1, 1), [64, 2]);
    const grads = (kernel: 'fused' | 'tensor') => {
      const pig = smallPig(2, { kernel, gaussians: 9 });
      perturb(pig, 2);
      const vars = pig.parameters().map((q) => q.variable);
      const { value, grads: gr } = tf.variableGrads(() => {
        const r = der.evaluate(pig, x);
        return tf.addN([tf.mean(tf.square(tf.add(r.lap, r.u))), tf.mean(tf.square(r.u_x))]) as tf.Scalar;
      }, vars);
      const out = vars.map((v) => Array.from(gr[v.name].dataSync()));
      tf.dispose([value, ...Object.values(gr)]);
      for (const v of vars) v.dispose();
      return out;
    };
    const a = grads('fused');
    const b = grads('tensor');
    a.forEach((ga, i) => {
      const scale = Math.max(...b[i].map(Math.abs), 1e-6);
      ga.forEach((v, j) => {
        expect(Math.abs(v - b[i][j]) / scale, `parameter ${i}[${j}]`).toBeLessThan(2e-4);
      });
    });
    x.dispose();
  });
});

describe('PIG as a network', () => {
  it('validates its config with the argument name', () => {
    const rng = new Rng(0);
    expect(() => new GaussianFeatures({ inSize: 2, gaussians: 0 }, rng)).toThrow(/'gaussians'/);
    expect(() => new GaussianFeatures({ inSize: 2, gaussians: 4, sigma: [0.1] }, rng)).toThrow(/'sigma'/);
    expect(() => new GaussianFeatures({ inSize: 2, gaussians: 4, lo: [1, 1], hi: [0, 2] }, rng)).toThrow(
      /'hi\[0\]'/,
    );
    expect(() => new GaussianFeatures({ inSize: 2, gaussians: 4, cutoff: 0 }, rng)).toThrow(/'cutoff'/);
    expect(
      () => new GaussianFeatures({ inSize: 2, gaussians: 4, covariance: 'full', kernel: 'fused' }, rng),
    ).toThrow(/'fused' needs a diagonal/);
  });

  it('same seed, same model; fixed means are not trainable', () => {
    const a = new Pig({ inSize: 2, gaussians: 10 }, new Rng(4));
    const b = new Pig({ inSize: 2, gaussians: 10, learnMeans: false }, new Rng(4));
    expect(Array.from(a.features.mu.dataSync())).toEqual(Array.from(b.features.mu.dataSync()));
    expect(b.features.mu.trainable).toBe(false);
    const mu = a.features.mu.dataSync();
    expect(Math.min(...mu)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...mu)).toBeLessThanOrEqual(1);
    for (const m of [a, b]) for (const p of m.parameters()) p.variable.dispose();
  });

  it('trains inside Pinn (Adam and L-BFGS) without leaking tensors, and round-trips saveModel/loadModel', async () => {
    // u'' = −π² sin(πx) on [−1, 1], u(±1) = 0.
    const problem = new Problem({
      domain: new Interval(-1, 1),
      pde: { name: 'pde', expression: 'u_xx', forcing: '-pi^2*sin(pi*x)' },
      conditions: [dirichlet({ value: 0, name: 'bc' })],
    });
    const pig = new Pig({ inSize: 1, gaussians: 24, sigma: 0.2, weightStd: 0.1 }, new Rng(1));
    const pinn = new Pinn(problem, { network: pig, points: { domain: 128, boundary: 2 }, seed: 1 });
    const first = pinn.lossTerms();
    const l0 = first.pde.dataSync()[0];
    tf.dispose(Object.values(first));
    const trainer = pinn.trainerFor({ steps: 3, adam: { lr: 1e-2 }, progress: 'none' });
    await trainer.adamStep();
    const before = tf.memory().numTensors;
    await trainer.adamStep();
    expect(tf.memory().numTensors).toBe(before);
    trainer.dispose();
    const r = await pinn.train({ steps: 0, lbfgs: { maxIter: 150 }, progress: 'none' });
    expect(r.terms.pde).toBeLessThan(l0 * 1e-2);
    const xs = tf.tensor2d([-0.5, 0, 0.3], [3, 1]);
    const u = apply(pig, xs).dataSync();
    const dir = await mkdtemp(join(tmpdir(), 'pig-'));
    try {
      await saveModel(dir, pig);
      const { module } = await loadModel(dir, PIG_MODULES);
      expect(module).toBeInstanceOf(Pig);
      expect(Array.from(apply(module, xs).dataSync())).toEqual(Array.from(u));
      for (const p of module.parameters()) p.variable.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    xs.dispose();
    pinn.dispose();
  });

  it('checkpoints and resumes through the core Trainer', async () => {
    const problem = new Problem({
      domain: new Interval(-1, 1),
      pde: { name: 'pde', expression: 'u_xx', forcing: '-pi^2*sin(pi*x)' },
      conditions: [dirichlet({ value: 0, name: 'bc' })],
    });
    const make = () =>
      new Pinn(problem, {
        network: new Pig({ inSize: 1, gaussians: 12, sigma: 0.3 }, new Rng(5)),
        points: { domain: 64, boundary: 2 },
        seed: 5,
      });
    const dir = await mkdtemp(join(tmpdir(), 'pig-ckpt-'));
    try {
      const straight = make();
      await straight.train({ steps: 6, adam: { lr: 1e-2 }, progress: 'none' });
      const want = straight.model.parameters().map((p) => Array.from(p.variable.dataSync()));
      const first = make();
      await first.train({ steps: 3, adam: { lr: 1e-2 }, progress: 'none', checkpoint: { dir, every: 3 } });
      const resumed = make();
      const t = await resumed.resumeTrainer(dir, { steps: 6, adam: { lr: 1e-2 }, progress: 'none' });
      await t.fit();
      t.dispose();
      resumed.model.parameters().forEach((p, i) => {
        expect(Array.from(p.variable.dataSync()), p.name).toEqual(want[i]);
      });
      for (const p of [straight, first, resumed]) p.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('works with the 2-D Problem API (Laplacian from a PDE string)', () => {
    const problem = new Problem({
      domain: new Rectangle([-1, -1], [1, 1]),
      pde: { name: 'pde', expression: 'lap(u) + u', forcing: '0' },
      conditions: [dirichlet({ value: 0, name: 'bc' })],
    });
    const pig = new Pig({ inSize: 2, gaussians: 16 }, new Rng(2));
    const pinn = new Pinn(problem, { network: pig, points: { domain: 64, boundary: 16 } });
    const terms = pinn.lossTerms();
    expect(Number.isFinite(terms.pde.dataSync()[0])).toBe(true);
    tf.dispose(Object.values(terms));
    pinn.dispose();
  });
});
