import { Inject, Injectable } from '@nestjs/common';
import {
  InvalidRequestError,
  NotFoundError,
  UnavailableError,
  ValidationError,
  isSignalName,
  parseDuration,
  type SignalName,
} from '@fleetfm/domain';
import {
  AugursSeasonalBaseline,
  AutoMethodForecaster,
  signalIdOf,
  type ForecastMethod,
  type ForecastModelPort,
  type MethodForecast,
  type MethodSelection,
} from '@fleetfm/forecasting';
import { TimeSeriesStore } from '@fleetfm/timeseries';
import type { ForecastRequestDto, VehicleForecastQueryDto } from './forecast.dto';
import { SERVING_MODEL, type ServingModel } from './serving-model';

export interface SeriesForecastOut {
  id: string;
  mean: number[];
  /** Level (as a string, e.g. "0.1") → one value per step. */
  quantiles: Record<string, number[]>;
  /** The method that made it: 'model', or with `method: 'auto'` possibly 'mstl' or 'ets'. */
  method: ForecastMethod;
  /** With `method: 'auto'`: both methods' backtest scores (null where not tested). */
  selection?: { holdout: number; modelScore: number | null; statisticalScore: number | null };
}

export interface ForecastResponse {
  model: { contextLength: number; horizon: number; levels: number[] };
  forecasts: SeriesForecastOut[];
}

export interface VehicleForecastResponse {
  vehicleId: string;
  signal: SignalName;
  every: number;
  history: { ts: number[]; values: (number | null)[] };
  forecast: { ts: number[] } & Omit<SeriesForecastOut, 'id' | 'method' | 'selection'>;
}

function toOut(f: MethodForecast, id: string): SeriesForecastOut {
  const quantiles: Record<string, number[]> = {};
  f.levels.forEach((level, k) => (quantiles[String(level)] = Array.from(f.quantiles[k])));
  const out: SeriesForecastOut = {
    id,
    mean: Array.from(f.mean),
    method: f.method ?? 'model',
    quantiles,
  };
  if (f.selection) out.selection = selectionOut(f.selection);
  return out;
}

/** JSON has no NaN or Infinity: an untested or failed method's score is null. */
function selectionOut(s: MethodSelection): NonNullable<SeriesForecastOut['selection']> {
  const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);
  return {
    holdout: s.holdout,
    modelScore: finite(s.modelScore),
    statisticalScore: finite(s.statisticalScore),
  };
}

/** Zero-shot forecasts over HTTP: any series posted, or a vehicle's stored signal. */
@Injectable()
export class ForecastService {
  constructor(
    @Inject(SERVING_MODEL) private readonly serving: ServingModel,
    @Inject(TimeSeriesStore) private readonly store: TimeSeriesStore,
  ) {}

  private model(): ForecastModelPort {
    if (this.serving.port === undefined) {
      throw new UnavailableError(this.serving.reason ?? 'no forecasting model is loaded');
    }
    return this.serving.port;
  }

  private levels(model: ForecastModelPort, wanted: readonly number[] | undefined): number[] {
    const levels = [...(wanted ?? model.quantiles)];
    const lo = model.quantiles[0];
    const hi = model.quantiles[model.quantiles.length - 1];
    const bad = levels.filter((l) => !(l >= lo && l <= hi));
    if (bad.length > 0) {
      throw new InvalidRequestError(
        `quantiles ${bad.join(', ')} are outside the model's [${lo}, ${hi}]`,
      );
    }
    return levels;
  }

  /** The model, or `auto` over it (the augurs WASM loads once per process). */
  private forecaster(
    model: ForecastModelPort,
    method: ForecastRequestDto['method'],
  ): ForecastModelPort {
    if (method !== 'auto') return model;
    try {
      return new AutoMethodForecaster(model, new AugursSeasonalBaseline());
    } catch (err) {
      throw new UnavailableError(`method auto is unavailable: ${(err as Error).message}`);
    }
  }

  async forecast(request: ForecastRequestDto): Promise<ForecastResponse> {
    const model = this.model();
    const levels = this.levels(model, request.quantiles);
    const contexts = request.series.map((s, i) => {
      const values = new Float32Array(s.values.length);
      let seen = 0;
      s.values.forEach((v, t) => {
        if (v === null) {
          values[t] = Number.NaN;
        } else if (typeof v !== 'number' || !Number.isFinite(v)) {
          throw new ValidationError(`series[${i}].values[${t}] must be a finite number or null`, {
            series: i,
            index: t,
            value: v,
          });
        } else {
          values[t] = v;
          seen++;
        }
      });
      if (seen === 0) throw new ValidationError(`series[${i}] has no values, only gaps`);
      if (s.signal !== undefined && !isSignalName(s.signal)) {
        throw new InvalidRequestError(`series[${i}].signal ${s.signal} is not a telemetry signal`);
      }
      return values.length > model.contextLength ? values.slice(-model.contextLength) : values;
    });
    const signalIds = request.series.map((s) =>
      s.signal === undefined ? 0 : signalIdOf(s.signal),
    );
    const out = await this.forecaster(model, request.method).forecast(contexts, {
      horizon: request.horizon,
      quantiles: levels,
      seasons: contexts.map(() => request.season ?? 1),
      signalIds,
    });
    return {
      model: { contextLength: model.contextLength, horizon: model.horizon, levels },
      forecasts: out.map((f, i) => toOut(f, request.series[i].id ?? String(i))),
    };
  }

  async vehicleForecast(
    vehicleId: string,
    query: VehicleForecastQueryDto,
  ): Promise<VehicleForecastResponse> {
    const model = this.model();
    const signal = query.signal ?? 'speed_mps';
    if (!isSignalName(signal)) throw new InvalidRequestError(`unknown signal ${signal}`);
    const every = parseDuration(query.every ?? '1s', 'every');
    const horizon = query.horizon ?? 64;
    const context = query.context ?? model.contextLength;
    const latest = await this.store.latest(vehicleId);
    if (latest === undefined) throw new NotFoundError(`vehicle ${vehicleId} has no telemetry`);
    // Whole buckets aligned like the store's: the last one holds the latest sample.
    const to = (Math.floor(latest.ts / every) + 1) * every;
    const from = to - context * every;
    const frame = await this.store.downsample({ vehicleId, from, to, every, signals: [signal] });
    const history = new Float32Array(context).fill(Number.NaN);
    const mean = frame.columns[signal]?.mean;
    frame.bucketStart.forEach((start, k) => {
      const slot = Math.round((start - from) / every);
      if (mean !== undefined && slot >= 0 && slot < context) history[slot] = mean[k];
    });
    if (history.every((v) => Number.isNaN(v))) {
      throw new ValidationError(
        `vehicle ${vehicleId} has no ${signal} values in the context window`,
      );
    }
    const [f] = await model.forecast([history.slice(-model.contextLength)], {
      horizon,
      quantiles: model.quantiles,
      signalIds: [signalIdOf(signal)],
    });
    const { mean: fMean, quantiles } = toOut(f, vehicleId);
    return {
      vehicleId,
      signal,
      every,
      history: {
        ts: Array.from({ length: context }, (_, k) => from + k * every),
        values: Array.from(history, (v) => (Number.isNaN(v) ? null : v)),
      },
      forecast: {
        ts: Array.from({ length: horizon }, (_, k) => to + k * every),
        mean: fMean,
        quantiles,
      },
    };
  }
}
