/** Where a speed target comes from: a standard drive cycle, a real GPS trip or a generated route. */
export type TraceSource = 'cycle' | 'gps' | 'procedural';

/**
 * A speed target sampled at 1 Hz, the resolution of every source we read. The simulator
 * interpolates it to its own rate (see `traceSpeedAt`).
 */
export interface SpeedTrace {
  /** Unique within a library, e.g. `udds` or `gps:4033363_3/2007-08-20#2`. */
  readonly name: string;
  /** Ground-truth scenario label for evaluation: the cycle name (`udds`, `us06`, ...) or `real`. */
  readonly scenario: string;
  readonly source: TraceSource;
  /** Target speed at t = 0, 1, 2, ... s (m/s). */
  readonly speedMps: Float64Array;
  /** Road grade (rise/run) at the same instants. */
  readonly grade: Float64Array;
}

export function traceDurationS(trace: SpeedTrace): number {
  return Math.max(0, trace.speedMps.length - 1);
}

/** Linear interpolation of a 1 Hz series at time t (s), held constant outside its range. */
export function interpolate1Hz(series: Float64Array, t: number): number {
  const last = series.length - 1;
  if (last < 0) return 0;
  if (t <= 0) return series[0];
  if (t >= last) return series[last];
  const i = Math.floor(t);
  const f = t - i;
  return series[i] + f * (series[i + 1] - series[i]);
}

export function traceSpeedAt(trace: SpeedTrace, t: number): number {
  return interpolate1Hz(trace.speedMps, t);
}

export function traceGradeAt(trace: SpeedTrace, t: number): number {
  return interpolate1Hz(trace.grade, t);
}

/** Distance of the target profile (trapezoidal), metres: what a perfect driver would cover. */
export function traceDistanceM(trace: SpeedTrace): number {
  let d = 0;
  for (let i = 1; i < trace.speedMps.length; i++) {
    d += 0.5 * (trace.speedMps[i - 1] + trace.speedMps[i]);
  }
  return d;
}
