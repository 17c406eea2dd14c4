import * as tf from '@tensorflow/tfjs';
import type { SignalName } from '@fleetfm/domain';
import type { PatchTokenizer } from '@fleetfm/tokenizer';
import { styleFeatures, STYLE_FEATURE_DIM } from '../../heads/style-features';
import { pooledEncoderStates } from '../../heads/style-head';
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
  /** Per channel, the raw windows' `styleFeatures`, [windows · STYLE_FEATURE_DIM] row-major. */
  readonly style: readonly Float32Array[];
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
    const style = channels.map((ch) => {
      const out = new Float32Array(windows * STYLE_FEATURE_DIM);
      for (let w = 0; w < windows; w++) {
        const raw = trip.signals[ch].subarray(w * l, (w + 1) * l);
        out.set(styleFeatures(raw), w * STYLE_FEATURE_DIM);
      }
      return out;
    });
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
      const p = tf.tidy(() =>
        pooledEncoderStates(model, {
          mask: tf.tensor2d(mask, [batch.length, l]),
          signalIds: ids,
          values: tf.tensor2d(values, [batch.length, l]),
        }),
      );
      const data = await p.data<'float32'>();
      p.dispose();
      batch.forEach((j, r) => pooled[j.c].set(data.subarray(r * d, (r + 1) * d), j.w * d));
    }
    out.push({ pooled, style, trip, windows });
    onProgress?.(++done, trips.length);
  }
  return out;
}
