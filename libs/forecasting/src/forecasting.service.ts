import { InvalidRequestError } from '@fleetfm/domain';
import {
  advanceTime,
  formatFloat32,
  formatTime,
  type CsvSeriesTable,
  type ForecastRow,
} from '@fleetfm/datasets';
import { ForecastModelPort, type ForecastMethod } from './forecast-model.port';
import { planOrigins } from './forecast-origins';
import { signalIdOf } from './signal-id';
import { seasonalPeriod } from './statistical/seasonal-period';

export interface ForecastRequest {
  readonly horizon: number;
  /** Rows of context per forecast (the model sees at most its own context length). */
  readonly context: number;
  /** Default: the model's levels. */
  readonly quantiles?: readonly number[];
  /** Origins every `stride` rows through the history (backtesting); default one at the end. */
  readonly rolling?: { readonly stride: number };
  /** Contexts per model call. Default 64. */
  readonly batchSize?: number;
  /** Called after each batch with forecasts done and in total (for progress bars). */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ForecastSummary {
  readonly levels: readonly number[];
  /** Distinct forecast origins (rows) over all series. */
  readonly origins: number;
  /** Forecasts made: (series, origin) pairs, less the skipped ones. */
  readonly forecasts: number;
  /** (series, origin) pairs skipped because the whole context was gaps. */
  readonly skipped: number;
  /** Columns without a single value: nothing to forecast, left out. */
  readonly empty: readonly string[];
  /** Columns whose last value is before the table's last row (forecast from their own end). */
  readonly endEarly: readonly string[];
  readonly stepSeconds: number | null;
  /** Forecasts per method, when the model port reports methods (`AutoMethodForecaster`). */
  readonly methods?: Readonly<Partial<Record<ForecastMethod, number>>>;
}

/** A forecast row, with the method that made it when the model port reports one. */
export interface MethodForecastRow extends ForecastRow {
  readonly method?: ForecastMethod;
}

/** Where one series' data lies in the table and the origins forecast from it. */
export interface SeriesPlan {
  readonly series: number;
  /** First row with a value. */
  readonly first: number;
  /** One past the last row with a value. */
  readonly end: number;
  /** Origin rows: a forecast conditions on [max(first, o - context), o). */
  readonly origins: readonly number[];
}

export interface ForecastPlan {
  readonly levels: number[];
  readonly plans: readonly SeriesPlan[];
  readonly empty: readonly string[];
  readonly endEarly: readonly string[];
}

interface Task {
  readonly series: number;
  readonly origin: number;
  readonly first: number;
}

/**
 * Forecasts every requested series of a table from one or many origins, batching contexts through
 * the model. Each column is a series from its first to its last value: leading and trailing empty
 * cells (columns of different lengths in one wide file, as M4-style files have) are not part of
 * it, so a column that ends early is forecast from its own end. Forecast times are extrapolated
 * from the origin's time with the table's detected (median) step, or by calendar months for
 * monthly, quarterly and yearly data, so they stay regular even when the history has gaps.
 */
export class ForecastingService {
  constructor(private readonly model: ForecastModelPort) {}

  /** Validates the request against the table and the model; plans the origins per series. */
  check(table: CsvSeriesTable, request: ForecastRequest): ForecastPlan {
    const levels = [...(request.quantiles ?? this.model.quantiles)];
    const lo = this.model.quantiles[0];
    const hi = this.model.quantiles[this.model.quantiles.length - 1];
    for (const l of levels) {
      if (!(l >= lo && l <= hi)) {
        throw new InvalidRequestError(`quantile ${l} is outside the model's range [${lo}, ${hi}]`, {
          quantile: l,
        });
      }
    }
    if (table.series.length === 0) throw new InvalidRequestError('no series columns to forecast');
    if (table.rowCount >= 2 && !(table.frequency.step > 0)) {
      throw new InvalidRequestError(
        `the time column ${table.time.column ?? ''} does not increase (median step ${table.frequency.step})`,
      );
    }
    const plans: SeriesPlan[] = [];
    const names = table.series.map((s) => s.name);
    const empty: string[] = [];
    const endEarly: string[] = [];
    const spans = table.series.map((s) => observedSpan(s.values));
    // Shortest first, so that a context too long for the data names the shortest column.
    const order = spans
      .map((_, i) => i)
      .sort((a, b) => spanLength(spans[a]) - spanLength(spans[b]) || a - b);
    for (const series of order) {
      const s = table.series[series];
      const { first, end } = spans[series];
      if (end === 0) {
        empty.push(s.name);
        continue;
      }
      if (end < table.rowCount) endEarly.push(s.name);
      const rows =
        first === 0 && end === table.rowCount
          ? ''
          : ` (file rows ${table.lines[first]}–${table.lines[end - 1]})`;
      const origins = planOrigins({
        context: request.context,
        horizon: request.horizon,
        length: end - first,
        rolling: request.rolling,
        subject: `column "${s.name}"${rows}`,
      });
      plans.push({ end, first, origins: origins.map((o) => o + first), series });
    }
    plans.sort((a, b) => a.series - b.series);
    empty.sort((a, b) => names.indexOf(a) - names.indexOf(b));
    endEarly.sort((a, b) => names.indexOf(a) - names.indexOf(b));
    if (plans.length === 0) {
      throw new InvalidRequestError(`every column is empty: ${empty.join(', ')}`, { empty });
    }
    return { empty, endEarly, levels, plans };
  }

