/**
 * How stiff the residual loss is on each grid: the finite-difference residual of the reference
 * solutions themselves (5 test trajectories per grid; the paper code logs the same quantity as
 * `gt_residual`). A residual-trained model cannot go below it without leaving the true solution.
 *   cd apps/demos && nice -n 19 npx tsx src/hcmoe/refres.ts      (about 15 s of CPU)
 */
import { initBackendFromEnv } from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';
import { GridOps, makeData, paperLoss, pdeLoss, T_END } from './ds.ts';

await initBackendFromEnv();
// [nx, nt, solver cells per output cell]; 1024 × 101 is the paper's grid.
const grids: [number, number, number][] = [
  [32, 26, 4],
  [64, 26, 4],
  [128, 51, 4],
  [256, 101, 4],
  [1024, 101, 1],
];
for (const [nx, nt, fine] of grids) {
  const d = makeData({ nx, nt, fine, solverSteps: 500, train: 0, test: 5, seed: 0 });
  const ops = new GridOps(nx, nt);
  const u = tf.tensor4d(Float32Array.from(d.uTest), [5, nt, nx, 1]);
  const ms = pdeLoss(ops, u);
  const p = paperLoss(ops, u, d.cTest);
  const mx = tf.tidy(() => tf.max(tf.abs(tf.div(ops.residual(u), T_END))));
  console.log(
    `${nt} × ${nx}: reference residual rms ${Math.sqrt(ms.dataSync()[0]).toExponential(2)} (τ units, τ > 0), max |r| ${mx.dataSync()[0].toExponential(2)} (physical), paper-form ‖r‖₂ ${p.pde.dataSync()[0].toExponential(2)}, paper-form total loss ${p.total.dataSync()[0].toExponential(2)}`,
  );
  tf.dispose([u, ms, p.total, p.pde, mx]);
  ops.dispose();
}
