/** A time step that differs from the median step by more than the tolerance. */
export interface IrregularStep {
  /** Index of the later row of the pair (0-based data row). */
  readonly index: number;
  /** 1-based file line of that row, when known. */
  readonly line?: number;
  /** The step, in the time axis' held unit. */
  readonly step: number;
}

export interface FrequencyReport {
  /** Median step between consecutive rows in the held unit (ms for instants); NaN if < 2 rows. */
  readonly step: number;
  /** The median step in seconds when the unit is known, else null. */
  readonly stepSeconds: number | null;
  /** True when no step is irregular. */
  readonly regular: boolean;
  readonly irregularCount: number;
  /** The first `maxReported` irregular steps. */
  readonly irregular: readonly IrregularStep[];
}

export interface FrequencyOptions {
  /** Seconds per held unit of `time` (0.001 for epoch ms), or null. */
  readonly unitSeconds?: number | null;
  /** Line numbers of the rows, for reporting. */
  readonly lines?: ArrayLike<number>;
  /** Relative deviation from the median that counts as irregular. Default 0.01. */
  readonly tolerance?: number;
  /** Default 20. */
  readonly maxReported?: number;
}

/**
 * The sampling step of a time axis as the median difference (robust to a few gaps), and the
 * steps that deviate from it: gaps (a multiple of the step) and jitter alike.
 */
export function detectFrequency(
  time: ArrayLike<number>,
  options: FrequencyOptions = {},
): FrequencyReport {
  const tolerance = options.tolerance ?? 0.01;
  const maxReported = options.maxReported ?? 20;
  const n = time.length;
  if (n < 2) {
    return { step: Number.NaN, stepSeconds: null, regular: true, irregularCount: 0, irregular: [] };
  }
  const steps = new Float64Array(n - 1);
  for (let i = 1; i < n; i++) steps[i - 1] = time[i] - time[i - 1];
  const sorted = steps.slice().sort();
  const mid = sorted.length >> 1;
  const step = sorted.length % 2 === 1 ? sorted[mid] : 0.5 * (sorted[mid - 1] + sorted[mid]);
  const irregular: IrregularStep[] = [];
  let irregularCount = 0;
  for (let i = 0; i < steps.length; i++) {
    if (Math.abs(steps[i] - step) > tolerance * Math.abs(step)) {
      irregularCount++;
      if (irregular.length < maxReported) {
        const line = options.lines?.[i + 1];
        irregular.push(
          line === undefined
            ? { index: i + 1, step: steps[i] }
            : { index: i + 1, line, step: steps[i] },
        );
      }
    }
  }
  const unit = options.unitSeconds ?? null;
  return {
    step,
    stepSeconds: unit === null ? null : step * unit,
    regular: irregularCount === 0,
    irregularCount,
    irregular,
  };
}
