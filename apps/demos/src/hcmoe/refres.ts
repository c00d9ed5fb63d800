/**
 * How stiff the residual loss is on each grid: the finite-difference residual of the reference
 * solutions themselves (5 test trajectories per grid; the paper code logs the same quantity as
 * `gt_residual`). A residual-trained model cannot go below it without leaving the true solution.
 *   cd apps/demos && nice -n 19 npx tsx src/hcmoe/refres.ts      (about 15 s of CPU)
 */
import { initBackendFromEnv } from '@pinnate/core';
import { GridOps, makeData, referenceResidual } from './ds.ts';

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
  const r = referenceResidual(ops, d);
  console.log(
    `${nt} × ${nx}: reference residual rms ${r.rmsTau.toExponential(2)} (τ units, τ > 0), max |r| ${r.maxPhysical.toExponential(2)} (physical), paper-form ‖r‖₂ ${r.paperNorm.toExponential(2)}, paper-form total loss ${r.paperTotal.toExponential(2)}`,
  );
  ops.dispose();
}
