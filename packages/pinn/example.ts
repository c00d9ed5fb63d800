import { initBackend } from '@pinnate/core';
import { Interval, SpaceTime, TimeDomain } from '@pinnate/geometry';
import { dirichlet, grid, initial, linspace, Pinn, Problem } from '@pinnate/pinn';

await initBackend({ backend: 'wasm' });
const problem = new Problem({
  domain: new SpaceTime(new Interval(-1, 1), new TimeDomain(0, 1)), // inputs x, t
  constants: { nu: 0.05 },
  pde: 'u_t + u*u_x - nu*u_xx', // mathjs string, checked and compiled once
  conditions: [dirichlet({ value: 0, name: 'bc' }), initial({ value: '-sin(pi*x)', name: 'ic' })],
});
const pinn = new Pinn(problem, { hidden: [32, 32, 32], points: { domain: 1024 }, seed: 0 });
const result = await pinn.train({ steps: 500, adam: { lr: 2e-3 }, lbfgs: { maxIter: 200 } });
const { u } = pinn.predict(grid([linspace(-1, 1, 5), Float64Array.of(0.5)])); // columns x, t
console.log(result.terms, u);
pinn.dispose();
