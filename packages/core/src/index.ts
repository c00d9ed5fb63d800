/**
 * @pinnate/core — backends, Taylor-mode jets, layers and models, optimizers, training,
 * `.npy`/`.npz` and model I/O, seeded RNG.
 */
export {
  type BackendChoice,
  type BackendName,
  type BackendOptions,
  BackendUnavailableError,
  BROWSER_ORDER,
  initBackend,
  initBackendFromEnv,
  type ModuleImporter,
  NODE_ORDER,
  setWasmBinaryPrefix,
} from './backend.ts';
export {
  assignParametersFromNpz,
  loadModel,
  MODEL_FORMAT,
  MODEL_VERSION,
  type ModelManifest,
  manifestOf,
  parametersToNpz,
  saveModel,
} from './io/model.ts';
export * from './io/npy.ts';
export {
  ACTIVATIONS,
  type ActivationName,
  applyActivation,
  type DerivativeTable,
  derivativeTable,
} from './jets/activations.ts';
export { type DerivativeRequest, Derivatives, type DerivativesConfig } from './jets/derivatives.ts';
export {
  inputJet,
  Jet,
  jetActivation,
  jetAdd,
  jetAddConstant,
  jetAxpby,
  jetConcat,
  jetLinear,
  jetMul,
  jetSliceColumns,
  jetSub,
  jetUnary,
  type Stream,
} from './jets/jet.ts';
export { chainRuleTerms, keyOf, MAX_ORDER, type MultiIndexKey, productRuleTerms } from './jets/multiindex.ts';
export { JetPlan, type StreamRequest, type StreamSpec, type StreamTerm } from './jets/plan.ts';
export { Dense, type DenseConfig, type FactorizationConfig } from './nn/dense.ts';
export {
  FourierFeatures,
  type FourierFeaturesConfig,
  PeriodicEmbedding,
  type PeriodicEmbeddingConfig,
} from './nn/embeddings.ts';
export { type Initializer, initWeights } from './nn/init.ts';
export { Mlp, type MlpConfig } from './nn/mlp.ts';
export { ModifiedMlp, type ModifiedMlpConfig } from './nn/modified_mlp.ts';
export {
  apply,
  countParameters,
  disposeModule,
  type Module,
  type ModuleConfig,
  type NamedVariable,
  prefixed,
  variablesOf,
} from './nn/module.ts';
export { buildModule, CORE_MODULES, type ModuleFactory, type ModuleRegistry } from './nn/registry.ts';
export { Sequential } from './nn/sequential.ts';
export { add as addFast, matMulFast, mul as mulFast, sumRows } from './ops/fast.ts';
export * from './optim/index.ts';
export {
  DataParallel,
  type DataParallelOptions,
  type ParallelTask,
  type Shard,
  type ShardedLoss,
  shardRange,
  type TaskFactory,
} from './parallel/data_parallel.ts';
export { startModuleWorker } from './parallel/module_worker.ts';
export * from './plot/index.ts';
export * from './report/index.ts';
export { Rng, type RngState } from './rng.ts';
export {
  type CheckpointData,
  latestCheckpoint,
  readCheckpoint,
  writeCheckpoint,
} from './train/checkpoint.ts';
export { formatProgress, Progress, type ProgressMode, type ProgressSink } from './train/progress.ts';
export {
  combineRunStates,
  partOfRunState,
  type Resumable,
  type RunState,
} from './train/run_state.ts';
export {
  type LbfgsPhaseConfig,
  type LossContext,
  type LossFunction,
  type StepInfo,
  Trainer,
  type TrainerCallback,
  type TrainerConfig,
  TrainingDivergedError,
  type TrainResult,
} from './train/trainer.ts';
