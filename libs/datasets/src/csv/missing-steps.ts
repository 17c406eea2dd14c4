import type { CsvSeries, CsvSeriesTable } from './csv-series';
import { advanceTime, detectFrequency } from './frequency';
import { timeUnitSeconds } from './time-format';

export interface MissingStepsOptions {
  /** Relative deviation from a whole number of steps still taken as whole. Default 0.01. */
  readonly tolerance?: number;
  /** Refuse to insert more than this many rows per row of the input. Default 1. */
  readonly maxInsertedPerRow?: number;
}

export interface FilledTable {
  /** The table on a regular grid (the input itself when nothing was inserted). */
  readonly table: CsvSeriesTable;
  /** Rows inserted as gaps. */
  readonly inserted: number;
  /** Row of `table` holding each input row (absent when nothing was inserted: the same rows). */
  readonly rowOf?: Int32Array;
  /** Where: how many runs of missing steps, and the file row after which the first one is. */
  readonly runs: number;
  readonly firstAfterLine?: number;
  /** Why missing steps were not filled, when the time axis is irregular but left as it is. */
  readonly notFilled?: string;
}

/**
 * Puts a table whose time axis skips steps (a missing hour, a missing month) back on its regular
 * grid: each skipped step becomes a row of gaps (NaN) in every column, so that a model reading the
 * rows as consecutive steps sees the hole where it is instead of the two sides joined. Leaves the
 * table as it is when a step is not a whole number of the detected step (jittered or
 * event-driven timestamps), or when filling would more than double it, and says why.
 */
export function fillMissingSteps(
  table: CsvSeriesTable,
  options: MissingStepsOptions = {},
): FilledTable {
  const { frequency, time } = table;
  const unchanged = (notFilled?: string): FilledTable =>
    notFilled === undefined
      ? { inserted: 0, runs: 0, table }
      : { inserted: 0, notFilled, runs: 0, table };
  if (time.kind === 'index' || frequency.regular || !(frequency.step > 0)) return unchanged();
  const tolerance = options.tolerance ?? 0.01;
  const n = table.rowCount;
  const stepsAfter = new Int32Array(n);
  let inserted = 0;
  let runs = 0;
  let firstAfterLine: number | undefined;
  for (let i = 1; i < n; i++) {
    const k = wholeSteps(time.values[i - 1], time.values[i], frequency, tolerance);
    if (k === null) {
      return unchanged(
        `the step before file row ${table.lines[i]} is not a whole number of steps, so rows are read as consecutive`,
      );
    }
    if (k > 1) {
      stepsAfter[i - 1] = k - 1;
      inserted += k - 1;
      runs++;
      firstAfterLine ??= table.lines[i - 1];
    }
  }
  if (inserted === 0) return unchanged();
  const maxInserted = (options.maxInsertedPerRow ?? 1) * n;
  if (inserted > maxInserted) {
    return unchanged(
      `filling the ${inserted} missing steps would more than double the ${n} rows, so rows are read as consecutive`,
    );
  }
  const total = n + inserted;
  const values = new Float64Array(total);
  const lines = new Int32Array(total);
  const rowOf = new Int32Array(n);
  for (let i = 0, r = 0; i < n; i++) {
    rowOf[i] = r;
    values[r] = time.values[i];
    lines[r++] = table.lines[i];
    for (let j = 1; j <= stepsAfter[i]; j++)
      values[r++] = advanceTime(time.values[i], j, frequency);
  }
  const series: CsvSeries[] = table.series.map((s) => {
    const out =
      s.values instanceof Float64Array ? new Float64Array(total) : new Float32Array(total);
    out.fill(Number.NaN);
    for (let i = 0; i < n; i++) out[rowOf[i]] = s.values[i];
    return { ...s, gaps: s.gaps + inserted, values: out };
  });
  return {
    firstAfterLine,
    inserted,
    rowOf,
    runs,
    table: {
      ...table,
      frequency: detectFrequency(values, { lines, unitSeconds: timeUnitSeconds(time.kind) }),
      lines,
      rowCount: total,
      series,
      time: { ...time, values },
    },
  };
}

/** How many steps of the frequency lie between two times, or null if not a whole number. */
function wholeSteps(
  from: number,
  to: number,
  frequency: CsvSeriesTable['frequency'],
  tolerance: number,
): number | null {
  if (frequency.months !== null) {
    const a = new Date(from);
    const b = new Date(to);
    const months =
      (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + (b.getUTCMonth() - a.getUTCMonth());
    const k = months / frequency.months;
    return Number.isInteger(k) && k >= 1 && advanceTime(from, k, frequency) === to ? k : null;
  }
  const k = Math.round((to - from) / frequency.step);
  return k >= 1 && Math.abs(to - from - k * frequency.step) <= tolerance * frequency.step
    ? k
    : null;
}
