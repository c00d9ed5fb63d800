/**
 * `Pinn`: a problem + a network → loss terms for the core `Trainer`, training aids, and
 * evaluation.
 *
 *   const pinn = new Pinn(problem, { hidden: [64, 64, 64], points: { domain: 4096 }, seed: 1 });
 *   const result = await pinn.train({ steps: 5000, adam: { lr: 1e-3 }, lbfgs: { maxIter: 1000 } });
 *   const { u } = pinn.predict(points);
 *
 * Loss terms: one per PDE equation (mean squared residual over the collocation points) and one
 * per condition (mean squared condition residual over its points). Training aids, all off by
 * default:
 * - `transforms`: hard constraints (exact boundary/initial values; removes those loss terms).
 *   Use when the boundary is simple: it removes the balancing problem entirely.
 * - `weights`: static term weights. Use when one term's scale is known to dominate.
 * - `adaptiveWeights`: gradient-norm balancing (Wang et al. 2023, jaxpi): every `every` steps
 *   λ_k ← α λ_k + (1 − α) Σ_j ‖∇L_j‖ / ‖∇L_k‖. Use when terms fight (soft BC/IC with a stiff PDE).
 * - `causal`: causal weighting for time-dependent problems (Wang, Sankaran & Perdikaris 2022):
 *   the time axis is cut into M chunks, chunk i's residual is weighted by
 *   exp(−ε Σ_{k<i} L_k) (no gradient through the weights), so later times train only once
 *   earlier ones are resolved. Use when a PINN converges to a wrong, "lazy" solution in time.
 * - `adaptiveSampling`: RAD (resample all) or RAR-D (add points) from the residual density
 *   (Wu et al. 2023), as a training callback. Use for sharp fronts (Burgers' shock).
 * - `resampleEvery`: fresh uniform collocation points every k steps (cheap regularisation).
 */

import {
  type ActivationName,
  type DerivativeRequest,
  Derivatives,
  type FactorizationConfig,
  type LossFunction,
  Mlp,
  type Module,
  type Resumable,
  Rng,
  type RngState,
  type RunState,
  Trainer,
  type TrainerCallback,
  type TrainerConfig,
  type TrainResult,
} from '@pinnate/core';
import {
  concat,
  type Points,
  radFromResiduals,
  rarDFromResiduals,
  type SamplerKind,
  type SpaceTime,
} from '@pinnate/geometry';
import * as tf from '@tensorflow/tfjs';
import { compileExpression, type DerivativeRef, evalTensor, type TensorEnv } from './expr.ts';
import { type OutputTransform, PinnModel } from './model.ts';
import { type Condition, column, type Problem, type ResidualContext } from './problem.ts';

export interface PinnOptions {
  /** A ready network (inSize = inputs, outSize = fields). Default: an `Mlp` from `hidden`. */
  readonly network?: Module;
  /** Hidden widths of the default MLP (default [64, 64, 64]). */
  readonly hidden?: readonly number[];
  /** Default 'tanh'. */
  readonly activation?: ActivationName;
  /** Random weight factorization of the default MLP. */
  readonly factorization?: FactorizationConfig;
  /** Hard constraints. */
  readonly transforms?: readonly OutputTransform[];
  readonly points?: {
    /** Collocation points in the domain (default 2048). */
    readonly domain?: number;
    /** Points per boundary condition (default 256). */
    readonly boundary?: number;
    /** Points per initial condition (default 256). */
    readonly initial?: number;
  };
  /** Default 'random'. */
  readonly sampler?: SamplerKind;
  /** Seeds the network and every sampler (default 0). */
  readonly seed?: number;
  /** Draw fresh domain points every k Adam steps (default: never). */
  readonly resampleEvery?: number;
  /**
   * With `resampleEvery`, also draw fresh points for the boundary and initial conditions
   * (`resampleConditions`) at each resampling (default false: they keep their first draw).
   */
  readonly resampleConditions?: boolean;
  /** Static weights per term name. */
  readonly weights?: Readonly<Record<string, number>>;
  readonly adaptiveWeights?: { readonly every?: number; readonly alpha?: number };
  readonly causal?: { readonly chunks?: number; readonly epsilon?: number };
  readonly adaptiveSampling?: {
    readonly method: 'rad' | 'rar-d';
    /** Every k Adam steps (default 1000). */
    readonly every?: number;
    /** Candidate pool size (default 8 × domain points). */
    readonly pool?: number;
    /** RAR-D: points added each time (default domain/8). RAD ignores it (keeps the count). */
    readonly count?: number;
    readonly k?: number;
    readonly c?: number;
  };
}

