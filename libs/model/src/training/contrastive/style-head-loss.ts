import * as tf from '@tensorflow/tfjs';
import { STYLE_FEATURE_DIM } from '../../heads/style-features';
import type { StyleHead } from '../../heads/style-head';
import type { TripFeatures } from './frozen-features';
import type { SegmentBatch } from './segment-head';
import { contrastiveTerms, type StyleLossParts, type StyleLossWeights } from './style-loss';

/**
 * Per-signal-id mean and standard deviation of the training windows' style features
 * ([numSignals · STYLE_FEATURE_DIM] each); ids without windows get mean 0, std 1.
 */
export function fitStyleStandardisation(
  features: readonly TripFeatures[],
  channelIds: readonly number[],
  numSignals: number,
): { mean: Float32Array; std: Float32Array } {
  const f = STYLE_FEATURE_DIM;
  const sum = new Float64Array(numSignals * f);
  const sq = new Float64Array(numSignals * f);
  const count = new Float64Array(numSignals);
  for (const t of features) {
    channelIds.forEach((id, ch) => {
      const rows = t.style[ch];
      for (let w = 0; w < t.windows; w++) {
        count[id]++;
        for (let j = 0; j < f; j++) {
          const x = rows[w * f + j];
          sum[id * f + j] += x;
          sq[id * f + j] += x * x;
        }
      }
    });
  }
  const mean = new Float32Array(numSignals * f);
  const std = new Float32Array(numSignals * f).fill(1);
  for (let id = 0; id < numSignals; id++) {
    if (count[id] === 0) continue;
    for (let j = 0; j < f; j++) {
      const m = sum[id * f + j] / count[id];
      mean[id * f + j] = m;
      std[id * f + j] = Math.sqrt(Math.max(0, sq[id * f + j] / count[id] - m * m));
    }
  }
  return { mean, std };
}

/** Mean of unit rows per group, re-normalised: [G · M, E] -> [G, E] (as `meanEmbedding`). */
function meanUnit(z: tf.Tensor2D, groups: number, members: number): tf.Tensor2D {
  const e = z.shape[1];
  const m = tf.mean(tf.reshape(z, [groups, members, e]), 1) as tf.Tensor2D;
  return tf.mul(m, tf.rsqrt(tf.add(tf.sum(tf.square(m), -1, true), 1e-12))) as tf.Tensor2D;
}

/**
 * The evaluation's segment embedding through the style head, differentiable in the head: rows
 * ordered segment, channel, window; per channel the re-normalised mean of the window embeddings,
 * concatenated over channels and L2-normalised. -> [S, C · E].
 */
export function styleSegmentEmbedding(
  head: StyleHead,
  style: tf.Tensor2D,
  pooled: tf.Tensor2D,
  rowIds: Int32Array,
  segments: number,
  channels: number,
  windows: number,
): tf.Tensor2D {
  return tf.tidy(() => {
    const z = head.call(style, pooled, rowIds);
    const e = z.shape[1];
    const perChannel = meanUnit(z, segments * channels, windows);
    const joined = tf.reshape(perChannel, [segments, channels * e]) as tf.Tensor2D;
    return meanUnit(joined, segments, 1);
  });
}

/** Signal id of every row of a segment batch (rows ordered segment, channel, window). */
export function segmentRowIds(batch: SegmentBatch, channelIds: readonly number[]): Int32Array {
  const { segments: s, channels: c, windows: m } = batch;
  const ids = new Int32Array(s * c * m);
  for (let r = 0; r < ids.length; r++) ids[r] = channelIds[Math.floor(r / m) % c];
  return ids;
}

/** The style head's loss on a segment batch: driver SupCon, InfoNCE of two runs, scenario SupCon. */
export function styleHeadLossFn(
  head: StyleHead,
  batch: SegmentBatch,
  channelIds: readonly number[],
  weights: StyleLossWeights,
  temperature: number,
  parts: StyleLossParts,
): { lossFn: () => tf.Scalar; dispose: () => void } {
  const { segments: s, channels: c, windows: m } = batch;
  const rows = s * c * m;
  const d = batch.pooledA.length / rows;
  const ids = segmentRowIds(batch, channelIds);
  const pa = tf.tensor2d(batch.pooledA, [rows, d]);
  const pb = tf.tensor2d(batch.pooledB, [rows, d]);
  const fa = tf.tensor2d(batch.styleA, [rows, STYLE_FEATURE_DIM]);
  const fb = tf.tensor2d(batch.styleB, [rows, STYLE_FEATURE_DIM]);
  const lossFn = (): tf.Scalar => {
    const za = styleSegmentEmbedding(head, fa, pa, ids, s, c, m);
    const zb = styleSegmentEmbedding(head, fb, pb, ids, s, c, m);
    const labels = { driver: batch.driverLabels, scenario: batch.scenarioLabels };
    const total = contrastiveTerms(za, zb, labels, weights, temperature, parts);
    parts.total = total.dataSync()[0];
    return total;
  };
  return { dispose: () => tf.dispose([pa, pb, fa, fb]), lossFn };
}
