/**
 * Where the error of a trained Helmholtz PIG lies: relative L2 and PDE residual on the 250²
 * grid (all of it and the interior |x|, |y| ≤ 0.95), the error on the boundary (exact value 0),
 * and the share of the error's energy in the lowest Dirichlet modes
 * sin(mπ(x+1)/2) sin(nπ(y+1)/2), m, n ≤ 12 (orthonormal on [−1, 1]²).
 *   pnpm --filter @pinnate/demos exec tsx src/pig/diagnose.ts runs/pig-helmholtz/pig-seed0/model
 */
import { initBackend, loadModel } from '@pinnate/core';
import { grid, linspace, PIG_MODULES, Pinn } from '@pinnate/pinn';
import { helmholtzExact, helmholtzProblem } from './helmholtz.ts';

const dir = process.argv[2];
if (!dir) throw new Error('usage: diagnose.ts <model dir>');
await initBackend({ backend: 'wasm' });
const { module } = await loadModel(dir, PIG_MODULES);
// The points of this Pinn are not used: it only evaluates the model and the residual.
const pinn = new Pinn(helmholtzProblem(), { network: module, points: { domain: 16, boundary: 16 } });
const side = 250;
const ax = linspace(-1, 1, side);
const u = pinn.predict(grid([ax, ax], [1, 0])).u; // [iy * side + ix]
const res = pinn.residuals(grid([ax, ax], [1, 0])).pde;
const err = new Float64Array(side * side);
let e2 = 0;
let u2 = 0;
let r2 = 0;
let f2 = 0;
let r2in = 0;
let nIn = 0;
for (let iy = 0; iy < side; iy++) {
  for (let ix = 0; ix < side; ix++) {
    const i = iy * side + ix;
    const ue = helmholtzExact(ax[ix], ax[iy]);
    err[i] = u[i] - ue;
    e2 += err[i] ** 2;
    u2 += ue ** 2;
    r2 += res[i] ** 2;
    f2 += ((1 - 17 * Math.PI ** 2) * ue) ** 2;
    if (Math.abs(ax[ix]) <= 0.95 && Math.abs(ax[iy]) <= 0.95) {
      r2in += res[i] ** 2;
      nIn++;
    }
  }
}
const n = side * side;
const h = 2 / (side - 1);
let low = 0;
const modes: [string, number][] = [];
for (let m = 1; m <= 12; m++) {
  const sx = ax.map((x) => Math.sin((m * Math.PI * (x + 1)) / 2));
  for (let k = 1; k <= 12; k++) {
    const sy = ax.map((y) => Math.sin((k * Math.PI * (y + 1)) / 2));
    let c = 0;
    for (let iy = 0; iy < side; iy++)
      for (let ix = 0; ix < side; ix++) c += err[iy * side + ix] * sx[ix] * sy[iy];
    c *= h * h;
    low += c * c;
    modes.push([`(${m},${k})`, c]);
  }
}
modes.sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]));
const edge = new Float64Array(8 * side);
for (let i = 0; i < side; i++) edge.set([ax[i], -1, ax[i], 1, -1, ax[i], 1, ax[i]], 8 * i);
const ub = pinn.predict({ data: edge, n: 4 * side, dim: 2 }).u;
const b2 = ub.reduce((a, v) => a + v * v, 0);
console.log(
  JSON.stringify({
    relL2: Math.sqrt(e2 / u2),
    errorRms: Math.sqrt(e2 / n),
    boundaryErrorRms: Math.sqrt(b2 / ub.length),
    residualRms: Math.sqrt(r2 / n),
    residualRmsInterior: Math.sqrt(r2in / nIn),
    relativeResidual: Math.sqrt(r2 / f2),
    lowModeEnergyShare: low / (e2 * h * h),
    largestModes: modes.slice(0, 6).map(([name, c]) => `${name} ${c.toExponential(2)}`),
  }),
);
pinn.dispose();
