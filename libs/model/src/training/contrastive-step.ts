import * as tf from '@tensorflow/tfjs';
import { infoNceLoss, supervisedContrastiveLoss } from '../heads/contrastive-loss';
import { toModelInputs, type ForecastBatch } from './forecast-batch';
import type { Trainer } from './trainer';

/** Tokenized windows without targets. */
export type ContextBatch = Pick<ForecastBatch, 'batch' | 'values' | 'mask' | 'signalIds'>;

export interface ContrastiveBatch {
  /** First view of each window (e.g. one crop/augmentation). */
  readonly viewA: ContextBatch;
  /** Second view of the same windows, row-aligned with viewA. Optional when labels are given. */
  readonly viewB?: ContextBatch;
  /** Class per row (trip, scenario, driver): same label = positive. Switches to SupCon. */
  readonly labels?: ArrayLike<number>;
  /** Softmax temperature. Default 0.1. */
  readonly temperature?: number;
}

/**
 * One optimisation step of the embedding head (and the encoder under it). Two views without
 * labels: symmetric InfoNCE. With labels: supervised contrastive over all views, where the two
 * views of one window share its label.
 */
export function contrastiveTrainStep(trainer: Trainer, batch: ContrastiveBatch): number {
  const { viewA, viewB, labels } = batch;
  const temperature = batch.temperature ?? 0.1;
  if (!viewB && !labels) throw new Error('contrastiveTrainStep needs viewB, labels, or both');
  const a = toModelInputs(viewA);
  const b = viewB ? toModelInputs(viewB) : undefined;
  try {
    return trainer.stepOn(() => {
      const za = trainer.model.embed(a);
      const zb = b ? trainer.model.embed(b) : undefined;
      if (!labels) return infoNceLoss(za, zb as tf.Tensor2D, temperature);
      if (!zb) return supervisedContrastiveLoss(za, labels, temperature);
      const both = Array.from(labels);
      return supervisedContrastiveLoss(tf.concat([za, zb]), [...both, ...both], temperature);
    });
  } finally {
    tf.dispose([a.values, a.mask, ...(b ? [b.values, b.mask] : [])]);
  }
}
