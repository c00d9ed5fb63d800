/**
 * What MgNO and FNO share: grid in, grid out, named parameters, a JSON config that rebuilds the
 * model, fixed affine input/output scalings stored in that config (so `predict` takes raw
 * coefficient fields), save/load, and batched prediction.
 */
import {
  assignParametersFromNpz,
  type Module,
  type ModuleConfig,
  type NamedVariable,
  parametersToNpz,
} from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';

export interface Scaling {
  /** Model input = (a − inputShift) / inputScale (defaults 0, 1). */
  readonly inputShift?: number;
  readonly inputScale?: number;
  /** Prediction = network output · outputScale (default 1). */
  readonly outputScale?: number;
}

export interface GridOperator {
  readonly inChannels: number;
  readonly outChannels: number;
  /** x [B, H, W, inChannels] (raw, unscaled) -> [B, H, W, outChannels]. */
  apply(x: tf.Tensor4D): tf.Tensor4D;
  parameters(): NamedVariable[];
  config(): ModuleConfig;
  /** Frees weights and caches. */
  dispose(): void;
}

export function checkScaling(op: string, s: Scaling): Required<Scaling> {
  const out = {
    inputShift: s.inputShift ?? 0,
    inputScale: s.inputScale ?? 1,
    outputScale: s.outputScale ?? 1,
  };
  for (const [k, v] of Object.entries(out)) {
    if (!Number.isFinite(v) || (k !== 'inputShift' && v === 0)) {
      throw new Error(
        `${op}: '${k}' must be a finite${k === 'inputShift' ? '' : ', non-zero'} number, got ${v}`,
      );
    }
  }
  return out;
}

/** Parameter count. */
export function countOperatorParameters(op: GridOperator): number {
  return op.parameters().reduce((n, p) => n + p.variable.size, 0);
}

// Core's npz helpers only call `parameters()`; this view gives them exactly that.
const paramsView = (op: GridOperator) => ({ parameters: () => op.parameters() }) as unknown as Module;

/** Node: writes `dir/operator.json` (config + metadata) and `dir/params.npz`. */
export async function saveOperator(
  dir: string,
  op: GridOperator,
  metadata: Record<string, unknown> = {},
): Promise<void> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'params.npz'), await parametersToNpz(paramsView(op)));
  const manifest = {
    format: 'pinnate-operator',
    version: 1,
    config: op.config(),
    parameters: op.parameters().map((p) => ({ name: p.name, shape: p.variable.shape })),
    metadata,
  };
  await fs.writeFile(path.join(dir, 'operator.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Node: rebuilds an operator saved by `saveOperator` with `build(config)` and loads its weights. */
export async function loadOperator(
  dir: string,
  build: (config: ModuleConfig) => GridOperator,
): Promise<{ operator: GridOperator; metadata: Record<string, unknown> }> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const where = path.join(dir, 'operator.json');
  let manifest: { format?: string; config: ModuleConfig; metadata?: Record<string, unknown> };
  try {
    manifest = JSON.parse(await fs.readFile(where, 'utf8'));
  } catch (e) {
    throw new Error(`loadOperator: cannot read '${where}' (${(e as Error).message})`);
  }
  if (manifest.format !== 'pinnate-operator')
    throw new Error(`loadOperator: '${where}' is not a pinnate-operator manifest`);
  const operator = build(manifest.config);
  await assignParametersFromNpz(paramsView(operator), await fs.readFile(path.join(dir, 'params.npz')));
  return { operator, metadata: manifest.metadata ?? {} };
}

/**
 * Applies `op` to coefficient fields a [N, H, W] or [N, H, W, C] (float32 or float64 data) in
 * batches; returns the solutions [N, H, W, outChannels] as a Float32Array plus its shape.
 */
export function predict(
  op: GridOperator,
  a: { data: ArrayLike<number>; shape: readonly number[] },
  options: { batchSize?: number } = {},
): { data: Float32Array; shape: number[] } {
  const OP = 'predict';
  const shape = [...a.shape];
  if (shape.length === 3) shape.push(1);
  if (shape.length !== 4) throw new Error(`${OP}: 'a' must be [N, H, W] or [N, H, W, C], got [${a.shape}]`);
  const [N, H, W, C] = shape;
  if (C !== op.inChannels)
    throw new Error(`${OP}: 'a' has ${C} channels, the operator takes ${op.inChannels}`);
  if (a.data.length !== N * H * W * C)
    throw new Error(`${OP}: 'a' has ${a.data.length} values, its shape [${a.shape}] needs ${N * H * W * C}`);
  const bs = options.batchSize ?? 8;
  if (!Number.isInteger(bs) || bs < 1)
    throw new Error(`${OP}: 'batchSize' must be a positive integer, got ${bs}`);
  const O = op.outChannels;
  const out = new Float32Array(N * H * W * O);
  const per = H * W * C;
  for (let i = 0; i < N; i += bs) {
    const n = Math.min(bs, N - i);
    const chunk = Float32Array.from({ length: n * per }, (_, j) => a.data[i * per + j]);
    const y = tf.tidy(() => op.apply(tf.tensor4d(chunk, [n, H, W, C])));
    out.set(y.dataSync(), i * H * W * O); // read outside tidy (NOTES.md)
    y.dispose();
  }
  return { data: out, shape: [N, H, W, O] };
}
