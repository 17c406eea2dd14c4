import { InvalidRequestError } from '@fleetfm/domain';

/** Anything with a name and values: a `CsvSeries`, a corpus record. */
export interface NamedSeries {
  readonly name: string;
  readonly values: ArrayLike<number>;
}

/**
 * Throws InvalidRequestError unless the series holds at least `context + horizon` rows and the
 * last `context` rows (what a forecast conditions on) hold at least one observed value.
 * Pass horizon 0 to forecast past the end; a positive horizon when the rows after the context
 * are compared against (backtests, anomaly detection).
 */
export function requireLength(series: NamedSeries, context: number, horizon = 0): void {
  const needed = context + horizon;
  const n = series.values.length;
  if (n < needed) {
    const parts =
      horizon > 0 ? ` (context ${context} + horizon ${horizon})` : ` (context ${context})`;
    throw new InvalidRequestError(
      `series "${series.name}" has ${n} row${n === 1 ? '' : 's'}; at least ${needed} are needed${parts}`,
      { context, horizon, length: n, series: series.name },
    );
  }
  if (context <= 0) return;
  const end = n - horizon;
  for (let i = end - context; i < end; i++) if (!Number.isNaN(series.values[i])) return;
  throw new InvalidRequestError(
    `series "${series.name}" has no observed values in its ${context}-row context`,
    {
      context,
      series: series.name,
    },
  );
}
