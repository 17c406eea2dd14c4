/**
 * Harsh-braking evidence of one signal, from the signal alone: the deceleration it shows. A real
 * manoeuvre, not a sensor fault, so its magnitude is the evidence: -acceleration for an
 * accelerometer, the pedal position for a brake pedal, the speed drop per row for a speed. Other
 * signals have no braking evidence (undefined).
 */
export function decelerationEvidence(
  name: string,
  values: ArrayLike<number>,
): Float64Array | undefined {
  const n = values.length;
  const out = new Float64Array(n).fill(Number.NaN);
  switch (name) {
    case 'accel_mps2':
      for (let t = 0; t < n; t++) out[t] = -values[t];
      return out;
    case 'brake_pct':
      for (let t = 0; t < n; t++) out[t] = values[t];
      return out;
    case 'speed_mps':
      for (let t = 1; t < n; t++) out[t] = values[t - 1] - values[t];
      return out;
    default:
      return undefined;
  }
}

/** Signals whose deceleration evidence is combined across a vehicle. */
export const BRAKING_SIGNALS: readonly string[] = ['accel_mps2', 'brake_pct', 'speed_mps'];
