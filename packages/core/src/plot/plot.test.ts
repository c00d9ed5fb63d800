import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { colormap, encodePng, fieldToPngDataUri, parseColor } from './raster.ts';
import { renderSvg } from './render.ts';
import {
  collocationPoints,
  fieldHeatmaps,
  lineSlices,
  lossCurves,
  operatorResults,
  parameterTrajectories,
  sliceField,
  thinIndices,
} from './specs.ts';

/** Minimal PNG decoder for 8-bit RGB, filter 0 images (what encodePng writes). */
function decodePng(bytes: Uint8Array): { width: number; height: number; rgb: Uint8Array; chunks: string[] } {
  expect(Array.from(bytes.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 8;
  let width = 0;
  let height = 0;
  const idat: Uint8Array[] = [];
  const chunks: string[] = [];
  while (p < bytes.length) {
    const len = dv.getUint32(p);
    const type = String.fromCharCode(...bytes.subarray(p + 4, p + 8));
    chunks.push(type);
    const data = bytes.subarray(p + 8, p + 8 + len);
    if (type === 'IHDR') {
      width = dv.getUint32(p + 8);
      height = dv.getUint32(p + 12);
      expect([data[8], data[9]]).toEqual([8, 2]);
    }
    if (type === 'IDAT') idat.push(data);
    p += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  expect(raw.length).toBe((3 * width + 1) * height);
  const rgb = new Uint8Array(3 * width * height);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (3 * width + 1)]).toBe(0);
    rgb.set(raw.subarray(y * (3 * width + 1) + 1, (y + 1) * (3 * width + 1)), 3 * width * y);
  }
  return { width, height, rgb, chunks };
}

const fromDataUri = (uri: string) => new Uint8Array(Buffer.from(uri.split(',')[1], 'base64'));

describe('raster', () => {
  it('encodes PNGs that zlib decodes back to the same pixels, across stored-block boundaries', () => {
    for (const [w, h] of [
      [1, 1],
      [7, 3],
      [300, 100], // 90 300 bytes of scanlines: two stored blocks
    ]) {
      const rgb = Uint8Array.from({ length: 3 * w * h }, (_, i) => (i * 37 + (i >> 7)) & 255);
      const png = encodePng(rgb, w, h);
      const d = decodePng(png);
      expect([d.width, d.height]).toEqual([w, h]);
      expect(d.chunks).toEqual(['IHDR', 'IDAT', 'IEND']);
      expect(Buffer.from(d.rgb).equals(Buffer.from(rgb))).toBe(true);
    }
    // The IEND chunk's CRC is a constant of the format.
    const png = encodePng(new Uint8Array(3), 1, 1);
    expect(Buffer.from(png.subarray(png.length - 4)).toString('hex')).toBe('ae426082');
  });

  it('rejects sizes that do not match, naming the argument', () => {
    expect(() => encodePng(new Uint8Array(5), 1, 1)).toThrow(/'rgb' must hold 3 × 1 × 1 bytes, got 5/);
    expect(() => encodePng(new Uint8Array(0), 0, 1)).toThrow(/'width' and 'height'/);
    expect(() => fieldToPngDataUri([0, 1], [0, 1, 2], [1, 2, 3], { domain: [0, 1] })).toThrow(
      /'values' must have 2 × 3 = 6 entries, got 3/,
    );
    expect(() => colormap('no-such-scheme')).toThrow(/'scheme' must name a continuous vega scheme/);
  });

  it('parses the colour formats vega schemes return', () => {
    expect(parseColor('#440154')).toEqual([0x44, 0x01, 0x54]);
    expect(parseColor('#fa0')).toEqual([255, 170, 0]);
    expect(parseColor('rgb(33, 145, 141)')).toEqual([33, 145, 141]);
    expect(() => parseColor('teal')).toThrow(/cannot parse colour 'teal'/);
  });

  it('maps the first axis to columns and the second upwards, min→first and max→last colour', () => {
    const lut = colormap('viridis');
    const a = [0, 1, 2];
    const b = [10, 20];
    // values[i * 2 + j] = f(a_i, b_j): only (a=2, b=20) is high, (a=0, b=10) low, NaN at (a=1, b=10).
    const values = [0, 0.5, Number.NaN, 0.5, 0.5, 1];
    const d = decodePng(fromDataUri(fieldToPngDataUri(a, b, values, { domain: [0, 1] })));
    expect([d.width, d.height]).toEqual([3, 2]);
    const px = (x: number, y: number) => Array.from(d.rgb.subarray(3 * (y * 3 + x), 3 * (y * 3 + x) + 3));
    const last = lut.length - 3;
    expect(px(2, 0)).toEqual(Array.from(lut.subarray(last))); // top right = (a=2, b=20) = 1
    expect(px(0, 1)).toEqual(Array.from(lut.subarray(0, 3))); // bottom left = (a=0, b=10) = 0
    expect(px(1, 1)).toEqual([220, 220, 220]); // NaN
    const mid = 3 * Math.round(0.5 * 255);
    expect(px(0, 0)).toEqual(Array.from(lut.subarray(mid, mid + 3)));
  });

  it('samples grids finer than maxPixels by nearest node', () => {
    const n = 1000;
    const a = Float64Array.from({ length: n }, (_, i) => i / (n - 1));
    const values = Float64Array.from({ length: n * 2 }, (_, k) => (Math.floor(k / 2) < n / 2 ? 0 : 1));
    const d = decodePng(fromDataUri(fieldToPngDataUri(a, [0, 1], values, { domain: [0, 1], maxPixels: 64 })));
    expect([d.width, d.height]).toEqual([64, 2]);
    const lut = colormap('viridis');
    expect(Array.from(d.rgb.subarray(0, 3))).toEqual(Array.from(lut.subarray(0, 3)));
    expect(Array.from(d.rgb.subarray(3 * 63, 3 * 64))).toEqual(Array.from(lut.subarray(lut.length - 3)));
  });
});

