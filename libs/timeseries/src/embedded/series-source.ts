/**
 * Read access to one sorted, duplicate-free run of samples of one vehicle: the in-memory head or
 * a segment file. Column k is the signal SIGNAL_NAMES[k].
 */
export interface SeriesSource {
  /** Number of valid rows; `ts` may be longer (spare capacity). */
  readonly length: number;
  readonly ts: Float64Array;
  /** Values of signal k (NaN = missing), or undefined when no row has that signal. */
  column(k: number): Float64Array | undefined;
  /** Driver id of a row, if the sample had one. */
  driverAt(row: number): string | undefined;
}

/** First row with ts >= t (rows [0, length) sorted ascending). */
export function lowerBound(ts: Float64Array, length: number, t: number): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
