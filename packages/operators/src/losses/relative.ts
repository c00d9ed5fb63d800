/**
 * Relative L2 and H1 errors of predictions on a grid, per sample, then reduced over the batch:
 *   relL2 = ‖p − u‖ / ‖u‖,  relH1 = ‖p − u‖_H1 / ‖u‖_H1 with ‖v‖²_H1 = ∫ v² + |∇v|²,
 * ∇ by forward differences on the grid spacing (the domain is [0, 1]² sampled at both ends,
 * h = 1 / (n − 1), unless `spacing` says otherwise). `reduction` only touches the batch axis.
 */
import * as tf from '@tensorflow/tfjs';
import { type GridMeasure, squaredNorm } from './quadrature.ts';

export type Reduction = 'mean' | 'sum' | 'none';

export interface RelativeLossOptions extends GridMeasure {
  /** Default 'mean'. */
  readonly reduction?: Reduction;
}

export interface RelativeH1Options extends RelativeLossOptions {
  /** Grid spacing [hy, hx] (default 1 / (n − 1) per axis). */
  readonly spacing?: readonly [number, number];
}

function checkPair(op: string, pred: tf.Tensor, truth: tf.Tensor): void {
  if (pred.rank !== 4)
    throw new Error(`${op}: 'pred' must be [batch, height, width, channels], got [${pred.shape}]`);
  if (pred.shape.join(',') !== truth.shape.join(',')) {
    throw new Error(`${op}: 'truth' [${truth.shape}] must have the shape of 'pred' [${pred.shape}]`);
  }
}

function reduce(op: string, perSample: tf.Tensor1D, reduction: Reduction): tf.Tensor {
  switch (reduction) {
    case 'mean':
      return tf.mean(perSample);
    case 'sum':
      return tf.sum(perSample);
    case 'none':
      return perSample;
    default: {
      const never: never = reduction;
      throw new Error(`${op}: 'reduction' must be 'mean', 'sum' or 'none', got ${JSON.stringify(never)}`);
    }
  }
}

export function relativeL2(
  pred: tf.Tensor4D,
  truth: tf.Tensor4D,
  options: RelativeLossOptions = {},
): tf.Tensor {
  checkPair('relativeL2', pred, truth);
  return tf.tidy(() => {
    const num = squaredNorm(tf.sub(pred, truth) as tf.Tensor4D, options);
    const den = squaredNorm(truth, options);
    return reduce('relativeL2', tf.sqrt(tf.div(num, den)) as tf.Tensor1D, options.reduction ?? 'mean');
  });
}

/** ∫ |∇v|² with forward differences (each difference integrated over its own staggered grid). */
function gradSquaredNorm(v: tf.Tensor4D, hy: number, hx: number, measure: number): tf.Tensor1D {
  const [B, H, W, C] = v.shape;
  const dy = tf.div(
    tf.sub(tf.slice(v, [0, 1, 0, 0], [B, H - 1, W, C]), tf.slice(v, [0, 0, 0, 0], [B, H - 1, W, C])),
    hy,
  );
  const dx = tf.div(
    tf.sub(tf.slice(v, [0, 0, 1, 0], [B, H, W - 1, C]), tf.slice(v, [0, 0, 0, 0], [B, H, W - 1, C])),
    hx,
  );
  return tf.add(
    squaredNorm(dy as tf.Tensor4D, { measure }),
    squaredNorm(dx as tf.Tensor4D, { measure }),
  ) as tf.Tensor1D;
}

export function relativeH1(
  pred: tf.Tensor4D,
  truth: tf.Tensor4D,
  options: RelativeH1Options = {},
): tf.Tensor {
  const OP = 'relativeH1';
  checkPair(OP, pred, truth);
  const [, H, W] = pred.shape;
  if (H < 2 || W < 2) throw new Error(`${OP}: 'pred' needs at least 2×2 grid points, got [${pred.shape}]`);
  const [hy, hx] = options.spacing ?? [1 / (H - 1), 1 / (W - 1)];
  if (!(hy > 0 && hx > 0))
    throw new Error(`${OP}: 'spacing' must be positive, got ${JSON.stringify(options.spacing)}`);
  const measure = options.measure ?? 1;
  return tf.tidy(() => {
    const e = tf.sub(pred, truth) as tf.Tensor4D;
    const num = tf.add(squaredNorm(e, options), gradSquaredNorm(e, hy, hx, measure));
    const den = tf.add(squaredNorm(truth, options), gradSquaredNorm(truth, hy, hx, measure));
    return reduce(OP, tf.sqrt(tf.div(num, den)) as tf.Tensor1D, options.reduction ?? 'mean');
  });
}
