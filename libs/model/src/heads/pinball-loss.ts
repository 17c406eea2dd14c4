import * as tf from '@tensorflow/tfjs';

/**
 * How the per-window losses of a batch become one number.
 * - `mean`: the masked mean over every observed (window, step, level): windows weigh by their
 *   observed steps.
 * - `geometric`: exp(mean over windows of log(pinball_w + ε)) − ε, the geometric mean of the
 *   windows' mean pinball losses. Its gradient weighs each window by 1 / (pinball_w + ε), so a
 *   window the model already forecasts well counts as much as a badly forecast one — the
 *   aggregation published forecasting benchmarks score with (geometric mean over windows of a
 *   ratio to a baseline; the baseline's share is constant in the weights).
 */
export type LossAggregation = 'mean' | 'geometric';
export const LOSS_AGGREGATIONS: readonly LossAggregation[] = ['mean', 'geometric'];

export interface PinballOptions {
  /** Default 'mean'. */
  readonly aggregation?: LossAggregation;
  /** ε of the geometric mean, in the model's scaled units. Default 0.02. */
  readonly epsilon?: number;
  /**
   * Adds this share of each window's naive loss (the pinball loss of its naive forecast, see
   * `naiveError`) to that window's ε: a floor relative to what naive scores on the window, like
   * the benchmarks' ratios to (seasonal) naive. A window where naive is nearly exact (a steady
   * cruise) is then weighed by how much better than naive the model is, not cut off at the
   * absolute ε. Default 0 (the absolute ε alone).
   */
  readonly naiveEpsilon?: number;
  /**
   * Seasonal periods (steps) the naive forecast of `naiveEpsilon` may repeat: each window's
   * naive error is the lowest of persistence's and these seasonal naives' (see `naiveErrors`),
   * as a benchmark scores each series against naive with its own season. Default none
   * (persistence only).
   */
  readonly naiveSeasons?: readonly number[];
}

export const DEFAULT_GEOMETRIC_EPSILON = 0.02;

/**
 * Masked pinball (quantile) loss: q·relu(y - ŷ) + (1 - q)·relu(ŷ - y), aggregated as
 * `options.aggregation` says. relu instead of maximum: 10× faster on wasm.
 * pred [B, H, Q], target [B, H] (gaps 0), mask [B, H] (1 observed).
 */
export function pinballLoss(
  pred: tf.Tensor3D,
  target: tf.Tensor2D,
  mask: tf.Tensor2D,
  quantiles: readonly number[],
  options: PinballOptions = {},
  naiveError?: Float32Array,
): tf.Scalar {
  return tf.tidy(() => {
    const q = pred.shape[2];
    const weighted = maskedPinball(pred, target, mask, quantiles);
    if ((options.aggregation ?? 'mean') === 'mean') {
      const denom = tf.mul(tf.add(tf.sum(mask), 1e-6), q);
      return tf.div(tf.sum(weighted), denom) as tf.Scalar;
    }
    const eps = windowEpsilon(target, options, naiveError);
    const { logs, observed } = windowLogs(weighted, mask, q, eps);
    const meanLog = tf.div(tf.sum(tf.mul(logs, observed)), tf.maximum(tf.sum(observed), 1));
    return tf.sub(tf.exp(meanLog), options.epsilon ?? DEFAULT_GEOMETRIC_EPSILON) as tf.Scalar;
  });
}

/**
 * The sums a validation pass adds up across batches and workers, and `finishPinball` turns into
 * the loss: for `mean` Σ masked loss / (observed steps · levels); for `geometric`
 * Σ log(pinball_w + ε) over windows with an observed step, and their count.
 */
export function pinballSums(
  pred: tf.Tensor3D,
  target: tf.Tensor2D,
  mask: tf.Tensor2D,
  quantiles: readonly number[],
  options: PinballOptions = {},
  naiveError?: Float32Array,
): { sum: number; count: number } {
  const q = pred.shape[2];
  const [sum, count] = tf.tidy(() => {
    const weighted = maskedPinball(pred, target, mask, quantiles);
    if ((options.aggregation ?? 'mean') === 'mean') {
      return [tf.sum(weighted), tf.mul(tf.sum(mask), q)];
    }
    const eps = windowEpsilon(target, options, naiveError);
    const { logs, observed } = windowLogs(weighted, mask, q, eps);
    return [tf.sum(tf.mul(logs, observed)), tf.sum(observed)];
  });
  const out = { count: count.dataSync()[0], sum: sum.dataSync()[0] };
  sum.dispose();
  count.dispose();
  return out;
}

/** The loss from the totals of `pinballSums` (NaN when nothing was observed). */
export function finishPinball(sum: number, count: number, options: PinballOptions = {}): number {
  if (!(count > 0)) return Number.NaN;
  if ((options.aggregation ?? 'mean') === 'mean') return sum / count;
  return Math.exp(sum / count) - (options.epsilon ?? DEFAULT_GEOMETRIC_EPSILON);
}

function maskedPinball(
  pred: tf.Tensor3D,
  target: tf.Tensor2D,
  mask: tf.Tensor2D,
  quantiles: readonly number[],
): tf.Tensor3D {
  const [b, h, q] = pred.shape;
  const levels = tf.tensor3d(Float32Array.from(quantiles), [1, 1, q]);
  const err = tf.sub(tf.reshape(target, [b, h, 1]), pred);
  const loss = tf.add(
    tf.mul(levels, tf.relu(err)),
    tf.mul(tf.sub(1, levels), tf.relu(tf.neg(err))),
  );
  return tf.mul(loss, tf.reshape(mask, [b, h, 1]));
}

/**
 * ε of each window [B]: the absolute ε, plus `naiveEpsilon` × the window's naive pinball loss,
 * ½ · `naiveError` (its naive forecast's mean absolute error over the observed steps: a point
 * forecast's pinball loss averaged over levels symmetric about ½). Without `naiveError` or share,
 * the absolute ε.
 */
function windowEpsilon(
  target: tf.Tensor2D,
  options: PinballOptions,
  naiveError: Float32Array | undefined,
): number | tf.Tensor1D {
  const eps = options.epsilon ?? DEFAULT_GEOMETRIC_EPSILON;
  if (!(eps > 0)) throw new Error(`pinball: geometric epsilon must be > 0, got ${eps}`);
  const share = options.naiveEpsilon ?? 0;
  if (!(share >= 0)) throw new Error(`pinball: naiveEpsilon must be >= 0, got ${share}`);
  if (share === 0) return eps;
  if (!naiveError || naiveError.length !== target.shape[0]) {
    throw new Error(
      `pinball: naiveEpsilon needs the naive error of each of the ${target.shape[0]} windows`,
    );
  }
  return tf.add(eps, tf.mul(tf.tensor1d(naiveError), 0.5 * share)) as tf.Tensor1D;
}

/** log(mean pinball of each window + ε) [B], and 1 for windows with an observed step [B]. */
function windowLogs(
  weighted: tf.Tensor3D,
  mask: tf.Tensor2D,
  q: number,
  eps: number | tf.Tensor1D,
): { logs: tf.Tensor1D; observed: tf.Tensor1D } {
  const steps = tf.sum(mask, 1);
  const perWindow = tf.div(tf.sum(weighted, [1, 2]), tf.mul(tf.maximum(steps, 1), q));
  return {
    logs: tf.log(tf.add(perWindow, eps)) as tf.Tensor1D,
    // The mask is 0/1, so a window's observed step count is an integer: min(count, 1) ∈ {0, 1}.
    observed: tf.minimum(steps, 1) as tf.Tensor1D,
  };
}
