/**
 * Times one Burgers training step (the live page's setup) on every browser backend and on
 * Node wasm in one run, and writes apps/demos/web/bench-results.json.
 *
 *   pnpm bench:web [--steps 20] [--points 1024]
 *
 * Here chromium's GPU is SwiftShader (software), so the GPU numbers measure an emulator, not
 * a GPU: compare ratios within one run.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '@pinnate/core';
import { buildPage, CHROMIUM, launchChromium, runOnPage, serve, WEB_ROOT } from './e2e/harness.ts';
import { LiveProblem } from './src/live.ts';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const steps = arg('steps', 20);
const points = arg('points', 1024);
const results: { name: string; backend: string; msPerStep: number; points: number; steps: number }[] = [];

await initBackend({ backend: 'wasm' });
const live = LiveProblem.create('burgers', { points, lr: 3e-3 });
await live.step(); // warm-up
const t0 = performance.now();
for (let i = 0; i < steps; i++) await live.step();
results.push({
  name: 'burgers-live-step',
  backend: 'node-wasm',
  msPerStep: (performance.now() - t0) / steps,
  points,
  steps,
});
live.dispose();
console.log(`node wasm: ${results[0].msPerStep.toFixed(1)} ms/step`);

if (!existsSync(CHROMIUM)) {
  console.log(`browser backends skipped: ${CHROMIUM} not found`);
} else {
  const { server, base } = await serve(await buildPage());
  const browser = await launchChromium();
  for (const backend of ['webgpu', 'webgl', 'wasm', 'cpu']) {
    // A warm-up step, then `steps` timed steps with no redraws (the page's charts cost more than a step).
    const { page } = await runOnPage(browser, base, backend, 1, `&points=${points}`);
    const result = await page.evaluate(
      async (n: number) =>
        (
          window as unknown as { pinnate: { run(n: number, r: number): Promise<{ msPerStep: number }> } }
        ).pinnate.run(n, 0),
      steps,
    );
    results.push({
      name: 'burgers-live-step',
      backend: `chromium-${backend}`,
      msPerStep: result.msPerStep,
      points,
      steps,
    });
    console.log(`chromium ${backend}: ${result.msPerStep.toFixed(1)} ms/step`);
    await page.close();
  }
  await browser.close();
  server.close();
}
writeFileSync(join(WEB_ROOT, 'bench-results.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(`wrote ${join(WEB_ROOT, 'bench-results.json')}`);
