/**
 * Regenerates the README figures: `npx tsx docs/make_figures.ts` (from packages/geometry).
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Disk, difference, Polygon, Rectangle, sampleUnitCube, scatterSvg } from '../src/index.ts';

const here = dirname(fileURLToPath(import.meta.url));

const domain = difference(new Disk([0, 0], 1), new Rectangle([0, -0.25], [1.2, 0.25]));
writeFileSync(
  join(here, 'csg_samples.svg'),
  scatterSvg(
    [
      { points: domain.sample(800, { sampler: 'sobol', rng: 1 }), label: 'interior (sobol)' },
      {
        points: domain.sampleBoundary(200, { sampler: 'grid', rng: 1 }),
        label: 'boundary (grid)',
        color: '#d62728',
      },
    ],
    { title: 'Disk minus rectangle', width: 420, height: 420 },
  ),
);

const star = new Polygon(
  Array.from({ length: 10 }, (_, k) => {
    const r = k % 2 === 0 ? 1 : 0.45;
    const t = (Math.PI * k) / 5 + Math.PI / 2;
    return [r * Math.cos(t), r * Math.sin(t)] as [number, number];
  }),
);
writeFileSync(
  join(here, 'polygon_samples.svg'),
  scatterSvg(
    [
      { points: star.sample(600, { sampler: 'halton', rng: 2 }), label: 'interior (halton)' },
      {
        points: star.sampleBoundary(120, { sampler: 'grid', rng: 2 }),
        label: 'boundary (grid)',
        color: '#d62728',
      },
    ],
    { title: 'Non-convex polygon', width: 420, height: 420 },
  ),
);

for (const sampler of ['random', 'sobol'] as const) {
  writeFileSync(
    join(here, `unit_square_${sampler}.svg`),
    scatterSvg([{ points: sampleUnitCube(512, 2, { sampler, rng: 3 }), radius: 2 }], {
      title: `512 ${sampler} points`,
      width: 300,
      height: 320,
      lo: [0, 0],
      hi: [1, 1],
    }),
  );
}
console.log('wrote figures to', here);
