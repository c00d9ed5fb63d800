/**
 * `generateDataset(kind, {n, res, seed, out})`: draws n samples, solves them, and (with `out`)
 * writes one `.npy` per array plus `manifest.json`. Same arguments → byte-identical files,
 * whatever the worker count: sample i always uses the i-th `split()` of `new Rng(seed)`, and
 * the manifest holds no timestamps or host details.
 */
import { type NpyArray, parseNpy, serializeNpy } from '@pinnate/core/npy';
import { Rng, type RngState } from '@pinnate/core/rng';
import { startModuleWorker } from '@pinnate/core/worker';
import { DATASET_KINDS, type DatasetKind, type DatasetParams, recipe } from './kinds.ts';

export const MANIFEST_FORMAT = 'pinnate-dataset';
export const MANIFEST_VERSION = 1;

export interface GenerateOptions extends DatasetParams {
  /** Number of samples. */
  readonly n: number;
  /** Grid resolution per dimension. */
  readonly res: number;
  readonly seed: number;
  /** Output directory (created); omit to keep the arrays in memory only. */
  readonly out?: string;
  /** Element type of the per-sample arrays on disk (default 'float32', as the FNO data). */
  readonly dtype?: 'float32' | 'float64';
  /** worker_threads to use (default 1). Workers load this module's TypeScript, so they need tsx/a TS loader or a build. */
  readonly workers?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ManifestArray {
  readonly file: string;
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly description: string;
  readonly perSample: boolean;
}

export interface Manifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly version: number;
  readonly kind: DatasetKind;
  readonly n: number;
  readonly res: number;
  readonly seed: number;
  readonly rng: string;
  readonly arrays: Record<string, ManifestArray>;
  readonly grid: Record<string, unknown>;
  readonly parameters: Record<string, unknown>;
  readonly solver: Record<string, unknown>;
}

export interface Dataset {
  readonly manifest: Manifest;
  /** Arrays in the manifest's dtypes, C order, shapes from `manifest.arrays`. */
  readonly arrays: Record<string, NpyArray>;
}

/** Per-sample generator states, in order: identical for any split of the work. */
export function sampleStates(seed: number, n: number): RngState[] {
  const master = new Rng(seed);
  return Array.from({ length: n }, () => master.split().state());
}

function kindParams(o: GenerateOptions): DatasetParams {
  const { viscosity, tEnd, snapshots, steps, geometry, solverRes, lengthScale } = o;
  return { viscosity, tEnd, snapshots, steps, geometry, solverRes, lengthScale };
}

/** Computes samples [from, to) of a dataset; used directly and by the worker. */
export function computeSamples(
  kind: DatasetKind,
  res: number,
  params: DatasetParams,
  states: readonly RngState[],
  onSample?: (i: number, arrays: Record<string, Float64Array>) => void,
): void {
  const r = recipe(kind, res, params);
  states.forEach((s, i) => onSample?.(i, r.sample(Rng.fromState(s))));
}

async function runWorkers(
  kind: DatasetKind,
  res: number,
  params: DatasetParams,
  states: RngState[],
  workers: number,
  store: (i: number, arrays: Record<string, Float64Array>) => void,
): Promise<void> {
  const chunks = Array.from({ length: workers }, (_, w) =>
    states.map((s, i) => [i, s] as const).filter(([i]) => i % workers === w),
  );
  await Promise.all(
    chunks.map(async (chunk) => {
      const worker = await startModuleWorker(import.meta.url, './worker', {
        workerData: { kind, res, params, items: chunk },
      });
      return new Promise<void>((resolve, reject) => {
        worker.on('message', (m: { index: number; arrays: Record<string, Float64Array> }) =>
          store(m.index, m.arrays),
        );
        worker.on('error', reject);
        worker.on('exit', (code) =>
          code === 0 ? resolve() : reject(new Error(`generateDataset: worker exited with code ${code}`)),
        );
      });
    }),
  );
}

