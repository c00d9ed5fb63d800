/**
 * The live page: backend picker (best available by default), start / pause / reset, step rate,
 * live loss curve and solution / error heatmaps, relative L2 against Cole–Hopf.
 *
 * Query parameters (used by the e2e test): ?backend=webgl|webgpu|wasm|cpu, ?problem=burgers|poisson-l,
 * ?points=N, ?lr=x.
 * `window.pinnate` exposes `ready`, `run(steps)`, `jetCheck()` and `backend` for automation.
 */
import {
  type BackendName,
  BROWSER_ORDER,
  fieldHeatmaps,
  initBackend,
  lossCurves,
  renderSvg,
  setWasmBinaryPrefix,
} from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';
import { jetCheck } from '../jetcheck.ts';
import { LIVE_PROBLEMS, LiveProblem, type LiveProblemName } from './live.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const points = Number(params.get('points') ?? 2048);
const lr = Number(params.get('lr') ?? 3e-3);
let problem = (params.get('problem') ?? 'burgers') as LiveProblemName;

let live: LiveProblem | null = null;
let running = false;
let stepsDone = 0;
let rate = 0;
let lastRel = Number.NaN;

function status(text: string) {
  $('status').textContent = text;
}

async function chooseBackend(name?: BackendName): Promise<string> {
  await setWasmBinaryPrefix(new URL('./wasm/', location.href).href);
  const choice = await initBackend(name ? { backend: name } : {});
  return choice.name;
}

async function redraw() {
  if (!live) return;
  const { prediction, relL2 } = await live.evaluate();
  lastRel = relL2;
  const losses = live.losses;
  if (losses.length > 1) {
    $('loss').innerHTML = await renderSvg(
      lossCurves({ terms: { loss: losses }, title: 'training loss', width: 420, height: 180 }),
    );
  }
  $('field').innerHTML = await renderSvg(
    fieldHeatmaps({
      a: live.a,
      b: live.b,
      prediction,
      reference: live.reference,
      panelWidth: 220,
      panelHeight: live.name === 'burgers' ? 150 : 220,
    }),
  );
}

function showStatus() {
  const loss = live?.losses.at(-1);
  status(
    `${problem} | backend ${tf.getBackend()} | step ${stepsDone} | loss ${loss?.toExponential(3) ?? '–'} | ` +
      `${rate.toFixed(1)} steps/s | rel. L2 ${Number.isFinite(lastRel) ? lastRel.toExponential(3) : '–'}`,
  );
}

/** Train `steps` steps (or until paused), redrawing every `redrawEvery` steps (0: only at the end). */
async function train(steps: number, redrawEvery = 50) {
  if (!live) return { msPerStep: Number.NaN };
  running = true;
  const t0 = performance.now();
  let n = 0;
  while (running && n < steps) {
    await live.step();
    n++;
    stepsDone++;
    rate = (1000 * n) / (performance.now() - t0);
    if (redrawEvery > 0 && n % redrawEvery === 0) {
      await redraw();
      showStatus();
      await new Promise((r) => setTimeout(r, 0)); // let the page paint and handle clicks
    }
  }
  // Training time only (redraws inside the loop count, the final one does not).
  const msPerStep = (performance.now() - t0) / Math.max(1, n);
  running = false;
  await redraw();
  showStatus();
  return { msPerStep };
}

function reset() {
  running = false;
  live?.dispose();
  live = LiveProblem.create(problem, { points, lr });
  stepsDone = 0;
  lastRel = Number.NaN;
}

async function main() {
  const problems = $<HTMLSelectElement>('problem');
  for (const p of LIVE_PROBLEMS) problems.add(new Option(p, p));
  problems.value = problem;
  problems.onchange = async () => {
    problem = problems.value as LiveProblemName;
    reset();
    await redraw();
    showStatus();
  };
  const select = $<HTMLSelectElement>('backend');
  for (const b of BROWSER_ORDER) select.add(new Option(b, b));
  const backend = await chooseBackend((params.get('backend') as BackendName | null) ?? undefined);
  select.value = backend;
  select.onchange = async () => {
    running = false;
    live?.dispose();
    live = null;
    try {
      await chooseBackend(select.value as BackendName);
      reset();
      await redraw();
      showStatus();
    } catch (e) {
      status(String(e instanceof Error ? e.message : e));
    }
  };
  reset();
  await redraw();
  showStatus();
  $('start').onclick = () => {
    if (running) return;
    $<HTMLButtonElement>('pause').disabled = false;
    void train(Number.MAX_SAFE_INTEGER);
  };
  $('pause').onclick = () => {
    running = false;
  };
  $('reset').onclick = async () => {
    reset();
    await redraw();
    showStatus();
  };
  return backend;
}

const ready = main();
(window as unknown as { pinnate: unknown }).pinnate = {
  ready,
  get backend() {
    return tf.getBackend();
  },
  /** Train a fixed number of steps; resolves with the losses and timing (tests, bench). */
  async run(steps: number, redrawEvery = Math.max(1, Math.floor(steps / 4))) {
    await ready;
    const first = live!.losses.length;
    const r = await train(steps, redrawEvery);
    const losses = live!.losses.slice(first);
    return {
      backend: tf.getBackend(),
      initialLoss: losses[0],
      finalLoss: losses.at(-1),
      relL2: lastRel,
      ...r,
    };
  },
  jetCheck,
};
