/**
 * End-to-end: build the page, serve it, and drive Debian's chromium (headless, SwiftShader
 * GPU) with playwright-core. For webgl and webgpu: train a fixed number of steps, check the
 * loss fell, compare jets with wasm in Node, check the console stayed clean, save a
 * screenshot. Skipped (with a message) when /usr/bin/chromium is absent; .ci/run installs it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { initBackend } from '@pinnate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetCheck, jetDifferences } from '../jetcheck.ts';
import { buildPage, CHROMIUM, launchChromium, runOnPage, serve, WEB_ROOT } from './harness.ts';

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`web e2e skipped: ${CHROMIUM} not found (apt-get install chromium)`);

// SwiftShader runs the GPU backends in software (webgpu ~1-4 s per step here): keep it short.
const STEPS = 12;
// Measured 0.5-4e-6 on SwiftShader (webgl with float32 textures, webgpu); 5e-5 leaves 10x room.
const JET_TOLERANCE = 5e-5;

describe.skipIf(!hasChromium)('live page in chromium', () => {
  let server: Server;
  let base: string;
  let wasmJets: Record<string, number[]>;
  // biome-ignore lint/suspicious/noExplicitAny: playwright-core Browser
  let browser: any;

  beforeAll(async () => {
    ({ server, base } = await serve(await buildPage()));
    await initBackend({ backend: 'wasm' });
    wasmJets = await jetCheck();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  it.each(['webgl', 'webgpu'])(
    '%s: trains, matches wasm jets, clean console, screenshot',
    async (backend) => {
      const { page, chosen, result, problems } = await runOnPage(
        browser,
        base,
        backend,
        STEPS,
        '&points=256&lr=0.01',
      );
      const jets = await page.evaluate(async () =>
        (
          window as unknown as { pinnate: { jetCheck(): Promise<Record<string, number[]>> } }
        ).pinnate.jetCheck(),
      );
      const diffs = jetDifferences(jets, wasmJets);
      mkdirSync(join(WEB_ROOT, 'screenshots'), { recursive: true });
      await page.screenshot({ path: join(WEB_ROOT, 'screenshots', `${backend}.png`), fullPage: true });
      console.log(`${backend}: ${JSON.stringify(result)} jets vs wasm ${JSON.stringify(diffs)}`);
      expect(chosen).toBe(backend);
      expect(result.backend).toBe(backend);
      expect(result.finalLoss).toBeLessThan(result.initialLoss / 2);
      for (const [name, d] of Object.entries(diffs)) expect(d, name).toBeLessThan(JET_TOLERANCE);
      expect(problems).toEqual([]);
      await page.close();
    },
  );
});
