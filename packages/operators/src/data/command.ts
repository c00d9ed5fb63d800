/**
 * `pinnate data` (also `pnpm --filter @pinnate/operators data`):
 * pinnate data <kind> --n N --res R --seed S --out DIR [--dtype float32|float64] [--workers K]
 *   [--viscosity V] [--t-end T] [--snapshots K] [--steps K] [--geometry square|lshape|disk|holes]
 *   [--solver-res R] [--length-scale L]
 */
import { generateDataset } from './dataset.ts';
import { DATASET_KINDS, type DatasetKind } from './kinds.ts';

const USAGE = `usage: pinnate data <kind> --n N --res R --seed S --out DIR [options]
kinds: ${DATASET_KINDS.join(', ')}
options: --dtype float32|float64  --workers K|auto  --viscosity V  --t-end T  --snapshots K
         --steps K  --geometry square|lshape|disk|holes  --solver-res R  --length-scale L`;

export class DataCommandError extends Error {}

function fail(msg: string): never {
  throw new DataCommandError(`${msg}\n${USAGE}`);
}

const NUMERIC = new Set([
  'n',
  'res',
  'seed',
  'viscosity',
  't-end',
  'snapshots',
  'steps',
  'solver-res',
  'length-scale',
]);
const STRING = new Set(['out', 'dtype', 'geometry', 'workers']);

/** Runs the `data` command on its arguments (`<kind> --n N ...`); bad arguments throw DataCommandError. */
export async function runDataCommand(argv: string[]): Promise<void> {
  const args = argv[0] === 'data' ? argv.slice(1) : argv;
  if (args.length === 0 || args[0] === '--help' || args[0] === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const kind = args[0] as DatasetKind;
  if (!DATASET_KINDS.includes(kind)) fail(`unknown kind ${JSON.stringify(args[0])}`);
  const opts: Record<string, string | number> = {};
  for (let i = 1; i < args.length; i += 2) {
    const key = args[i]?.replace(/^--/, '');
    const value = args[i + 1];
    if (!args[i]?.startsWith('--') || value === undefined)
      fail(`expected '--option value', got ${JSON.stringify(args.slice(i).join(' '))}`);
    if (NUMERIC.has(key)) {
      const v = Number(value);
      if (!Number.isFinite(v)) fail(`--${key} must be a number, got ${JSON.stringify(value)}`);
      opts[key] = v;
    } else if (STRING.has(key)) {
      opts[key] = value;
    } else {
      fail(`unknown option --${key}`);
    }
  }
  for (const required of ['n', 'res', 'seed', 'out'])
    if (opts[required] === undefined) fail(`--${required} is required`);
  const n = opts.n as number;
  // Imported here, not at the top: this module is exported from the package index, which
  // browser bundles (the live page) include.
  const { availableParallelism } = await import('node:os');
  const workers =
    opts.workers === 'auto' || opts.workers === undefined
      ? n >= 16
        ? Math.min(availableParallelism(), 8)
        : 1
      : Number(opts.workers);
  const started = performance.now();
  const ds = await generateDataset(kind, {
    n,
    res: opts.res as number,
    seed: opts.seed as number,
    out: opts.out as string,
    dtype: opts.dtype as 'float32' | 'float64' | undefined,
    workers,
    viscosity: opts.viscosity as number | undefined,
    tEnd: opts['t-end'] as number | undefined,
    snapshots: opts.snapshots as number | undefined,
    steps: opts.steps as number | undefined,
    geometry: opts.geometry as 'square' | undefined,
    solverRes: opts['solver-res'] as number | undefined,
    lengthScale: opts['length-scale'] as number | undefined,
    onProgress: (done, total) => {
      const s = ((performance.now() - started) / 1000).toFixed(1);
      const line = `${kind}: ${done}/${total} samples, ${s} s`;
      if (process.stderr.isTTY) process.stderr.write(`\r${line}${done === total ? '\n' : ''}`);
      else process.stderr.write(`${line}\n`);
    },
  });
  const files = Object.values(ds.manifest.arrays).map((a) => `${a.file} [${a.shape.join(', ')}] ${a.dtype}`);
  process.stdout.write(
    `wrote ${opts.out}/manifest.json and ${files.length} arrays (${workers} worker${workers > 1 ? 's' : ''}):\n  ${files.join('\n  ')}\n`,
  );
}