describe('spec builders', () => {
  it('thins long series but keeps both ends', () => {
    expect(thinIndices(5, 10)).toEqual([0, 1, 2, 3, 4]);
    const k = thinIndices(10_001, 1000);
    expect(k[0]).toBe(0);
    expect(k[k.length - 1]).toBe(10_000);
    expect(k.length).toBeLessThanOrEqual(1002);
  });

  it('lossCurves skips values a log scale cannot show and names bad fields', () => {
    const spec = lossCurves({
      terms: { pde: [1, 0, 0.1, Number.NaN], ic: [1, 0.5, 0.25, 0.125] },
      steps: [10, 20, 30, 40],
    });
    const rows = (spec as { data: { values: { term: string; step: number }[] } }).data.values;
    expect(rows.filter((r) => r.term === 'pde').map((r) => r.step)).toEqual([10, 30]);
    expect(rows.filter((r) => r.term === 'ic')).toHaveLength(4);
    const axis = (o: object) => (o as { encoding: { x: { title: string } } }).encoding.x.title;
    expect(axis(spec)).toBe('step');
    expect(axis(lossCurves({ terms: { pde: [1, 2] }, xTitle: 'epoch' }))).toBe('epoch');
    expect(() => lossCurves({ terms: {} })).toThrow(/lossCurves: 'terms' must name at least one loss term/);
    expect(() => lossCurves({ terms: { pde: [1, 2] }, steps: [1] })).toThrow(
      /'steps' must have 2 entries, got 1/,
    );
    expect(() => lossCurves({ terms: { pde: [1, 2], bc: [1] } })).toThrow(
      /'terms.bc' must have 2 entries, got 1/,
    );
    expect(() => lossCurves({ terms: { pde: 3 as unknown as number[] } })).toThrow(
      /'terms.pde' must be an array/,
    );
  });

  it('sliceField cuts at the nearest node along either axis', () => {
    const a = { name: 'x', values: [0, 0.5, 1] };
    const b = { name: 't', values: [0, 1] };
    const pred = [0, 1, 2, 3, 4, 5]; // f(x_i, t_j) = 2i + j
    const alongX = sliceField(a, b, { prediction: pred, reference: pred }, 'a', [0.9]);
    expect(alongX.axis.name).toBe('x');
    expect(alongX.slices[0].label).toBe('t = 1');
    expect(Array.from(alongX.slices[0].prediction)).toEqual([1, 3, 5]);
    const alongT = sliceField(a, b, { prediction: pred }, 'b', [0.4]);
    expect(alongT.slices[0].label).toBe('x = 0.5');
    expect(Array.from(alongT.slices[0].prediction)).toEqual([2, 3]);
    expect(alongT.slices[0].reference).toBeUndefined();
  });

  it('validates shapes with messages that name the field', () => {
    const a = { name: 'x', values: [0, 1] };
    const b = { name: 't', values: [0, 1, 2] };
    expect(() => fieldHeatmaps({ a, b, prediction: [1, 2, 3] })).toThrow(
      /fieldHeatmaps: 'prediction' must have 6 entries, got 3/,
    );
    expect(() => fieldHeatmaps({ a, b, prediction: new Float32Array(6), reference: [1] })).toThrow(
      /'reference' must have 6 entries, got 1/,
    );
    expect(() => lineSlices({ axis: a, slices: [{ label: 's', prediction: [1, 2, 3] }] })).toThrow(
      /'slices\[0\].prediction' must have 2 entries, got 3/,
    );
    expect(() =>
      collocationPoints({ axes: ['x', 't'], sets: [{ kind: 'interior', points: [1, 2, 3] }] }),
    ).toThrow(/'sets\[0\].points' must be \[n, 2\] row-major, got 3 numbers/);
    expect(() => collocationPoints({ axes: ['x', 'y', 'z'], sets: [] })).toThrow(/'axes' must name 1 or 2/);
    expect(() => parameterTrajectories({ params: { nu: [1, 2] }, truth: { lam: 1 } })).toThrow(
      /'truth.lam' names no parameter/,
    );
    expect(() =>
      operatorResults({ samples: [{ inputX: [0, 1], input: [0], x: [0], prediction: [0], truth: [0] }] }),
    ).toThrow(/'samples\[0\].input' must have 2 entries, got 1/);
  });
});

