/** PIG: Physics-Informed Gaussians (Gaussian feature layer with closed-form jets + small MLP). */
export {
  GaussianFeatures,
  type GaussianFeaturesConfig,
  type GaussianKernel,
  isRawInputJet,
} from './gaussian_features.ts';
export {
  gaussianStreams,
  gaussianStreamsBackward,
  gaussianStreamsBackwardInterpreted,
  gaussianStreamsInterpreted,
  type KernelGradients,
  type KernelInputs,
  type KernelStream,
} from './kernel.ts';
export { threadsAvailable, workerSliceCount } from './kernel_threads.ts';
export { PIG_HELMHOLTZ, PIG_MODULES, Pig, type PigConfig } from './pig.ts';
