/**
 * Open a report.html with every kind of figure in Debian's headless Chromium (playwright-core)
 * and check that each chart renders, heatmap images decode, nothing is fetched from the
 * network and the console stays free of errors. Skipped, with a message, when Chromium is not
 * installed (`apt-get install chromium`; `.ci/run` does this). PINNATE_CHROMIUM overrides the
 * path.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RunDirectory } from '@pinnate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { report } from './commands.ts';

const CHROMIUM = process.env.PINNATE_CHROMIUM ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) {
  console.warn(
    `SKIPPED report browser test: no Chromium at ${CHROMIUM} (install Debian's chromium or set PINNATE_CHROMIUM)`,
  );
}

/** A run directory holding data for every figure type. */
async function syntheticRun(dir: string): Promise<RunDirectory> {
  const run = await RunDirectory.create(dir);
  const nx = 64;
  const nt = 40;
  const x = Float64Array.from({ length: nx }, (_, i) => -1 + (2 * i) / (nx - 1));
  const t = Float64Array.from({ length: nt }, (_, j) => j / (nt - 1));
  const ref = new Float64Array(nx * nt);
  for (let i = 0; i < nx; i++)
    for (let j = 0; j < nt; j++) ref[i * nt + j] = -Math.sin(Math.PI * x[i]) * Math.exp(-t[j]);
  const pred = ref.map((v, k) => v + 0.02 * Math.sin(k));
  await run.saveArray('x', { data: x, shape: [nx] });
  await run.saveArray('t', { data: t, shape: [nt] });
  await run.saveArray('u_pred', { data: Float32Array.from(pred), shape: [nx, nt] });
  await run.saveArray('u_ref', { data: ref, shape: [nx, nt] });
  await run.saveArray('points_interior', {
    data: Float32Array.from({ length: 400 }, (_, k) => ((k * 0.618) % 2) - (k % 2)),
    shape: [200, 2],
  });
  await run.saveArray('points_boundary', {
    data: Float32Array.from([-1, 0.5, 1, 0.25, -1, 0.75]),
    shape: [3, 2],
  });
  await run.saveArray('operator_input', {
    data: Float32Array.from({ length: 2 * 16 }, (_, k) => Math.sin(k)),
    shape: [2, 16],
  });
  await run.saveArray('operator_pred', {
    data: Float32Array.from({ length: 2 * 20 }, (_, k) => Math.cos(k / 5)),
    shape: [2, 20],
  });
  await run.saveArray('operator_truth', {
    data: Float32Array.from({ length: 2 * 20 }, (_, k) => Math.cos(k / 5) + 0.01),
    shape: [2, 20],
  });
  await run.appendMetrics(
    Array.from({ length: 50 }, (_, i) => ({
      step: 10 * (i + 1),
      phase: 'adam',
      loss: 2 * Math.exp(-i / 10),
      terms: { residual: Math.exp(-i / 10), initial: Math.exp(-i / 8) },
      params: { nu: 0.01 + 0.1 * Math.exp(-i / 10) },
    })),
  );
  await run.writeSummary({ params_true: { nu: 0.01 }, note: '<b>escaped</b>' });
  await run.writeConfig({ problem: 'synthetic' });
  await run.updateInfo({
    name: 'browser-test',
    status: 'finished',
    backend: 'wasm',
    inputs: ['x', 't'],
    outputs: ['u'],
  });
  return run;
}

describe.skipIf(!HAVE_CHROMIUM)('report.html in headless Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinnate-browser-'));
  // biome-ignore lint/suspicious/noExplicitAny: playwright-core types are loaded lazily
  let browser: any;
  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('renders every chart, decodes the heatmap images, fetches nothing and logs no errors', async () => {
    const run = await syntheticRun(join(dir, 'run'));
    const path = await report(run.dir, { png: false, output: { write: () => undefined } });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m: { type(): string; text(): string }) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e: Error) => problems.push(`pageerror: ${e.message}`));
    page.on('request', (r: { url(): string }) => requests.push(r.url()));
    await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });

    const figures = await page.$$eval('figure[data-figure]', (els: Element[]) =>
      els.map((el) => {
        const svg = el.querySelector('svg') as SVGSVGElement | null;
        const box = svg?.getBoundingClientRect();
        const bbox = svg?.getBBox();
        return {
          name: el.getAttribute('data-figure'),
          width: box?.width ?? 0,
          height: box?.height ?? 0,
          drawnWidth: bbox?.width ?? 0,
          marks: svg?.querySelectorAll('path, rect, line, image, circle, text').length ?? 0,
          texts: Array.from(svg?.querySelectorAll('text') ?? [], (t) => t.textContent),
        };
      }),
    );
    expect(figures.map((f: { name: string }) => f.name)).toEqual([
      'loss',
      'params',
      'u_heatmap',
      'u_slices',
      'points',
      'operator',
    ]);
    for (const f of figures) {
      expect(f.width, f.name).toBeGreaterThan(200);
      expect(f.height, f.name).toBeGreaterThan(100);
      expect(f.drawnWidth, f.name).toBeGreaterThan(100);
      expect(f.marks, f.name).toBeGreaterThan(20);
    }
    expect(figures[0].texts).toContain('residual');
    expect(figures[2].texts).toContain('prediction u');

    // Each heatmap panel's PNG decodes to a many-coloured picture.
    const images = await page.$$eval('figure[data-figure="u_heatmap"] image', (els: Element[]) =>
      Promise.all(
        els.map(
          (el) =>
            new Promise<{ w: number; h: number; colours: number }>((resolve, reject) => {
              const img = new Image();
              img.onload = () => {
                const c = document.createElement('canvas');
                c.width = img.naturalWidth;
                c.height = img.naturalHeight;
                const ctx = c.getContext('2d')!;
                ctx.drawImage(img, 0, 0);
                const d = ctx.getImageData(0, 0, c.width, c.height).data;
                const seen = new Set<number>();
                for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
                resolve({ w: img.naturalWidth, h: img.naturalHeight, colours: seen.size });
              };
              img.onerror = () => reject(new Error('heatmap image failed to decode'));
              img.src = el.getAttribute('xlink:href') ?? el.getAttribute('href') ?? '';
            }),
        ),
      ),
    );
    expect(images).toHaveLength(3);
    for (const im of images) {
      expect([im.w, im.h]).toEqual([40, 64]); // t horizontal, x vertical
      expect(im.colours).toBeGreaterThan(30);
    }

    const tableText = await page.textContent('table.metrics');
    expect(tableText).toContain('rel. L2 error (u)');
    expect(tableText).toContain('<b>escaped</b>');
    expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});