describe('renderSvg', () => {
  it('renders a loss curve with a log axis and one path per term', async () => {
    const n = 200;
    const svg = await renderSvg(
      lossCurves({
        terms: {
          residual: Array.from({ length: n }, (_, i) => 10 ** (-i / 50)),
          ic: Array.from({ length: n }, (_, i) => 0.5 * 10 ** (-i / 100)),
        },
        total: Array.from({ length: n }, (_, i) => 10 ** (-i / 50) + 0.5 * 10 ** (-i / 100)),
      }),
    );
    expect(svg.startsWith('<svg')).toBe(true);
    for (const label of ['Training loss', 'residual', 'ic', 'total', '1e-4', '1e+0'])
      expect(svg).toContain(`>${label}<`);
    expect(svg.match(/aria-roledescription="line mark"/g)).toHaveLength(3);
  });

  it('renders heatmaps as three embedded images with colour bars, and the other figures', async () => {
    const x = Float64Array.from({ length: 40 }, (_, i) => i / 39);
    const t = Float64Array.from({ length: 30 }, (_, j) => j / 29);
    const ref = new Float64Array(40 * 30).map(
      (_, k) => Math.sin(Math.PI * x[Math.floor(k / 30)]) * Math.exp(-t[k % 30]),
    );
    const pred = ref.map((v) => v + 0.01);
    const heat = await renderSvg(
      fieldHeatmaps({
        a: { name: 'x', values: x },
        b: { name: 't', values: t },
        prediction: pred,
        reference: ref,
      }),
    );
    expect(heat.match(/<image /g)).toHaveLength(3);
    expect(heat.match(/xlink:href="data:image\/png;base64,/g)).toHaveLength(3);
    expect(heat).toContain('>prediction u<');
    expect(heat).toContain('>|error| (max 1.00e-2)<');
    expect(heat.match(/<linearGradient/g)?.length).toBe(3);

    const pts = await renderSvg(
      collocationPoints({
        axes: ['x', 't'],
        sets: [
          { kind: 'interior', points: Float64Array.from({ length: 100 }, (_, i) => (i * 0.37) % 1) },
          { kind: 'boundary', points: [0, 0.5, 1, 0.5] },
        ],
      }),
    );
    expect(pts.match(/aria-roledescription="circle"/g)).toHaveLength(52);
    expect(pts).toContain('>interior (50)<');
    expect(pts).toContain('>boundary (2)<');

    const params = await renderSvg(
      parameterTrajectories({ params: { nu: [0.5, 0.2, 0.1] }, truth: { nu: 0.1 } }),
    );
    expect(params).toContain('>nu: 0.1 (true 0.1)<');
  });
});
