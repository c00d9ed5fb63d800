export { eulerianDerivatives, type LabelDerivatives } from './chain_rule.ts';
export { PeriodicPinn } from './eulerian.ts';
export { type HessianEigenOptions, topHessianEigenvalue } from './hessian.ts';
export { interpolatePeriodic, spectralNorm } from './interp.ts';
export { type LagrangianFields, Lpinn, type LpinnOptions, lagrangianResiduals } from './lpinn.ts';
export { LpinnNetwork, type LpinnNetworkConfig, periodicMlp } from './network.ts';
export type { Flux, TransportProblem, TransportSolverOptions } from './problem.ts';
export { TransportSolver } from './solver.ts';
