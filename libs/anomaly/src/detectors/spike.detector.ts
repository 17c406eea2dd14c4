import { stepScale } from './robust-stats';

/**
 * Spike evidence: how far each row lies from the rows around it, in units of the series' typical
 * one-row change (`stepScale`): the smaller of its distances to the median of the `window` finite
 * rows before it and to the median of the `window` finite rows after it. A spike of a few rows
 * differs from both sides and scores high on each of its rows; a level shift (a trip that starts
 * at another state of charge) matches the rows after it and does not. Looks ahead, so it suits
 * batch scoring; the first and last rows compare with one side only. NaN for missing values.
 */
export function spikeScore(values: ArrayLike<number>, window = 9): Float64Array {
  const n = values.length;
  const out = new Float64Array(n).fill(Number.NaN);
  const scale = stepScale(values);
  const before = sideMedians(values, window, 1);
  const after = sideMedians(values, window, -1);
  for (let t = 0; t < n; t++) {
    const v = values[t];
    if (!Number.isFinite(v)) continue;
    const a = Math.abs(v - before[t]);
    const b = Math.abs(v - after[t]);
    const d = Number.isFinite(a) ? (Number.isFinite(b) ? Math.min(a, b) : a) : b;
    if (Number.isFinite(d)) out[t] = d / scale;
  }
  return out;
}

/** Median of the `window` finite rows before (dir 1) or after (dir -1) each row; NaN if none. */
function sideMedians(values: ArrayLike<number>, window: number, dir: 1 | -1): Float64Array {
  const n = values.length;
  const out = new Float64Array(n).fill(Number.NaN);
  const recent: number[] = [];
  for (let k = 0; k < n; k++) {
    const t = dir === 1 ? k : n - 1 - k;
    const v = values[t];
    if (recent.length > 0) out[t] = sortedMedian(recent);
    if (!Number.isFinite(v)) continue;
    recent.push(v);
    if (recent.length > window) recent.shift();
  }
  return out;
}

function sortedMedian(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}
