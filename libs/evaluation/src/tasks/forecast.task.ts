import { signalIdOf, type ForecastModelPort } from '@fleetfm/forecasting';
import type { StatisticalForecaster } from '../baselines/augurs-ets.baseline';
import {
  geometricMean,
  meanAbsoluteError,
  seasonalNaive,
  seasonalNaiveQuantiles,
  seasonalScale,
  weightedQuantileLoss,
} from '../metrics/forecast-metrics';

export interface EvalSeries {
  readonly id: string;
  /** Signal name (for the model's signal id) or anything else. */
  readonly channel: string;
  readonly values: Float32Array;
}

export interface ForecastTaskOptions {
  readonly context: number;
  readonly horizon: number;
  readonly levels: readonly number[];
  /** Evaluation windows per series, evenly spaced over its valid origins. Default 3. */
  readonly originsPerSeries?: number;
  /** Default 1: one step (driving signals have no fixed period at these horizons). */
  readonly season?: number;
  readonly baseline?: StatisticalForecaster;
  readonly batchSize?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface MethodScores {
  /** Geometric mean over windows of MASE(method) / MASE(seasonal naive). */
  readonly relativeMase: number;
  /** Geometric mean over windows of WQL(method) / WQL(seasonal naive). */
  readonly relativeWql: number;
  /** Plain means over windows, for reference. */
  readonly meanMase: number;
  readonly meanWql: number;
}

export interface ForecastTaskResult {
  readonly season: number;
  readonly context: number;
  readonly horizon: number;
  readonly levels: readonly number[];
  readonly series: number;
  /** Windows scored; windows where seasonal naive is perfect (ratio undefined) are left out. */
  readonly windows: number;
  readonly skippedWindows: number;
  readonly seasonalNaive: { readonly meanMase: number; readonly meanWql: number };
  readonly fleetfm: MethodScores;
  readonly baseline?: MethodScores & { readonly name: string };
  /** Relative MASE / WQL per channel (geometric means over that channel's windows). */
  readonly byChannel: Readonly<Record<string, ChannelScores>>;
}

export interface ChannelScores {
  readonly windows: number;
  readonly relativeMase: number;
  readonly relativeWql: number;
  readonly baselineRelativeMase?: number;
  readonly baselineRelativeWql?: number;
}

interface Window {
  readonly series: EvalSeries;
  readonly origin: number;
}

/**
 * Backtests the model (and a statistical baseline) against seasonal naive on held-out series:
 * MASE on the median forecast and WQL over the quantile levels, each as a ratio to seasonal
 * naive per window, aggregated by the geometric mean (the Chronos / GIFT-Eval convention).
 */
export async function evaluateForecasting(
  model: ForecastModelPort,
  series: readonly EvalSeries[],
  o: ForecastTaskOptions,
): Promise<ForecastTaskResult> {
  const season = o.season ?? 1;
  const perSeries = o.originsPerSeries ?? 3;
  const windows: Window[] = [];
  for (const s of series) {
    const first = o.context;
    const last = s.values.length - o.horizon;
    if (last < first) continue;
    const k = Math.min(perSeries, last - first + 1);
    for (let i = 0; i < k; i++) {
      const origin = k === 1 ? last : first + Math.round((i * (last - first)) / (k - 1));
      windows.push({ origin, series: s });
    }
  }
  const ratios = {
    baseMase: [] as number[],
    baseWql: [] as number[],
    channel: [] as string[],
    mase: [] as number[],
    wql: [] as number[],
  };
  const sums = { baseMase: 0, baseWql: 0, mase: 0, naiveMase: 0, naiveWql: 0, wql: 0 };
  let used = 0;
  const batchSize = o.batchSize ?? 64;
  for (let start = 0; start < windows.length; start += batchSize) {
    const batch = windows.slice(start, start + batchSize);
    const histories = batch.map((w) => w.series.values.slice(w.origin - o.context, w.origin));
    const out = await model.forecast(histories, {
      horizon: o.horizon,
      quantiles: o.levels,
      signalIds: batch.map((w) => signalIdOf(w.series.channel)),
    });
    batch.forEach((w, b) => {
      const history = histories[b];
      const actual = w.series.values.subarray(w.origin, w.origin + o.horizon);
      const scale = seasonalScale(history, season);
      const naiveMae = meanAbsoluteError(actual, seasonalNaive(history, o.horizon, season));
      const naiveWql = weightedQuantileLoss(
        actual,
        seasonalNaiveQuantiles(history, o.horizon, o.levels, season),
        o.levels,
      );
      if (!(scale > 0 && naiveMae > 0 && naiveWql > 0 && Number.isFinite(naiveWql))) return;
      used++;
      const mae = meanAbsoluteError(actual, out[b].median);
      const wql = weightedQuantileLoss(actual, out[b].quantiles, o.levels);
      ratios.channel.push(w.series.channel);
      ratios.mase.push(mae / naiveMae);
      ratios.wql.push(wql / naiveWql);
      sums.mase += mae / scale;
      sums.wql += wql;
      sums.naiveMase += naiveMae / scale;
      sums.naiveWql += naiveWql;
      if (o.baseline) {
        const f = o.baseline.forecast(history, o.horizon, o.levels);
        const median = f.quantiles[o.levels.indexOf(0.5)] ?? f.mean;
        const bMae = meanAbsoluteError(actual, median);
        const bWql = weightedQuantileLoss(actual, f.quantiles, o.levels);
        ratios.baseMase.push(bMae / naiveMae);
        ratios.baseWql.push(bWql / naiveWql);
        sums.baseMase += bMae / scale;
        sums.baseWql += bWql;
      }
    });
    o.onProgress?.(start + batch.length, windows.length);
  }
  const n = Math.max(used, 1);
  return {
    baseline: o.baseline
      ? {
          meanMase: sums.baseMase / n,
          meanWql: sums.baseWql / n,
          name: o.baseline.name,
          relativeMase: geometricMean(ratios.baseMase),
          relativeWql: geometricMean(ratios.baseWql),
        }
      : undefined,
    byChannel: scoresByChannel(ratios),
    context: o.context,
    fleetfm: {
      meanMase: sums.mase / n,
      meanWql: sums.wql / n,
      relativeMase: geometricMean(ratios.mase),
      relativeWql: geometricMean(ratios.wql),
    },
    horizon: o.horizon,
    levels: [...o.levels],
    season,
    seasonalNaive: { meanMase: sums.naiveMase / n, meanWql: sums.naiveWql / n },
    series: series.length,
    skippedWindows: windows.length - used,
    windows: used,
  };
}

function scoresByChannel(r: {
  readonly channel: readonly string[];
  readonly mase: readonly number[];
  readonly wql: readonly number[];
  readonly baseMase: readonly number[];
  readonly baseWql: readonly number[];
}): Record<string, ChannelScores> {
  const out: Record<string, ChannelScores> = {};
  for (const channel of [...new Set(r.channel)].sort()) {
    const idx = r.channel.flatMap((c, i) => (c === channel ? [i] : []));
    const pick = (xs: readonly number[]): number[] => idx.map((i) => xs[i]);
    out[channel] = {
      baselineRelativeMase: r.baseMase.length > 0 ? geometricMean(pick(r.baseMase)) : undefined,
      baselineRelativeWql: r.baseWql.length > 0 ? geometricMean(pick(r.baseWql)) : undefined,
      relativeMase: geometricMean(pick(r.mase)),
      relativeWql: geometricMean(pick(r.wql)),
      windows: idx.length,
    };
  }
  return out;
}
