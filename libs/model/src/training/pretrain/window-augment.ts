import { ValidationError } from '@fleetfm/domain';
import type { Prng } from '@fleetfm/simulator';

/**
 * Training-window augmentations (train split only). Both are generic: they make new dynamics
 * out of the corpus without knowing what a series is.
 */
export interface WindowAugmentation {
  /**
   * Probability that a crop is taken every k-th step (k uniform in 2 … maxStride) instead of
   * every step: a coarser sampling rate of the same signal, so that high-rate series also teach
   * the rougher dynamics of low rates. Default 0.
   */
  readonly downsample?: number;
  /** Largest downsampling stride. Default 4. */
  readonly maxStride?: number;
  /**
   * Probability that a window is a TSMixup (Chronos) convex combination of 2 … maxMixup
   * standardised windows, with weights drawn uniformly from the simplex; it gets signal id 0.
   * Default 0.
   */
  readonly mixup?: number;
  /** Most windows in one mixup. Default 3. */
  readonly maxMixup?: number;
  /**
   * Probability that a window's context is cut to a length uniform in [minContext, context)
   * steps (the rest becomes left padding, as for a short series), so that the model also learns
   * to forecast from short histories. Default 0.
   */
  readonly shortContext?: number;
}

export type ResolvedAugmentation = Required<WindowAugmentation>;

/** Fills defaults; throws ValidationError on probabilities outside [0, 1] or bad sizes. */
export function resolveAugmentation(a: WindowAugmentation = {}): ResolvedAugmentation {
  const r: ResolvedAugmentation = {
    downsample: a.downsample ?? 0,
    maxMixup: a.maxMixup ?? 3,
    maxStride: a.maxStride ?? 4,
    mixup: a.mixup ?? 0,
    shortContext: a.shortContext ?? 0,
  };
  for (const key of ['downsample', 'mixup', 'shortContext'] as const) {
    if (!(r[key] >= 0 && r[key] <= 1)) {
      throw new ValidationError(`${key} must be a probability in [0, 1], got ${a[key]}`);
    }
  }
  if (!(Number.isInteger(r.maxStride) && r.maxStride >= 2)) {
    throw new ValidationError(`maxStride must be an integer >= 2, got ${a.maxStride}`);
  }
  if (!(Number.isInteger(r.maxMixup) && r.maxMixup >= 2)) {
    throw new ValidationError(`maxMixup must be an integer >= 2, got ${a.maxMixup}`);
  }
  return r;
}

/**
 * A crop of at most `length` steps taken every `stride` steps from a random start, keeping the
 * crop as long as the series allows (a short series gives a shorter crop, never one below
 * `minLength`: then null).
 */
export function stridedCrop(
  values: Float32Array,
  length: number,
  stride: number,
  minLength: number,
  prng: Prng,
): Float32Array | null {
  const available = Math.floor((values.length - 1) / stride) + 1;
  const n = Math.min(length, available);
  if (n < minLength) return null;
  const span = (n - 1) * stride + 1;
  const start = prng.int(values.length - span + 1);
  const out = new Float32Array(n);
  for (let j = 0; j < n; j++) out[j] = values[start + j * stride];
  return out;
}

/**
 * The last `context + horizon` steps of `window` when it is longer (a shorter context with the
 * same target), else `window` itself.
 */
export function shortenContext(
  window: Float32Array,
  context: number,
  horizon: number,
): Float32Array {
  return window.length > context + horizon
    ? window.subarray(window.length - (context + horizon))
    : window;
}

/**
 * Convex combination of windows aligned at their ends (the target is the common last
 * `horizon` steps), each standardised by the mean and standard deviation of its own context
 * part (observed values only), so that no component dominates by its units. Result length is
 * the shortest component's. NaN in any component stays NaN (a gap).
 */
export function mixWindows(
  parts: readonly Float32Array[],
  weights: readonly number[],
  horizon: number,
): Float32Array {
  const n = Math.min(...parts.map((p) => p.length));
  const out = new Float32Array(n);
  parts.forEach((p, i) => {
    const offset = p.length - n;
    const { mean, sd } = contextStats(p.subarray(offset, offset + n - horizon));
    for (let j = 0; j < n; j++) out[j] += (weights[i] * (p[offset + j] - mean)) / sd;
  });
  return out;
}

/** Uniform weights on the simplex (Dirichlet(1, …, 1)) from exponential draws. */
export function simplexWeights(k: number, prng: Prng): number[] {
  const e = Array.from({ length: k }, () => -Math.log(1 - prng.next()));
  const sum = e.reduce((s, x) => s + x, 0);
  return e.map((x) => x / sum);
}

function contextStats(values: Float32Array): { mean: number; sd: number } {
  let n = 0;
  let sum = 0;
  for (const v of values) {
    if (Number.isFinite(v)) {
      sum += v;
      n++;
    }
  }
  if (n === 0) return { mean: 0, sd: 1 };
  const mean = sum / n;
  let sq = 0;
  for (const v of values) if (Number.isFinite(v)) sq += (v - mean) * (v - mean);
  const sd = Math.sqrt(sq / n);
  return { mean, sd: sd > 1e-8 * Math.max(1, Math.abs(mean)) ? sd : 1 };
}
