import { performance } from 'node:perf_hooks';
import type { TelemetrySample } from '@fleetfm/domain';
import {
  TimeSeriesStore,
  type DownsampleQuery,
  type DownsampledFrame,
  type RangeQuery,
  type StoreHealth,
  type TelemetryFrame,
  type VehicleSummary,
} from '@fleetfm/timeseries';

export interface WriteStats {
  readonly writes: number;
  readonly samples: number;
  /** Summed duration of store.write calls, s: how long ingestion waited on the store. */
  readonly seconds: number;
}

/** Delegates to a store and times its writes (to split ingest time into store vs the rest). */
export class InstrumentedStore extends TimeSeriesStore {
  private writes = 0;
  private samples = 0;
  private ms = 0;

  constructor(private readonly inner: TimeSeriesStore) {
    super();
  }

  get kind(): 'embedded' | 'influx' {
    return this.inner.kind;
  }

  stats(): WriteStats {
    return { writes: this.writes, samples: this.samples, seconds: this.ms / 1000 };
  }

  async write(samples: readonly TelemetrySample[]): Promise<void> {
    const started = performance.now();
    await this.inner.write(samples);
    this.ms += performance.now() - started;
    this.writes++;
    this.samples += samples.length;
  }

  query(query: RangeQuery): Promise<TelemetryFrame> {
    return this.inner.query(query);
  }

  downsample(query: DownsampleQuery): Promise<DownsampledFrame> {
    return this.inner.downsample(query);
  }

  listVehicles(): Promise<VehicleSummary[]> {
    return this.inner.listVehicles();
  }

  latest(vehicleId: string): Promise<TelemetrySample | undefined> {
    return this.inner.latest(vehicleId);
  }

  health(): Promise<StoreHealth> {
    return this.inner.health();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
