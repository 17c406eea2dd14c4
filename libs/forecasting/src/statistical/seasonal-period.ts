/** What `seasonalPeriod` needs of a table's detected frequency (`FrequencyReport`). */
export interface SamplingStep {
  /** Median step in seconds, or null when the time unit is unknown (row numbers). */
  readonly stepSeconds: number | null;
  /** Calendar months per step (1 monthly, 3 quarterly, 12 yearly), else null. */
  readonly months: number | null;
}

/**
 * The season assumed for each sampling step: the cycle of human activity one level up (the day
 * for sub-daily data, the week for daily, the year for weekly, monthly and quarterly data).
 * Steps not listed (seconds, minutes, 5-minute, yearly, row numbers) get no season (1).
 */
export const SEASON_BY_STEP: readonly {
  readonly step: string;
  readonly seconds?: number;
  readonly months?: number;
  readonly season: number;
}[] = [
  { season: 144, seconds: 600, step: '10 minutes' },
  { season: 96, seconds: 900, step: '15 minutes' },
  { season: 48, seconds: 1800, step: '30 minutes' },
  { season: 24, seconds: 3600, step: 'hour' },
  { season: 7, seconds: 86_400, step: 'day' },
  { season: 52, seconds: 604_800, step: 'week' },
  { months: 1, season: 12, step: 'month' },
  { months: 3, season: 4, step: 'quarter' },
];

/** Full seasons of history needed before a season is used (what MSTL needs to decompose one). */
export const MIN_SEASONS_OF_HISTORY = 2;

/**
 * The seasonal period (in steps) of a series sampled at `step` with `historyLength` steps of
 * history: the `SEASON_BY_STEP` entry for its step (a step within 1 % of it), or 1 when the step
 * is not listed or the history holds fewer than `MIN_SEASONS_OF_HISTORY` seasons.
 */
export function seasonalPeriod(step: SamplingStep, historyLength: number): number {
  const entry = SEASON_BY_STEP.find((e) =>
    e.months !== undefined
      ? step.months === e.months
      : step.months === null &&
        step.stepSeconds !== null &&
        e.seconds !== undefined &&
        Math.abs(step.stepSeconds - e.seconds) <= 0.01 * e.seconds,
  );
  if (!entry || historyLength < MIN_SEASONS_OF_HISTORY * entry.season) return 1;
  return entry.season;
}
