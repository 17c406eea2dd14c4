/**
 * The driver as a feedback loop: correlations of the pedal command's changes and of the
 * acceleration's changes with themselves and each other (both ways), and of the acceleration with
 * the later command changes, at lags from 0.1 s to 3 s, over the rows
 * the vehicle moves. A driver's reaction delay, foot smoothing and how persistently they correct
 * a speed error set the shape of these curves (the loop rings at its own period), whatever route
 * they follow.
 */

const LAGS_S = [0.1, 0.2, 0.3, 0.5, 0.8, 1.2, 2, 3];
const MOVING_MPS = 1;

export const SEGMENT_DYNAMICS_FEATURE_NAMES: readonly string[] = [
  ...LAGS_S.map((l) => `command_change_autocorr@${l}`),
  ...LAGS_S.map((l) => `jerk_autocorr@${l}`),
  ...LAGS_S.map((l) => `command_change_to_jerk@${l}`),
  ...LAGS_S.map((l) => `jerk_to_command_change@${l}`),
  ...LAGS_S.map((l) => `accel_to_command_change@${l}`),
];

export const SEGMENT_DYNAMICS_FEATURE_DIM = SEGMENT_DYNAMICS_FEATURE_NAMES.length;

export interface DynamicsSignals {
  readonly speed: ArrayLike<number>;
  readonly accel: ArrayLike<number>;
  readonly pedal: ArrayLike<number>;
  readonly brake: ArrayLike<number>;
}

/**
 * Correlation of x[i] and y[i + lag] over the rows where both are defined (NaN = excluded);
 * NaN when fewer than 20 pairs or a side is constant.
 */
export function laggedCorrelation(x: Float64Array, y: Float64Array, lag: number): number {
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i + lag < x.length; i++) {
    const a = x[i];
    const b = y[i + lag];
    if (Number.isNaN(a) || Number.isNaN(b)) continue;
    n++;
    sx += a;
    sy += b;
    sxx += a * a;
    syy += b * b;
    sxy += a * b;
  }
  if (n < 20) return Number.NaN;
  const vx = sxx / n - (sx / n) ** 2;
  const vy = syy / n - (sy / n) ** 2;
  if (!(vx > 1e-12) || !(vy > 1e-12)) return Number.NaN;
  return (sxy / n - (sx / n) * (sy / n)) / Math.sqrt(vx * vy);
}

/** The correlations, `SEGMENT_DYNAMICS_FEATURE_DIM` long (NaN where undefined). */
export function segmentDynamicsFeatures(s: DynamicsSignals, rateHz: number): Float64Array {
  const n = s.speed.length;
  const command = new Float64Array(n).fill(Number.NaN);
  const jerk = new Float64Array(n).fill(Number.NaN);
  const accel = new Float64Array(n).fill(Number.NaN);
  for (let i = 1; i < n; i++) {
    if (!(s.speed[i] >= MOVING_MPS) || !(s.speed[i - 1] >= MOVING_MPS)) continue;
    const u = s.pedal[i] - s.brake[i] - (s.pedal[i - 1] - s.brake[i - 1]);
    const j = (s.accel[i] - s.accel[i - 1]) * rateHz;
    if (Number.isFinite(u)) command[i] = u;
    if (Number.isFinite(j)) jerk[i] = j;
    if (Number.isFinite(s.accel[i])) accel[i] = s.accel[i];
  }
  const out: number[] = [];
  const lags = LAGS_S.map((l) => Math.max(1, Math.round(l * rateHz)));
  for (const l of lags) out.push(laggedCorrelation(command, command, l));
  for (const l of lags) out.push(laggedCorrelation(jerk, jerk, l));
  for (const l of lags) out.push(laggedCorrelation(command, jerk, l));
  // The driver's answer to the vehicle: how the pedal follows the acceleration, and how late.
  for (const l of lags) out.push(laggedCorrelation(jerk, command, l));
  for (const l of lags) out.push(laggedCorrelation(accel, command, l));
  return Float64Array.from(out);
}
