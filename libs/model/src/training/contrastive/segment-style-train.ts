import * as tf from '@tensorflow/tfjs';
import { Prng } from '@fleetfm/simulator';
import { supervisedContrastiveLoss } from '../../heads/contrastive-loss';
import { SegmentStyleHead, segmentHeadInput } from '../../heads/style-segment-head';
import { SEGMENT_STYLE_VECTOR_DIM, segmentStyleVector } from '../../heads/style-segment-vector';
import type { StyleFleet } from './style-fleet';

/** Segments cut from labelled trips: their statistics and whose (driver, trip) they are. */
export interface LabelledSegments {
  readonly vectors: readonly Float64Array[];
  readonly drivers: Int32Array;
  readonly trips: Int32Array;
}

/**
 * `crops` segments of `rows` rows per trip at random offsets (overlapping crops of one trip are
 * the cheapest augmentation: the same driving seen through a different 10-minute window). Trips
 * shorter than a segment are skipped.
 */
export function segmentCrops(
  fleet: StyleFleet,
  o: {
    readonly rows: number;
    readonly crops: number;
    readonly rateHz: number;
    readonly seed: number;
  },
  onProgress?: (done: number, total: number) => void,
): LabelledSegments {
  const prng = new Prng(o.seed);
  const vectors: Float64Array[] = [];
  const drivers: number[] = [];
  const trips: number[] = [];
  fleet.trips.forEach((t, k) => {
    const n = t.signals.speed_mps.length;
    if (n >= o.rows) {
      for (let c = 0; c < o.crops; c++) {
        const from = prng.int(n - o.rows + 1);
        const cut = (x: Float32Array): Float32Array => x.subarray(from, from + o.rows);
        vectors.push(
          segmentStyleVector(
            {
              accel: cut(t.signals.accel_mps2),
              brake: cut(t.signals.brake_pct),
              pedal: cut(t.signals.pedal_pct),
              speed: cut(t.signals.speed_mps),
            },
            o.rateHz,
          ),
        );
        drivers.push(t.driver);
        trips.push(k);
      }
    }
    onProgress?.(k + 1, fleet.trips.length);
  });
  return { drivers: Int32Array.from(drivers), trips: Int32Array.from(trips), vectors };
}

/** Mean and std of each statistic over the segments where it is finite (0 / 1 when never). */
export function fitSegmentStandardisation(vectors: readonly ArrayLike<number>[]): {
  mean: Float32Array;
  std: Float32Array;
} {
  const d = vectors[0]?.length ?? 0;
  const mean = new Float32Array(d);
  const std = new Float32Array(d).fill(1);
  for (let j = 0; j < d; j++) {
    let n = 0;
    let s = 0;
    let q = 0;
    for (const v of vectors) {
      const x = v[j];
      if (!Number.isFinite(x)) continue;
      n++;
      s += x;
      q += x * x;
    }
    if (n === 0) continue;
    mean[j] = s / n;
    std[j] = Math.sqrt(Math.max(0, q / n - mean[j] * mean[j]));
  }
  return { mean, std };
}

export interface SegmentStyleTrainArgs {
  readonly steps: number;
  /** Drivers per batch (P). */
  readonly batchDrivers: number;
  /** Segments per driver in a batch, from different trips when the driver has them (K). */
  readonly segmentsPerDriver: number;
  readonly lr: number;
  readonly temperature: number;
  readonly seed: number;
  readonly hiddenDim: number;
  readonly embeddingDim: number;
  /** Stop after this much wall time; 0 = no limit. */
  readonly maxMinutes: number;
}

export interface SegmentStyleTrainResult {
  readonly head: SegmentStyleHead;
  readonly losses: readonly number[];
  readonly stoppedBy: 'steps' | 'time';
}

/** P drivers, K segments each (distinct trips first), as indices into `data`. */
export function sampleSegmentIndices(
  byDriver: ReadonlyMap<number, readonly number[]>,
  data: LabelledSegments,
  p: number,
  k: number,
  prng: Prng,
): number[] {
  const drivers = [...byDriver.keys()];
  const picked = new Set<number>();
  while (picked.size < Math.min(p, drivers.length)) picked.add(drivers[prng.int(drivers.length)]);
  const out: number[] = [];
  for (const d of picked) {
    const rows = byDriver.get(d) as readonly number[];
    const usedTrips = new Set<number>();
    for (let i = 0; i < k; i++) {
      let r = rows[prng.int(rows.length)];
      for (let tries = 0; tries < 8 && usedTrips.has(data.trips[r]); tries++) {
        r = rows[prng.int(rows.length)];
      }
      usedTrips.add(data.trips[r]);
      out.push(r);
    }
  }
  return out;
}

/**
 * Trains a `SegmentStyleHead` supervised-contrastively on driver labels: each step draws P
 * drivers × K segments and minimises SupCon (temperature `temperature`) with Adam. The
 * standardisation is fitted on all the training segments first. The caller owns the head.
 */
export function trainSegmentStyleHead(
  data: LabelledSegments,
  a: SegmentStyleTrainArgs,
  onStep?: (step: number, total: number, loss: number) => void,
): SegmentStyleTrainResult {
  const head = new SegmentStyleHead({
    embeddingDim: a.embeddingDim,
    featureDim: SEGMENT_STYLE_VECTOR_DIM,
    hiddenDim: a.hiddenDim,
    seed: a.seed,
  });
  const optimizer = tf.train.adam(a.lr);
  try {
    const { mean, std } = fitSegmentStandardisation(data.vectors);
    head.setStandardisation(mean, std);
    const byDriver = new Map<number, number[]>();
    data.drivers.forEach((d, r) => byDriver.set(d, [...(byDriver.get(d) ?? []), r]));
    if (byDriver.size < 2) throw new Error('segment style head: need segments of two drivers');
    const prng = new Prng(a.seed).fork('segment-batches');
    const started = performance.now();
    const losses: number[] = [];
    let stoppedBy: 'steps' | 'time' = 'steps';
    const weights = head.trainableWeights();
    for (let step = 0; step < a.steps; step++) {
      if (a.maxMinutes > 0 && performance.now() - started > a.maxMinutes * 60_000) {
        stoppedBy = 'time';
        break;
      }
      const rows = sampleSegmentIndices(byDriver, data, a.batchDrivers, a.segmentsPerDriver, prng);
      const input = segmentHeadInput(
        rows.map((r) => data.vectors[r]),
        SEGMENT_STYLE_VECTOR_DIM,
      );
      const labels = rows.map((r) => data.drivers[r]);
      const loss = optimizer.minimize(
        () => supervisedContrastiveLoss(head.call(input), labels, a.temperature),
        true,
        weights,
      ) as tf.Scalar;
      const value = loss.dataSync()[0];
      loss.dispose();
      losses.push(value);
      onStep?.(step + 1, a.steps, value);
    }
    return { head, losses, stoppedBy };
  } catch (err) {
    head.dispose();
    throw err;
  } finally {
    optimizer.dispose();
  }
}
