import { Rng } from '@pinnate/core/rng';
import { describe, expect, it } from 'vitest';
import { FFT, FFT2, irfft, rfft, wavenumbers } from './fft.ts';

function dft(re: Float64Array, im: Float64Array, sign: number): [Float64Array, Float64Array] {
  const n = re.length;
  const or = new Float64Array(n);
  const oi = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < n; j++) {
      const a = (sign * 2 * Math.PI * ((j * k) % n)) / n;
      or[k] += re[j] * Math.cos(a) - im[j] * Math.sin(a);
      oi[k] += re[j] * Math.sin(a) + im[j] * Math.cos(a);
    }
  }
  return [or, oi];
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('FFT', () => {
  const rng = new Rng(1);
  it.each([1, 2, 3, 5, 8, 12, 17, 64, 100, 127, 420])(
    'matches a direct DFT for n = %i (both directions)',
    (n) => {
      const re = rng.fillNormal(new Float64Array(n));
      const im = rng.fillNormal(new Float64Array(n));
      const [er, ei] = dft(re, im, -1);
      const r = re.slice();
      const i = im.slice();
      const plan = new FFT(n);
      plan.forward(r, i);
      const tol = 1e-12 * n;
      expect(maxDiff(r, er)).toBeLessThan(tol);
      expect(maxDiff(i, ei)).toBeLessThan(tol);
      plan.inverse(r, i);
      expect(maxDiff(r, re)).toBeLessThan(1e-13 * n);
      expect(maxDiff(i, im)).toBeLessThan(1e-13 * n);
    },
  );

  it('rfft/irfft agree with the complex transform for even and odd n', () => {
    for (const n of [16, 15]) {
      const x = rng.fillNormal(new Float64Array(n));
      const { re, im } = rfft(x);
      const [er, ei] = dft(x, new Float64Array(n), -1);
      expect(re.length).toBe((n >> 1) + 1);
      expect(maxDiff(re, er.slice(0, re.length))).toBeLessThan(1e-12);
      expect(maxDiff(im, ei.slice(0, im.length))).toBeLessThan(1e-12);
      expect(maxDiff(irfft(re, im, n), x)).toBeLessThan(1e-13);
    }
  });

  it('2-D transform equals a direct 2-D DFT on a non-square, non-power-of-two grid', () => {
    const ny = 6;
    const nx = 10;
    const re = rng.fillNormal(new Float64Array(ny * nx));
    const im = rng.fillNormal(new Float64Array(ny * nx));
    const r = re.slice();
    const i = im.slice();
    new FFT2(ny, nx).forward(r, i);
    for (const [ky, kx] of [
      [0, 0],
      [1, 3],
      [5, 9],
      [2, 7],
    ]) {
      let sr = 0;
      let si = 0;
      for (let y = 0; y < ny; y++) {
        for (let x = 0; x < nx; x++) {
          const a = -2 * Math.PI * ((ky * y) / ny + (kx * x) / nx);
          sr += re[y * nx + x] * Math.cos(a) - im[y * nx + x] * Math.sin(a);
          si += re[y * nx + x] * Math.sin(a) + im[y * nx + x] * Math.cos(a);
        }
      }
      expect(Math.abs(r[ky * nx + kx] - sr)).toBeLessThan(1e-12);
      expect(Math.abs(i[ky * nx + kx] - si)).toBeLessThan(1e-12);
    }
    new FFT2(ny, nx).inverse(r, i);
    expect(maxDiff(r, re)).toBeLessThan(1e-13);
  });

  it('wavenumbers follow fftfreq ordering and bad sizes are named', () => {
    expect(Array.from(wavenumbers(5))).toEqual([0, 1, 2, -2, -1]);
    expect(Array.from(wavenumbers(4))).toEqual([0, 1, -2, -1]);
    expect(() => new FFT(0)).toThrow(/'n' must be a positive integer/);
    expect(() => new FFT(4).forward(new Float64Array(3), new Float64Array(3))).toThrow(/length 4/);
  });
});