export async function generateDataset(kind: DatasetKind, options: GenerateOptions): Promise<Dataset> {
  if (!DATASET_KINDS.includes(kind))
    throw new Error(
      `generateDataset: 'kind' must be one of ${DATASET_KINDS.join(', ')}, got ${JSON.stringify(kind)}`,
    );
  const { n, res, seed } = options;
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`generateDataset: 'n' must be a positive integer, got ${n}`);
  if (!Number.isInteger(res)) throw new Error(`generateDataset: 'res' must be an integer, got ${res}`);
  if (!Number.isInteger(seed)) throw new Error(`generateDataset: 'seed' must be an integer, got ${seed}`);
  const dtype = options.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64')
    throw new Error(`generateDataset: 'dtype' must be 'float32' or 'float64', got ${JSON.stringify(dtype)}`);
  const workers = options.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1)
    throw new Error(`generateDataset: 'workers' must be a positive integer, got ${workers}`);
  const params = kindParams(options);
  const r = recipe(kind, res, params);
  const states = sampleStates(seed, n);
  const buffers: Record<string, Float64Array> = {};
  const sizes: Record<string, number> = {};
  for (const [name, spec] of Object.entries(r.perSample)) {
    sizes[name] = spec.shape.reduce((a, b) => a * b, 1);
    buffers[name] = new Float64Array(n * sizes[name]);
  }
  let done = 0;
  const store = (i: number, arrays: Record<string, Float64Array>): void => {
    for (const name of Object.keys(r.perSample)) {
      const a = arrays[name];
      if (!a || a.length !== sizes[name])
        throw new Error(`generateDataset: sample ${i} produced a bad '${name}' array`);
      buffers[name].set(a, i * sizes[name]);
    }
    options.onProgress?.(++done, n);
  };
  const w = Math.min(workers, n);
  if (w > 1) await runWorkers(kind, res, params, states, w, store);
  else states.forEach((s, i) => store(i, r.sample(Rng.fromState(s))));

  const arrays: Record<string, NpyArray> = {};
  const manifestArrays: Record<string, ManifestArray> = {};
  for (const [name, { spec, data }] of Object.entries(r.shared)) {
    // Coordinates stay float64 whatever the sample dtype: they are small and exact grids matter.
    const dt = spec.dtype;
    const d = dt === 'uint8' ? Uint8Array.from(data) : Float64Array.from(data);
    arrays[name] = { dtype: dt, shape: spec.shape, data: d, order: 'C' };
    manifestArrays[name] = {
      file: `${name}.npy`,
      shape: spec.shape,
      dtype: dt,
      description: spec.description,
      perSample: false,
    };
  }
  for (const [name, spec] of Object.entries(r.perSample)) {
    const shape = [n, ...spec.shape];
    const d = dtype === 'float32' ? Float32Array.from(buffers[name]) : buffers[name];
    arrays[name] = { dtype, shape, data: d, order: 'C' };
    manifestArrays[name] = {
      file: `${name}.npy`,
      shape,
      dtype,
      description: spec.description,
      perSample: true,
    };
  }
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    kind,
    n,
    res,
    seed,
    rng: 'xoshiro128** (@pinnate/core/rng); sample i uses the i-th split() of new Rng(seed)',
    arrays: manifestArrays,
    grid: r.grid,
    parameters: r.parameters,
    solver: r.solver,
  };
  if (options.out) await writeDataset(options.out, { manifest, arrays });
  return { manifest, arrays };
}

async function writeDataset(dir: string, ds: Dataset): Promise<void> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  await fs.mkdir(dir, { recursive: true });
  for (const [name, a] of Object.entries(ds.arrays)) {
    await fs.writeFile(path.join(dir, ds.manifest.arrays[name].file), serializeNpy(a));
  }
  await fs.writeFile(path.join(dir, 'manifest.json'), `${JSON.stringify(ds.manifest, null, 2)}\n`);
}

/** Node only: reads a dataset written by `generateDataset` (manifest + .npy files). */
export async function loadDataset(dir: string): Promise<Dataset> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const manifest = JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
  if (manifest.format !== MANIFEST_FORMAT)
    throw new Error(`loadDataset: ${dir}/manifest.json is not a ${MANIFEST_FORMAT} manifest`);
  const arrays: Record<string, NpyArray> = {};
  for (const [name, spec] of Object.entries(manifest.arrays)) {
    const a = parseNpy(await fs.readFile(path.join(dir, spec.file)));
    if (a.shape.join(',') !== spec.shape.join(',')) {
      throw new Error(
        `loadDataset: ${spec.file} has shape [${a.shape}] but the manifest says [${spec.shape}]`,
      );
    }
    arrays[name] = a;
  }
  return { manifest, arrays };
}
