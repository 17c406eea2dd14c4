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
  /**
   * Calendar months per step when instants fall on the same day of the month (or each month's
   * last day) at the same time of day: 1 monthly, 3 quarterly, 12 yearly. Steps are then counted
   * in months (a 28- or 31-day month is one regular step) and `advanceTime` adds months. Else null.
   */
  readonly months: number | null;
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
    return {
      irregular: [],
      irregularCount: 0,
      months: null,
      regular: true,
      step: Number.NaN,
      stepSeconds: null,
    };
  }
  const steps = new Float64Array(n - 1);
  for (let i = 1; i < n; i++) steps[i - 1] = time[i] - time[i - 1];
  const sorted = steps.slice().sort();
  const mid = sorted.length >> 1;
  const step = sorted.length % 2 === 1 ? sorted[mid] : 0.5 * (sorted[mid - 1] + sorted[mid]);
  const unit = options.unitSeconds ?? null;
  const monthSteps = unit === 0.001 ? calendarMonthSteps(time) : null;
  const months = monthSteps === null ? null : median(monthSteps);
  const irregular: IrregularStep[] = [];
  let irregularCount = 0;
  for (let i = 0; i < steps.length; i++) {
    const off =
      monthSteps === null
        ? Math.abs(steps[i] - step) > tolerance * Math.abs(step)
        : monthSteps[i] !== months;
    if (off) {
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
  return {
    irregular,
    irregularCount,
    months,
    regular: irregularCount === 0,
    step,
    stepSeconds: unit === null ? null : step * unit,
  };
}

const DAY_MS = 86_400_000;

/**
 * The time `k` steps after `t` on an axis with this frequency: `t + k · step`, or `k · months`
 * calendar months later (keeping the day of the month, or the month's last day when `t` is on
 * one; a 31st becomes a shorter month's last day).
 */
export function advanceTime(
  t: number,
  k: number,
  frequency: Pick<FrequencyReport, 'months' | 'step'>,
): number {
  if (frequency.months === null) return t + k * frequency.step;
  const d = new Date(t);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth();
  const day = d.getUTCDate();
  const msOfDay = t - Date.UTC(year, month, day);
  const target = month + k * frequency.months;
  const last = daysInMonth(year, target);
  const keepDay = day === daysInMonth(year, month) ? last : Math.min(day, last);
  return Date.UTC(year, target, keepDay) + msOfDay;
}

/** Days in month `month` (0-based, may overflow into later years) of `year`. */
function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

/**
 * Whole calendar months between consecutive instants (epoch ms), or null unless every instant is
 * on the same day of its month (or every one on its month's last day) at the same time of day and
 * steps are at least 28 days: monthly, quarterly and yearly data, whose steps in ms vary.
 */
function calendarMonthSteps(time: ArrayLike<number>): number[] | null {
  let day = -1;
  let msOfDay = -1;
  let allLast = true;
  let sameDay = true;
  const index: number[] = [];
  for (let i = 0; i < time.length; i++) {
    const t = time[i];
    if (!Number.isFinite(t)) return null;
    const d = new Date(t);
    const dayOfMonth = d.getUTCDate();
    const ms = t - Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), dayOfMonth);
    if (i === 0) {
      day = dayOfMonth;
      msOfDay = ms;
    }
    if (ms !== msOfDay) return null;
    if (dayOfMonth !== day) sameDay = false;
    if (dayOfMonth !== daysInMonth(d.getUTCFullYear(), d.getUTCMonth())) allLast = false;
    if (!sameDay && !allLast) return null;
    index.push(d.getUTCFullYear() * 12 + d.getUTCMonth());
  }
  const steps: number[] = [];
  for (let i = 1; i < index.length; i++) {
    if (time[i] - time[i - 1] < 28 * DAY_MS) return null;
    steps.push(index[i] - index[i - 1]);
  }
  return steps;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : sorted[mid - 1];
}
