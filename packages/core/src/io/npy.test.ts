import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type NpyArray, parseNpy, serializeNpy, transposeOrder } from './npy.ts';
import { crc32, parseNpz, serializeNpz } from './npz.ts';

const fixture = (name: string): Uint8Array => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const arr = (a: NpyArray): number[] => Array.from(a.data as ArrayLike<number>, Number);

describe('parseNpy on files written by NumPy (committed fixtures)', () => {
  it('reads C-order float64', () => {
    const a = parseNpy(fixture('f8_c_2x3.npy'));
    expect(a.dtype).toBe('float64');
    expect(a.shape).toEqual([2, 3]);
    expect(arr(a)).toEqual([0, 0.25, 0.5, 0.75, 1, 1.25]);
  });

  it('converts Fortran-order float32 to C order, or keeps it on request', () => {
    const a = parseNpy(fixture('f4_f_3x2x2.npy'));
    expect(a.dtype).toBe('float32');
    expect(a.shape).toEqual([3, 2, 2]);
    expect(a.order).toBe('C');
    expect(arr(a)).toEqual(Array.from({ length: 12 }, (_, i) => i - 5.5));
    const k = parseNpy(fixture('f4_f_3x2x2.npy'), { order: 'keep' });
    expect(k.order).toBe('F');
    // Fortran layout of arange(12).reshape(3,2,2): element (i,j,k) at i + 3j + 6k.
    expect(arr(k).slice(0, 4)).toEqual([0, 4, 8, 2].map((v) => v - 5.5));
  });

  it('reads int32, int64, uint8, bool, big-endian, 0-d and v2 headers', () => {
    expect(arr(parseNpy(fixture('i4_4.npy')))).toEqual([-2, -1, 0, 2147483647]);
    const i8 = parseNpy(fixture('i8_3.npy'));
    expect(i8.dtype).toBe('int64');
    expect(Array.from(i8.data as BigInt64Array)).toEqual([-(2n ** 40n), 0n, 2n ** 53n]);
    const u1 = parseNpy(fixture('u1_2x2.npy'));
    expect([u1.dtype, ...u1.shape, ...arr(u1)]).toEqual(['uint8', 2, 2, 0, 1, 254, 255]);
    const b = parseNpy(fixture('b1_3.npy'));
    expect([b.dtype, ...arr(b)]).toEqual(['bool', 1, 0, 1]);
    expect(arr(parseNpy(fixture('f8_be_3.npy')))).toEqual([1.5, -2.25, 1e300]);
    const s = parseNpy(fixture('f8_scalar.npy'));
    expect([s.shape.length, ...arr(s)]).toEqual([0, 3.25]);
    const v2 = parseNpy(fixture('f8_v2_2x2.npy'));
    expect([...v2.shape, ...arr(v2)]).toEqual([2, 2, 1, 2, 3, 4]);
  });

  it('reads stored and deflated .npz archives', async () => {
    const s = await parseNpz(fixture('stored.npz'));
    expect([...s.keys()].sort()).toEqual(['a', 'b']);
    expect(arr(s.get('a')!)).toEqual([0, 1, 2, 3, 4]);
    expect(s.get('b')!.dtype).toBe('int32');
    expect(arr(s.get('b')!)).toEqual([1, 2, 3, 4]);
    const d = await parseNpz(fixture('deflated.npz'));
    const x = d.get('x')!;
    expect(x.dtype).toBe('float32');
    expect(arr(x)).toEqual(Array.from(new Float32Array([0, 1, 2, 3, 4, 5, 6].map((i) => i / 6))));
    expect(arr(d.get('mask')!)).toEqual([1, 0]);
  });
});

