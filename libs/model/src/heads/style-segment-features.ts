/**
 * Cross-channel statistics of one driving segment (all channels together, raw units) for the
 * segment-level driver-style head.
 *
 * A per-channel window statistic cannot tell *when* a value happens: the brake level while the
 * vehicle stands still, the deceleration at which the driver starts to brake rather than coast,
 * the pedal when moving off, the acceleration reached at a given speed. Those conditional
 * statistics are what separate drivers (habits) from routes and vehicles, so they are computed
 * here from the signals alone: speed, acceleration, accelerator and brake pedal. No labels, no
 * simulator internals. A statistic with no support in the segment (never stopped, never braked)
 * is NaN; the head replaces it by the training mean.
 */

/** The signals of a segment, one value per row (NaN = gap), sampled at `rateHz`. */
export interface SegmentSignals {
  /** m/s. */
  readonly speed: ArrayLike<number>;
  /** m/s²; derived from the speed when absent. */
  readonly accel?: ArrayLike<number>;
  /** Accelerator position, %. */
  readonly pedal: ArrayLike<number>;
  /** Brake position, %. */
  readonly brake: ArrayLike<number>;
}

/** Signal names (`SIGNAL_NAMES`) the segment statistics read, by role. */
export const SEGMENT_STYLE_SIGNALS = {
  accel: 'accel_mps2',
  brake: 'brake_pct',
  pedal: 'pedal_pct',
  speed: 'speed_mps',
} as const;

const STOP_MPS = 0.1;
const MOVING_MPS = 1;
const GRIDS = [0.5, 1, 2, 5];
const SPEED_BANDS: ReadonlyArray<readonly [number, number]> = [
  [MOVING_MPS, 6],
  [6, 13],
  [13, 22],
  [22, Number.POSITIVE_INFINITY],
];

/** Names of the features, in order (documentation and tests). */
export const SEGMENT_STYLE_FEATURE_NAMES: readonly string[] = [
  'hold_brake_q0.25',
  'hold_brake_q0.5',
  'hold_brake_q0.75',
  'stop_share',
  ...GRIDS.map((g) => `pedal_on_grid_${g}`),
  ...GRIDS.map((g) => `brake_on_grid_${g}`),
  'pedal_step_q0.5',
  'brake_step_q0.5',
  'jerk_abs_q0.5',
  'jerk_abs_q0.9',
  'jerk_abs_q0.99',
  'accel_on_pedal_q0.5',
  'accel_on_pedal_q0.9',
  'accel_on_pedal_q0.99',
  'accel_on_brake_q0.01',
  'accel_on_brake_q0.1',
  'accel_on_brake_q0.5',
  ...SPEED_BANDS.flatMap((_, b) => [`band${b}_accel_q0.95`, `band${b}_accel_q0.05`]),
  ...SPEED_BANDS.map((_, b) => `band${b}_share`),
  'coast_share',
  'coast_accel_q0.5',
  'accel_before_brake_q0.5',
  'accel_before_brake_q0.9',
  'pedal_rise_ratio_q0.5',
  'pedal_fall_ratio_q0.5',
  'brake_rise_ratio_q0.5',
  'brake_fall_ratio_q0.5',
  'hold_rise_s_q0.5',
  'launch_pedal_q0.5',
  'launch_accel_q0.5',
  'moving_speed_q0.5',
  'moving_speed_q0.9',
  'pedal_q0.5',
  'pedal_q0.9',
  'moving_brake_q0.5',
  'moving_brake_q0.9',
  'accel_std_moving',
  'accel_over_jerk_std',
];

export const SEGMENT_STYLE_FEATURE_DIM = SEGMENT_STYLE_FEATURE_NAMES.length;

/** Linear-interpolated quantile; NaN when empty (sorts a copy). */
export function quantileOf(values: readonly number[], q: number): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  const s = Float64Array.from(values).sort();
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

function std(values: readonly number[]): number {
  if (values.length < 2) return Number.NaN;
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - m) * (b - m), 0) / values.length);
}

function onGrid(values: readonly number[], step: number): number {
  if (values.length === 0) return Number.NaN;
  let hits = 0;
  for (const v of values) if (Math.abs(v / step - Math.round(v / step)) * step < 1e-3) hits++;
  return hits / values.length;
}

/** Ratios Δ[i+1]/Δ[i] of consecutive same-signed changes (the foot's smoothing). */
function stepRatios(x: ArrayLike<number>, sign: 1 | -1): number[] {
  const out: number[] = [];
  for (let i = 2; i < x.length; i++) {
    const d0 = (x[i - 1] - x[i - 2]) * sign;
    const d1 = (x[i] - x[i - 1]) * sign;
    if (d0 > 0.05 && d1 > 0 && Number.isFinite(d0 + d1)) out.push(Math.min(d1 / d0, 2));
  }
  return out;
}

/**
 * The raw statistics, `SEGMENT_STYLE_FEATURE_DIM` long. `rateHz` turns rows into seconds; all
 * series must have the same length.
 */
