import type { SeriesForecast } from '@fleetfm/model';

/** Observed values a context needs before its held-out tail for a backtest to be run. */
export const MIN_BACKTEST_HISTORY = 8;

/** Share of the context held out at most: h' = min(horizon, ⌊length / 4⌋). */
export const HOLDOUT_FRACTION = 1 / 4;

/**
 * Steps of `context` to hold out for the method backtest: min(horizon, ⌊length / 4⌋), or 0 when
 * the held-out tail has no observation or fewer than `MIN_BACKTEST_HISTORY` observations precede it.
 */
export function holdoutLength(context: ArrayLike<number>, horizon: number): number {
  const h = Math.min(horizon, Math.floor(context.length * HOLDOUT_FRACTION));
  if (h < 1) return 0;
  let before = 0;
  let after = 0;
  for (let i = 0; i < context.length; i++) {
    if (!Number.isFinite(context[i])) continue;
    if (i < context.length - h) before++;
    else after++;
  }
  return before >= MIN_BACKTEST_HISTORY && after > 0 ? h : 0;
}

/**
 * A forecast's error on held-out actuals: (MAE of its median + mean over levels of twice the
 * quantile loss) / 2 over the observed actuals (twice the quantile loss, so a point forecast at
 * symmetric levels scores its MAE), divided by the in-sample naive MAE of `history` (lag
 * `season`; lag 1 when that is 0 or the history has no pairs that far apart). A flat history (naive error
 * 0) is scored unscaled: the scale is common to both methods, so the choice is the same. NaN
 * when no actual is observed or the forecast is not finite there.
 */
export function backtestScore(
  history: ArrayLike<number>,
  actual: ArrayLike<number>,
  forecast: Pick<SeriesForecast, 'median' | 'levels' | 'quantiles'>,
  season = 1,
): number {
  let abs = 0;
  let quantile = 0;
  let n = 0;
  for (let t = 0; t < actual.length; t++) {
    const a = actual[t];
    if (!Number.isFinite(a)) continue;
    abs += Math.abs(a - forecast.median[t]);
    let loss = 0;
    forecast.levels.forEach((q, k) => {
      const d = a - forecast.quantiles[k][t];
      loss += 2 * (d >= 0 ? q * d : (q - 1) * d);
    });
    quantile += loss / Math.max(forecast.levels.length, 1);
    n++;
  }
  const raw = n > 0 ? (abs + quantile) / (2 * n) : Number.NaN;
  const scale = seasonalScale(history, season) || seasonalScale(history, 1);
  return scale > 0 ? raw / scale : raw;
}

/**
 * Mean |y[t] − y[t − season]| over observed pairs: the in-sample seasonal-naive error, MASE's
 * scale (also `fleetfm eval`'s). NaN when there is no pair.
 */
export function seasonalScale(y: ArrayLike<number>, season = 1): number {
  let sum = 0;
  let n = 0;
  for (let t = season; t < y.length; t++) {
    const d = y[t] - y[t - season];
    if (Number.isFinite(d)) {
      sum += Math.abs(d);
      n++;
    }
  }
  return n > 0 ? sum / n : Number.NaN;
}
