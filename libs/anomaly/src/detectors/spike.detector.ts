import { stepScale } from './robust-stats';

/**
 * Spike evidence: how far each row lies from the rows around it, in units of the typical one-row
 * change of its neighbourhood (1.4826 × the median |change| within `local` rows either side,
 * which a spike's own two changes cannot move; floored at 1% of the series' 1-99% range as in
 * `stepScale`), so that hard driving is not mistaken for a faulty sensor and a calm stretch of a
 * hard-driven vehicle is not let off. The distance is the smaller of its distances to the median of the `window` finite
 * rows before it and to the median of the `window` finite rows after it. A spike of a few rows
 * differs from both sides and scores high on each of its rows; a level shift (a trip that starts
 * at another state of charge) matches the rows after it and does not. Looks ahead, so it suits
 * batch scoring; the first and last rows compare with one side only. NaN for missing values.
 */
export function spikeScore(values: ArrayLike<number>, window = 9, local = 30): Float64Array {
  const n = values.length;
  const out = new Float64Array(n).fill(Number.NaN);
  const floor = stepScale(values, 0.01, 1e-6, false);
  const localScale = localStepScale(values, local);
  const before = sideMedians(values, window, 1);
  const after = sideMedians(values, window, -1);
  for (let t = 0; t < n; t++) {
    const v = values[t];
    if (!Number.isFinite(v)) continue;
    const a = Math.abs(v - before[t]);
    const b = Math.abs(v - after[t]);
    const d = Number.isFinite(a) ? (Number.isFinite(b) ? Math.min(a, b) : a) : b;
    const scale = Number.isFinite(localScale[t]) ? Math.max(floor, localScale[t]) : floor;
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

/** 1.4826 × the median |one-row change| within `half` rows either side; NaN where none. */
function localStepScale(values: ArrayLike<number>, half: number): Float64Array {
  const n = values.length;
  const steps = new Float64Array(n).fill(Number.NaN);
  for (let t = 1; t < n; t++) steps[t] = Math.abs(values[t] - values[t - 1]);
  const out = new Float64Array(n).fill(Number.NaN);
  for (let t = 0; t < n; t++) {
    const w: number[] = [];
    for (let k = Math.max(1, t - half); k <= Math.min(n - 1, t + half); k++) {
      if (Number.isFinite(steps[k])) w.push(steps[k]);
    }
    if (w.length === 0) continue;
    w.sort((a, b) => a - b);
    const m = w.length >> 1;
    out[t] = 1.4826 * (w.length % 2 === 1 ? w[m] : (w[m - 1] + w[m]) / 2);
  }
  return out;
}
