import {
  signalIdOf,
  type ForecastModelPort,
  type StatisticalForecaster,
} from '@fleetfm/forecasting';
import { spreadOrigins, type SeriesForecast } from '@fleetfm/model';
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
  /** Where the series comes from (a drive cycle, a real route), for scores by route. */
  readonly route?: string;
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
  /** The same by route, when the series name theirs. */
  readonly byRoute?: Readonly<Record<string, ChannelScores>>;
  /**
   * The same by where the window sits in its series: its first origin (`start`: the context is
   * the series' beginning), its last (`end`: the horizon is the series' end; a trip's arrival),
   * or between them (`inside`). A series with room for one origin only counts as `end`;
   * positions without a scored window are absent.
   */
  readonly byOrigin: Readonly<Partial<Record<OriginPosition, ChannelScores>>>;
}

export type OriginPosition = 'start' | 'inside' | 'end';

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
  readonly position: OriginPosition;
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
    for (const origin of spreadOrigins(first, last, perSeries)) {
      const position = origin === last ? 'end' : origin === first ? 'start' : 'inside';
      windows.push({ origin, position, series: s });
    }
  }
  const scores = new ScoreAccumulator(o.baseline?.name);
  const routes = new ScoreAccumulator(o.baseline?.name);
  const positions = new ScoreAccumulator(o.baseline?.name);
  const batchSize = o.batchSize ?? 64;
  for (let start = 0; start < windows.length; start += batchSize) {
    const batch = windows.slice(start, start + batchSize);
    const histories = batch.map((w) => w.series.values.slice(w.origin - o.context, w.origin));
    const out = await model.forecast(histories, {
      horizon: o.horizon,
      quantiles: o.levels,
      seasons: batch.map(() => season),
      signalIds: batch.map((w) => signalIdOf(w.series.channel)),
    });
    batch.forEach((w, b) => {
      const actual = w.series.values.subarray(w.origin, w.origin + o.horizon);
      const s = scoreWindow(histories[b], actual, out[b], season, o.levels, o.baseline);
      if (s) scores.add(w.series.channel, s);
      if (s && w.series.route !== undefined) routes.add(w.series.route, s);
      if (s) positions.add(w.position, s);
    });
    o.onProgress?.(start + batch.length, windows.length);
  }
  const totals = scores.totals();
  return {
    baseline: totals.baseline,
    byChannel: scores.byGroup(),
    byOrigin: positions.byGroup(),
    byRoute: routes.used > 0 ? routes.byGroup() : undefined,
    context: o.context,
    fleetfm: totals.fleetfm,
    horizon: o.horizon,
    levels: [...o.levels],
    season,
    seasonalNaive: totals.seasonalNaive,
    series: series.length,
    skippedWindows: windows.length - scores.used,
    windows: scores.used,
  };
}

/** A series scored with its own context, horizon and season, in a named group (family). */
export interface SeasonalEvalSeries extends EvalSeries {
  readonly group: string;
  /** Season of its seasonal naive (1 = the last value). */
  readonly season: number;
  /** Steps of history given to the model per window (the model left-pads short ones). */
  readonly context: number;
  readonly horizon: number;
  /** Scored windows: the last `windows` non-overlapping horizons of the series. */
  readonly windows: number;
}

export interface PerSeriesForecastOptions {
  readonly levels: readonly number[];
  readonly baseline?: StatisticalForecaster;
  readonly batchSize?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface GroupScores extends ChannelScores {
  readonly season: number;
}

export interface PerSeriesForecastResult {
  readonly levels: readonly number[];
  readonly series: number;
  readonly windows: number;
  readonly skippedWindows: number;
  /** The same scores by the length of the history the model saw (128, 256, 512 …). */
  readonly byContext: Readonly<Record<string, ChannelScores>>;
  readonly seasonalNaive: { readonly meanMase: number; readonly meanWql: number };
  readonly fleetfm: MethodScores;
  readonly baseline?: MethodScores & { readonly name: string };
  readonly byGroup: Readonly<Record<string, GroupScores>>;
}

interface SeriesWindow {
  readonly series: SeasonalEvalSeries;
  readonly origin: number;
}

/**
 * `evaluateForecasting` for series that each bring their own context, horizon and season (a
 * benchmark of mixed frequencies): every window is scored against seasonal naive with its own
 * series' season, and the ratios are aggregated the same way, overall and by group.
 */
export async function evaluateForecastingPerSeries(
  model: ForecastModelPort,
  series: readonly SeasonalEvalSeries[],
  o: PerSeriesForecastOptions,
): Promise<PerSeriesForecastResult> {
  const byHorizon = new Map<number, SeriesWindow[]>();
  for (const s of series) {
    for (let i = 0; i < s.windows; i++) {
      const origin = s.values.length - (s.windows - i) * s.horizon;
      if (origin < 2 * s.season) continue;
      const list = byHorizon.get(s.horizon) ?? [];
      list.push({ origin, series: s });
      byHorizon.set(s.horizon, list);
    }
  }
  const total = [...byHorizon.values()].reduce((a, w) => a + w.length, 0);
  const scores = new ScoreAccumulator(o.baseline?.name);
  const byContext = new ScoreAccumulator(o.baseline?.name);
  const seasons = new Map<string, number>();
  const batchSize = o.batchSize ?? 64;
  let done = 0;
  for (const [horizon, windows] of [...byHorizon.entries()].sort((a, b) => a[0] - b[0])) {
    for (let start = 0; start < windows.length; start += batchSize) {
      const batch = windows.slice(start, start + batchSize);
      const histories = batch.map((w) =>
        w.series.values.slice(Math.max(0, w.origin - w.series.context), w.origin),
      );
      const out = await model.forecast(histories, {
        horizon,
        quantiles: o.levels,
        seasons: batch.map((w) => w.series.season),
        signalIds: batch.map((w) => signalIdOf(w.series.channel)),
      });
      batch.forEach((w, b) => {
        const actual = w.series.values.subarray(w.origin, w.origin + horizon);
        const s = scoreWindow(histories[b], actual, out[b], w.series.season, o.levels, o.baseline);
        if (!s) return;
        scores.add(w.series.group, s);
        seasons.set(w.series.group, w.series.season);
        byContext.add(String(histories[b].length), s);
      });
      done += batch.length;
      o.onProgress?.(done, total);
    }
  }
  const byGroup: Record<string, GroupScores> = {};
  for (const [group, g] of Object.entries(scores.byGroup())) {
    byGroup[group] = { ...g, season: seasons.get(group) ?? 1 };
  }
  return {
    ...scores.totals(),
    // Integer-like keys: objects list them in ascending numeric order.
    byContext: byContext.byGroup(),
    byGroup,
    levels: [...o.levels],
    series: series.length,
    skippedWindows: total - scores.used,
    windows: scores.used,
  };
}

/** Per-window ratios to seasonal naive and scaled sums, aggregated as the benchmarks do. */
class ScoreAccumulator {
  used = 0;
  private readonly ratios = {
    baseMase: [] as number[],
    baseWql: [] as number[],
    channel: [] as string[],
    mase: [] as number[],
    wql: [] as number[],
  };
  private readonly sums = { baseMase: 0, baseWql: 0, mase: 0, naiveMase: 0, naiveWql: 0, wql: 0 };

