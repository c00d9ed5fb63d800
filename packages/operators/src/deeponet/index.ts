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
  type BoundaryFactor,
  DeepONet,
  type DeepONetConfig,
  type NetSpec,
  type Normalization,
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
export { StackedMlp, type StackedMlpConfig } from './stacked.ts';
export { type TrainDeepONetOptions, trainDeepONet } from './train.ts';
