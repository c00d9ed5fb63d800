/** Hard constraints by differentiable nonlinear least squares, and their mixture of experts. */
export {
  assembleExperts,
  type ConstraintBlock,
  gatherPoints,
  gridExperts,
  HardConstraint,
  type HardConstraintConfig,
  MixtureOfExperts,
  type MixtureOfExpertsConfig,
  mixExperts,
  sampleExpertPoints,
} from './layer.ts';
export {
  cholesky,
  choleskySolve,
  type LeastSquaresFunction,
  type LmOptions,
  type LmResult,
  type LmStopReason,
  levenbergMarquardt,
  solveSpd,
} from './lm.ts';
export {
  type PoolResult,
  type PoolTask,
  partitionTasks,
  runTasks,
  SolverPool,
  type SolverPoolOptions,
} from './pool.ts';
export {
  adjointProblem,
  type BlockData,
  type BlockStats,
  blockStats,
  checkProblem,
  LINEAR_RESIDUAL,
  type PointwiseResidual,
  type ProblemData,
  problemHessian,
  type SolveResult,
  solveDense,
  solveProblem,
} from './problem.ts';
