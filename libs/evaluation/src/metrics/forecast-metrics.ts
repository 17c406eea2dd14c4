/**
 * Point and probabilistic forecast metrics as in the published foundation-model benchmarks
 * (GluonTS / Chronos conventions): MASE scaled by the in-sample seasonal-naive error, and the
 * weighted quantile loss averaged over levels. NaN actuals are left out.
 */
import { seasonalScale } from '@fleetfm/forecasting';

/** Seasonal naive: step h repeats the value one season before, y[n - m + ((h - 1) mod m)]. */
export function seasonalNaive(
  history: ArrayLike<number>,
  horizon: number,
  season = 1,
): Float64Array {
  const n = history.length;
  const out = new Float64Array(horizon);
  for (let h = 0; h < horizon; h++) out[h] = history[n - season + (h % season)];
  return out;
}

// MASE's scale, mean |y_t - y_{t-m}| over the history: shared with the product's backtests.
export { seasonalScale };

export function meanAbsoluteError(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  let sum = 0;
  let count = 0;
  for (let t = 0; t < actual.length; t++) {
    if (!Number.isFinite(actual[t])) continue;
    sum += Math.abs(actual[t] - forecast[t]);
    count++;
  }
  return count > 0 ? sum / count : Number.NaN;
}

/** MAE of the forecast over the in-sample seasonal-naive MAE of the history. */
export function mase(
  actual: ArrayLike<number>,
  forecast: ArrayLike<number>,
  history: ArrayLike<number>,
  season = 1,
): number {
  return meanAbsoluteError(actual, forecast) / seasonalScale(history, season);
}

/**
 * Weighted quantile loss, mean over levels: for each level q, 2 Σ_t pinball_q / Σ_t |y_t|.
 * quantiles[k][t] is the level-k forecast at step t.
 */
export function weightedQuantileLoss(
  actual: ArrayLike<number>,
  quantiles: readonly ArrayLike<number>[],
  levels: readonly number[],
): number {
  let denom = 0;
  for (let t = 0; t < actual.length; t++)
    if (Number.isFinite(actual[t])) denom += Math.abs(actual[t]);
  let total = 0;
  levels.forEach((q, k) => {
    let loss = 0;
    for (let t = 0; t < actual.length; t++) {
      const y = actual[t];
      if (!Number.isFinite(y)) continue;
      const e = y - quantiles[k][t];
      loss += e >= 0 ? q * e : (q - 1) * e;
    }
    total += (2 * loss) / denom;
  });
  return total / levels.length;
}

/**
 * Probabilistic seasonal naive (statsforecast's intervals): the point forecast with Gaussian
 * quantiles of standard deviation σ·√(⌊(h - 1)/m⌋ + 1), σ the RMS of the in-sample seasonal
 * differences.
 */
export function seasonalNaiveQuantiles(
  history: ArrayLike<number>,
  horizon: number,
  levels: readonly number[],
  season = 1,
): Float64Array[] {
  const point = seasonalNaive(history, horizon, season);
  let ss = 0;
  let count = 0;
  for (let t = season; t < history.length; t++) {
    const d = history[t] - history[t - season];
    if (Number.isFinite(d)) {
      ss += d * d;
      count++;
    }
  }
  const sigma = count > 0 ? Math.sqrt(ss / count) : 0;
  return levels.map((q) => {
    const z = normalQuantile(q);
    return point.map((p, h) => p + z * sigma * Math.sqrt(Math.floor(h / season) + 1));
  });
}

/** Geometric mean of the finite positive values (others are left out). */
export function geometricMean(values: readonly number[]): number {
  let sum = 0;
  let count = 0;
  for (const v of values) {
    if (Number.isFinite(v) && v > 0) {
      sum += Math.log(v);
      count++;
    }
  }
  return count > 0 ? Math.exp(sum / count) : Number.NaN;
}

/** Inverse standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9 after refinement). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : Number.NaN;
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972,
    -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734,
    4.374664141464968, 2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  let x: number;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - lo) {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
      (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x =
      -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  return x;
}
