import { ValidationError } from '@fleetfm/domain';

/**
 * Forecast surprise per step: the mean pinball loss of the observed value against the predicted
 * quantiles, divided by the predicted band width (highest minus lowest quantile). A value at the
 * median of a narrow band scores near 0; one far outside it scores roughly its distance in band
 * widths. Observed NaN gives NaN (no evidence either way).
 * quantiles[k][t] is the level-k forecast at step t; levels ascending.
 */
export function forecastSurprise(
  observed: Float32Array,
  quantiles: readonly Float32Array[],
  levels: readonly number[],
  minWidth = 1e-6,
): Float32Array {
  if (quantiles.length !== levels.length || levels.length < 2) {
    throw new ValidationError(`forecastSurprise needs ≥ 2 quantile levels with one series each`);
  }
  const k = levels.length;
  const out = new Float32Array(observed.length);
  for (let t = 0; t < observed.length; t++) {
    const y = observed[t];
    if (!Number.isFinite(y)) {
      out[t] = Number.NaN;
      continue;
    }
    let loss = 0;
    for (let j = 0; j < k; j++) {
      const e = y - quantiles[j][t];
      loss += e >= 0 ? levels[j] * e : (levels[j] - 1) * e;
    }
    const width = Math.max(quantiles[k - 1][t] - quantiles[0][t], minWidth);
    out[t] = loss / k / width;
  }
  return out;
}

export interface CalibratorState {
  /** Sorted reference surprises from normal data (at most `maxReference`). */
  readonly reference: number[];
  /** Calibrated score at or above which a step is flagged. */
  readonly threshold: number;
}

/**
 * The sorted reference of a score calibrator: at most `maxReference` evenly spaced order
 * statistics of the finite values, so the state stays small enough for a checkpoint manifest.
 * Validates the values and the flagging threshold.
 */
export function calibrationReference(
  values: ArrayLike<number>,
  threshold: number,
  maxReference = 4096,
): Float64Array {
  const finite = Array.from(values).filter((v) => Number.isFinite(v));
  if (finite.length === 0) throw new ValidationError('Calibration needs at least one finite score');
  if (!(threshold > 0 && threshold <= 1)) {
    throw new ValidationError(`threshold must be in (0, 1], got ${threshold}`);
  }
  finite.sort((a, b) => a - b);
  const m = Math.min(finite.length, maxReference);
  const ref = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    ref[i] = finite[m === 1 ? 0 : Math.round((i * (finite.length - 1)) / (m - 1))];
  }
  return ref;
}

/**
 * Maps raw surprise to [0, 1] with the empirical CDF of surprises on normal data (mid-rank for
 * ties), so a score of 0.99 means "more surprising than 99% of normal steps". The default
 * threshold 0.99 therefore flags about 1% of normal steps.
 */
export class SurpriseCalibrator {
  static readonly DEFAULT_THRESHOLD = 0.99;

  private constructor(
    private readonly reference: Float64Array,
    readonly threshold: number,
  ) {}

  static fit(
    normalSurprise: ArrayLike<number>,
    threshold = SurpriseCalibrator.DEFAULT_THRESHOLD,
    maxReference = 4096,
  ): SurpriseCalibrator {
    return new SurpriseCalibrator(
      calibrationReference(normalSurprise, threshold, maxReference),
      threshold,
    );
  }

  static fromState(state: CalibratorState): SurpriseCalibrator {
    return SurpriseCalibrator.fit(state.reference, state.threshold, state.reference.length);
  }

  toState(): CalibratorState {
    return { reference: Array.from(this.reference), threshold: this.threshold };
  }

  /** Fraction of reference scores below x, counting ties as half. NaN stays NaN. */
  score(x: number): number {
    if (!Number.isFinite(x)) return Number.isNaN(x) ? Number.NaN : x > 0 ? 1 : 0;
    const below = lowerBound(this.reference, x);
    let upTo = below;
    while (upTo < this.reference.length && this.reference[upTo] === x) upTo++;
    return (below + (upTo - below) / 2) / this.reference.length;
  }

  scoreAll(raw: Float32Array): { scores: Float32Array; flags: Uint8Array } {
    const scores = new Float32Array(raw.length);
    const flags = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) {
      scores[i] = this.score(raw[i]);
      flags[i] = scores[i] >= this.threshold ? 1 : 0;
    }
    return { flags, scores };
  }
}

function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
