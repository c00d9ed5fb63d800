/**
 * Benchmarks of the three targets. Run: `pnpm --filter @pinnate/geometry bench`.
 * Each case runs once to warm up, then `REPS` times; the median is reported.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '@pinnate/core/rng';
import { Disk, difference, Rectangle, Sobol } from '../src/index.ts';

const REPS = 5;
const N = 1_000_000;

interface Result {
  name: string;
  msPerOp: number;
  n: number;
  reps: number;
  pointsPerSecond: number;
}

function bench(name: string, n: number, run: () => unknown): Result {
  run();
  const times: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const ms = times[Math.floor(REPS / 2)];
  const res = {
    name,
    msPerOp: Math.round(ms * 10) / 10,
    n,
    reps: REPS,
    pointsPerSecond: Math.round((n / ms) * 1000),
  };
  console.log(`${name.padEnd(48)} ${res.msPerOp.toFixed(1).padStart(8)} ms`);
  return res;
}

const domain = difference(new Disk([0, 0], 1), new Rectangle([-0.5, -0.5], [0.5, 0.5]));
const queries = { data: new Rng(1).fillUniform(new Float64Array(2 * N), -1.2, 1.2), n: N, dim: 2 };
const disk = new Disk([0, 0], 1);

const results = [
  bench('csg disk-minus-rectangle: 1e6 interior (random)', N, () => domain.sample(N, { rng: 1 })),
  bench('csg disk-minus-rectangle: 1e6 interior (sobol)', N, () =>
    domain.sample(N, { sampler: 'sobol', rng: 1 }),
  ),
  bench('sobol 1e6 x 4 (scrambled)', N, () => new Sobol(4, { scramble: new Rng(1) }).next(N)),
  bench('sdf csg disk-minus-rectangle, 1e6 points', N, () => domain.sdf(queries)),
  bench('sdf disk, 1e6 points', N, () => disk.sdf(queries)),
];

const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'latest.json');
mkdirSync(dirname(out), { recursive: true });
const stamp = { node: process.version, date: new Date().toISOString() };
writeFileSync(
  out,
  `${JSON.stringify(
    results.map((r) => ({ ...r, ...stamp })),
    null,
    2,
  )}\n`,
);
console.log(`wrote ${out}`);
