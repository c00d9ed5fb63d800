// @pinnate/operators: reference solvers (plain TypeScript, float64) and the datasets built from them.

export { DataCommandError, runDataCommand } from './data/command.ts';
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
export * from './deeponet/index.ts';
export {
  addChannelBias,
  type Conv2dOptions,
  conv2d,
  conv2dTranspose,
  dilate2d,
  padCircular,
  subsample2d,
} from './kernels/conv_ops.ts';
export { registerOperatorKernels } from './kernels/register.ts';
export { constLeftMul } from './layers/const_left_mul.ts';
export { ConvTranspose2d, type ConvTranspose2dConfig } from './layers/conv_transpose.ts';
export { Conv2d, type Conv2dConfig, type Padding } from './layers/conv2d.ts';
export { MgConv, type MgConvConfig } from './layers/multigrid.ts';
export { Pointwise, type PointwiseConfig } from './layers/pointwise.ts';
export { SpectralConv2d, type SpectralConv2dConfig } from './layers/spectral_conv.ts';
export { type GridMeasure, squaredNorm } from './losses/quadrature.ts';
export {
  type RelativeH1Options,
  type RelativeLossOptions,
  relativeH1,
  relativeL2,
} from './losses/relative.ts';
export { FNO_DARCY, Fno, type FnoConfig } from './models/fno.ts';
export { MGNO_DARCY, Mgno, type MgnoConfig } from './models/mgno.ts';
export {
  countOperatorParameters,
  type GridOperator,
  loadOperator,
  predict,
  type Scaling,
  saveOperator,
} from './models/operator.ts';
export { buildOperator } from './models/registry.ts';
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
