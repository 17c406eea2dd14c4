/**
 * Event-aligned profiles of a driving segment: the median course of the pedals and the
 * acceleration around the moments a driver's habits show most — moving off after a stop, coming
 * to a stop, and starting to brake while moving. How fast the brake is released and the pedal
 * pressed, how hard the launch is, how late and how firmly the driver brakes are read off these
 * curves by the segment head (reaction, foot smoothing, jerk and deceleration limits), without
 * knowing the route the driver was following.
 */

/** Offsets from the event, s (every 0.5 s). */
const LAUNCH_OFFSETS = grid(-3, 5);
const STOP_OFFSETS = grid(-5, 3);
const ONSET_OFFSETS = grid(-2, 3);
const STOP_MPS = 0.1;
const MOVING_MPS = 1;
/** A stop (or a run of driving) shorter than this does not make an event, s. */
const MIN_PHASE_S = 3;

function grid(from: number, to: number): number[] {
  return Array.from({ length: (to - from) * 2 + 1 }, (_, i) => from + i / 2);
}

export const SEGMENT_EVENT_FEATURE_NAMES: readonly string[] = [
  'launch_count',
  ...LAUNCH_OFFSETS.map((o) => `launch_brake_rel@${o}`),
  ...LAUNCH_OFFSETS.map((o) => `launch_pedal@${o}`),
  ...LAUNCH_OFFSETS.map((o) => `launch_accel@${o}`),
  'stop_count',
  ...STOP_OFFSETS.map((o) => `stop_brake@${o}`),
  ...STOP_OFFSETS.map((o) => `stop_accel@${o}`),
  'onset_count',
  ...ONSET_OFFSETS.map((o) => `onset_brake@${o}`),
  ...ONSET_OFFSETS.map((o) => `onset_accel@${o}`),
];

export const SEGMENT_EVENT_FEATURE_DIM = SEGMENT_EVENT_FEATURE_NAMES.length;

export interface EventSignals {
  readonly speed: ArrayLike<number>;
  readonly accel: ArrayLike<number>;
  readonly pedal: ArrayLike<number>;
  readonly brake: ArrayLike<number>;
}

function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  values.sort((a, b) => a - b);
  const m = values.length >> 1;
  return values.length % 2 ? values[m] : (values[m - 1] + values[m]) / 2;
}

/** Per offset, the median over events of `value(row)` (NaN where no event has the row). */
function profile(
  events: readonly number[],
  offsets: readonly number[],
  rateHz: number,
  n: number,
  value: (row: number, event: number) => number,
): number[] {
  return offsets.map((o) => {
    const shift = Math.round(o * rateHz);
    const at: number[] = [];
    for (const e of events) {
      const r = e + shift;
      if (r < 0 || r >= n) continue;
      const x = value(r, e);
      if (Number.isFinite(x)) at.push(x);
    }
    return median(at);
  });
}

/**
 * The profiles, `SEGMENT_EVENT_FEATURE_DIM` long: launches are anchored at the last stopped row of
 * a stop of at least 3 s (brake as a share of the stop's highest brake level), stops at the first
 * stopped row after 3 s of driving, brake onsets at the first braked row while moving.
 */
export function segmentEventFeatures(s: EventSignals, rateHz: number): Float64Array {
  const { accel: a, brake: b, pedal: p, speed: v } = s;
  const n = v.length;
  const minRows = Math.round(MIN_PHASE_S * rateHz);
  const launches: number[] = [];
  const stopBrake = new Map<number, number>();
  const stops: number[] = [];
  const onsets: number[] = [];
  let stoppedRun = 0;
  let movingRun = 0;
  let peak = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(v[i])) {
      stoppedRun = movingRun = 0;
      continue;
    }
    if (v[i] < STOP_MPS) {
      if (stoppedRun === 0) {
        peak = 0;
        if (movingRun >= minRows) stops.push(i);
      }
      stoppedRun++;
      movingRun = 0;
      if (b[i] > peak) peak = b[i];
      continue;
    }
    if (stoppedRun >= minRows && peak > 0) {
      launches.push(i - 1);
      stopBrake.set(i - 1, peak);
    }
    stoppedRun = 0;
    movingRun++;
    if (v[i] >= MOVING_MPS && i > 0 && b[i] > 0 && b[i - 1] === 0) onsets.push(i);
  }
  const out: number[] = [launches.length / Math.max(1, n / rateHz / 60)];
  out.push(
    ...profile(launches, LAUNCH_OFFSETS, rateHz, n, (r, e) => b[r] / (stopBrake.get(e) ?? 1)),
  );
  out.push(...profile(launches, LAUNCH_OFFSETS, rateHz, n, (r) => p[r]));
  out.push(...profile(launches, LAUNCH_OFFSETS, rateHz, n, (r) => a[r]));
  out.push(stops.length / Math.max(1, n / rateHz / 60));
  out.push(...profile(stops, STOP_OFFSETS, rateHz, n, (r) => b[r]));
  out.push(...profile(stops, STOP_OFFSETS, rateHz, n, (r) => a[r]));
  out.push(onsets.length / Math.max(1, n / rateHz / 60));
  out.push(...profile(onsets, ONSET_OFFSETS, rateHz, n, (r) => b[r]));
  out.push(...profile(onsets, ONSET_OFFSETS, rateHz, n, (r) => a[r]));
  return Float64Array.from(out);
}
