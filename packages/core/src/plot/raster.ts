/**
 * Fields as images: colour a 2-D array with a vega colour scheme and encode it as a PNG data
 * URI, so a heatmap of 256 × 100 cells is one `<image>` in the SVG instead of 25 600 `<rect>`s.
 *
 * Pure JavaScript (no Node, no canvas): the PNG uses zlib "stored" blocks (no compression), so
 * it needs only CRC-32 and Adler-32. Browsers, resvg and Chromium all decode it.
 */
import { scheme as vegaScheme } from 'vega';
import { crc32 } from '../io/npz.ts';

/** RGB lookup table with `n` entries sampled from a vega continuous scheme. */
export function colormap(name: string, n = 256): Uint8Array {
  const interp = vegaScheme(name) as ((t: number) => string) | string[] | undefined;
  if (typeof interp !== 'function') {
    throw new Error(`colormap: 'scheme' must name a continuous vega scheme (e.g. viridis), got '${name}'`);
  }
  const lut = new Uint8Array(3 * n);
  for (let i = 0; i < n; i++) {
    const [r, g, b] = parseColor(interp(n === 1 ? 0.5 : i / (n - 1)));
    lut[3 * i] = r;
    lut[3 * i + 1] = g;
    lut[3 * i + 2] = b;
  }
  return lut;
}

/** '#rrggbb', '#rgb' or 'rgb(r, g, b)' → [r, g, b]. */
export function parseColor(c: string): [number, number, number] {
  const s = c.trim();
  let m = /^#([0-9a-f]{6})$/i.exec(s);
  if (m) {
    const v = Number.parseInt(m[1], 16);
    return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
  }
  m = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(s);
  if (m) return [m[1], m[2], m[3]].map((h) => Number.parseInt(h + h, 16)) as [number, number, number];
  m = /^rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)/i.exec(s);
  if (m) return [m[1], m[2], m[3]].map((v) => Math.round(Number(v))) as [number, number, number];
  throw new Error(`parseColor: cannot parse colour '${c}'`);
}

function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < bytes.length; i++) {
    a = (a + bytes[i]) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** A zlib stream of stored (uncompressed) deflate blocks. */
function zlibStored(raw: Uint8Array): Uint8Array {
  const maxBlock = 65535;
  const nBlocks = Math.max(1, Math.ceil(raw.length / maxBlock));
  const out = new Uint8Array(2 + raw.length + 5 * nBlocks + 4);
  out[0] = 0x78; // deflate, 32 KiB window
  out[1] = 0x01; // no dictionary, fastest; (0x7801 % 31 === 0)
  let p = 2;
  for (let k = 0; k < nBlocks; k++) {
    const start = k * maxBlock;
    const len = Math.min(maxBlock, raw.length - start);
    out[p++] = k === nBlocks - 1 ? 1 : 0; // BFINAL, BTYPE=00
    out[p++] = len & 255;
    out[p++] = len >>> 8;
    out[p++] = ~len & 255;
    out[p++] = (~len >>> 8) & 255;
    out.set(raw.subarray(start, start + len), p);
    p += len;
  }
  const ad = adler32(raw);
  out[p++] = ad >>> 24;
  out[p++] = (ad >>> 16) & 255;
  out[p++] = (ad >>> 8) & 255;
  out[p++] = ad & 255;
  return out;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  dv.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** Encode 8-bit RGB pixels (row-major, top row first) as PNG bytes. */
export function encodePng(rgb: Uint8Array, width: number, height: number): Uint8Array {
  if (!Number.isInteger(width) || width <= 0 || !Number.isInteger(height) || height <= 0) {
    throw new Error(`encodePng: 'width' and 'height' must be positive integers, got ${width} × ${height}`);
  }
  if (rgb.length !== 3 * width * height) {
    throw new Error(`encodePng: 'rgb' must hold 3 × ${width} × ${height} bytes, got ${rgb.length}`);
  }
  const raw = new Uint8Array((3 * width + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (3 * width + 1)] = 0; // filter: none
    raw.set(rgb.subarray(3 * width * y, 3 * width * (y + 1)), y * (3 * width + 1) + 1);
  }
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: truecolour
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlibStored(raw)),
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let p = 0;
  for (const part of parts) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i];
    const b = i + 1 < bytes.length ? bytes[i + 1] : 0;
    const c = i + 2 < bytes.length ? bytes[i + 2] : 0;
    s += B64[a >> 2] + B64[((a & 3) << 4) | (b >> 4)];
    s += i + 1 < bytes.length ? B64[((b & 15) << 2) | (c >> 6)] : '=';
    s += i + 2 < bytes.length ? B64[c & 63] : '=';
  }
  return s;
}

