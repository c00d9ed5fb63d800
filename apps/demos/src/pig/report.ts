/**
 * PIG figures: the Gaussians (centres, 1σ ellipses) drawn over a 2-D field, error curves, and
 * the HTML report that collects them.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fieldToPngDataUri, renderReportHtml, renderSvg, type TopLevelSpec } from '@pinnate/core';
import type { GaussianFeatures } from '@pinnate/pinn';

export interface GaussianOverlay {
  /** Centres [G, 2] and σ [G, 2] in field coordinates. */
  readonly mu: Float32Array;
  readonly sigma: Float32Array;
}

/** Means and σ of the first two dimensions of a Gaussian layer (optionally at a fixed third). */
export function overlayOf(features: GaussianFeatures): GaussianOverlay {
  const d = features.inSize;
  const g = features.gaussians;
  const mu = features.mu.dataSync();
  const ls = features.logSigma.dataSync();
  const outMu = new Float32Array(2 * g);
  const outSigma = new Float32Array(2 * g);
  for (let i = 0; i < g; i++) {
    for (let j = 0; j < 2; j++) {
      outMu[2 * i + j] = mu[i * d + j];
      outSigma[2 * i + j] = Math.exp(ls[i * d + j]);
    }
  }
  return { mu: outMu, sigma: outSigma };
}

export interface FieldFigureOptions {
  /** Axes of the field: values[iy * nx + ix] = f(xs[ix], ys[iy]). */
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  readonly values: ArrayLike<number>;
  readonly title: string;
  readonly overlay?: GaussianOverlay;
  /** Colour scheme (default 'viridis'; 'blueorange' suits signed errors). */
  readonly scheme?: string;
  /** Symmetric colour domain around 0 (for errors). */
  readonly symmetric?: boolean;
}

/** An SVG: the field as an image, the Gaussians as 1σ ellipses with a dot at each centre. */
export function fieldFigure(o: FieldFigureOptions): string {
  const nx = o.xs.length;
  const ny = o.ys.length;
  // fieldToPngDataUri wants values[ix * ny + iy] (first axis horizontal).
  const t = new Float64Array(nx * ny);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let iy = 0; iy < ny; iy++) {
    for (let ix = 0; ix < nx; ix++) {
      const v = o.values[iy * nx + ix];
      t[ix * ny + iy] = v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (o.symmetric) {
    const m = Math.max(Math.abs(lo), Math.abs(hi));
    lo = -m;
    hi = m;
  }
  const png = fieldToPngDataUri(o.xs, o.ys, t, { domain: [lo, hi], scheme: o.scheme, maxPixels: 250 });
  const size = 360;
  const pad = 40;
  const x0 = o.xs[0];
  const x1 = o.xs[nx - 1];
  const y0 = o.ys[0];
  const y1 = o.ys[ny - 1];
  const sx = size / (x1 - x0);
  const sy = size / (y1 - y0);
  const px = (x: number) => pad + (x - x0) * sx;
  const py = (y: number) => pad + size - (y - y0) * sy;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size + 2 * pad + 70}" height="${size + 2 * pad}" font-family="sans-serif" font-size="11">`,
    `<text x="${pad}" y="${pad - 12}" font-size="13">${escapeXml(o.title)}</text>`,
    `<defs><clipPath id="plot"><rect x="${pad}" y="${pad}" width="${size}" height="${size}"/></clipPath></defs>`,
    `<image x="${pad}" y="${pad}" width="${size}" height="${size}" preserveAspectRatio="none" href="${png}"/>`,
  ];
  if (o.overlay) {
    const { mu, sigma } = o.overlay;
    const g = mu.length / 2;
    parts.push(
      '<g clip-path="url(#plot)" fill="none" stroke="white" stroke-opacity="0.55" stroke-width="0.6">',
    );
    for (let i = 0; i < g; i++) {
      const cx = px(mu[2 * i]).toFixed(1);
      const cy = py(mu[2 * i + 1]).toFixed(1);
      parts.push(
        `<ellipse cx="${cx}" cy="${cy}" rx="${(sigma[2 * i] * sx).toFixed(1)}" ry="${(sigma[2 * i + 1] * sy).toFixed(1)}"/>`,
      );
    }
    parts.push('</g><g clip-path="url(#plot)" fill="black" fill-opacity="0.8">');
    for (let i = 0; i < g; i++) {
      parts.push(`<circle cx="${px(mu[2 * i]).toFixed(1)}" cy="${py(mu[2 * i + 1]).toFixed(1)}" r="1"/>`);
    }
    parts.push('</g>');
  }
  parts.push(
    `<rect x="${pad}" y="${pad}" width="${size}" height="${size}" fill="none" stroke="#333"/>`,
    `<text x="${pad}" y="${pad + size + 16}">${x0}</text>`,
    `<text x="${pad + size}" y="${pad + size + 16}" text-anchor="end">${x1}</text>`,
    `<text x="${pad - 6}" y="${pad + size}" text-anchor="end">${y0}</text>`,
    `<text x="${pad - 6}" y="${pad + 8}" text-anchor="end">${y1}</text>`,
    `<text x="${pad + size + 10}" y="${pad + 8}">max ${hi.toExponential(2)}</text>`,
    `<text x="${pad + size + 10}" y="${pad + size}">min ${lo.toExponential(2)}</text>`,
    '</svg>',
  );
  return parts.join('\n');
}

function escapeXml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot' }[c]};`);
}

export interface CurveSeries {
  readonly name: string;
  readonly points: readonly { readonly iteration: number; readonly relL2: number }[];
}

/** Relative L2 error against iteration, log scale. */
export async function errorCurves(series: readonly CurveSeries[], title: string): Promise<string> {
  const values = series.flatMap((s) =>
    s.points.filter((p) => p.relL2 > 0).map((p) => ({ run: s.name, iteration: p.iteration, relL2: p.relL2 })),
  );
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 480,
    height: 280,
    data: { values },
    mark: { type: 'line', point: false, strokeWidth: 1.5 },
    encoding: {
      x: { field: 'iteration', type: 'quantitative' },
      y: { field: 'relL2', type: 'quantitative', scale: { type: 'log' }, axis: { format: '.0e' } },
      color: { field: 'run', type: 'nominal' },
    },
  } as TopLevelSpec;
  return renderSvg(spec, 'errors');
}

export interface ReportFiles {
  readonly dir: string;
  readonly title: string;
  readonly metrics: readonly (readonly [string, string | number])[];
  readonly figures: readonly { name: string; title: string; caption?: string; svg: string }[];
  readonly config: unknown;
  readonly notes?: readonly string[];
}

/** report.html plus one .svg per figure. */
export async function writeReport(r: ReportFiles): Promise<void> {
  for (const f of r.figures) await writeFile(join(r.dir, `${f.name}.svg`), f.svg);
  const html = renderReportHtml({
    title: r.title,
    metrics: r.metrics,
    figures: r.figures,
    environment: [
      ['node', process.version],
      ['date', new Date().toISOString()],
      ['command', process.argv.slice(2).join(' ')],
    ],
    config: r.config,
    notes: r.notes,
  });
  await writeFile(join(r.dir, 'report.html'), html);
}
