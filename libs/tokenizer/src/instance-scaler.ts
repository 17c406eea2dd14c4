import { ValidationError } from '@fleetfm/domain';

/**
 * How the per-channel location and scale are estimated over the observed (non-NaN) context.
 * `mean-std`: mean and population standard deviation (PatchTST/RevIN).
 * `median-iqr`: median and interquartile range / 1.349 (robust to spikes; equals σ for a normal).
 * `last-std`: the last observed value and the standard deviation: the model forecasts the change
 * from the current level (persistence is an output of 0, exact at any scale).
 */
export type ScalingMethod = 'mean-std' | 'median-iqr' | 'last-std';

export const SCALING_METHODS: readonly ScalingMethod[] = ['mean-std', 'median-iqr', 'last-std'];

export interface InstanceScale {
  readonly loc: number;
  readonly scale: number;
  /** Number of observed (non-NaN, finite) values the statistics were taken over. */
  readonly observed: number;
}

/** IQR of a standard normal: dividing by it makes the robust scale comparable to σ. */
const NORMAL_IQR = 1.3489795;

/**
 * Location/scale of one channel over its context, ignoring NaN gaps. A constant series (or one
 * whose spread is below `minScale` relative to its level) gets scale 1 (or its magnitude, when
 * every value lies inside (-1, 1)) so that normalising it never divides by zero; an all-NaN
 * series gets loc 0, scale 1. Scaling a series that lies inside (-1, 1) scales loc and scale alike.
 */
export function fitInstanceScale(
  values: Float32Array,
  method: ScalingMethod = 'mean-std',
  minScale = 1e-5,
): InstanceScale {
  const obs: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) obs.push(v);
  }
  if (obs.length === 0) return { loc: 0, scale: 1, observed: 0 };
  let loc: number;
  let scale: number;
  if (method === 'mean-std' || method === 'last-std') {
    let sum = 0;
    for (const v of obs) sum += v;
    const mean = sum / obs.length;
    let sq = 0;
    for (const v of obs) sq += (v - mean) * (v - mean);
    scale = Math.sqrt(sq / obs.length);
    loc = method === 'mean-std' ? mean : obs[obs.length - 1];
  } else if (method === 'median-iqr') {
    obs.sort((a, b) => a - b);
    loc = quantileSorted(obs, 0.5);
    scale = (quantileSorted(obs, 0.75) - quantileSorted(obs, 0.25)) / NORMAL_IQR;
  } else {
    throw new ValidationError(`Unknown scaling method "${String(method)}"`);
  }
  // The unit a degenerate spread is measured against: 1, or the series' own magnitude when all
  // of it lies inside (-1, 1), so that a series in micro-units (1e-6) is normalised like the same
  // series in units instead of being divided by 1 (a spread below the floor) and forecast at the
  // scale of 1. Series reaching magnitude 1 (what training saw) are treated exactly as before.
  let magnitude = 0;
  for (const v of obs) magnitude = Math.max(magnitude, Math.abs(v));
  const unit = magnitude > 0 && magnitude < 1 ? magnitude : 1;
  if (!(scale > minScale * Math.max(unit, Math.abs(loc)))) scale = unit;
  return { loc, scale, observed: obs.length };
}

/** Linear-interpolated quantile (type 7, as numpy's default) of an ascending array. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** (x - loc) / scale; NaN stays NaN (the patcher turns it into a masked zero). */
export function normalize(values: Float32Array, s: InstanceScale): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = (values[i] - s.loc) / s.scale;
  return out;
}

/** loc + scale · z: back to the input's units. */
export function denormalize(values: Float32Array, s: InstanceScale): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = s.loc + s.scale * values[i];
  return out;
}