/** A group of points with one jet plan and residual components. */
interface Group {
  readonly name: string;
  x: tf.Tensor2D;
  host: Points;
  readonly deriv: Derivatives;
  aux: Record<string, tf.Tensor>;
  /** Residual components at the group's points, each [N, 1]. */
  readonly residuals: (
    d: Record<string, tf.Tensor>,
    env: Omit<TensorEnv, 'deriv'>,
    x: tf.Tensor2D,
  ) => tf.Tensor[];
  /** Fresh points and their aux tensors (conditions sampled from a boundary or initial slice). */
  readonly redraw?: () => { host: Points; aux: Record<string, tf.Tensor> };
  /** The aux tensors of given points (restoring a checkpointed point set). */
  readonly auxOf?: (p: Points) => Record<string, tf.Tensor>;
  /** The condition's own sampling stream (checkpointed). */
  readonly rng?: Rng;
  /** Causal chunk-averaging matrix [M, N] (domain group only). */
  chunks?: tf.Tensor2D;
  lower?: tf.Tensor2D;
}

/** Identity whose gradient is zero (tfjs has no stop_gradient). */
const stopGradient = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  save([]);
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => [tf.zerosLike(dy)] };
}) as never) as unknown as (x: tf.Tensor) => tf.Tensor;

const refRequest = (r: DerivativeRef): DerivativeRequest =>
  r.laplacian ? { name: r.name, output: r.field, laplacian: r.laplacian } : r.name;

function uniqueRequests(refs: readonly DerivativeRef[]): DerivativeRequest[] {
  const seen = new Map<string, DerivativeRequest>();
  for (const r of refs) seen.set(r.name, refRequest(r));
  return [...seen.values()];
}

function toTensor(p: Points): tf.Tensor2D {
  return tf.tensor2d(Float32Array.from(p.data), [p.n, p.dim]);
}

function col(v: ArrayLike<number>): tf.Tensor2D {
  return tf.tensor2d(Float32Array.from(v), [v.length, 1]);
}

export class Pinn implements Resumable {
  readonly problem: Problem;
  readonly model: PinnModel;
  readonly options: PinnOptions;
  /** Current term weights (mutated by adaptive weighting; read by the trainer every step). */
  readonly weights: Record<string, number>;
  private readonly rng: Rng;
  private readonly groups: Group[] = [];
  private readonly domainGroup: Group;
  private readonly nDomain: number;
  private readonly fnRequests: DerivativeRequest[] = [];
  private trainer: Trainer | null = null;

