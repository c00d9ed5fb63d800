import { check } from './errors.ts';
import type { Points } from './points.ts';

export interface ScatterSeries {
  /** Points of dim >= 2 (the first two coordinates are drawn) or dim 1 (drawn at y = 0). */
  readonly points: Points;
  readonly color?: string;
  readonly radius?: number;
  readonly label?: string;
}

export interface ScatterOptions {
  readonly width?: number;
  readonly height?: number;
  readonly title?: string;
  /** Data range; default the union of the series' ranges. */
  readonly lo?: readonly [number, number];
  readonly hi?: readonly [number, number];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

/**
 * A minimal standalone SVG scatter plot with equal x/y scale (shapes are not distorted),
 * a frame, an optional title and a legend. No dependencies; meant for READMEs and debugging.
 */
export function scatterSvg(series: readonly ScatterSeries[], opts: ScatterOptions = {}): string {
  check(series.length > 0, () => `scatterSvg: 'series' must not be empty`);
  const width = opts.width ?? 480;
  const height = opts.height ?? 480;
  const xy = (p: Points, i: number): [number, number] => [
    p.data[i * p.dim],
    p.dim >= 2 ? p.data[i * p.dim + 1] : 0,
  ];
  let lo = opts.lo ? [...opts.lo] : [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
  let hi = opts.hi ? [...opts.hi] : [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
  if (!opts.lo || !opts.hi) {
    lo = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
    hi = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
    for (const s of series) {
      for (let i = 0; i < s.points.n; i++) {
        const [x, y] = xy(s.points, i);
        lo = [Math.min(lo[0], x), Math.min(lo[1], y)];
        hi = [Math.max(hi[0], x), Math.max(hi[1], y)];
      }
    }
  }
  const pad = 16;
  const top = opts.title ? 28 : pad;
  const spanX = Math.max(hi[0] - lo[0], 1e-12);
  const spanY = Math.max(hi[1] - lo[1], 1e-12);
  const scale = Math.min((width - 2 * pad) / spanX, (height - top - pad) / spanY);
  const ox = (width - scale * spanX) / 2;
  const oy = top + (height - top - pad - scale * spanY) / 2;
  const fmt = (v: number) => v.toFixed(2);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img">`,
    // Screen readers (and Biome's a11y lint of committed figures) need a title element.
    `<title>${esc(opts.title ?? 'scatter plot')}</title>`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<rect x="${fmt(ox)}" y="${fmt(oy)}" width="${fmt(scale * spanX)}" height="${fmt(scale * spanY)}" fill="none" stroke="#ccc"/>`,
  ];
  if (opts.title) {
    parts.push(
      `<text x="${width / 2}" y="18" font-family="sans-serif" font-size="14" text-anchor="middle">${esc(opts.title)}</text>`,
    );
  }
  series.forEach((s, k) => {
    const color = s.color ?? PALETTE[k % PALETTE.length];
    const r = s.radius ?? 1.5;
    parts.push(`<g fill="${esc(color)}">`);
    for (let i = 0; i < s.points.n; i++) {
      const [x, y] = xy(s.points, i);
      // SVG's y axis points down; flip so the plot reads like a math figure.
      parts.push(
        `<circle cx="${fmt(ox + (x - lo[0]) * scale)}" cy="${fmt(oy + (hi[1] - y) * scale)}" r="${r}"/>`,
      );
    }
    parts.push('</g>');
    if (s.label) {
      const ly = top + 14 * k + 4;
      parts.push(
        `<circle cx="${width - 120}" cy="${ly}" r="4" fill="${esc(color)}"/>`,
        `<text x="${width - 110}" y="${ly + 4}" font-family="sans-serif" font-size="11">${esc(s.label)}</text>`,
      );
    }
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
