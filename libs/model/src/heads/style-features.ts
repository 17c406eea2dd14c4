/**
 * Scale-aware, channel-generic statistics of one raw window (NaN = gap) for the driver-style head.
 *
 * The patch tokenizer normalises each window per channel, so the encoder sees shapes but not
 * levels; a driver's habits show largely in levels and distributions (where a value dwells, how
 * big its steps are, how it is quantised). These statistics keep exactly that. They are computed
 * the same way for every channel from the values alone (no channel names, simulator internals or
 * labels), and squashed with asinh so that channels of very different units stay comparable.
 */

const LEVEL_QUANTILES = [0.02, 0.1, 0.25, 0.5, 0.75, 0.9, 0.98];
const STEP_QUANTILES = [0.02, 0.1, 0.25, 0.5, 0.75, 0.9, 0.98];
const CURVE_QUANTILES = [0.5, 0.9, 0.98];
const PLATEAU_QUANTILES = [0.1, 0.5, 0.9];
const GRID_STEPS = [0.5, 1, 2, 5];
/** |x| below this counts as zero (and a step below it as no change). */
const EPS = 1e-6;

/** Names of the features, in order (documentation and tests). */
export const STYLE_FEATURE_NAMES: readonly string[] = [
  'mean',
  'std',
  ...LEVEL_QUANTILES.map((q) => `level_q${q}`),
  ...STEP_QUANTILES.map((q) => `step_q${q}`),
  'step_mean_abs',
  'step_std',
  ...CURVE_QUANTILES.map((q) => `curve_abs_q${q}`),
  'curve_mean_abs',
  'zero_share',
  'still_share',
  ...PLATEAU_QUANTILES.map((q) => `plateau_q${q}`),
  'plateau_share',
  'longest_run_level',
  'longest_run_share',
  ...GRID_STEPS.map((s) => `on_grid_${s}`),
  'moving_step_q0.1',
  'moving_step_q0.5',
  'positive_q0.5',
  'positive_q0.9',
  'negative_q0.5',
  'negative_q0.1',
  'step_autocorr_1',
  'level_autocorr_10',
];

export const STYLE_FEATURE_DIM = STYLE_FEATURE_NAMES.length;

/** Linear-interpolated quantile of an ascending array; 0 when empty. */
function quantile(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function sorted(values: readonly number[]): Float64Array {
  return Float64Array.from(values).sort();
}

function meanStd(values: readonly number[]): [number, number] {
  if (values.length === 0) return [0, 0];
  let s = 0;
  for (const v of values) s += v;
  const m = s / values.length;
  let q = 0;
  for (const v of values) q += (v - m) * (v - m);
  return [m, Math.sqrt(q / values.length)];
}

/** Lag-k autocorrelation of a sequence; 0 for constant or too short sequences. */
function autocorr(values: readonly number[], lag: number): number {
  const n = values.length;
  if (n <= lag + 1) return 0;
  const [m, s] = meanStd(values);
  if (!(s > EPS)) return 0;
  let c = 0;
  for (let i = lag; i < n; i++) c += (values[i] - m) * (values[i - lag] - m);
  return c / ((n - lag) * s * s);
}

/** Share of the nonzero values that lie on a multiple of `step`. */
function onGrid(values: readonly number[], step: number): number {
  let nonzero = 0;
  let hits = 0;
  for (const v of values) {
    if (Math.abs(v) < EPS) continue;
    nonzero++;
    const r = Math.abs(v / step - Math.round(v / step));
    if (r * step < 1e-3) hits++;
  }
  return nonzero > 0 ? hits / nonzero : 0;
}

/**
 * The raw statistics of a window (before asinh), `STYLE_FEATURE_DIM` long. Differences are taken
 * between consecutive observed rows only (a gap breaks the chain); a window without observations
 * gives zeros.
 */
export function rawStyleFeatures(window: ArrayLike<number>): Float64Array {
  const out = new Float64Array(STYLE_FEATURE_DIM);
  const levels: number[] = [];
  const steps: number[] = [];
  const curves: number[] = [];
  /** Nonzero values held since the previous row (a plateau: brake held, pedal parked). */
  const plateau: number[] = [];
  const moving: number[] = [];
  const positive: number[] = [];
  const negative: number[] = [];
  let prev = Number.NaN;
  let prevStep = Number.NaN;
  let zeros = 0;
  let still = 0;
  /** The longest run of a held nonzero value: its level and length (rows after the first). */
  let run = 0;
  let longest = 0;
  let longestLevel = 0;
  for (let i = 0; i < window.length; i++) {
    const v = window[i];
    if (!Number.isFinite(v)) {
      prev = Number.NaN;
      prevStep = Number.NaN;
      run = 0;
      continue;
    }
    levels.push(v);
    if (Math.abs(v) < EPS) zeros++;
    else if (v > 0) positive.push(v);
    else negative.push(v);
    if (Number.isFinite(prev)) {
      const d = v - prev;
      steps.push(d);
      if (Math.abs(d) < EPS) {
        still++;
        if (Math.abs(v) >= EPS) {
          plateau.push(v);
          run++;
          if (run > longest) {
            longest = run;
            longestLevel = v;
          }
        } else {
          run = 0;
        }
      } else {
        moving.push(Math.abs(d));
        run = 0;
      }
      if (Number.isFinite(prevStep)) curves.push(Math.abs(d - prevStep));
      prevStep = d;
    }
    prev = v;
  }
  const n = levels.length;
  if (n === 0) return out;
  let k = 0;
  const put = (x: number): void => {
    out[k++] = x;
  };
  const [mean, std] = meanStd(levels);
  put(mean);
  put(std);
  const sl = sorted(levels);
  for (const q of LEVEL_QUANTILES) put(quantile(sl, q));
  const ss = sorted(steps);
  for (const q of STEP_QUANTILES) put(quantile(ss, q));
  let absSum = 0;
  for (const d of steps) absSum += Math.abs(d);
  put(steps.length > 0 ? absSum / steps.length : 0);
  put(meanStd(steps)[1]);
  const sc = sorted(curves);
  for (const q of CURVE_QUANTILES) put(quantile(sc, q));
  put(curves.length > 0 ? curves.reduce((s, x) => s + x, 0) / curves.length : 0);
  put(zeros / n);
  put(steps.length > 0 ? still / steps.length : 0);
  const sp = sorted(plateau);
  for (const q of PLATEAU_QUANTILES) put(quantile(sp, q));
  put(steps.length > 0 ? plateau.length / steps.length : 0);
  put(longestLevel);
  put(longest / n);
  for (const s of GRID_STEPS) put(onGrid(levels, s));
  const sm = sorted(moving);
  put(quantile(sm, 0.1));
  put(quantile(sm, 0.5));
  const spos = sorted(positive);
  put(quantile(spos, 0.5));
  put(quantile(spos, 0.9));
  const sneg = sorted(negative);
  put(quantile(sneg, 0.5));
  put(quantile(sneg, 0.1));
  put(autocorr(steps, 1));
  put(autocorr(levels, 10));
  return out;
}

/** `rawStyleFeatures` squashed by asinh (sign-preserving, ≈ log for large magnitudes). */
export function styleFeatures(window: ArrayLike<number>): Float32Array {
  return Float32Array.from(rawStyleFeatures(window), (x) => Math.asinh(x));
}
