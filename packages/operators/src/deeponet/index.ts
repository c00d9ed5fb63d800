export { ConvBranch, type ConvBranchConfig } from './conv_branch.ts';
export {
  type Batch,
  type CartesianLossOptions,
  cartesianLoss,
  concatFunctions,
  drawIndices,
  evaluateRelL2,
  fitNormalization,
  makeBatch,
  maskedMse,
  type OperatorData,
  operatorData,
  predictCartesian,
  type RelL2,
  relativeL2,
  relativeSquaredError,
  sliceFunctions,
} from './data.ts';
export {
  type AnyTrunkSpec,
  type BoundaryFactor,
  type BranchSpec,
  type ConvBranchSpec,
  DeepONet,
  type DeepONetConfig,
  type NetSpec,
  type Normalization,
  type PodTrunkSpec,
  type TrunkSpec,
} from './deeponet.ts';
export {
  buildDeepONet,
  DEEPONET_MODULES,
  loadDeepONet,
  type OperatorMetadata,
  predictNpy,
  saveDeepONet,
} from './io.ts';
export {
  fitPod,
  type PodFit,
  type PodOptions,
  PodTrunk,
  type PodTrunkConfig,
  podProjectionError,
  symmetricEigen,
} from './pod.ts';
export { StackedMlp, type StackedMlpConfig } from './stacked.ts';
export { type TrainDeepONetOptions, trainDeepONet } from './train.ts';
