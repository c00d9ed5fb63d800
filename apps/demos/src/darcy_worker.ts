/**
 * Worker side of the Darcy demo's parallel mode: trains one model with its own single-threaded
 * backend, in the same sample order and schedule as lockstep mode, and posts each epoch's figures
 * to the main thread. It writes its own files (weights, predictions, figures) at every
 * evaluation, before posting it, so the main thread's partial report always matches the files.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type BackendName, initBackend } from '@pinnate/core';
import { evaluateOperator, type ModelSetup, ModelTrainer, runEpochs } from './darcy_model.ts';

/** What the main thread posts in `workerData`. */
export interface DarcyWorkerData {
  readonly backend: BackendName;
  readonly setup: ModelSetup;
  readonly evalEvery: number;
  readonly out: string;
  readonly aTrain: Float32Array; // [nTrain, res, res]
  readonly uTrain: Float32Array;
  readonly aTest: Float32Array; // [nTest, res, res]
  readonly uTest: Float32Array;
  readonly nTest: number;
  /** Fresh test fields at another resolution, evaluated once after training. */
  readonly evalSet?: { res: number; n: number; a: Float32Array; u: Float32Array };
}

export type DarcyWorkerMessage =
  | { type: 'ready'; params: number; config: Record<string, unknown> }
  | {
      type: 'epoch';
      epoch: number;
      train: number;
      wall: number;
      cpu: number;
      lr: number;
      last: boolean;
      test?: { l2: number; h1: number };
    }
  | { type: 'evalRes'; res: number; relL2: number; relH1: number }
  | { type: 'done' }
  | { type: 'error'; message: string };

async function main(port: NonNullable<typeof parentPort>, d: DarcyWorkerData) {
  const post = (m: DarcyWorkerMessage) => port.postMessage(m);
  await initBackend({ backend: d.backend });
  const { setup } = d;
  const start = performance.now();
  const t = new ModelTrainer(setup, start);
  post({ type: 'ready', params: t.params, config: t.op.config() as Record<string, unknown> });
  let train = 0;
  await runEpochs(
    { ...setup, evalEvery: d.evalEvery },
    start,
    (perm) => {
      train = t.epoch(perm, d.aTrain, d.uTrain);
    },
    async ({ epoch, last, evalNow }) => {
      if (evalNow) {
        t.evaluate(d.aTest, d.uTest, d.nTest);
        await t.writeFiles(d.out, d.uTest, d.nTest);
      }
      post({
        type: 'epoch',
        epoch,
        train,
        wall: t.wall,
        cpu: t.cpu,
        lr: t.lr(epoch * Math.ceil(setup.nTrain / setup.batchSize)),
        last,
        ...(evalNow && t.last ? { test: { l2: t.last.l2, h1: t.last.h1 } } : {}),
      });
    },
  );
  if (d.evalSet) {
    const { res, n, a, u } = d.evalSet;
    const e = evaluateOperator(t.op, a, u, n, res);
    post({ type: 'evalRes', res, relL2: e.l2, relH1: e.h1 });
  }
  t.dispose();
  post({ type: 'done' });
}

if (parentPort) {
  const port = parentPort;
  main(port, workerData as DarcyWorkerData).catch((e: unknown) =>
    port.postMessage({
      type: 'error',
      message: e instanceof Error ? (e.stack ?? e.message) : String(e),
    } satisfies DarcyWorkerMessage),
  );
}