/** Index of the entry of sorted `axis` nearest to `v`. */
function nearest(axis: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = axis.length - 1;
  const asc = axis[hi] >= axis[0];
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (axis[mid] <= v === asc) lo = mid;
    else hi = mid;
  }
  return Math.abs(axis[lo] - v) <= Math.abs(axis[hi] - v) ? lo : hi;
}

export interface RasterOptions {
  /** Colour domain [min, max]; values outside are clamped. */
  readonly domain: readonly [number, number];
  /** A continuous vega scheme name (default 'viridis'). */
  readonly scheme?: string;
  /** Largest image side in pixels (default 256): finer grids are sampled by nearest neighbour. */
  readonly maxPixels?: number;
}

/**
 * Colour `values` (shape [a.length, b.length], row-major: values[i * b.length + j] = f(a_i, b_j))
 * with `a` horizontal and `b` vertical (increasing upwards), as a PNG data URI. Axes may be
 * non-uniform: pixels sample the nearest grid node. NaN cells are drawn light grey.
 */
export function fieldToPngDataUri(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  values: ArrayLike<number>,
  options: RasterOptions,
): string {
  if (values.length !== a.length * b.length) {
    throw new Error(
      `fieldToPngDataUri: 'values' must have ${a.length} × ${b.length} = ${a.length * b.length} entries, got ${values.length}`,
    );
  }
  const maxPx = options.maxPixels ?? 256;
  const w = Math.min(a.length, maxPx);
  const h = Math.min(b.length, maxPx);
  const lut = colormap(options.scheme ?? 'viridis');
  const n = lut.length / 3;
  const [lo, hi] = options.domain;
  const span = hi > lo ? hi - lo : 1;
  const aMin = Math.min(a[0], a[a.length - 1]);
  const aMax = Math.max(a[0], a[a.length - 1]);
  const bMin = Math.min(b[0], b[b.length - 1]);
  const bMax = Math.max(b[0], b[b.length - 1]);
  const ia = Int32Array.from({ length: w }, (_, px) =>
    nearest(a, w === 1 ? aMin : aMin + ((px + 0.5) / w) * (aMax - aMin)),
  );
  const ib = Int32Array.from({ length: h }, (_, py) =>
    nearest(b, h === 1 ? bMin : bMax - ((py + 0.5) / h) * (bMax - bMin)),
  );
  const rgb = new Uint8Array(3 * w * h);
  const nb = b.length;
  for (let py = 0; py < h; py++) {
    for (let px = 0; px < w; px++) {
      const v = values[ia[px] * nb + ib[py]];
      const o = 3 * (py * w + px);
      if (!Number.isFinite(v)) {
        rgb[o] = rgb[o + 1] = rgb[o + 2] = 220;
        continue;
      }
      const k = Math.max(0, Math.min(n - 1, Math.round(((v - lo) / span) * (n - 1))));
      rgb[o] = lut[3 * k];
      rgb[o + 1] = lut[3 * k + 1];
      rgb[o + 2] = lut[3 * k + 2];
    }
  }
  return `data:image/png;base64,${base64(encodePng(rgb, w, h))}`;
}
