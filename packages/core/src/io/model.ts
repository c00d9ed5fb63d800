/**
 * On-disk model format, version 1. A model is a directory (or two byte blobs in the browser):
 *
 *   model.json   { "format": "pinnate-model", "version": 1, "config": <ModuleConfig>,
 *                  "parameters": [{ "name": "layers.0.w", "shape": [2, 64] }, ...],
 *                  "metadata": { ... user data ... } }
 *   params.npz   one float32 array per parameter, keyed by its name (NumPy: np.load).
 *
 * Loading rebuilds the module from `config` (see `buildModule`) and checks every parameter's
 * name and shape before assigning, so a file never loads into a different architecture.
 */
import * as tf from '@tensorflow/tfjs';
import type { Module, ModuleConfig } from '../nn/module.ts';
import { buildModule, CORE_MODULES, type ModuleRegistry } from '../nn/registry.ts';
import { parseNpz, serializeNpz } from './npz.ts';

export const MODEL_FORMAT = 'pinnate-model';
export const MODEL_VERSION = 1;

export interface ModelManifest {
  readonly format: typeof MODEL_FORMAT;
  readonly version: number;
  readonly config: ModuleConfig;
  readonly parameters: readonly { readonly name: string; readonly shape: readonly number[] }[];
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** Serialize parameters to npz bytes keyed by name. */
export async function parametersToNpz(module: Module): Promise<Uint8Array> {
  const arrays: Record<string, { data: Float32Array; shape: number[] }> = {};
  for (const p of module.parameters()) {
    arrays[p.name] = { data: (await p.variable.data()) as Float32Array, shape: p.variable.shape };
  }
  return serializeNpz(arrays);
}

/** Assign parameters from npz bytes; names and shapes must match exactly. */
export async function assignParametersFromNpz(module: Module, bytes: Uint8Array): Promise<void> {
  const arrays = await parseNpz(bytes);
  const params = module.parameters();
  const missing = params.filter((p) => !arrays.has(p.name)).map((p) => p.name);
  const extra = [...arrays.keys()].filter((k) => !params.some((p) => p.name === k));
  if (missing.length || extra.length) {
    throw new Error(
      `loadParameters: parameter names differ; missing ${JSON.stringify(missing)}, unexpected ${JSON.stringify(extra)}`,
    );
  }
  for (const p of params) {
    const a = arrays.get(p.name)!;
    if (a.shape.join(',') !== p.variable.shape.join(',')) {
      throw new Error(
        `loadParameters: '${p.name}' has shape [${a.shape}] in the file, the model expects [${p.variable.shape}]`,
      );
    }
    if (a.order !== 'C') throw new Error(`loadParameters: '${p.name}' must be C-ordered`);
    const data = a.data instanceof Float32Array ? a.data : Float32Array.from(a.data as ArrayLike<number>);
    tf.tidy(() => p.variable.assign(tf.tensor(data, p.variable.shape)));
  }
}

export function manifestOf(module: Module, metadata?: Record<string, unknown>): ModelManifest {
  return {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    config: module.config(),
    parameters: module.parameters().map((p) => ({ name: p.name, shape: p.variable.shape })),
    ...(metadata ? { metadata } : {}),
  };
}

export function checkManifest(m: unknown, where: string): ModelManifest {
  const man = m as ModelManifest;
  if (!man || man.format !== MODEL_FORMAT) {
    throw new Error(`loadModel: ${where} is not a ${MODEL_FORMAT} manifest (format=${String(man?.format)})`);
  }
  if (man.version !== MODEL_VERSION) {
    throw new Error(
      `loadModel: ${where} has format version ${man.version}; this build reads version ${MODEL_VERSION}`,
    );
  }
  return man;
}

/** Node: write `dir/model.json` and `dir/params.npz`. */
export async function saveModel(
  dir: string,
  module: Module,
  metadata?: Record<string, unknown>,
): Promise<void> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  await fs.mkdir(dir, { recursive: true });
  await writeAtomic(path.join(dir, 'params.npz'), await parametersToNpz(module));
  await writeAtomic(path.join(dir, 'model.json'), JSON.stringify(manifestOf(module, metadata), null, 2));
}

/** Node: rebuild a module from `dir` and load its weights. */
export async function loadModel(
  dir: string,
  registry: ModuleRegistry = CORE_MODULES,
): Promise<{ module: Module; manifest: ModelManifest }> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const where = path.join(dir, 'model.json');
  let text: string;
  try {
    text = await fs.readFile(where, 'utf8');
  } catch {
    throw new Error(`loadModel: no model at '${dir}' (expected ${where})`);
  }
  const manifest = checkManifest(JSON.parse(text), where);
  const module = buildModule(manifest.config, undefined, registry);
  await assignParametersFromNpz(module, await fs.readFile(path.join(dir, 'params.npz')));
  return { module, manifest };
}

/** Write via a temporary file and rename, so a crash never leaves a half-written file. */
export async function writeAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const fs = await import('node:fs/promises');
  const tmp = `${file}.tmp-${process.pid}`;
  await fs.writeFile(tmp, data);
  await fs.rename(tmp, file);
}
