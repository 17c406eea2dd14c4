import * as tf from '@tensorflow/tfjs';
import { infoNceLoss, supervisedContrastiveLoss } from '../../heads/contrastive-loss';
import { pinballLoss } from '../../heads/pinball-loss';
import type { PatchModel } from '../../patch-model';
import { toModelInputs, type ForecastBatch } from '../forecast-batch';
import type { StyleBatch } from './style-batch';

export interface StyleLossWeights {
  /** Supervised contrastive loss on driver labels over both views. */
  readonly driver: number;
  /** Symmetric InfoNCE between the two augmented views. */
  readonly views: number;
  /** Supervised contrastive loss on scenario labels (first view). */
  readonly scenario: number;
  /** Pinball loss of the forecast batch (regulariser). */
  readonly forecast: number;
}

export const DEFAULT_STYLE_LOSS_WEIGHTS: StyleLossWeights = {
  driver: 1,
  forecast: 2,
  scenario: 0.25,
  views: 0.5,
};

/** Values of the loss terms of one step (unweighted) and their weighted sum. */
export interface StyleLossParts {
  total: number;
  driver: number;
  views: number;
  scenario: number;
  forecast: number;
}

/**
 * The contrastive terms shared by both fine-tuning modes: driver SupCon over both views, InfoNCE
 * between the views, scenario SupCon on the first view. Writes the unweighted terms into `parts`
 * and returns their weighted sum.
 */
export function contrastiveTerms(
  za: tf.Tensor2D,
  zb: tf.Tensor2D,
  labels: { readonly driver: ArrayLike<number>; readonly scenario: ArrayLike<number> },
  weights: StyleLossWeights,
  temperature: number,
  parts: StyleLossParts,
): tf.Scalar {
  const driverLabels = Array.from(labels.driver);
  const driver = supervisedContrastiveLoss(
    tf.concat([za, zb]),
    [...driverLabels, ...driverLabels],
    temperature,
  );
  const views = infoNceLoss(za, zb, temperature);
  const scenario = supervisedContrastiveLoss(za, labels.scenario, temperature);
  parts.driver = driver.dataSync()[0];
  parts.views = views.dataSync()[0];
  parts.scenario = scenario.dataSync()[0];
  parts.forecast = Number.NaN;
  return tf.addN([
    tf.mul(driver, weights.driver),
    tf.mul(views, weights.views),
    tf.mul(scenario, weights.scenario),
  ]) as tf.Scalar;
}

/**
 * The style stage's loss as a closure for `Trainer.gradientsOf`/`stepOn`. Writes the term values
 * into `parts` as it runs (read after the step). The caller calls `dispose` after the step (the
 * backward pass still needs the input tensors).
 */
export function styleLossFn(
  model: PatchModel,
  batch: StyleBatch,
  forecast: ForecastBatch | undefined,
  weights: StyleLossWeights,
  temperature: number,
  parts: StyleLossParts,
): { lossFn: () => tf.Scalar; dispose: () => void } {
  const a = toModelInputs(batch.viewA);
  const b = toModelInputs(batch.viewB);
  const f = forecast && weights.forecast > 0 ? toModelInputs(forecast) : undefined;
  const dispose = (): void =>
    tf.dispose([a.values, a.mask, b.values, b.mask, ...(f ? [f.values, f.mask] : [])]);
  const lossFn = (): tf.Scalar => {
    const za = model.embed(a);
    const zb = model.embed(b);
    const labels = { driver: batch.driverLabels, scenario: batch.scenarioLabels };
    let total = contrastiveTerms(za, zb, labels, weights, temperature, parts);
    if (f && forecast) {
      const c = model.config;
      const target = tf.tensor2d(forecast.target, [forecast.batch, c.horizon]);
      const mask = tf.tensor2d(forecast.targetMask, [forecast.batch, c.horizon]);
      const pinball = pinballLoss(model.predictQuantiles(f), target, mask, c.quantiles);
      parts.forecast = pinball.dataSync()[0];
      total = tf.add(total, tf.mul(pinball, weights.forecast)) as tf.Scalar;
    }
    parts.total = total.dataSync()[0];
    return total;
  };
  return { dispose, lossFn };
}