  constructor(private readonly baselineName?: string) {}

  add(group: string, s: WindowScore): void {
    const { ratios, sums } = this;
    this.used++;
    ratios.channel.push(group);
    ratios.mase.push(s.mae / s.naiveMae);
    ratios.wql.push(s.wql / s.naiveWql);
    sums.mase += s.mae / s.scale;
    sums.wql += s.wql;
    sums.naiveMase += s.naiveMae / s.scale;
    sums.naiveWql += s.naiveWql;
    if (s.baseMae !== undefined && s.baseWql !== undefined) {
      ratios.baseMase.push(s.baseMae / s.naiveMae);
      ratios.baseWql.push(s.baseWql / s.naiveWql);
      sums.baseMase += s.baseMae / s.scale;
      sums.baseWql += s.baseWql;
    }
  }

  totals(): Pick<ForecastTaskResult, 'baseline' | 'fleetfm' | 'seasonalNaive'> {
    const { ratios, sums } = this;
    const n = Math.max(this.used, 1);
    return {
      baseline:
        this.baselineName !== undefined
          ? {
              meanMase: sums.baseMase / n,
              meanWql: sums.baseWql / n,
              name: this.baselineName,
              relativeMase: geometricMean(ratios.baseMase),
              relativeWql: geometricMean(ratios.baseWql),
            }
          : undefined,
      fleetfm: {
        meanMase: sums.mase / n,
        meanWql: sums.wql / n,
        relativeMase: geometricMean(ratios.mase),
        relativeWql: geometricMean(ratios.wql),
      },
      seasonalNaive: { meanMase: sums.naiveMase / n, meanWql: sums.naiveWql / n },
    };
  }

  byGroup(): Record<string, ChannelScores> {
    return scoresByChannel(this.ratios);
  }
}

interface WindowScore {
  readonly scale: number;
  readonly naiveMae: number;
  readonly naiveWql: number;
  readonly mae: number;
  readonly wql: number;
  readonly baseMae?: number;
  readonly baseWql?: number;
}

/**
 * One window's errors: the seasonal-naive scale of the history, seasonal naive's MAE and WQL on
 * the actuals, the model's (median / quantiles), and the baseline's (fitted here). Undefined
 * when seasonal naive is exact or the scale is zero, where the ratios are undefined.
 */
function scoreWindow(
  history: Float32Array,
  actual: Float32Array,
  forecast: SeriesForecast,
  season: number,
  levels: readonly number[],
  baseline: StatisticalForecaster | undefined,
): WindowScore | undefined {
  const horizon = actual.length;
  const scale = seasonalScale(history, season);
  const naiveMae = meanAbsoluteError(actual, seasonalNaive(history, horizon, season));
  const naiveWql = weightedQuantileLoss(
    actual,
    seasonalNaiveQuantiles(history, horizon, levels, season),
    levels,
  );
  if (!(scale > 0 && naiveMae > 0 && naiveWql > 0 && Number.isFinite(naiveWql))) return undefined;
  const mae = meanAbsoluteError(actual, forecast.median);
  const wql = weightedQuantileLoss(actual, forecast.quantiles, levels);
  if (!baseline) return { mae, naiveMae, naiveWql, scale, wql };
  const f = baseline.forecast(history, horizon, levels, season);
  const median = f.quantiles[levels.indexOf(0.5)] ?? f.mean;
  const baseMae = meanAbsoluteError(actual, median);
  const baseWql = weightedQuantileLoss(actual, f.quantiles, levels);
  return { baseMae, baseWql, mae, naiveMae, naiveWql, scale, wql };
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
