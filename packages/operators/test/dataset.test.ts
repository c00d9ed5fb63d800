import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DATASET_KINDS, generateDataset, loadDataset } from '../src/index.ts';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'pinnate-ds-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const small = { n: 2, res: 16, seed: 3 } as const;
const extra: Record<string, object> = {
  'navier-stokes': { tEnd: 0.5, snapshots: 2 },
  'diffusion-sorption': { tEnd: 50, snapshots: 3, steps: 50 },
  burgers: { solverRes: 64 },
};

describe('generateDataset', () => {
  it.each(DATASET_KINDS)(
    '%s: manifest shapes match the arrays, values are finite, loading round-trips',
    async (kind) => {
      const out = tmp();
      const ds = await generateDataset(kind, { ...small, out, ...extra[kind] });
      for (const [name, spec] of Object.entries(ds.manifest.arrays)) {
        const a = ds.arrays[name];
        expect(a.shape).toEqual(spec.shape);
        expect(a.data.length).toBe(spec.shape.reduce((x, y) => x * y, 1));
        if (spec.perSample) expect(spec.shape[0]).toBe(2);
        expect(Array.from(a.data as ArrayLike<number>).every((v) => Number.isFinite(v))).toBe(true);
      }
      const back = await loadDataset(out);
      expect(back.manifest).toEqual(JSON.parse(JSON.stringify(ds.manifest)));
      for (const name of Object.keys(ds.arrays))
        expect(Array.from(back.arrays[name].data as ArrayLike<number>)).toEqual(
          Array.from(ds.arrays[name].data as ArrayLike<number>),
        );
    },
  );

  it('same seed gives the same bytes; another seed does not; samples differ from each other', async () => {
    const [a, b, c] = [tmp(), tmp(), tmp()];
    await generateDataset('darcy', { n: 3, res: 17, seed: 11, out: a, geometry: 'lshape' });
    await generateDataset('darcy', { n: 3, res: 17, seed: 11, out: b, geometry: 'lshape' });
    await generateDataset('darcy', { n: 3, res: 17, seed: 12, out: c, geometry: 'lshape' });
    for (const f of readdirSync(a))
      expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f)))).toBe(true);
    expect(readFileSync(join(c, 'a.npy')).equals(readFileSync(join(a, 'a.npy')))).toBe(false);
    const u = (await loadDataset(a)).arrays.a.data as Float32Array;
    expect(Array.from(u.subarray(0, 289))).not.toEqual(Array.from(u.subarray(289, 578)));
    // Prefix property: sample i depends only on (seed, i), so n = 2 reproduces the first two samples.
    const two = await generateDataset('darcy', { n: 2, res: 17, seed: 11, geometry: 'lshape' });
    expect(Array.from(two.arrays.u.data as Float32Array)).toEqual(
      Array.from(((await loadDataset(a)).arrays.u.data as Float32Array).subarray(0, 2 * 289)),
    );
  });

  it('worker threads (here under vitest, from TypeScript sources) give the same samples as one thread', async () => {
    const one = await generateDataset('darcy', { n: 3, res: 13, seed: 5 });
    const two = await generateDataset('darcy', { n: 3, res: 13, seed: 5, workers: 2 });
    for (const name of Object.keys(one.arrays))
      expect(Array.from(two.arrays[name].data as ArrayLike<number>)).toEqual(
        Array.from(one.arrays[name].data as ArrayLike<number>),
      );
  }, 60_000);

  it('names bad arguments', async () => {
    await expect(generateDataset('darcy', { n: 0, res: 16, seed: 0 })).rejects.toThrow(/'n'/);
    await expect(generateDataset('burgers', { n: 1, res: 15, seed: 0 })).rejects.toThrow(
      /'res' must be even/,
    );
    await expect(generateDataset('nope' as never, { n: 1, res: 16, seed: 0 })).rejects.toThrow(
      /'kind' must be one of/,
    );
  });
});

const hasNumpy = spawnSync('/usr/bin/python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!hasNumpy)('datasets in NumPy', () => {
  it('np.load reads every array with the manifest shape and dtype', async () => {
    const out = tmp();
    await generateDataset('burgers', { n: 2, res: 32, seed: 0, out, solverRes: 64, snapshots: 3 });
    const script = `
import json, sys, numpy as np
d = sys.argv[1]
m = json.load(open(d + '/manifest.json'))
for name, a in m['arrays'].items():
    x = np.load(d + '/' + a['file'])
    assert list(x.shape) == a['shape'] and str(x.dtype) == a['dtype'], (name, x.shape, x.dtype)
u = np.load(d + '/u.npy'); a0 = np.load(d + '/a.npy')
assert np.array_equal(u[:, 0, :], a0)
`;
    const r = spawnSync('/usr/bin/python3', ['-c', script, out], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
