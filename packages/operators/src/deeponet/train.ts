/**
 * `trainDeepONet`: the core Trainer on the Cartesian data loss (plus any extra terms, e.g. a
 * physics residual), with normalization fitted from the training data first.
 */
import { type LossFunction, Trainer, type TrainerConfig, type TrainResult } from '@pinnate/core';
import { type CartesianLossOptions, cartesianLoss, fitNormalization, type OperatorData } from './data.ts';
import type { DeepONet } from './deeponet.ts';
import { fitPod, type PodFit, type PodOptions, PodTrunk } from './pod.ts';

export interface TrainDeepONetOptions extends CartesianLossOptions {
  readonly trainer: TrainerConfig;
  /** Fit and store the normalization from `data` before training (default true). */
  readonly normalize?: boolean;
  /** Fit the POD basis of a POD trunk from `data` before training (default true). */
  readonly fitPod?: boolean;
  /** Options of that fit (seed, subspace iterations). */
  readonly pod?: PodOptions;
  /**
   * Output mean 0, scale = RMS (default: true when the model has a boundary factor or a POD
   * trunk, whose basis spans the outputs but not a constant shift).
   */
  readonly zeroOutputMean?: boolean;
  /** Extra loss terms evaluated every step (e.g. a PDE residual); summed with the data term. */
  readonly extra?: LossFunction;
}

export async function trainDeepONet(
  model: DeepONet,
  data: OperatorData,
  options: TrainDeepONetOptions,
): Promise<TrainResult & { trainer: Trainer; pod: PodFit | null }> {
  const pod = model.trunk instanceof PodTrunk;
  if (options.normalize ?? true) {
    const hasFactor = ((model.config().boundaryFactor as unknown[] | undefined) ?? []).length > 0;
    model.setNormalization(
      fitNormalization(data, { zeroOutputMean: options.zeroOutputMean ?? (hasFactor || pod) }),
    );
  }
  let podFit: PodFit | null = null;
  if (model.trunk instanceof PodTrunk && (options.fitPod ?? true)) {
    podFit = fitPod(data, model.latent, options.pod);
    model.trunk.setBasis(data.y, podFit.basis);
  }
  const dataLoss = cartesianLoss(model, data, options);
  const extra = options.extra;
  const loss: LossFunction = extra ? (ctx) => ({ ...dataLoss(ctx), ...extra(ctx) }) : dataLoss;
  const trainer = new Trainer(model, loss, options.trainer);
  try {
    const result = await trainer.fit();
    return { ...result, trainer, pod: podFit };
  } finally {
    trainer.dispose();
  }
}