  constructor(problem: Problem, options: PinnOptions = {}) {
    this.problem = problem;
    this.options = options;
    this.rng = new Rng(options.seed ?? 0);
    const d = problem.inputs.length;
    const m = problem.fields.length;
    const network =
      options.network ??
      new Mlp(
        {
          sizes: [d, ...(options.hidden ?? [64, 64, 64]), m],
          activation: options.activation ?? 'tanh',
          factorization: options.factorization,
        },
        this.rng.split(),
      );
    this.model = new PinnModel(problem, network, options.transforms ?? []);
    this.nDomain = options.points?.domain ?? 2048;
    if (!Number.isInteger(this.nDomain) || this.nDomain <= 0) {
      throw new Error(`Pinn: 'points.domain' must be a positive integer, got ${options.points?.domain}`);
    }
    if (options.causal && problem.time === null) {
      throw new Error(`Pinn: 'causal' weighting needs a time-dependent (SpaceTime) problem`);
    }
    this.domainGroup = this.buildDomainGroup();
    this.groups.push(this.domainGroup);
    problem.conditions.forEach((c, i) => {
      this.groups.push(this.buildConditionGroup(c, i));
    });
    const names = this.termNames();
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) throw new Error(`Pinn: two loss terms are named '${dup}'; give conditions distinct 'name's`);
    this.weights = {};
    for (const n of names) this.weights[n] = 1;
    for (const [k, w] of Object.entries(options.weights ?? {})) {
      if (!names.includes(k))
        throw new Error(`Pinn: 'weights' names unknown term '${k}'; terms are ${names.join(', ')}`);
      this.weights[k] = w;
    }
    for (const c of problem.conditions)
      if (c.weight !== undefined)
        this.weights[this.conditionName(c, problem.conditions.indexOf(c))] = c.weight;
  }

  /** Loss-term names in order. */
  termNames(): string[] {
    const pdeNames = this.problem.residualFunction
      ? this.fnNames()
      : this.problem.equations.map((e) => e.name);
    return [...pdeNames, ...this.problem.conditions.map((c, i) => this.conditionName(c, i))];
  }

  private fnNamesCache: string[] | null = null;
  private fnNames(): string[] {
    if (!this.fnNamesCache) this.discoverFunction();
    return this.fnNamesCache as string[];
  }

  private conditionName(c: Condition, i: number): string {
    return c.name ?? `${c.kind}${i}`;
  }

  // -------------------------------------------------------------------------------------------
  // Points

  private sampleDomain(n: number, rng: Rng): Points {
    return this.problem.domain.sample(n, { sampler: this.options.sampler ?? 'random', rng });
  }

  /** Sorts domain points by time (for causal chunks) and builds the chunk matrices. */
  private setDomainPoints(g: Group, p: Points): void {
    let pts = p;
    const causal = this.options.causal;
    if (causal) {
      const ti = this.problem.inputs.length - 1;
      const order = Array.from({ length: p.n }, (_, i) => i).sort(
        (a, b) => p.data[a * p.dim + ti] - p.data[b * p.dim + ti],
      );
      const data = new Float64Array(p.n * p.dim);
      order.forEach((src, r) => data.set(p.data.subarray(src * p.dim, (src + 1) * p.dim), r * p.dim));
      pts = { data, n: p.n, dim: p.dim };
      const M = causal.chunks ?? 16;
      if (!Number.isInteger(M) || M < 1 || M > p.n)
        throw new Error(`Pinn: 'causal.chunks' must be an integer in [1, ${p.n}], got ${M}`);
      const avg = new Float32Array(M * p.n);
      const bounds = Array.from({ length: M + 1 }, (_, i) => Math.round((i * p.n) / M));
      for (let c = 0; c < M; c++) {
        for (let r = bounds[c]; r < bounds[c + 1]; r++) avg[c * p.n + r] = 1 / (bounds[c + 1] - bounds[c]);
      }
      const lower = new Float32Array(M * M);
      for (let i = 0; i < M; i++) for (let k = 0; k < i; k++) lower[i * M + k] = 1;
      g.chunks?.dispose();
      g.lower?.dispose();
      // Kept: this may run inside the trainer's gradient scope (resampling).
      g.chunks = tf.keep(tf.tensor2d(avg, [M, p.n]));
      g.lower = tf.keep(tf.tensor2d(lower, [M, M]));
    }
    g.x?.dispose();
    g.host = pts;
    g.x = tf.keep(toTensor(pts));
  }

  private buildDomainGroup(): Group {
    const pr = this.problem;
    let requests: DerivativeRequest[];
    let residuals: Group['residuals'];
    if (pr.residualFunction) {
      requests = this.discoverFunction();
      const fn = pr.residualFunction;
      residuals = (d, env) => {
        const out = fn(this.residualContext(d, env));
        return out instanceof tf.Tensor ? [out] : (this.fnNames() as string[]).map((k) => out[k]);
      };
    } else {
      const refs = pr.equations.flatMap((e) => e.residual.derivatives);
      requests = uniqueRequests(refs);
      residuals = (d, env) =>
        pr.equations.map((e) => {
          const r = evalTensor(e.residual, { ...env, deriv: (ref) => d[ref.name] });
          if (!e.forcing) return r;
          return tf.sub(
            r,
            evalTensor(e.forcing, {
              ...env,
              deriv: () => {
                throw new Error('unreachable');
              },
            }),
          );
        });
    }
    if (requests.length === 0) requests = [pr.fields[0]];
    const g: Group = {
      name: 'domain',
      x: null as unknown as tf.Tensor2D,
      host: null as unknown as Points,
      deriv: new Derivatives({ inputs: pr.inputs, outputs: pr.fields, requests }),
      aux: {},
      residuals,
    };
    this.setDomainPoints(g, this.sampleDomain(this.nDomain, this.rng.split()));
    return g;
  }

  /** Runs the residual function once on a few dummy points to learn which derivatives it uses. */
  private discoverFunction(): DerivativeRequest[] {
    if (this.fnNamesCache) return this.fnRequests;
    const pr = this.problem;
    const fn = pr.residualFunction as NonNullable<Problem['residualFunction']>;
    const seen = new Map<string, DerivativeRequest>();
    let names: string[] = [];
    tf.tidy(() => {
      const z = tf.zeros([2, 1]);
      const ctx: ResidualContext = {
        n: 2,
        constants: pr.constants,
        input: (name) => {
          if (!pr.inputs.includes(name))
            throw new Error(`residual function: unknown input '${name}'; inputs are ${pr.inputs.join(', ')}`);
          return z;
        },
        param: (name) => {
          if (!(name in pr.parameters)) throw new Error(`residual function: unknown parameter '${name}'`);
          return z;
        },
        field: (name) => {
          if (!pr.fields.includes(name))
            throw new Error(`residual function: unknown field '${name}'; fields are ${pr.fields.join(', ')}`);
          seen.set(name, name);
          return {
            value: z,
            d: (...vs: string[]) => {
              const key = `${name}_${vs.join('')}`;
              for (const v of vs)
                if (!pr.inputs.includes(v))
                  throw new Error(
                    `residual function: '${name}.d(${vs.join(', ')})' differentiates by unknown input '${v}'`,
                  );
              if (vs.length === 0 || vs.length > 4)
                throw new Error(`residual function: '${name}.d()' takes 1 to 4 inputs, got ${vs.length}`);
              seen.set(key, key);
              return z;
            },
            lap: () => {
              seen.set(`lap_${name}`, { name: `lap_${name}`, output: name, laplacian: pr.spatial });
              return z;
            },
          };
        },
      };
      const out = fn(ctx);
      names = out instanceof tf.Tensor ? ['pde'] : Object.keys(out);
      return [];
    });
    if (names.length === 0) throw new Error('residual function: returned no residuals');
    this.fnNamesCache = names;
    this.fnRequests.push(...seen.values());
    return this.fnRequests;
  }

  private residualContext(d: Record<string, tf.Tensor>, env: Omit<TensorEnv, 'deriv'>): ResidualContext {
    const pr = this.problem;
    return {
      n: env.n,
      constants: pr.constants,
      input: (name) => env.input(pr.inputs.indexOf(name)),
      param: (name) => env.param(name),
      field: (name) => ({
        value: d[name],
        d: (...vs: string[]) => d[`${name}_${vs.join('')}`],
        lap: () => d[`lap_${name}`],
      }),
    };
  }

  private buildConditionGroup(c: Condition, index: number): Group {
    const pr = this.problem;
    const name = this.conditionName(c, index);
    const nB = c.n ?? this.options.points?.boundary ?? 256;
    const nI = c.n ?? this.options.points?.initial ?? 256;
    const rng = this.rng.split();
    const sampler = this.options.sampler ?? 'random';
    const boundary = (where?: (p: Float64Array) => boolean): Points => {
      if (!where) return pr.domain.sampleBoundary(nB, { sampler, rng });
      const parts: Points[] = [];
      let got = 0;
      for (let tries = 0; got < nB; tries++) {
        if (tries > 50)
          throw new Error(
            `condition '${name}': 'where' accepted ${got} of ${50 * nB * 4} boundary points; is it empty?`,
          );
        const p = pr.domain.sampleBoundary(nB * 4, { sampler: 'random', rng });
        const keep: number[] = [];
        for (let r = 0; r < p.n && got + keep.length < nB; r++)
          if (where(p.data.subarray(r * p.dim, (r + 1) * p.dim))) keep.push(r);
        const data = new Float64Array(keep.length * p.dim);
        keep.forEach((r, j) => data.set(p.data.subarray(r * p.dim, (r + 1) * p.dim), j * p.dim));
        parts.push({ data, n: keep.length, dim: p.dim });
        got += keep.length;
      }
      return concat(parts);
    };
    const initialPts = (): Points => {
      const dom = pr.domain as SpaceTime;
      return dom.sampleInitial(nI, { sampler, rng });
    };
    const normals = (p: Points): Record<string, tf.Tensor> => {
      const nr = pr.domain.normal(p);
      const out: Record<string, tf.Tensor> = {};
      pr.spatial.forEach((s, j) => {
        out[`n_${s}`] = col(column(nr, j));
      });
      return out;
    };
    const fieldIdx = 'field' in c ? c.field : '';
    const dn = (d: Record<string, tf.Tensor>, aux: Record<string, tf.Tensor>) =>
      pr.spatial.map((s) => tf.mul(d[`${fieldIdx}_${s}`], aux[`n_${s}`])).reduce((a, b) => tf.add(a, b));
    const gradRequests = pr.spatial.map((s) => `${fieldIdx}_${s}`);
    const make = (
      host: Points,
      requests: DerivativeRequest[],
      aux: Record<string, tf.Tensor>,
      residuals: Group['residuals'],
      sampled?: Pick<Group, 'redraw' | 'auxOf'>,
    ): Group => ({
      name,
      x: toTensor(host),
      host,
      deriv: new Derivatives({ inputs: pr.inputs, outputs: pr.fields, requests }),
      aux,
      residuals,
      rng,
      ...sampled,
    });
    // Conditions on sampled points can redraw them (`resampleConditions`).
    const drawn = (
      sample: () => Points,
      auxOf: (p: Points) => Record<string, tf.Tensor>,
    ): {
      first: { host: Points; aux: Record<string, tf.Tensor> };
      sampled: Pick<Group, 'redraw' | 'auxOf'>;
    } => {
      const redraw = () => {
        const host = sample();
        return { host, aux: auxOf(host) };
      };
      return { first: redraw(), sampled: { redraw, auxOf } };
    };
    const targetOf = (value: Parameters<Problem['evaluateValue']>[0]) => (p: Points) => ({
      target: col(pr.evaluateValue(value, p, name)),
    });
    switch (c.kind) {
      case 'dirichlet': {
        const { first, sampled } = drawn(() => boundary(c.where), targetOf(c.value));
        return make(
          first.host,
          [c.field],
          first.aux,
          (d, env) => [tf.sub(d[c.field], env.aux('target'))],
          sampled,
        );
      }
      case 'initial': {
        const { first, sampled } = drawn(initialPts, targetOf(c.value));
        const key = c.derivative === 1 ? `${c.field}_${pr.time}` : c.field;
        return make(first.host, [key], first.aux, (d, env) => [tf.sub(d[key], env.aux('target'))], sampled);
      }
      case 'neumann': {
        const { first, sampled } = drawn(
          () => boundary(c.where),
          (p) => ({ ...normals(p), ...targetOf(c.value)(p) }),
        );
        return make(
          first.host,
          gradRequests,
          first.aux,
          (d, env) => [tf.sub(dn(d, this.groupAux(name)), env.aux('target'))],
          sampled,
        );
      }
      case 'robin': {
        const { first, sampled } = drawn(
          () => boundary(c.where),
          (p) => ({ ...normals(p), ...targetOf(c.value)(p) }),
        );
        return make(
          first.host,
          [c.field, ...gradRequests],
          first.aux,
          (d, env) => [
            tf.sub(
              tf.add(tf.mul(d[c.field], tf.scalar(c.a)), tf.mul(dn(d, this.groupAux(name)), tf.scalar(c.b))),
              env.aux('target'),
            ),
          ],
          sampled,
        );
      }
      case 'periodic': {
        const j = pr.inputs.indexOf(c.input);
        const box = pr.domain.bbox();
        const base = this.sampleDomain(nB, rng);
        const data = new Float64Array(2 * base.n * base.dim);
        data.set(base.data);
        data.set(base.data, base.n * base.dim);
        for (let r = 0; r < base.n; r++) {
          data[r * base.dim + j] = box.lo[j];
          data[(base.n + r) * base.dim + j] = box.hi[j];
        }
        const host = { data, n: 2 * base.n, dim: base.dim };
        const keys = Array.from({ length: c.derivatives + 1 }, (_, k) =>
          k === 0 ? c.field : `${c.field}_${c.input.repeat(k)}`,
        );
        const n = base.n;
        return make(host, keys, {}, (d) =>
          keys.map((k) => tf.sub(tf.slice(d[k], [0, 0], [n, 1]), tf.slice(d[k], [n, 0], [n, 1]))),
        );
      }
      case 'operator': {
        const p =
          c.on === 'initial'
            ? initialPts()
            : c.on === 'domain'
              ? this.sampleDomain(nB, rng)
              : boundary(c.where);
        const auxNames = pr.spatial.map((s) => `n_${s}`);
        const expr = compileExpression(c.expression, pr.symbols(auxNames), `condition '${name}' expression`);
        const aux: Record<string, tf.Tensor> = { target: col(pr.evaluateValue(c.value, p, name)) };
        if (c.on === 'boundary') Object.assign(aux, normals(p));
        const requests = uniqueRequests(expr.derivatives);
        return make(p, requests.length ? requests : [pr.fields[0]], aux, (d, env) => [
          tf.sub(evalTensor(expr, { ...env, deriv: (r) => d[r.name] }), env.aux('target')),
        ]);
      }
      case 'observations': {
        const fields = Object.keys(c.values);
        const aux: Record<string, tf.Tensor> = {};
        for (const f of fields) aux[`obs_${f}`] = col(c.values[f]);
        return make(c.points, fields, aux, (d, env) => fields.map((f) => tf.sub(d[f], env.aux(`obs_${f}`))));
      }
    }
  }

  private groupAux(name: string): Record<string, tf.Tensor> {
    return (this.groups.find((g) => g.name === name) as Group).aux;
  }

  // -------------------------------------------------------------------------------------------
  // Loss

  private env(g: Group, x: tf.Tensor2D, cache: Map<number, tf.Tensor>): Omit<TensorEnv, 'deriv'> {
    return {
      n: x.shape[0],
      input: (i) => {
        let c = cache.get(i);
        if (!c) {
          c = tf.slice(x, [0, i], [x.shape[0], 1]);
          cache.set(i, c);
        }
        return c;
      },
      param: (name) => this.model.coefficient(name),
      aux: (name) => {
        const a = g.aux[name];
        if (!a) throw new Error(`Pinn: no point data '${name}' in term '${g.name}'`);
        return a;
      },
    };
  }

  /** Residual components of a group at its points (or at `x`), each [N, 1]. */
  private groupResiduals(g: Group, x: tf.Tensor2D = g.x): tf.Tensor[] {
    const d = g.deriv.evaluate(this.model, x);
    return g.residuals(d, this.env(g, x, new Map()), x);
  }

  /** Mean square of a column [N, 1]. */
  private static meanSquare(r: tf.Tensor): tf.Scalar {
    return tf.div(tf.sum(tf.square(r)), tf.scalar(r.shape[0] as number)) as tf.Scalar;
  }

  /** Every loss term as a scalar (unweighted). */
  lossTerms(): Record<string, tf.Scalar> {
    const out: Record<string, tf.Scalar> = {};
    const names = this.termNames();
    const pdeCount = names.length - this.problem.conditions.length;
    const dom = this.groupResiduals(this.domainGroup);
    dom.forEach((r, i) => {
      out[names[i]] = this.domainLoss(r);
    });
    if (dom.length !== pdeCount) throw new Error(`Pinn: expected ${pdeCount} residuals, got ${dom.length}`);
    this.groups.slice(1).forEach((g, i) => {
      const parts = this.groupResiduals(g).map((r) => Pinn.meanSquare(r));
      out[names[pdeCount + i]] = parts.reduce((a, b) => tf.add(a, b) as tf.Scalar);
    });
    return out;
  }

  /** Mean squared residual, causally weighted when enabled. */
  private domainLoss(r: tf.Tensor): tf.Scalar {
    const g = this.domainGroup;
    if (!this.options.causal || !g.chunks || !g.lower) return Pinn.meanSquare(r);
    const eps = this.options.causal.epsilon ?? 1;
    const per = tf.matMul(g.chunks, tf.square(r) as tf.Tensor2D); // [M, 1]
    const w = stopGradient(tf.exp(tf.mul(tf.matMul(g.lower, per), tf.scalar(-eps))));
    return tf.mean(tf.mul(w, per)) as tf.Scalar;
  }

  /** The loss function for `Trainer` (resamples domain points when `resampleEvery` is set). */
  lossFunction(): LossFunction {
    const every = this.options.resampleEvery;
    return ({ step, phase, rng }) => {
      if (every && phase === 'adam' && step > 0 && step % every === 0 && this.lastResample !== step) {
        this.lastResample = step;
        this.setDomainPoints(this.domainGroup, this.sampleDomain(this.nDomain, rng));
        if (this.options.resampleConditions) this.resampleConditions();
      }
      return this.lossTerms();
    };
  }

  private lastResample = -1;

  /**
   * Fresh points for every boundary, initial, Neumann and Robin condition (each from its own
   * seeded stream); periodic, observation and operator conditions keep theirs. Call it between
   * L-BFGS rounds; with `resampleConditions` set, Adam resampling calls it too.
   */
  resampleConditions(): void {
    for (const g of this.groups.slice(1)) {
      if (!g.redraw) continue;
      const { host, aux } = g.redraw();
      Pinn.setConditionPoints(g, host, aux);
    }
  }

  /** Replaces a condition group's points and their aux tensors (freeing the old ones). */
  private static setConditionPoints(g: Group, host: Points, aux: Record<string, tf.Tensor>): void {
    g.x.dispose();
    tf.dispose(Object.values(g.aux));
    g.host = host;
    // Kept: this may run inside the trainer's gradient scope.
    g.x = tf.keep(toTensor(host));
    for (const t of Object.values(aux)) tf.keep(t);
    g.aux = aux;
  }

  // -------------------------------------------------------------------------------------------
  // Training aids as callbacks

  /** ‖∇_θ L_k‖ for every loss term k (one backward pass per term). */
  gradientNorms(): Record<string, number> {
    const vars = this.model
      .parameters()
      .filter((p) => p.variable.trainable)
      .map((p) => p.variable);
    const norms: Record<string, number> = {};
    for (const name of this.termNames()) {
      const { value, grads } = tf.variableGrads(() => this.lossTerms()[name], vars);
      const n = tf.tidy(() => tf.sqrt(tf.addN(Object.values(grads).map((gr) => tf.sum(tf.square(gr))))));
      norms[name] = n.dataSync()[0];
      tf.dispose([value, n, ...Object.values(grads)]);
    }
    return norms;
  }

  /**
   * Gradient-norm balancing: λ_k ← α λ_k + (1 − α) Σ_j ‖∇L_j‖ / ‖∇L_k‖ (α = 0 replaces).
   * Returns the norms used.
   */
  updateAdaptiveWeights(alpha = this.options.adaptiveWeights?.alpha ?? 0.9): Record<string, number> {
    const norms = this.gradientNorms();
    const total = Object.values(norms).reduce((a, b) => a + b, 0);
    for (const [name, gn] of Object.entries(norms)) {
      const target = gn > 0 ? total / gn : this.weights[name];
      this.weights[name] = alpha * this.weights[name] + (1 - alpha) * target;
    }
    return norms;
  }

  private adaptiveWeightsCallback(): TrainerCallback | null {
    const o = this.options.adaptiveWeights;
    if (!o) return null;
    const every = o.every ?? 1000;
    return {
      onStep: (info) => {
        if (info.phase !== 'adam' || (info.step !== 1 && info.step % every !== 0)) return;
        // The first update replaces the initial weights of 1.
        this.updateAdaptiveWeights(info.step === 1 ? 0 : (o.alpha ?? 0.9));
      },
    };
  }

  private samplingRng: Rng | null = null;

  /**
   * One adaptive resampling of the domain points by `options.adaptiveSampling` (RAD redraws
   * them all, RAR-D adds points), from a fresh candidate pool and the current residual. The
   * training callback calls it every `every` Adam steps; call it between L-BFGS rounds too.
   */
  adaptSamples(): void {
    const o = this.options.adaptiveSampling;
    if (!o) throw new Error("Pinn.adaptSamples: no 'adaptiveSampling' option was given");
    this.samplingRng ??= this.rng.split();
    const rng = this.samplingRng;
    const pool = this.sampleDomain(o.pool ?? 8 * this.nDomain, rng);
    const res = this.residualMagnitude(pool);
    const g = this.domainGroup;
    let next: Points;
    if (o.method === 'rad') {
      next = radFromResiduals(pool, res, this.nDomain, { rng, k: o.k, c: o.c });
    } else {
      const add = rarDFromResiduals(pool, res, o.count ?? Math.max(1, Math.round(this.nDomain / 8)), {
        rng,
        k: o.k,
        c: o.c,
      });
      next = concat([g.host, add]);
    }
    this.setDomainPoints(g, next);
  }

  private adaptiveSamplingCallback(): TrainerCallback | null {
    const o = this.options.adaptiveSampling;
    if (!o) return null;
    const every = o.every ?? 1000;
    return {
      onStep: (info) => {
        if (info.phase !== 'adam' || info.step % every !== 0) return;
        this.adaptSamples();
      },
    };
  }

  /** Σ over equations of |residual| at points (no gradients), in batches. */
  residualMagnitude(p: Points): Float64Array {
    const r = this.residuals(p);
    const out = new Float64Array(p.n);
    for (const v of Object.values(r)) for (let i = 0; i < p.n; i++) out[i] += Math.abs(v[i]);
    return out;
  }

  /** PDE residuals at points, per equation. */
  residuals(p: Points, batch = 4096): Record<string, Float64Array> {
    const names = this.termNames().slice(0, this.termNames().length - this.problem.conditions.length);
    const out: Record<string, Float64Array> = {};
    for (const n of names) out[n] = new Float64Array(p.n);
    for (let s = 0; s < p.n; s += batch) {
      const e = Math.min(p.n, s + batch);
      const rs = tf.tidy(() => {
        const x = tf.tensor2d(Float32Array.from(p.data.subarray(s * p.dim, e * p.dim)), [e - s, p.dim]);
        return this.groupResiduals(this.domainGroup, x).map((r) => tf.keep(r));
      });
      rs.forEach((r, i) => {
        out[names[i]].set(r.dataSync(), s);
      });
      tf.dispose(rs);
    }
    return out;
  }

  /** Field values at points, in batches (float32 network, returned as float64). */
  predict(p: Points, batch = 8192): Record<string, Float64Array> {
    const fields = this.problem.fields;
    const out: Record<string, Float64Array> = {};
    for (const f of fields) out[f] = new Float64Array(p.n);
    const value = new Derivatives({ inputs: this.problem.inputs, outputs: fields, requests: [...fields] });
    for (let s = 0; s < p.n; s += batch) {
      const e = Math.min(p.n, s + batch);
      const y = tf.tidy(() => {
        const x = tf.tensor2d(Float32Array.from(p.data.subarray(s * p.dim, e * p.dim)), [e - s, p.dim]);
        return value.jet(this.model, x).value;
      });
      const data = y.dataSync();
      y.dispose();
      for (let r = 0; r < e - s; r++)
        fields.forEach((f, j) => {
          out[f][s + r] = data[r * fields.length + j];
        });
    }
    return out;
  }

  /** Current values of the trainable coefficients. */
  coefficients(): Record<string, number> {
    return this.model.coefficientValues();
  }

  /**
   * What a checkpoint needs beyond the parameters to resume exactly: every group's points (the
   * domain's after resampling or RAD, the conditions' after redraws), the sampling streams, the
   * resampling step and the adaptive loss weights. The trainers this PINN makes save it.
   */
  captureState(): RunState {
    const arrays: Record<string, Float64Array> = {};
    const groups = this.groups.map((g, i) => {
      arrays[`points${i}`] = Float64Array.from(g.host.data);
      return { name: g.name, n: g.host.n, dim: g.host.dim, rng: g.rng?.state() ?? null };
    });
    return {
      json: {
        rng: this.rng.state(),
        samplingRng: this.samplingRng?.state() ?? null,
        lastResample: this.lastResample,
        weights: { ...this.weights },
        groups,
      },
      arrays,
    };
  }

  /** Restores what `captureState` returned (an empty state, from an older checkpoint, is ignored). */
  restoreState(state: RunState): void {
    const j = state.json as {
      rng?: RngState;
      samplingRng?: RngState | null;
      lastResample?: number;
      weights?: Record<string, number>;
      groups?: { name: string; n: number; dim: number; rng: RngState | null }[];
    };
    if (!j.groups) return;
    const names = this.groups.map((g) => g.name);
    if (j.groups.length !== names.length || j.groups.some((g, i) => g.name !== names[i]))
      throw new Error(
        `Pinn.restoreState: the checkpoint has point groups [${j.groups.map((g) => g.name)}], this PINN has [${names}]`,
      );
    this.rng.setState(j.rng as RngState);
    this.samplingRng = j.samplingRng ? Rng.fromState(j.samplingRng) : null;
    this.lastResample = j.lastResample ?? -1;
    // In place: the trainer holds this object as its term weights.
    Object.assign(this.weights, j.weights);
    j.groups.forEach((saved, i) => {
      const g = this.groups[i];
      const data = state.arrays[`points${i}`];
      if (!data || data.length !== saved.n * saved.dim)
        throw new Error(`Pinn.restoreState: points of group '${saved.name}' missing or of the wrong size`);
      if (saved.rng && g.rng) g.rng.setState(saved.rng);
      const host: Points = { data: Float64Array.from(data), n: saved.n, dim: saved.dim };
      if (i === 0) this.setDomainPoints(g, host);
      else if (g.auxOf) Pinn.setConditionPoints(g, host, g.auxOf(host));
    });
  }

  /** Current collocation points in the domain. */
  get domainPoints(): Points {
    return this.domainGroup.host;
  }

  /** A `Trainer` over this problem's loss, with the aids' callbacks and the term weights. */
  trainerFor(config: Omit<TrainerConfig, 'weights'>): Trainer {
    this.trainer = new Trainer(this.model, this.lossFunction(), {
      seed: this.options.seed ?? 0,
      state: this,
      ...config,
      weights: this.weights,
      callbacks: this.callbacks(config),
    });
    return this.trainer;
  }

  /**
   * Continue from the latest checkpoint in `dir`: parameters, coefficients, Adam state, the
   * trainer's RNG, and this PINN's state (point sets, their streams, adaptive weights).
   */
  async resumeTrainer(dir: string, config: Omit<TrainerConfig, 'weights'>): Promise<Trainer> {
    this.trainer = await Trainer.resume(dir, this.model, this.lossFunction(), {
      seed: this.options.seed ?? 0,
      state: this,
      ...config,
      weights: this.weights,
      callbacks: this.callbacks(config),
    });
    return this.trainer;
  }

  private callbacks(config: Omit<TrainerConfig, 'weights'>): TrainerCallback[] {
    return [
      this.adaptiveWeightsCallback(),
      this.adaptiveSamplingCallback(),
      ...(config.callbacks ?? []),
    ].filter((c): c is TrainerCallback => c !== null);
  }

  /** Train with Adam (and L-BFGS when configured); see `Trainer`. */
  async train(config: Omit<TrainerConfig, 'weights'>): Promise<TrainResult> {
    const t = this.trainerFor(config);
    try {
      return await t.fit();
    } finally {
      t.dispose();
    }
  }

  /**
   * Frees the collocation tensors and the model's variables. The network's variables go too,
   * also when the network was passed in `options.network`; pass `keepNetwork: true` to keep a
   * network you still use (fine-tuning it on another problem, saving it later).
   */
  dispose(options: { readonly keepNetwork?: boolean } = {}): void {
    for (const g of this.groups) {
      tf.dispose([g.x, ...Object.values(g.aux)]);
      g.chunks?.dispose();
      g.lower?.dispose();
    }
    const kept = new Set(options.keepNetwork ? this.model.network.parameters().map((p) => p.variable) : []);
    for (const p of this.model.parameters()) if (!kept.has(p.variable)) p.variable.dispose();
    if (!options.keepNetwork) this.model.disposeConstants();
  }
}
