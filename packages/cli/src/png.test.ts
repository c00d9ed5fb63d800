import { lossCurves, renderSvg } from '@pinnate/core';
import { describe, expect, it } from 'vitest';
import { svgToPng } from './png.ts';

describe('svgToPng', () => {
  it('rasterises a rendered figure at the requested scale, with text drawn', async () => {
    const svg = await renderSvg(lossCurves({ terms: { pde: [1, 0.1, 0.01] } }));
    const size = /width="(\d+)" height="(\d+)"/.exec(svg)!;
    const png = svgToPng(svg, { scale: 2 });
    const dv = new DataView(png.buffer, png.byteOffset);
    expect(Buffer.from(png.subarray(1, 4)).toString('ascii')).toBe('PNG');
    expect(dv.getUint32(16)).toBe(2 * Number(size[1]));
    expect(dv.getUint32(20)).toBe(2 * Number(size[2]));
    // Fonts load: the same figure without its text must produce a different (smaller) image.
    const noText = svgToPng(svg.replace(/<text[^>]*>[^<]*<\/text>/g, ''), { scale: 2 });
    expect(noText.length).toBeLessThan(png.length * 0.95);
  });

  it('rejects bad arguments by name', () => {
    expect(() => svgToPng('<svg/>', { scale: 0 })).toThrow(/'scale' must be a number in \(0, 8\], got 0/);
    expect(() => svgToPng('hello')).toThrow(/'svg' must be SVG text/);
  });
});
