// @pinnate/operators: reference solvers (plain TypeScript, float64) and the datasets built from them.

export {
  type Dataset,
  type GenerateOptions,
  generateDataset,
  loadDataset,
  type Manifest,
  type ManifestArray,
  sampleStates,
} from './data/dataset.ts';
export { DATASET_KINDS, type DatasetKind, type DatasetParams } from './data/kinds.ts';
export { type AntiderivativeMethod, antiderivative } from './reference/antiderivative.ts';
export {
  type BurgersPeriodicOptions,
  burgersColeHopf,
  type ColeHopfOptions,
  raissiBurgers,
  raissiInitialAntiderivative,
  solveBurgersPeriodic,
} from './reference/burgers.ts';
export { maxAbsDiff, observedOrders } from './reference/convergence.ts';
export {
  type DarcyGeometry,
  type DarcyOptions,
  type DarcyPreconditioner,
  type DarcyResult,
  darcyLevelSet,
  darcyMask,
  solveDarcy,
} from './reference/darcy.ts';
export {
  type DiffusionSorptionOptions,
  type DiffusionSorptionParams,
  PDEBENCH_DIFFUSION_SORPTION,
  solveDiffusionSorption,
} from './reference/diffusion_sorption.ts';
export { FFT, FFT2, irfft, rfft, wavenumbers } from './reference/fft.ts';
export {
  DEEPONET_GRF,
  FNO_BURGERS_GRF,
  FNO_DARCY_GRF,
  FNO_NS_GRF,
  Grf1d,
  Grf2d,
  type GrfBoundary,
  type GrfCovariance,
  type GrfOptions,
} from './reference/grf.ts';
export {
  type ChebyshevInputOptions,
  chebyshevEval,
  chebyshevRandom,
  type ThresholdOptions,
  threshold,
} from './reference/inputs.ts';
export { fnoForcing, type NavierStokesOptions, solveNavierStokes2d } from './reference/navier_stokes.ts';
export { gaussHermite } from './reference/quadrature.ts';
export {
  diffusionReaction1d,
  fisherKpp1d,
  type ReactionDiffusionProblem,
  type ReactionDiffusionSettings,
  type Solution1d,
  solveReactionDiffusion1d,
} from './reference/reaction_diffusion.ts';
export { solveTridiagonal } from './reference/tridiag.ts';
export * from './deeponet/index.ts';
