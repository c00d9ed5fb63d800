/**
 * Saving, loading and `predict` for DeepONets (Node). A saved operator is a model directory
 * (core's model.json + params.npz, normalization included as parameters) plus
 *
 *   points.npy    [P, d] the query points predictions are made at (float32)
 *   model.json    metadata.operator = { sensors: description of where u is sampled,
 *                 outputShape: per-function shape of a prediction, e.g. [nt, nx] }
 *
 * `predictNpy(modelDir, 'in.npy', 'out.npy')` reads input functions [F, ...] (any float or int
 * dtype; trailing axes flattened must equal the sensor count) and writes [F, ...outputShape].
 */
import {
  buildModule,
  CORE_MODULES,
  loadModel,
  type ModuleRegistry,
  type Rng,
  readNpyFile,
  saveModel,
  writeNpyFile,
} from '@pinnate/core';
import { ConvBranch, type ConvBranchConfig } from './conv_branch.ts';
import { predictCartesian } from './data.ts';
import { DeepONet, type DeepONetConfig } from './deeponet.ts';
import { PodTrunk, type PodTrunkConfig } from './pod.ts';
import { StackedMlp, type StackedMlpConfig } from './stacked.ts';

/** CORE_MODULES plus DeepONet and its parts, for `buildModule` / `loadModel`. */
export const DEEPONET_MODULES: ModuleRegistry = {
  ...CORE_MODULES,
  DeepONet: (c, rng: Rng) => new DeepONet(c as unknown as DeepONetConfig, rng),
  StackedMlp: (c, rng: Rng) => new StackedMlp(c as unknown as StackedMlpConfig, rng),
  ConvBranch: (c, rng: Rng) => new ConvBranch(c as unknown as ConvBranchConfig, rng),
  PodTrunk: (c) => new PodTrunk(c as unknown as PodTrunkConfig),
};

export interface OperatorMetadata {
  /** Where the branch input is sampled (for users making their own inputs). */
  readonly sensors: string;
  /** Per-function shape of a prediction (product = points · outputs). */
  readonly outputShape: readonly number[];
  /** Free-form description of the operator. */
  readonly description?: string;
  readonly [key: string]: unknown;
}

/** Write model.json, params.npz and points.npy into `dir`. */
export async function saveDeepONet(
  dir: string,
  model: DeepONet,
  points: Float32Array,
  metadata: OperatorMetadata,
): Promise<void> {
  const OP = 'saveDeepONet';
  if (points.length === 0 || points.length % model.coords !== 0) {
    throw new Error(
      `${OP}: 'points' must hold P points of ${model.coords} coordinates, got ${points.length} values`,
    );
  }
  const p = points.length / model.coords;
  const size = metadata.outputShape.reduce((a, b) => a * b, 1);
  if (size !== p * model.outputs) {
    throw new Error(
      `${OP}: 'metadata.outputShape' [${metadata.outputShape}] has ${size} entries; points·outputs = ${p * model.outputs}`,
    );
  }
  await saveModel(dir, model, { operator: metadata });
  const path = await import('node:path');
  await writeNpyFile(path.join(dir, 'points.npy'), { data: points, shape: [p, model.coords] });
}

/** Load a saved DeepONet with its points and metadata. */
export async function loadDeepONet(
  dir: string,
): Promise<{ model: DeepONet; points: Float32Array; metadata: OperatorMetadata }> {
  const { module, manifest } = await loadModel(dir, DEEPONET_MODULES);
  if (!(module instanceof DeepONet)) {
    throw new Error(`loadDeepONet: '${dir}' holds a ${manifest.config.type}, not a DeepONet`);
  }
  const path = await import('node:path');
  const pts = await readNpyFile(path.join(dir, 'points.npy'));
  const metadata = (manifest.metadata?.operator ?? null) as OperatorMetadata | null;
  if (!metadata) throw new Error(`loadDeepONet: '${dir}/model.json' has no metadata.operator`);
  return { model: module, points: Float32Array.from(pts.data as ArrayLike<number>), metadata };
}

/** Rebuild a DeepONet from a config (fresh weights); mostly for tests. */
export function buildDeepONet(config: DeepONetConfig, rng?: Rng): DeepONet {
  return buildModule({ type: 'DeepONet', ...config }, rng, DEEPONET_MODULES) as DeepONet;
}

/**
 * Predict for the input functions in `inPath` ([F, ...], F·m values) and write `outPath`
 * ([F, ...outputShape], float32). Returns the output shape.
 */
export async function predictNpy(modelDir: string, inPath: string, outPath: string): Promise<number[]> {
  const OP = 'predictNpy';
  const { model, points, metadata } = await loadDeepONet(modelDir);
  const arr = await readNpyFile(inPath);
  if (arr.shape.length < 1) throw new Error(`${OP}: '${inPath}' must be [F, ...], got a scalar`);
  const f = arr.shape.length === 1 ? 1 : arr.shape[0];
  const per = arr.shape.length === 1 ? arr.shape[0] : arr.shape.slice(1).reduce((a, b) => a * b, 1);
  if (per !== model.sensors) {
    throw new Error(
      `${OP}: each input function in '${inPath}' has ${per} values (shape [${arr.shape}]); the model reads ${model.sensors} sensors (${metadata.sensors})`,
    );
  }
  const u = Float32Array.from(arr.data as ArrayLike<number>, Number);
  for (let i = 0; i < u.length; i++) {
    if (!Number.isFinite(u[i]))
      throw new Error(`${OP}: '${inPath}' has a non-finite value at flat index ${i}`);
  }
  const pred = predictCartesian(model, u, points);
  const shape = [f, ...metadata.outputShape];
  await writeNpyFile(outPath, { data: pred, shape });
  return shape;
}
