import { Inject, Injectable } from '@nestjs/common';
import {
  InvalidRequestError,
  NotFoundError,
  SIGNAL_NAMES,
  ValidationError,
  isSignalName,
  parseDuration,
  parseInstant,
  type SignalName,
} from '@fleetfm/domain';
import { TimeSeriesStore, type VehicleSummary } from '@fleetfm/timeseries';
import type { TelemetryQueryDto } from './telemetry-query.dto';

/** Default window when a request gives no `from`. */
export const DEFAULT_WINDOW_MS = 15 * 60_000;
/** Raw (not downsampled) requests may span at most this much; beyond it `every` is required. */
export const MAX_RAW_SPAN_MS = 24 * 3_600_000;
/** Downsampled requests may return at most this many buckets. */
export const MAX_BUCKETS = 100_000;

export interface RawTelemetryResponse {
  vehicleId: string;
  from: number;
  to: number;
  signals: SignalName[];
  count: number;
  ts: number[];
  values: Partial<Record<SignalName, (number | null)[]>>;
}

export interface DownsampledTelemetryResponse extends Omit<RawTelemetryResponse, 'values'> {
  every: number;
  values: Partial<
    Record<SignalName, { mean: (number | null)[]; min: (number | null)[]; max: (number | null)[] }>
  >;
}

function toNullable(column: Float64Array | undefined, length: number): (number | null)[] {
  const out = new Array<number | null>(length);
  for (let i = 0; i < length; i++) {
    const v = column === undefined ? Number.NaN : column[i];
    out[i] = Number.isNaN(v) ? null : v;
  }
  return out;
}

function parseSignals(raw: string | undefined): SignalName[] {
  if (raw === undefined || raw.trim() === '') return [...SIGNAL_NAMES];
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const unknown = names.filter((n) => !isSignalName(n));
  if (unknown.length > 0) {
    throw new InvalidRequestError(
      `unknown signal(s): ${unknown.join(', ')}; known: ${SIGNAL_NAMES.join(', ')}`,
    );
  }
  return [...new Set(names as SignalName[])];
}

@Injectable()
export class VehiclesService {
  constructor(@Inject(TimeSeriesStore) private readonly store: TimeSeriesStore) {}

  async list(): Promise<VehicleSummary[]> {
    const vehicles = await this.store.listVehicles();
    return [...vehicles].sort((a, b) => a.vehicleId.localeCompare(b.vehicleId));
  }

  async telemetry(
    vehicleId: string,
    query: TelemetryQueryDto,
  ): Promise<RawTelemetryResponse | DownsampledTelemetryResponse> {
    const signals = parseSignals(query.signals);
    const every = query.every === undefined ? undefined : parseDuration(query.every, 'every');
    let to = query.to === undefined ? undefined : parseInstant(query.to, 'to');
    if (to === undefined) {
      const latest = await this.store.latest(vehicleId);
      if (latest === undefined) throw new NotFoundError(`vehicle ${vehicleId} has no telemetry`);
      to = latest.ts + 1;
    }
    const from =
      query.from === undefined ? to - DEFAULT_WINDOW_MS : parseInstant(query.from, 'from');
    if (from >= to) throw new InvalidRequestError(`from (${from}) must be before to (${to})`);
    if (every === undefined && to - from > MAX_RAW_SPAN_MS) {
      throw new ValidationError(
        `a raw query may span at most 24h; add every (e.g. every=1m) to downsample`,
      );
    }
    if (every !== undefined && (to - from) / every > MAX_BUCKETS) {
      throw new ValidationError(
        `every=${every}ms gives more than ${MAX_BUCKETS} buckets; widen it`,
      );
    }
    if (every === undefined) {
      const frame = await this.store.query({ vehicleId, from, to, signals });
      const count = frame.ts.length;
      const values: RawTelemetryResponse['values'] = {};
      for (const s of signals) values[s] = toNullable(frame.columns[s], count);
      return { vehicleId, from, to, signals, count, ts: Array.from(frame.ts), values };
    }
    const frame = await this.store.downsample({ vehicleId, from, to, signals, every });
    const count = frame.bucketStart.length;
    const values: DownsampledTelemetryResponse['values'] = {};
    for (const s of signals) {
      const agg = frame.columns[s];
      values[s] = {
        mean: toNullable(agg?.mean, count),
        min: toNullable(agg?.min, count),
        max: toNullable(agg?.max, count),
      };
    }
    return {
      vehicleId,
      from,
      to,
      every,
      signals,
      count,
      ts: Array.from(frame.bucketStart),
      values,
    };
  }
}
