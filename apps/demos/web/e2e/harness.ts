/** Build, serve and open the live page in Debian's chromium (shared by the e2e test and the bench). */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags that start headless chromium here with WebGL and WebGPU on SwiftShader (NOTES.md). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-swiftshader',
  '--use-angle=swiftshader',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-webgpu-adapter=swiftshader',
];

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
};

export async function buildPage(): Promise<string> {
  const { build } = await import('vite');
  await build({ configFile: join(WEB_ROOT, 'vite.config.ts'), logLevel: 'error' });
  return join(WEB_ROOT, 'dist');
}

/** A static file server on 127.0.0.1 (random port); resolves with the server and its base URL. */
export function serve(dir: string): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0]));
    const file = join(dir, path === '/' ? 'index.html' : path);
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.setHeader('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream');
    res.end(readFileSync(file));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` }),
    ),
  );
}

// biome-ignore lint/suspicious/noExplicitAny: playwright-core is loaded lazily (optional at runtime)
export async function launchChromium(): Promise<any> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export interface RunResult {
  readonly backend: string;
  readonly initialLoss: number;
  readonly finalLoss: number;
  readonly relL2: number;
  readonly msPerStep: number;
}

/** Open the page on `backend` and train `steps` steps; returns the page (caller closes) and the result. */
export async function runOnPage(
  // biome-ignore lint/suspicious/noExplicitAny: playwright-core Browser/Page
  browser: any,
  base: string,
  backend: string,
  steps: number,
  query = '',
) {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const problems: string[] = [];
  page.on('console', (m: { type(): string; text(): string }) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e: Error) => problems.push(e.message));
  await page.goto(`${base}?backend=${backend}${query}`);
  await page.waitForFunction(() => 'pinnate' in window);
  const chosen: string = await page.evaluate(
    async () => (window as unknown as { pinnate: { ready: Promise<string> } }).pinnate.ready,
  );
  const result: RunResult = await page.evaluate(
    async (n: number) =>
      (window as unknown as { pinnate: { run(n: number): Promise<RunResult> } }).pinnate.run(n),
    steps,
  );
  return { page, chosen, result, problems };
}
