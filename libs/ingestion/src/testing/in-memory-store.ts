import { SIGNAL_NAMES, type SignalName, type TelemetrySample } from '@fleetfm/domain';
import {
  TimeSeriesStore,
  type DownsampledFrame,
  type DownsampleQuery,
  type RangeQuery,
  type SignalAggregates,
  type StoreHealth,
  type TelemetryFrame,
  type VehicleSummary,
} from '@fleetfm/timeseries';

/**
 * A TimeSeriesStore in a Map, for ingestion tests and the ingest benchmark only (the real
 * embedded adapter lives in @fleetfm/timeseries). Idempotent like the port demands: a sample
 * with the same vehicle and timestamp replaces the stored one. `failNextWrites(n)` makes the
 * next n writes reject, to exercise retries.
 */
export class InMemoryTimeSeriesStore extends TimeSeriesStore {
  readonly kind = 'embedded' as const;
  /** Every write call, including failed ones. */
  writeCalls = 0;
  /** Samples handed to successful writes (a rewrite of the same point counts again). */
  samplesAccepted = 0;
  private readonly series = new Map<string, Map<number, TelemetrySample>>();
  private failuresLeft = 0;

  failNextWrites(count: number): void {
    this.failuresLeft = count;
  }

  /** Distinct stored points over all vehicles. */
  get size(): number {
    let n = 0;
    for (const points of this.series.values()) n += points.size;
    return n;
  }

  async write(samples: readonly TelemetrySample[]): Promise<void> {
    this.writeCalls += 1;
    if (this.failuresLeft > 0) {
      this.failuresLeft -= 1;
      throw new Error('store unavailable (injected failure)');
    }
    for (const sample of samples) {
      let points = this.series.get(sample.vehicleId);
      if (!points) {
        points = new Map();
        this.series.set(sample.vehicleId, points);
      }
      points.set(sample.ts, sample);
    }
    this.samplesAccepted += samples.length;
  }

  async query(query: RangeQuery): Promise<TelemetryFrame> {
    const rows = this.range(query);
    const columns: Partial<Record<SignalName, Float64Array>> = {};
    for (const name of query.signals ?? SIGNAL_NAMES) {
      columns[name] = Float64Array.from(rows, (s) => s.signals[name] ?? Number.NaN);
    }
    return { vehicleId: query.vehicleId, ts: Float64Array.from(rows, (s) => s.ts), columns };
  }

  async downsample(query: DownsampleQuery): Promise<DownsampledFrame> {
    const buckets = new Map<number, TelemetrySample[]>();
    for (const sample of this.range(query)) {
      const start = Math.floor(sample.ts / query.every) * query.every;
      buckets.set(start, [...(buckets.get(start) ?? []), sample]);
    }
    const starts = [...buckets.keys()].sort((a, b) => a - b);
    const columns: Partial<Record<SignalName, SignalAggregates>> = {};
    for (const name of query.signals ?? SIGNAL_NAMES) {
      const agg = { mean: [] as number[], min: [] as number[], max: [] as number[] };
      for (const start of starts) {
        const values = (buckets.get(start) ?? [])
          .map((s) => s.signals[name])
          .filter((v): v is number => v !== undefined);
        const empty = values.length === 0;
        agg.mean.push(empty ? NaN : values.reduce((a, b) => a + b, 0) / values.length);
        agg.min.push(empty ? NaN : Math.min(...values));
        agg.max.push(empty ? NaN : Math.max(...values));
      }
      columns[name] = {
        mean: Float64Array.from(agg.mean),
        min: Float64Array.from(agg.min),
        max: Float64Array.from(agg.max),
      };
    }
    return {
      vehicleId: query.vehicleId,
      every: query.every,
      bucketStart: Float64Array.from(starts),
      columns,
    };
  }

  async listVehicles(): Promise<VehicleSummary[]> {
    return [...this.series.entries()]
      .map(([vehicleId, points]) => {
        const ts = [...points.keys()];
        return { vehicleId, firstTs: Math.min(...ts), lastTs: Math.max(...ts) };
      })
      .sort((a, b) => a.vehicleId.localeCompare(b.vehicleId));
  }

  async latest(vehicleId: string): Promise<TelemetrySample | undefined> {
    const points = this.series.get(vehicleId);
    if (!points || points.size === 0) return undefined;
    return points.get(Math.max(...points.keys()));
  }

  async health(): Promise<StoreHealth> {
    return { ok: this.failuresLeft === 0, kind: 'embedded', detail: 'in-memory test store' };
  }

  async close(): Promise<void> {
    this.series.clear();
  }

  private range(query: RangeQuery): TelemetrySample[] {
    const points = this.series.get(query.vehicleId);
    if (!points) return [];
    return [...points.values()]
      .filter((s) => s.ts >= query.from && s.ts < query.to)
      .sort((a, b) => a.ts - b.ts);
  }
}
