import * as tf from '@tensorflow/tfjs';
import { ValidationError } from '@fleetfm/domain';
import type { PatchTokenizer } from '@fleetfm/tokenizer';
import type { PatchModelInputs } from '../patch-model';

/** A training batch for the forecast head, in normalised units, flattened row-major. */
export interface ForecastBatch {
  readonly batch: number;
  /** [B · contextLength] normalised context; gaps/padding 0. */
  readonly values: Float32Array;
  /** [B · contextLength] observation mask. */
  readonly mask: Float32Array;
  readonly signalIds: Int32Array;
  /** [B · horizon] future values normalised with the context's statistics; gaps 0. */
  readonly target: Float32Array;
  /** [B · horizon] 1 where the future value was observed. */
  readonly targetMask: Float32Array;
}

export interface TrainingWindow {
  /** Context followed by `horizon` future steps (the last `horizon` values are the target). */
  readonly series: Float32Array;
  /** Signal id of the channel (0 = unknown). Default 0. */
  readonly signalId?: number;
}

/** Cuts each window into context and target, tokenizes the context and scales the target. */
export function makeForecastBatch(
  windows: readonly TrainingWindow[],
  tokenizer: PatchTokenizer,
  horizon: number,
): ForecastBatch {
  const l = tokenizer.config.contextLength;
  const b = windows.length;
  const values = new Float32Array(b * l);
  const mask = new Float32Array(b * l);
  const target = new Float32Array(b * horizon);
  const targetMask = new Float32Array(b * horizon);
  const signalIds = new Int32Array(b);
  windows.forEach((w, i) => {
    if (w.series.length <= horizon) {
      throw new ValidationError(
        `Training window ${i} has ${w.series.length} steps; needs more than the horizon ${horizon}`,
      );
    }
    const split = w.series.length - horizon;
    const tok = tokenizer.encode(w.series.subarray(0, split));
    values.set(tok.values, i * l);
    mask.set(tok.mask, i * l);
    const scaled = tokenizer.scaleTarget(w.series.subarray(split), tok.scale);
    for (let j = 0; j < horizon; j++) {
      const ok = Number.isFinite(scaled[j]);
      target[i * horizon + j] = ok ? scaled[j] : 0;
      targetMask[i * horizon + j] = ok ? 1 : 0;
    }
    signalIds[i] = w.signalId ?? 0;
  });
  return { batch: b, mask, signalIds, target, targetMask, values };
}

/** Tensors for the model inputs; the caller disposes `values` and `mask`. */
export function toModelInputs(
  batch: Pick<ForecastBatch, 'batch' | 'values' | 'mask' | 'signalIds'>,
): PatchModelInputs {
  const l = batch.values.length / batch.batch;
  return {
    mask: tf.tensor2d(batch.mask, [batch.batch, l]),
    signalIds: batch.signalIds,
    values: tf.tensor2d(batch.values, [batch.batch, l]),
  };
}

/**
 * Each window's last observed context value in scaled units [B] (0 with `last-std` scaling;
 * 0 for a window with no observation): the persistence forecast the geometric loss's relative
 * floor is measured against.
 */
export function lastObservedLevels(batch: ForecastBatch): Float32Array {
  const length = batch.values.length / batch.batch;
  const out = new Float32Array(batch.batch);
  for (let b = 0; b < batch.batch; b++) {
    for (let i = (b + 1) * length - 1; i >= b * length; i--) {
      if (batch.mask[i] > 0) {
        out[b] = batch.values[i];
        break;
      }
    }
  }
  return out;
}

/**
 * Each window's naive error [B] in scaled units: the mean absolute error over its observed
 * target steps of persistence (`lastObservedLevels`) or, where lower, of a seasonal naive that
 * repeats the context's last `p` values for a `p` in `seasons` (only when those `p` values are
 * all observed). 0 for a window with no observed target step. The floor of the geometric loss's
 * relative ε (`PinballOptions.naiveEpsilon`).
 */
export function naiveErrors(batch: ForecastBatch, seasons: readonly number[] = []): Float32Array {
  const length = batch.values.length / batch.batch;
  const horizon = batch.target.length / batch.batch;
  const levels = lastObservedLevels(batch);
  const out = new Float32Array(batch.batch);
  for (let b = 0; b < batch.batch; b++) {
    const t = b * horizon;
    const end = (b + 1) * length;
    let best = meanAbsError(batch, t, horizon, () => levels[b]);
    for (const p of seasons) {
      if (p > length || !allObserved(batch.mask, end - p, end)) continue;
      best = Math.min(
        best,
        meanAbsError(batch, t, horizon, (h) => batch.values[end - p + (h % p)]),
      );
    }
    out[b] = best;
  }
  return out;
}

function meanAbsError(
  batch: ForecastBatch,
  from: number,
  horizon: number,
  forecast: (h: number) => number,
): number {
  let sum = 0;
  let n = 0;
  for (let h = 0; h < horizon; h++) {
    if (batch.targetMask[from + h] > 0) {
      sum += Math.abs(batch.target[from + h] - forecast(h));
      n++;
    }
  }
  return n > 0 ? sum / n : 0;
}

function allObserved(mask: Float32Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!(mask[i] > 0)) return false;
  return true;
}
