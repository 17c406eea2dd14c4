import type { CheckpointFiles, CheckpointInfo } from '../../checkpoint';
import type { ForecastBatch } from '../forecast-batch';
import type { OptimizerSnapshot } from './optimizer-state';

/** Runs training steps on one or more model replicas; the pretraining job drives it. */
export interface TrainingEngine {
  readonly workers: number;
  /** Trainable parameters of the model. */
  readonly parameters: number;
  /** One data-parallel step on `batch` (split by rows across replicas); the batch's mean loss. */
  step(step: number, batch: ForecastBatch, learningRate: number): Promise<number>;
  /** Mean pinball loss over the batches (forward only), weighted by observed target steps. */
  evaluate(batches: readonly ForecastBatch[]): Promise<number>;
  /** One weight checksum per replica; all equal while the replicas agree. */
  checksums(): Promise<string[]>;
  exportCheckpoint(info: CheckpointInfo): Promise<CheckpointFiles>;
  optimizerState(): Promise<OptimizerSnapshot>;
  dispose(): Promise<void>;
}

/** Rows [start, end) of a batch, as a batch of its own (fresh buffers, safe to transfer). */
export function sliceBatch(batch: ForecastBatch, start: number, end: number): ForecastBatch {
  const l = batch.values.length / batch.batch;
  const h = batch.target.length / batch.batch;
  return {
    batch: end - start,
    mask: batch.mask.slice(start * l, end * l),
    signalIds: batch.signalIds.slice(start, end),
    target: batch.target.slice(start * h, end * h),
    targetMask: batch.targetMask.slice(start * h, end * h),
    values: batch.values.slice(start * l, end * l),
  };
}

/** Splits `rows` into `parts` contiguous ranges whose sizes differ by at most one. */
export function shardRanges(rows: number, parts: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = 0;
  for (let p = 0; p < parts; p++) {
    const size = Math.floor(rows / parts) + (p < rows % parts ? 1 : 0);
    out.push([start, start + size]);
    start += size;
  }
  return out;
}
