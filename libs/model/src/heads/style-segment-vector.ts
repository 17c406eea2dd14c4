import {
  SEGMENT_DYNAMICS_FEATURE_DIM,
  SEGMENT_DYNAMICS_FEATURE_NAMES,
  segmentDynamicsFeatures,
} from './style-segment-dynamics';
import {
  SEGMENT_EVENT_FEATURE_DIM,
  SEGMENT_EVENT_FEATURE_NAMES,
  segmentEventFeatures,
} from './style-segment-events';
import {
  SEGMENT_STYLE_FEATURE_DIM,
  SEGMENT_STYLE_FEATURE_NAMES,
  segmentStyleFeatures,
  type SegmentSignals,
} from './style-segment-features';

/** Everything the segment head reads: conditional statistics, then event-aligned profiles. */
export const SEGMENT_STYLE_VECTOR_NAMES: readonly string[] = [
  ...SEGMENT_STYLE_FEATURE_NAMES,
  ...SEGMENT_EVENT_FEATURE_NAMES,
  ...SEGMENT_DYNAMICS_FEATURE_NAMES,
];
export const SEGMENT_STYLE_VECTOR_DIM =
  SEGMENT_STYLE_FEATURE_DIM + SEGMENT_EVENT_FEATURE_DIM + SEGMENT_DYNAMICS_FEATURE_DIM;

/** The segment's statistics (NaN where the segment gives no support), `SEGMENT_STYLE_VECTOR_DIM` long. */
export function segmentStyleVector(s: SegmentSignals, rateHz: number): Float64Array {
  if (!(rateHz > 0)) throw new Error(`segmentStyleVector: rateHz must be > 0, got ${rateHz}`);
  const n = s.speed.length;
  for (const [name, x] of Object.entries(s) as Array<[string, ArrayLike<number> | undefined]>) {
    if (x && x.length !== n) {
      throw new Error(`segmentStyleVector: ${name} has ${x.length} rows, speed ${n}`);
    }
  }
  const accel =
    s.accel ??
    Float64Array.from({ length: n }, (_, i) =>
      i > 0 ? (s.speed[i] - s.speed[i - 1]) * rateHz : 0,
    );
  const out = new Float64Array(SEGMENT_STYLE_VECTOR_DIM);
  out.set(segmentStyleFeatures({ ...s, accel }, rateHz));
  out.set(segmentEventFeatures({ ...s, accel }, rateHz), SEGMENT_STYLE_FEATURE_DIM);
  out.set(
    segmentDynamicsFeatures({ ...s, accel }, rateHz),
    SEGMENT_STYLE_FEATURE_DIM + SEGMENT_EVENT_FEATURE_DIM,
  );
  return out;
}