describe('serializeNpy / serializeNpz', () => {
  it('round-trips every dtype and both orders', () => {
    const cases = [
      { data: new Float64Array([1, -2.5, Math.PI, 1e-300, Number.POSITIVE_INFINITY, 0]), shape: [2, 3] },
      { data: new Float32Array([1.5, -2, 3, 4]), shape: [4] },
      { data: new Int32Array([-1, 2, -3, 4, 5, 6]), shape: [3, 2], order: 'F' as const },
      { data: new BigInt64Array([-(2n ** 62n), 7n]), shape: [2, 1] },
      { data: new Uint8Array([0, 255, 7]), shape: [3] },
      { data: new Uint8Array([1, 0, 1, 1]), shape: [2, 2], dtype: 'bool' as const },
    ];
    for (const c of cases) {
      const bytes = serializeNpy(c);
      const back = parseNpy(bytes, { order: 'keep' });
      expect(back.shape).toEqual(c.shape);
      expect(back.order).toBe(c.order ?? 'C');
      expect(Array.from(back.data as ArrayLike<unknown>)).toEqual(Array.from(c.data as ArrayLike<unknown>));
    }
  });

  it('aligns the data to 64 bytes and writes v2 when the header is huge', () => {
    const small = serializeNpy({ data: new Float64Array(3), shape: [3] });
    expect((small.length - 24) % 64).toBe(0);
    expect(small[6]).toBe(1);
    const manyDims = new Array(30000).fill(1);
    const big = serializeNpy({ data: new Float64Array(1), shape: manyDims });
    expect(big[6]).toBe(2);
    expect((big.length - 8) % 64).toBe(0);
    expect(parseNpy(big).shape.length).toBe(30000);
  });

  it('transposes between C and Fortran order exactly', () => {
    const shape = [2, 3, 4];
    const c = Float64Array.from({ length: 24 }, (_, i) => i);
    const f = transposeOrder(c, shape, true);
    // (i,j,k) = (1,2,3): C index 1*12+2*4+3 = 23, F index 1 + 2*2 + 3*6 = 23 — pick a
    // non-symmetric one: (1,0,0) is C index 12 and F index 1.
    expect(f[1]).toBe(12);
    expect(Array.from(transposeOrder(f, shape))).toEqual(Array.from(c));
  });

  it('names the bad argument', () => {
    expect(() => serializeNpy({ data: new Float64Array(5), shape: [2, 3] })).toThrow(
      /'data' has 5 elements but 'shape' \[2, 3\] needs 6/,
    );
    expect(() => parseNpy(new Uint8Array([1, 2, 3]))).toThrow(/not a \.npy file/);
    const bytes = serializeNpy({ data: new Float64Array(6), shape: [6] });
    expect(() => parseNpy(bytes.subarray(0, bytes.length - 8))).toThrow(/needs 48/);
  });

  it('CRC-32 matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('round-trips .npz and is byte-reproducible', async () => {
    const arrays = {
      u: { data: new Float32Array([1, 2, 3]), shape: [3] },
      grid: { data: [0, 0.5, 1], shape: [3] },
    };
    const a = serializeNpz(arrays);
    expect(serializeNpz(arrays)).toEqual(a);
    const back = await parseNpz(a);
    expect(arr(back.get('u')!)).toEqual([1, 2, 3]);
    expect(back.get('grid')!.dtype).toBe('float64');
    const bad = a.slice();
    bad[100] ^= 0xff; // flip a byte inside the first member's data
    await expect(parseNpz(bad)).rejects.toThrow(/CRC-32 mismatch/);
  });
});

const python = '/usr/bin/python3';
const hasNumpy = spawnSync(python, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!hasNumpy)('round trips through real NumPy', () => {
  it('NumPy reads what we write and we read what NumPy writes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinnate-npy-'));
    try {
      const f8 = Float64Array.from({ length: 24 }, (_, i) => (i - 7.25) * 1e3);
      writeFileSync(join(dir, 'ours_c.npy'), serializeNpy({ data: f8, shape: [2, 3, 4] }));
      writeFileSync(
        join(dir, 'ours_f.npy'),
        serializeNpy({ data: transposeOrder(f8, [2, 3, 4], true), shape: [2, 3, 4], order: 'F' }),
      );
      writeFileSync(
        join(dir, 'ours_i8.npy'),
        serializeNpy({ data: new BigInt64Array([-5n, 2n ** 60n]), shape: [2] }),
      );
      writeFileSync(
        join(dir, 'ours_b.npy'),
        serializeNpy({ data: new Uint8Array([1, 0]), shape: [2], dtype: 'bool' }),
      );
      writeFileSync(
        join(dir, 'ours.npz'),
        serializeNpz({ a: { data: new Float32Array([0.1, 0.2]), shape: [1, 2] } }),
      );
      const script = `
import numpy as np, sys, os
d = sys.argv[1]
ref = (np.arange(24) - 7.25).reshape(2, 3, 4) * 1e3
c = np.load(os.path.join(d, 'ours_c.npy')); f = np.load(os.path.join(d, 'ours_f.npy'))
assert c.dtype == np.float64 and np.array_equal(c, ref), c
assert f.flags.f_contiguous and np.array_equal(f, ref)
i8 = np.load(os.path.join(d, 'ours_i8.npy')); assert i8.dtype == np.int64 and i8.tolist() == [-5, 2**60]
b = np.load(os.path.join(d, 'ours_b.npy')); assert b.dtype == np.bool_ and b.tolist() == [True, False]
z = np.load(os.path.join(d, 'ours.npz')); assert z['a'].dtype == np.float32 and z['a'].shape == (1, 2)
assert np.array_equal(z['a'], np.array([[0.1, 0.2]], dtype=np.float32))
np.save(os.path.join(d, 'theirs.npy'), np.asfortranarray(ref.astype(np.float32)))
np.savez_compressed(os.path.join(d, 'theirs.npz'), big=np.arange(100000, dtype=np.int32), small=ref)
`;
      execFileSync(python, ['-c', script, dir]);
      const t = parseNpy(readFileSync(join(dir, 'theirs.npy')));
      expect(Array.from(t.data as Float32Array)).toEqual(Array.from(new Float32Array(f8)));
      const z = await parseNpz(readFileSync(join(dir, 'theirs.npz')));
      const big = z.get('big')!.data as Int32Array;
      expect([big.length, big[0], big[99999]]).toEqual([100000, 0, 99999]);
      expect(Array.from(z.get('small')!.data as Float64Array)).toEqual(Array.from(f8));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
