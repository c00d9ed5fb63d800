/**
 * SVG → PNG in Node with @resvg/resvg-js (no browser). System fonts are loaded once per
 * process; the default family matches the plots' font stack (DejaVu Sans, Liberation Sans).
 */
import { Resvg } from '@resvg/resvg-js';

export interface PngOptions {
  /** Pixel density: 2 renders at twice the SVG's size (default 2, sharp on HiDPI screens). */
  readonly scale?: number;
}

export function svgToPng(svg: string, options: PngOptions = {}): Uint8Array {
  const scale = options.scale ?? 2;
  if (!(Number.isFinite(scale) && scale > 0 && scale <= 8)) {
    throw new Error(`svgToPng: 'scale' must be a number in (0, 8], got ${scale}`);
  }
  if (typeof svg !== 'string' || !svg.includes('<svg')) {
    throw new Error("svgToPng: 'svg' must be SVG text (it has no <svg> element)");
  }
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}
