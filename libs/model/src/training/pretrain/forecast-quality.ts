import type { Forecaster } from '../../forecaster';
import type { TrainingWindow } from '../forecast-batch';

export interface ForecastQuality {
  /** Windows scored (those whose context is not constant). */
  readonly windows: number;
  /** Mean MASE of the model's median (scale: in-context mean absolute one-step change). */
  readonly mase: number;
  /** Mean MASE of the naive forecast (last value repeated). */
  readonly naiveMase: number;
  /** Mean MASE of the seasonal naive forecast (season from the context's autocorrelation). */
  readonly seasonalNaiveMase: number;
  /**
   * Geometric mean over windows of MAE(model) / MAE(seasonal naive): below 1 means the model
   * beats the baseline on a typical window (robust to a few windows with tiny scales).
   * Windows where either MAE is 0 are left out.
   */
  readonly relativeMaeGeoMean: number;
  /** Share of target steps inside the model's [lowest, highest] quantile band. */
  readonly coverage: number;
  /** The band `coverage` refers to, e.g. [0.1, 0.9]. */
  readonly band: readonly [number, number];
}

/** Lag in [2, maxLag] with the highest autocorrelation if it exceeds `threshold`, else 1. */
export function seasonOf(context: Float32Array, maxLag: number, threshold = 0.5): number {
  const n = context.length;
  let mean = 0;
  for (const v of context) mean += v;
  mean /= n;
  let variance = 0;
  for (const v of context) variance += (v - mean) ** 2;
  if (!(variance > 0)) return 1;
  let best = 1;
  let bestAcf = threshold;
  for (let lag = 2; lag <= Math.min(maxLag, n - 1); lag++) {
    let s = 0;
    for (let t = lag; t < n; t++) s += (context[t] - mean) * (context[t - lag] - mean);
    const acf = s / variance;
    if (acf > bestAcf) {
      bestAcf = acf;
      best = lag;
    }
  }
  return best;
}

/** The last `season` values repeated over the horizon. */
export function seasonalNaive(
  context: Float32Array,
  season: number,
  horizon: number,
): Float32Array {
  const n = context.length;
  return Float32Array.from({ length: horizon }, (_, h) => context[n - season + (h % season)]);
}

function mae(a: Float32Array, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}

/**
 * Scores the model on held-out windows (context + `horizon` future steps, no gaps): MASE of the
 * median against the naive and seasonal naive baselines, and the coverage of the outer band.
 */
export async function evaluateForecastQuality(
  forecaster: Forecaster,
  windows: readonly TrainingWindow[],
  horizon: number,
): Promise<ForecastQuality> {
  const levels = forecaster.model.config.quantiles;
  const band: [number, number] = [levels[0], levels[levels.length - 1]];
  const usable: Array<{ context: Float32Array; future: Float32Array; scale: number; id: number }> =
    [];
  for (const w of windows) {
    const context = w.series.subarray(0, w.series.length - horizon);
    const future = w.series.subarray(w.series.length - horizon);
    let scale = 0;
    for (let t = 1; t < context.length; t++) scale += Math.abs(context[t] - context[t - 1]);
    scale /= Math.max(1, context.length - 1);
    if (scale > 1e-9 && future.every(Number.isFinite) && context.every(Number.isFinite)) {
      usable.push({ context, future, id: w.signalId ?? 0, scale });
    }
  }
  let mase = 0;
  let naive = 0;
  let seasonal = 0;
  let inside = 0;
  let logRatio = 0;
  let ratios = 0;
  const chunk = 64;
  for (let i = 0; i < usable.length; i += chunk) {
    const part = usable.slice(i, i + chunk);
    const forecasts = await forecaster.forecast(
      part.map((p) => p.context),
      { horizon, quantiles: band, signalIds: part.map((p) => p.id) },
    );
    part.forEach((p, j) => {
      const f = forecasts[j];
      mase += mae(p.future, f.median) / p.scale;
      naive += mae(p.future, seasonalNaive(p.context, 1, horizon)) / p.scale;
      const m = seasonOf(p.context, Math.floor(p.context.length / 2));
      const baseline = mae(p.future, seasonalNaive(p.context, m, horizon));
      seasonal += baseline / p.scale;
      const model = mae(p.future, f.median);
      if (baseline > 0 && model > 0) {
        logRatio += Math.log(model / baseline);
        ratios++;
      }
      for (let h = 0; h < horizon; h++) {
        if (p.future[h] >= f.quantiles[0][h] && p.future[h] <= f.quantiles[1][h]) inside++;
      }
    });
  }
  const n = usable.length;
  return {
    band,
    coverage: inside / Math.max(1, n * horizon),
    mase: mase / n,
    naiveMase: naive / n,
    relativeMaeGeoMean: Math.exp(logRatio / Math.max(1, ratios)),
    seasonalNaiveMase: seasonal / n,
    windows: n,
  };
}