  /** Forecast rows ordered by origin row, then series, then step. */
  async *forecast(
    table: CsvSeriesTable,
    request: ForecastRequest,
    summary?: (s: ForecastSummary) => void,
  ): AsyncGenerator<MethodForecastRow> {
    const { levels, plans, empty, endEarly } = this.check(table, request);
    const batchSize = request.batchSize ?? 64;
    const tasks: Task[] = [];
    const originRows = new Set<number>();
    let skipped = 0;
    for (const { series, first, origins } of plans) {
      for (const origin of origins) {
        const from = Math.max(first, origin - request.context);
        if (hasObservation(table.series[series].values, from, origin)) {
          tasks.push({ first, origin, series });
          originRows.add(origin);
        } else skipped++;
      }
    }
    tasks.sort((a, b) => a.origin - b.origin || a.series - b.series);
    const grid =
      table.rowCount >= 2 ? table.frequency : { months: null, step: 1, stepSeconds: null };
    const { kind, isoStyle: style } = table.time;
    const methods: Partial<Record<ForecastMethod, number>> = {};
    const timeAt = (row: number): number =>
      row < table.rowCount ? table.time.values[row] : Number.NaN;
    for (let start = 0; start < tasks.length; start += batchSize) {
      const batch = tasks.slice(start, start + batchSize);
      const contexts = batch.map((t) =>
        Float32Array.from(
          table.series[t.series].values.subarray(
            Math.max(t.first, t.origin - request.context),
            t.origin,
          ),
        ),
      );
      const out = await this.model.forecast(contexts, {
        // Only statistical methods use it: the season of the step, given the context's length.
        seasons: contexts.map((c) => seasonalPeriod(grid, c.length)),
        signalIds: batch.map((t) => signalIdOf(table.series[t.series].name)),
        horizon: request.horizon,
        quantiles: levels,
      });
      for (let b = 0; b < batch.length; b++) {
        const { origin, series } = batch[b];
        const last = timeAt(origin - 1);
        const name = table.series[series].name;
        const f = out[b];
        const method = f.method;
        if (method) methods[method] = (methods[method] ?? 0) + 1;
        for (let k = 0; k < request.horizon; k++) {
          yield {
            ...(method ? { method } : {}),
            mean: short(f.mean[k]),
            origin: formatTime(last, kind, style),
            quantiles: f.quantiles.map((q) => short(q[k])),
            series: name,
            step: k + 1,
            time: formatTime(advanceTime(last, k + 1, grid), kind, style),
          };
        }
      }
      request.onProgress?.(start + batch.length, tasks.length);
    }
    summary?.({
      empty,
      endEarly,
      forecasts: tasks.length,
      levels,
      ...(Object.keys(methods).length > 0 ? { methods } : {}),
      origins: originRows.size,
      skipped,
      stepSeconds: table.frequency.stepSeconds,
    });
  }
}

function spanLength(span: { first: number; end: number }): number {
  return span.end - span.first;
}

/** The rows from the first value to one past the last ({0, 0} when there is none). */
function observedSpan(values: ArrayLike<number>): { first: number; end: number } {
  let first = 0;
  while (first < values.length && Number.isNaN(values[first])) first++;
  if (first === values.length) return { end: 0, first: 0 };
  let end = values.length;
  while (Number.isNaN(values[end - 1])) end--;
  return { end, first };
}

function hasObservation(values: ArrayLike<number>, from: number, to: number): boolean {
  for (let i = Math.max(0, from); i < to; i++) if (!Number.isNaN(values[i])) return true;
  return false;
}

/** A float32 as the shortest decimal that reads back the same (no float64 noise in the CSV). */
function short(v: number): number {
  return Number.isFinite(v) ? Number(formatFloat32(v)) : Number.NaN;
}
