import * as tf from '@tensorflow/tfjs';
import type { SignalName } from '@fleetfm/domain';
import type { PatchTokenizer } from '@fleetfm/tokenizer';
import type { PatchModel } from '../../patch-model';
import { signalIdOf } from '../pretrain/signal-ids';
import type { StyleTrip } from './style-fleet';

/**
 * Pooled encoder states (the embedding head's input) of a trip's windows, per channel: the
 * windows the evaluation embeds (from row 0, every contextLength rows).
 */
export interface TripFeatures {
  readonly trip: StyleTrip;
  readonly windows: number;
  /** Per channel, [windows · dModel] row-major. */
  readonly pooled: readonly Float32Array[];
}

/** Masked mean of the final token states: [B, dModel]. */
function pooledStates(
  model: PatchModel,
  values: Float32Array,
  mask: Float32Array,
  ids: Int32Array,
): tf.Tensor2D {
  const b = ids.length;
  const l = model.config.contextLength;
  return tf.tidy(() => {
    const enc = model.encode({
      mask: tf.tensor2d(mask, [b, l]),
      signalIds: ids,
      values: tf.tensor2d(values, [b, l]),
    });
    const t = enc.tokenMask.shape[1];
    const count = tf.add(tf.sum(enc.tokenMask, -1, true), 1e-6);
    const w = tf.reshape(tf.div(enc.tokenMask, count), [b, 1, t]);
    return tf.reshape(tf.matMul(w, enc.hidden), [b, model.config.dModel]) as tf.Tensor2D;
  });
}

/**
 * Runs the (frozen) encoder once over every evaluation-style window of the trips. With the
 * encoder frozen these never change, so the head can then be trained on them for many steps at
 * the cost of a small matrix product each.
 */
export async function extractTripFeatures(
  model: PatchModel,
  tokenizer: PatchTokenizer,
  trips: readonly StyleTrip[],
  channels: readonly SignalName[],
  onProgress?: (done: number, total: number) => void,
  batchSize = 64,
): Promise<TripFeatures[]> {
  const l = model.config.contextLength;
  const d = model.config.dModel;
  const out: TripFeatures[] = [];
  let done = 0;
  for (const trip of trips) {
    const windows = Math.floor(trip.signals[channels[0]].length / l);
    const pooled = channels.map(() => new Float32Array(windows * d));
    const jobs = channels.flatMap((ch, c) =>
      Array.from({ length: windows }, (_, w) => ({ c, ch, w })),
    );
    for (let i = 0; i < jobs.length; i += batchSize) {
      const batch = jobs.slice(i, i + batchSize);
      const values = new Float32Array(batch.length * l);
      const mask = new Float32Array(batch.length * l);
      const ids = new Int32Array(batch.length);
      batch.forEach((j, r) => {
        const tok = tokenizer.encode(trip.signals[j.ch].subarray(j.w * l, (j.w + 1) * l));
        values.set(tok.values, r * l);
        mask.set(tok.mask, r * l);
        const id = signalIdOf(j.ch);
        ids[r] = id < model.config.numSignals ? id : 0;
      });
      const p = pooledStates(model, values, mask, ids);
      const data = await p.data<'float32'>();
      p.dispose();
      batch.forEach((j, r) => pooled[j.c].set(data.subarray(r * d, (r + 1) * d), j.w * d));
    }
    out.push({ pooled, trip, windows });
    onProgress?.(++done, trips.length);
  }
  return out;
}
