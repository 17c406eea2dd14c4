import * as tf from '@tensorflow/tfjs';
import type { Prng } from '@fleetfm/simulator';
import type { PatchModel } from '../../patch-model';
import type { TripFeatures } from './frozen-features';
import { contrastiveTerms, type StyleLossParts, type StyleLossWeights } from './style-loss';

export interface SegmentBatchArgs {
  /** Drivers per batch (P). */
  readonly drivers: number;
  /** Segments per driver, each from a different trip when possible (K). */
  readonly tripsPerDriver: number;
  /** Consecutive windows per segment (the evaluation's 10-minute segment is 11 at 10 Hz). */
  readonly segmentWindows: number;
}

/**
 * P · K segments, two views each (different window runs of the same trip when it is long enough),
 * as pooled encoder states ordered segment, channel, window: [S · C · M · dModel].
 */
export interface SegmentBatch {
  readonly segments: number;
  readonly channels: number;
  readonly windows: number;
  readonly pooledA: Float32Array;
  readonly pooledB: Float32Array;
  /** The same rows' `styleFeatures` [S · C · M · STYLE_FEATURE_DIM] (for the style head). */
  readonly styleA: Float32Array;
  readonly styleB: Float32Array;
  readonly driverLabels: Int32Array;
  readonly scenarioLabels: Int32Array;
}

/** Trips per driver that hold at least one whole segment. */
export function featuresByDriver(
  features: readonly TripFeatures[],
  drivers: number,
  segmentWindows: number,
): TripFeatures[][] {
  const by: TripFeatures[][] = Array.from({ length: drivers }, () => []);
  for (const f of features) if (f.windows >= segmentWindows) by[f.trip.driver].push(f);
  return by;
}

function shuffled<T>(items: readonly T[], prng: Prng): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = prng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

export function sampleSegmentBatch(
  byDriver: readonly (readonly TripFeatures[])[],
  args: SegmentBatchArgs,
  prng: Prng,
): SegmentBatch {
  const eligible = byDriver.map((_, d) => d).filter((d) => byDriver[d].length > 0);
  if (eligible.length < 2) throw new Error('segment batch: need two drivers with whole segments');
  const drivers = shuffled(eligible, prng).slice(0, args.drivers);
  const m = args.segmentWindows;
  const c = byDriver[drivers[0]][0].pooled.length;
  const d = byDriver[drivers[0]][0].pooled[0].length / byDriver[drivers[0]][0].windows;
  const s = drivers.length * args.tripsPerDriver;
  const pooledA = new Float32Array(s * c * m * d);
  const pooledB = new Float32Array(s * c * m * d);
  const f = byDriver[drivers[0]][0].style[0].length / byDriver[drivers[0]][0].windows;
  const styleA = new Float32Array(s * c * m * f);
  const styleB = new Float32Array(s * c * m * f);
  const driverLabels = new Int32Array(s);
  const scenarioLabels = new Int32Array(s);
  let seg = 0;
  for (const drv of drivers) {
    const trips = shuffled(byDriver[drv], prng);
    for (let k = 0; k < args.tripsPerDriver; k++) {
      const trip = trips[k % trips.length];
      const span = trip.windows - m + 1;
      const startA = prng.int(span);
      const startB = span > 1 ? (startA + 1 + prng.int(span - 1)) % span : startA;
      for (let ch = 0; ch < c; ch++) {
        const at = (seg * c + ch) * m * d;
        pooledA.set(trip.pooled[ch].subarray(startA * d, (startA + m) * d), at);
        pooledB.set(trip.pooled[ch].subarray(startB * d, (startB + m) * d), at);
        const atF = (seg * c + ch) * m * f;
        styleA.set(trip.style[ch].subarray(startA * f, (startA + m) * f), atF);
        styleB.set(trip.style[ch].subarray(startB * f, (startB + m) * f), atF);
      }
      driverLabels[seg] = drv;
      scenarioLabels[seg] = trip.trip.scenario;
      seg++;
    }
  }
  return {
    channels: c,
    driverLabels,
    pooledA,
    pooledB,
    scenarioLabels,
    segments: s,
    styleA,
    styleB,
    windows: m,
  };
}

/**
 * The evaluation's segment embedding, differentiable in the embedding head: per channel the mean
 * of the window embeddings, concatenated over channels, L2-normalised (so that the dot product is
 * the cosine the evaluation's k-NN uses). pooled: [S · C · M, dModel] -> [S, C · E].
 */
export function segmentEmbedding(
  model: PatchModel,
  pooled: tf.Tensor2D,
  segments: number,
  channels: number,
  windows: number,
): tf.Tensor2D {
  return tf.tidy(() => {
    const n = pooled.shape[0];
    const z = model.embeddingHeadCall({
      hidden: tf.reshape(pooled, [n, 1, pooled.shape[1]]) as tf.Tensor3D,
      tokenMask: tf.ones([n, 1]) as tf.Tensor2D,
    });
    const e = z.shape[1];
    const perChannel = tf.mean(tf.reshape(z, [segments, channels, windows, e]), 2);
    const joined = tf.reshape(perChannel, [segments, channels * e]);
    return tf.mul(
      joined,
      tf.rsqrt(tf.add(tf.sum(tf.square(joined), -1, true), 1e-12)),
    ) as tf.Tensor2D;
  });
}

/** Segment-level SupCon (driver), InfoNCE (two runs of one trip) and scenario SupCon. */
export function segmentLossFn(
  model: PatchModel,
  batch: SegmentBatch,
  weights: StyleLossWeights,
  temperature: number,
  parts: StyleLossParts,
): { lossFn: () => tf.Scalar; dispose: () => void } {
  const { segments: s, channels: c, windows: m } = batch;
  const d = batch.pooledA.length / (s * c * m);
  const a = tf.tensor2d(batch.pooledA, [s * c * m, d]);
  const b = tf.tensor2d(batch.pooledB, [s * c * m, d]);
  const lossFn = (): tf.Scalar => {
    const za = segmentEmbedding(model, a, s, c, m);
    const zb = segmentEmbedding(model, b, s, c, m);
    const labels = { driver: batch.driverLabels, scenario: batch.scenarioLabels };
    const total = contrastiveTerms(za, zb, labels, weights, temperature, parts);
    parts.total = total.dataSync()[0];
    return total;
  };
  return { dispose: () => tf.dispose([a, b]), lossFn };
}
