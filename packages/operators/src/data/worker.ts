// worker_threads entry for generateDataset: computes the samples it is handed and posts them back.
import { parentPort, workerData } from 'node:worker_threads';
import type { RngState } from '@pinnate/core/rng';
import { computeSamples } from './dataset.ts';
import type { DatasetKind, DatasetParams } from './kinds.ts';

const { kind, res, params, items } = workerData as {
  kind: DatasetKind;
  res: number;
  params: DatasetParams;
  items: [number, RngState][];
};
computeSamples(
  kind,
  res,
  params,
  items.map(([, s]) => s),
  (k, arrays) => parentPort!.postMessage({ index: items[k][0], arrays }),
);
