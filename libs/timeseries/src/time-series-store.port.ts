import type { EpochMs, SignalName, TelemetrySample } from '@fleetfm/domain';

/** Columnar samples of one vehicle, sorted by time. Missing values are NaN. */
export interface TelemetryFrame {
  readonly vehicleId: string;
  readonly ts: Float64Array;
  readonly columns: Readonly<Partial<Record<SignalName, Float64Array>>>;
}

export interface RangeQuery {
  readonly vehicleId: string;
  /** Inclusive, epoch ms. */
  readonly from: EpochMs;
  /** Exclusive, epoch ms. */
  readonly to: EpochMs;
  /**
   * Signals to return; all known signals when absent. The frame has exactly these columns,
   * NaN-filled where a sample did not carry the signal.
   */
  readonly signals?: readonly SignalName[];
}

export interface DownsampleQuery extends RangeQuery {
  /** Bucket width in ms; buckets are aligned to multiples of `every` since the epoch. */
  readonly every: number;
}

export interface SignalAggregates {
  readonly mean: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
}

/** One row per non-empty bucket, sorted by bucket start. NaN where a signal had no value. */
export interface DownsampledFrame {
  readonly vehicleId: string;
  readonly every: number;
  readonly bucketStart: Float64Array;
  readonly columns: Readonly<Partial<Record<SignalName, SignalAggregates>>>;
}

export interface VehicleSummary {
  readonly vehicleId: string;
  readonly firstTs: EpochMs;
  readonly lastTs: EpochMs;
}

export interface StoreHealth {
  readonly ok: boolean;
  readonly kind: 'embedded' | 'influx';
  readonly detail?: string;
}

/**
 * The time-series store port. Adapters: embedded (on disk) and InfluxDB.
 * Writes are idempotent: a sample with the same vehicle and timestamp as a stored one replaces it
 * entirely (last write wins, its set of signals included), so replaying a batch changes nothing.
 * Every adapter passes `describeTimeSeriesStoreContract` (contract/time-series-store.contract.ts).
 */
export abstract class TimeSeriesStore {
  abstract readonly kind: 'embedded' | 'influx';
  /** Resolves once the samples are durable (survive a crash of this process). */
  abstract write(samples: readonly TelemetrySample[]): Promise<void>;
  abstract query(query: RangeQuery): Promise<TelemetryFrame>;
  abstract downsample(query: DownsampleQuery): Promise<DownsampledFrame>;
  /** Every vehicle with at least one sample, sorted by id. */
  abstract listVehicles(): Promise<VehicleSummary[]>;
  /** The newest sample of a vehicle, or undefined when the vehicle has none. */
  abstract latest(vehicleId: string): Promise<TelemetrySample | undefined>;
  abstract health(): Promise<StoreHealth>;
  abstract close(): Promise<void>;
}
