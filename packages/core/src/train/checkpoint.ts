/**
 * Checkpoints (Node). A run directory holds `ckpt-<step>/` folders and a `LATEST` file naming
 * the newest complete one. A checkpoint folder is written under a temporary name and renamed
 * into place before `LATEST` is updated, so an interrupted write never corrupts the last good
 * checkpoint.
 *
 *   ckpt-000500/model.json, params.npz   (the model format of io/model.ts)
 *   ckpt-000500/adam.npz                 Adam moments m, v (float32, flat)
 *   ckpt-000500/state.json               { format: 'pinnate-checkpoint', version: 1, step, rng,
 *                                          termNames, history, adam: { step, shapes } }
 */

import {
  assignParametersFromNpz,
  checkManifest,
  manifestOf,
  parametersToNpz,
  writeAtomic,
} from '../io/model.ts';
import { parseNpz, serializeNpz } from '../io/npz.ts';
import type { Module } from '../nn/module.ts';
import type { AdamState } from '../optim/adam.ts';
import type { RngState } from '../rng.ts';

export const CHECKPOINT_FORMAT = 'pinnate-checkpoint';
export const CHECKPOINT_VERSION = 1;

export interface CheckpointData {
  readonly step: number;
  readonly rng: RngState;
  readonly termNames: string[];
  readonly history: { readonly loss: number[]; readonly terms: Record<string, number[]> };
  readonly adam: AdamState;
}

export async function writeCheckpoint(
  dir: string,
  model: Module,
  data: CheckpointData,
  keep = 2,
): Promise<string> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  await fs.mkdir(dir, { recursive: true });
  const name = `ckpt-${String(data.step).padStart(6, '0')}`;
  const final = path.join(dir, name);
  const tmp = path.join(dir, `.${name}.tmp-${process.pid}`);
  await fs.rm(tmp, { recursive: true, force: true });
  await fs.mkdir(tmp);
  await fs.writeFile(path.join(tmp, 'params.npz'), await parametersToNpz(model));
  await fs.writeFile(path.join(tmp, 'model.json'), JSON.stringify(manifestOf(model), null, 2));
  const m = Float32Array.from(data.adam.m as ArrayLike<number>);
  const v = Float32Array.from(data.adam.v as ArrayLike<number>);
  await fs.writeFile(
    path.join(tmp, 'adam.npz'),
    serializeNpz({ m: { data: m, shape: [m.length] }, v: { data: v, shape: [v.length] } }),
  );
  const state = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    step: data.step,
    rng: data.rng,
    termNames: data.termNames,
    history: data.history,
    adam: { step: data.adam.step, shapes: data.adam.shapes },
  };
  await fs.writeFile(path.join(tmp, 'state.json'), JSON.stringify(state));
  await fs.rm(final, { recursive: true, force: true });
  await fs.rename(tmp, final);
  await writeAtomic(path.join(dir, 'LATEST'), name);
  // Prune older checkpoints beyond `keep`.
  const all = (await fs.readdir(dir)).filter((f) => /^ckpt-\d+$/.test(f)).sort();
  for (const old of all.slice(0, Math.max(0, all.length - keep))) {
    if (old !== name) await fs.rm(path.join(dir, old), { recursive: true, force: true });
  }
  return final;
}

/** Path of the newest complete checkpoint in `dir`, or null. */
export async function latestCheckpoint(dir: string): Promise<string | null> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  try {
    const name = (await fs.readFile(path.join(dir, 'LATEST'), 'utf8')).trim();
    return path.join(dir, name);
  } catch {
    return null;
  }
}

/** Load a checkpoint folder into `model` (weights) and return the trainer state. */
export async function readCheckpoint(folder: string, model: Module): Promise<CheckpointData> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const state = JSON.parse(await fs.readFile(path.join(folder, 'state.json'), 'utf8'));
  if (state.format !== CHECKPOINT_FORMAT || state.version !== CHECKPOINT_VERSION) {
    throw new Error(
      `readCheckpoint: ${folder} is not a ${CHECKPOINT_FORMAT} v${CHECKPOINT_VERSION} checkpoint`,
    );
  }
  const manifest = checkManifest(
    JSON.parse(await fs.readFile(path.join(folder, 'model.json'), 'utf8')),
    folder,
  );
  if (JSON.stringify(manifest.config) !== JSON.stringify(model.config())) {
    throw new Error(`readCheckpoint: the checkpoint's model config differs from the model given to resume`);
  }
  await assignParametersFromNpz(model, await fs.readFile(path.join(folder, 'params.npz')));
  const adamArrays = await parseNpz(await fs.readFile(path.join(folder, 'adam.npz')));
  return {
    step: state.step,
    rng: state.rng,
    termNames: state.termNames,
    history: state.history,
    adam: {
      kind: 'adam',
      version: 1,
      step: state.adam.step,
      shapes: state.adam.shapes,
      m: adamArrays.get('m')!.data as Float32Array,
      v: adamArrays.get('v')!.data as Float32Array,
    },
  };
}
