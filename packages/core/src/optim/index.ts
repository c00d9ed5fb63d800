/**
 * Optimizers: Adam/AdamW with learning-rate schedules and gradient clipping, L-BFGS in float64
 * (`lbfgs`, `lbfgsAsync`) and over tf variables (`LbfgsOptimizer`), parameter averages
 * (`ParameterAverage`).
 */
export { type AdamConfig, AdamOptimizer, type AdamState, type OptimizerState } from './adam.ts';
export { ParameterAverage, type ParameterAverageConfig } from './average.ts';
export {
  type Evaluation,
  type LbfgsIterationInfo,
  LbfgsMemory,
  type LbfgsOptions,
  type LbfgsResult,
  type LbfgsStopReason,
  lbfgs,
  lbfgsAsync,
  lbfgsIterator,
} from './lbfgs.ts';
export {
  type LbfgsMinimizeOptions,
  type LbfgsMinimizeResult,
  LbfgsOptimizer,
  type LbfgsOptimizerIterationInfo,
  type LbfgsOptimizerOptions,
  type LossAndGrads,
} from './lbfgs_optimizer.ts';
export {
  type CosineDecayOptions,
  constantLr,
  cosineDecay,
  type ExponentialDecayOptions,
  exponentialDecay,
  type LrSchedule,
  type LrScheduleConfig,
  makeSchedule,
  warmup,
} from './schedules.ts';
