/**
 * Checkpoints (Node). A run directory holds `ckpt-<step>/` folders and a `LATEST` file naming
 * the newest complete one. A checkpoint folder is written under a temporary name and renamed
 * into place before `LATEST` is updated, so an interrupted write never corrupts the last good
 * checkpoint.
 *
 *   ckpt-000500/model.json, params.npz   (the model format of io/model.ts)
 *   ckpt-000500/adam.npz                 Adam moments m, v (float32, flat)
 *   ckpt-000500/state.json               { format: 'pinnate-checkpoint', version: 1, step, rng,
 *                                          termNames, history, adam: { step, shapes },
 *                                          lbfgs?: { iterations, pairs } }
 *   ckpt-002000-l000500/lbfgs.npz        inside the L-BFGS phase: correction pairs s, y
 *                                          [pairs, n] float64 (the name adds the iteration)
 *   ckpt-000500/extra.npz                the arrays of the run's other state (`RunState`:
 *                                          point sets...), its JSON part in state.json `extra`
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
import { LbfgsMemory } from '../optim/lbfgs.ts';
import type { RngState } from '../rng.ts';
import type { RunState } from './run_state.ts';

export const CHECKPOINT_FORMAT = 'pinnate-checkpoint';
export const CHECKPOINT_VERSION = 1;

export interface CheckpointData {
  readonly step: number;
  readonly rng: RngState;
  readonly termNames: string[];
  readonly history: { readonly loss: number[]; readonly terms: Record<string, number[]> };
  readonly adam: AdamState;
  /** Set inside the L-BFGS phase: iterations done and the correction pairs to continue from. */
  readonly lbfgs?: { readonly iterations: number; readonly memory: LbfgsMemory };
  /** What the run's `Resumable` parts captured (point sets, their generators, ...). */
  readonly extra?: RunState;
}

/** Folder name: `ckpt-<adam step>`, plus `-l<iteration>` inside the L-BFGS phase (sorts after). */
function checkpointName(data: CheckpointData): string {
  const base = `ckpt-${String(data.step).padStart(6, '0')}`;
  return data.lbfgs ? `${base}-l${String(data.lbfgs.iterations).padStart(6, '0')}` : base;
}
const CHECKPOINT_NAME = /^ckpt-\d+(-l\d+)?$/;

export async function writeCheckpoint(
  dir: string,
  model: Module,
  data: CheckpointData,
  keep = 2,
): Promise<string> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  await fs.mkdir(dir, { recursive: true });
  const name = checkpointName(data);
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
    lbfgs: data.lbfgs ? { iterations: data.lbfgs.iterations, pairs: data.lbfgs.memory.size } : undefined,
    extra: data.extra ? { json: data.extra.json, arrays: Object.keys(data.extra.arrays) } : undefined,
  };
  if (data.extra && Object.keys(data.extra.arrays).length > 0) {
    const arrays = Object.fromEntries(
      Object.entries(data.extra.arrays).map(([k, v]) => [k, { data: v, shape: [v.length] }]),
    );
    await fs.writeFile(path.join(tmp, 'extra.npz'), serializeNpz(arrays));
  }
  if (data.lbfgs) {
    const { s, y, size } = data.lbfgs.memory;
    const n = size ? s[0].length : 0;
    const flat = (rows: Float64Array[]) => {
      const out = new Float64Array(size * n);
      rows.forEach((r, i) => out.set(r, i * n));
      return { data: out, shape: [size, n] };
    };
    await fs.writeFile(path.join(tmp, 'lbfgs.npz'), serializeNpz({ s: flat(s), y: flat(y) }));
  }
  // state.json last: a folder without it is incomplete (latestCheckpoint skips it).
  await fs.writeFile(path.join(tmp, 'state.json'), JSON.stringify(state));
  // Rewriting a checkpoint of the same name (a resumed run saving the step it resumed at) leaves a
  // gap between rm and rename; latestCheckpoint then falls back to the previous complete folder.
  await fs.rm(final, { recursive: true, force: true });
  await fs.rename(tmp, final);
  await writeAtomic(path.join(dir, 'LATEST'), name);
  // Prune older checkpoints beyond `keep`.
  const all = (await fs.readdir(dir)).filter((f) => CHECKPOINT_NAME.test(f)).sort();
  for (const old of all.slice(0, Math.max(0, all.length - keep))) {
    if (old !== name) await fs.rm(path.join(dir, old), { recursive: true, force: true });
  }
  return final;
}

/**
 * Path of the newest complete checkpoint in `dir`, or null. `LATEST` names it; if that folder is
 * missing or incomplete (a crash while a checkpoint of the same name was being replaced, or a
 * hand-edited directory), the newest folder that has its `state.json` (written last) is used.
 */
export async function latestCheckpoint(dir: string): Promise<string | null> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const complete = async (name: string) => {
    try {
      await fs.access(path.join(dir, name, 'state.json'));
      return true;
    } catch {
      return false;
    }
  };
  let latest: string | null = null;
  try {
    latest = (await fs.readFile(path.join(dir, 'LATEST'), 'utf8')).trim();
  } catch {
    // no LATEST: fall through to the scan
  }
  if (latest && CHECKPOINT_NAME.test(latest) && (await complete(latest))) return path.join(dir, latest);
  let names: string[];
  try {
    names = (await fs.readdir(dir))
      .filter((f) => CHECKPOINT_NAME.test(f))
      .sort()
      .reverse();
  } catch {
    return null;
  }
  for (const name of names) if (await complete(name)) return path.join(dir, name);
  return null;
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
  let lbfgs: CheckpointData['lbfgs'];
  if (state.lbfgs) {
    const arrays = await parseNpz(await fs.readFile(path.join(folder, 'lbfgs.npz')));
    const memory = new LbfgsMemory();
    const [S, Y] = [arrays.get('s')!, arrays.get('y')!];
    const [k, n] = S.shape;
    for (let i = 0; i < k; i++) {
      const si = Float64Array.from(S.data.subarray(i * n, (i + 1) * n) as Float64Array);
      const yi = Float64Array.from(Y.data.subarray(i * n, (i + 1) * n) as Float64Array);
      let sy = 0;
      for (let j = 0; j < n; j++) sy += si[j] * yi[j];
      memory.s.push(si);
      memory.y.push(yi);
      memory.rho.push(1 / sy);
    }
    lbfgs = { iterations: state.lbfgs.iterations, memory };
  }
  let extra: RunState | undefined;
  if (state.extra) {
    const names: string[] = state.extra.arrays;
    const arrays: Record<string, Float64Array> = {};
    if (names.length > 0) {
      const npz = await parseNpz(await fs.readFile(path.join(folder, 'extra.npz')));
      for (const k of names) {
        const a = npz.get(k);
        if (!a || !(a.data instanceof Float64Array))
          throw new Error(`readCheckpoint: ${folder}/extra.npz lacks the float64 array '${k}'`);
        arrays[k] = a.data;
      }
    }
    extra = { json: state.extra.json, arrays };
  }
  return {
    lbfgs,
    extra,
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
