import { InvalidRequestError } from '@fleetfm/domain';
import {
  formatFloat32,
  formatTime,
  type CsvSeriesTable,
  type ForecastRow,
} from '@fleetfm/datasets';
import { ForecastModelPort } from './forecast-model.port';
import { planOrigins } from './forecast-origins';
import { signalIdOf } from './signal-id';

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
  readonly origins: number;
  /** Forecasts made: origins × series, less the skipped ones. */
  readonly forecasts: number;
  /** (series, origin) pairs skipped because the whole context was gaps. */
  readonly skipped: number;
  readonly stepSeconds: number | null;
}

interface Task {
  readonly series: number;
  readonly origin: number;
}

/**
 * Forecasts every requested series of a table from one or many origins, batching contexts through
 * the model. Forecast times are extrapolated from the origin's time with the table's detected
 * (median) step, so they stay regular even when the history has gaps.
 */
export class ForecastingService {
  constructor(private readonly model: ForecastModelPort) {}

  /** Validates the request against the table and the model; returns the levels to write. */
  check(table: CsvSeriesTable, request: ForecastRequest): { levels: number[]; origins: number[] } {
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
    const origins = planOrigins({
      context: request.context,
      horizon: request.horizon,
      length: table.rowCount,
      rolling: request.rolling,
    });
    if (table.rowCount >= 2 && !(table.frequency.step > 0)) {
      throw new InvalidRequestError(
        `the time column ${table.time.column ?? ''} does not increase (median step ${table.frequency.step})`,
      );
    }
    return { levels, origins };
  }

  /** Forecast rows ordered by origin, then series, then step. */
  async *forecast(
    table: CsvSeriesTable,
    request: ForecastRequest,
    summary?: (s: ForecastSummary) => void,
  ): AsyncGenerator<ForecastRow> {
    const { levels, origins } = this.check(table, request);
    const batchSize = request.batchSize ?? 64;
    const tasks: Task[] = [];
    let skipped = 0;
    for (const origin of origins) {
      table.series.forEach((s, series) => {
        if (hasObservation(s.values, origin - request.context, origin)) {
          tasks.push({ origin, series });
        } else skipped++;
      });
    }
    const step = table.rowCount >= 2 ? table.frequency.step : 1;
    const kind = table.time.kind;
    const timeAt = (row: number): number =>
      row < table.rowCount ? table.time.values[row] : Number.NaN;
    for (let start = 0; start < tasks.length; start += batchSize) {
      const batch = tasks.slice(start, start + batchSize);
      const contexts = batch.map((t) =>
        Float32Array.from(
          table.series[t.series].values.subarray(Math.max(0, t.origin - request.context), t.origin),
        ),
      );
      const out = await this.model.forecast(contexts, {
        signalIds: batch.map((t) => signalIdOf(table.series[t.series].name)),
        horizon: request.horizon,
        quantiles: levels,
      });
      for (let b = 0; b < batch.length; b++) {
        const { origin, series } = batch[b];
        const last = timeAt(origin - 1);
        const name = table.series[series].name;
        const f = out[b];
        for (let k = 0; k < request.horizon; k++) {
          yield {
            mean: short(f.mean[k]),
            origin: formatTime(last, kind),
            quantiles: f.quantiles.map((q) => short(q[k])),
            series: name,
            step: k + 1,
            time: formatTime(last + (k + 1) * step, kind),
          };
        }
      }
      request.onProgress?.(start + batch.length, tasks.length);
    }
    summary?.({
      forecasts: tasks.length,
      levels,
      origins: origins.length,
      skipped,
      stepSeconds: table.frequency.stepSeconds,
    });
  }
}

function hasObservation(values: ArrayLike<number>, from: number, to: number): boolean {
  for (let i = Math.max(0, from); i < to; i++) if (!Number.isNaN(values[i])) return true;
  return false;
}

/** A float32 as the shortest decimal that reads back the same (no float64 noise in the CSV). */
function short(v: number): number {
  return Number.isFinite(v) ? Number(formatFloat32(v)) : Number.NaN;
}
