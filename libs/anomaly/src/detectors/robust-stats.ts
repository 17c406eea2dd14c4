/** Small robust statistics over the finite values of an array. */

/** The q-quantile (0..1, linear interpolation) of the finite values; NaN when there are none. */
export function quantileOf(values: ArrayLike<number>, q: number): number {
  const finite: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) finite.push(values[i]);
  if (finite.length === 0) return Number.NaN;
  finite.sort((a, b) => a - b);
  const pos = q * (finite.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, finite.length - 1);
  return finite[lo] + (pos - lo) * (finite[hi] - finite[lo]);
}

export function medianOf(values: ArrayLike<number>): number {
  return quantileOf(values, 0.5);
}

/** 1.4826 × median absolute deviation: the standard deviation for Gaussian data. */
export function robustScale(values: ArrayLike<number>): number {
  const m = medianOf(values);
  const dev = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) dev[i] = Math.abs(values[i] - m);
  return 1.4826 * medianOf(dev);
}

/** First differences x[t] - x[t-1]; NaN at t = 0 and next to a missing value. */
export function diff(values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(values.length).fill(Number.NaN);
  for (let t = 1; t < values.length; t++) out[t] = values[t] - values[t - 1];
  return out;
}

/**
 * A scale for a series that never collapses to 0: the robust scale of its first differences,
 * floored at `floorShare` of its 1-99% range (a signal that is mostly flat, like a brake pedal,
 * has a zero MAD of differences) and at `eps`.
 */
export function stepScale(
  values: ArrayLike<number>,
  floorShare = 0.01,
  eps = 1e-6,
  /** False: the floors only (the caller measures the changes itself). */
  withChanges = true,
): number {
  const range = quantileOf(values, 0.99) - quantileOf(values, 0.01);
  const s = withChanges ? robustScale(diff(values).filter(Number.isFinite)) : 0;
  return Math.max(Number.isFinite(s) ? s : 0, Number.isFinite(range) ? floorShare * range : 0, eps);
}

/** |e| in robust scales of e, the scale floored at `floorShare` of the robust spread of y. */
export function inRobustScales(
  e: Float64Array,
  y: ArrayLike<number>,
  floorShare: number,
  floor = 1e-12,
): Float64Array {
  const finite = e.filter(Number.isFinite);
  const spread = robustScale(Array.from(y).filter(Number.isFinite));
  const scale = Math.max(robustScale(finite), floorShare * (spread > 0 ? spread : 1), floor);
  return e.map((v) => Math.abs(v) / scale);
}
