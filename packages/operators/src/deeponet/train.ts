/**
 * `trainDeepONet`: the core Trainer on the Cartesian data loss (plus any extra terms, e.g. a
 * physics residual), with normalization fitted from the training data first.
 */
import { type LossFunction, Trainer, type TrainerConfig, type TrainResult } from '@pinnate/core';
import { type CartesianLossOptions, cartesianLoss, fitNormalization, type OperatorData } from './data.ts';
import type { DeepONet } from './deeponet.ts';

export interface TrainDeepONetOptions extends CartesianLossOptions {
  readonly trainer: TrainerConfig;
  /** Fit and store the normalization from `data` before training (default true). */
  readonly normalize?: boolean;
  /** Output mean 0, scale = RMS (default: true when the model has a boundary factor). */
  readonly zeroOutputMean?: boolean;
  /** Extra loss terms evaluated every step (e.g. a PDE residual); summed with the data term. */
  readonly extra?: LossFunction;
}

export async function trainDeepONet(
  model: DeepONet,
  data: OperatorData,
  options: TrainDeepONetOptions,
): Promise<TrainResult & { trainer: Trainer }> {
  if (options.normalize ?? true) {
    const hasFactor = ((model.config().boundaryFactor as unknown[] | undefined) ?? []).length > 0;
    model.setNormalization(fitNormalization(data, { zeroOutputMean: options.zeroOutputMean ?? hasFactor }));
  }
  const dataLoss = cartesianLoss(model, data, options);
  const extra = options.extra;
  const loss: LossFunction = extra ? (ctx) => ({ ...dataLoss(ctx), ...extra(ctx) }) : dataLoss;
  const trainer = new Trainer(model, loss, options.trainer);
  try {
    const result = await trainer.fit();
    return { ...result, trainer };
  } finally {
    trainer.dispose();
  }
}