export function segmentStyleFeatures(s: SegmentSignals, rateHz: number): Float64Array {
  const n = s.speed.length;
  const dt = 1 / rateHz;
  const v = s.speed;
  const p = s.pedal;
  const b = s.brake;
  const a =
    s.accel ?? Float64Array.from({ length: n }, (_, i) => (i > 0 ? (v[i] - v[i - 1]) / dt : 0));
  const ok = (i: number): boolean => Number.isFinite(v[i] + a[i] + p[i] + b[i]);
  const holdS = 3;
  const hold: number[] = [];
  const holdRise: number[] = [];
  const pedalOn: number[] = [];
  const brakeOn: number[] = [];
  const pedalSteps: number[] = [];
  const brakeSteps: number[] = [];
  const jerk: number[] = [];
  const accelPedal: number[] = [];
  const accelBrake: number[] = [];
  const bands = SPEED_BANDS.map(() => [] as number[]);
  const coast: number[] = [];
  const beforeBrake: number[] = [];
  const launchPedal: number[] = [];
  const launchAccel: number[] = [];
  const movingSpeed: number[] = [];
  const movingBrake: number[] = [];
  const movingAccel: number[] = [];
  let observed = 0;
  let stopped = 0;
  let stoppedRun = 0;
  let stopStart = -1;
  /** The highest brake level of the current stop (released before moving off). */
  let stopBrake = 0;
  for (let i = 0; i < n; i++) {
    if (!ok(i)) {
      stoppedRun = 0;
      continue;
    }
    observed++;
    if (p[i] > 0) pedalOn.push(p[i]);
    if (b[i] > 0) brakeOn.push(b[i]);
    const prev = i > 0 && ok(i - 1);
    if (prev && p[i] !== p[i - 1]) pedalSteps.push(Math.abs(p[i] - p[i - 1]));
    if (prev && b[i] !== b[i - 1]) brakeSteps.push(Math.abs(b[i] - b[i - 1]));
    if (v[i] < STOP_MPS) {
      stopped++;
      if (stoppedRun === 0) {
        stopStart = i;
        stopBrake = 0;
      }
      stoppedRun++;
      if (b[i] > stopBrake) stopBrake = b[i];
      if (stoppedRun * dt >= holdS && b[i] > 0) hold.push(b[i]);
      continue;
    }
    if (stoppedRun * dt >= holdS) launchIndex(i);
    stoppedRun = 0;
    if (v[i] < MOVING_MPS) continue;
    movingSpeed.push(v[i]);
    movingAccel.push(a[i]);
    if (prev) jerk.push(Math.abs(a[i] - a[i - 1]) / dt);
    if (p[i] > 0) accelPedal.push(a[i]);
    if (b[i] > 0) {
      accelBrake.push(a[i]);
      movingBrake.push(b[i]);
    }
    if (p[i] === 0 && b[i] === 0) coast.push(a[i]);
    if (prev && b[i] > 0 && b[i - 1] === 0) {
      const from = Math.max(0, i - Math.round(rateHz));
      for (let j = from; j < i; j++) if (ok(j)) beforeBrake.push(a[j]);
    }
    SPEED_BANDS.forEach(([lo, hi], k) => {
      if (v[i] >= lo && v[i] < hi) bands[k].push(a[i]);
    });
  }

  /** Pedal and acceleration over the first 2 s after a stop of at least `holdS`. */
  function launchIndex(i: number): void {
    const to = Math.min(n, i + Math.round(2 * rateHz));
    for (let j = i; j < to; j++) {
      if (!ok(j)) continue;
      launchPedal.push(p[j]);
      launchAccel.push(a[j]);
    }
    // How long the brake took to settle at its hold level in the stop that just ended.
    if (stopBrake > 0 && stopStart >= 0) {
      let k = stopStart;
      while (k < i && !(b[k] >= 0.9 * stopBrake)) k++;
      holdRise.push((k - stopStart) * dt);
    }
  }

  const out: number[] = [];
  const put = (...x: number[]): void => {
    out.push(...x);
  };
  put(quantileOf(hold, 0.25), quantileOf(hold, 0.5), quantileOf(hold, 0.75));
  put(observed > 0 ? stopped / observed : Number.NaN);
  for (const g of GRIDS) put(onGrid(pedalOn, g));
  for (const g of GRIDS) put(onGrid(brakeOn, g));
  put(quantileOf(pedalSteps, 0.5), quantileOf(brakeSteps, 0.5));
  put(quantileOf(jerk, 0.5), quantileOf(jerk, 0.9), quantileOf(jerk, 0.99));
  put(quantileOf(accelPedal, 0.5), quantileOf(accelPedal, 0.9), quantileOf(accelPedal, 0.99));
  put(quantileOf(accelBrake, 0.01), quantileOf(accelBrake, 0.1), quantileOf(accelBrake, 0.5));
  for (const band of bands) put(quantileOf(band, 0.95), quantileOf(band, 0.05));
  const moving = movingSpeed.length;
  for (const band of bands) put(moving > 0 ? band.length / moving : Number.NaN);
  put(moving > 0 ? coast.length / moving : Number.NaN, quantileOf(coast, 0.5));
  put(quantileOf(beforeBrake, 0.5), quantileOf(beforeBrake, 0.9));
  put(quantileOf(stepRatios(p, 1), 0.5), quantileOf(stepRatios(p, -1), 0.5));
  put(quantileOf(stepRatios(b, 1), 0.5), quantileOf(stepRatios(b, -1), 0.5));
  put(quantileOf(holdRise, 0.5));
  put(quantileOf(launchPedal, 0.5), quantileOf(launchAccel, 0.5));
  put(quantileOf(movingSpeed, 0.5), quantileOf(movingSpeed, 0.9));
  put(quantileOf(pedalOn, 0.5), quantileOf(pedalOn, 0.9));
  put(quantileOf(movingBrake, 0.5), quantileOf(movingBrake, 0.9));
  const sa = std(movingAccel);
  const sj = std(jerk);
  put(sa, sj > 0 ? sa / sj : Number.NaN);
  return Float64Array.from(out);
}
