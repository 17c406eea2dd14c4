import { Agent } from 'node:http';
import { InfluxDB, type Transport } from '@influxdata/influxdb-client';
import { SIGNAL_NAMES, type TelemetrySample } from '@fleetfm/domain';
import {
  TimeSeriesStore,
  type DownsampleQuery,
  type DownsampledFrame,
  type RangeQuery,
  type StoreHealth,
  type TelemetryFrame,
  type VehicleSummary,
} from '../time-series-store.port';
import { ChunkedWriter, type ChunkedWriterOptions } from './chunked-writer';
import { FluxCsvReader, parseFluxTime, type FluxRowHandler } from './flux-csv.reader';
import { ALL_TIME, edgeQuery, latestQuery, rangeQuery } from './flux-queries';
import { describeError, toDomainError } from './influx-errors';
import { LEGACY_PRESENT_FIELD, PRESENT_FIELD } from './line-protocol.encoder';
import { LongFrameBuilder, downsampleFrame } from './long-frame.builder';

export interface InfluxStoreOptions extends ChunkedWriterOptions {
  /** Base URL, e.g. http://127.0.0.1:8086. */
  readonly url: string;
  /** API token; for InfluxDB 1.x `user:password`, anything when auth is off. */
  readonly token: string;
  /** Organisation; "-" for InfluxDB 1.x. */
  readonly org: string;
  /** Bucket; `database/retention-policy` for InfluxDB 1.x. */
  readonly bucket: string;
  /** Socket inactivity timeout of any request, ms. Default 30000. */
  readonly timeoutMs?: number;
  /** Timeout of the health probe, ms. Default 2000. */
  readonly healthTimeoutMs?: number;
  /** Gzip write bodies larger than this many bytes. Default: never (faster on a LAN). */
  readonly gzipThreshold?: number;
}

/**
 * `TimeSeriesStore` on InfluxDB (2.x API; 1.8 with Flux enabled works too). Measurement
 * `telemetry`, tag `vehicle_id`, one float field per signal, ms timestamps, plus two fields
 * that make a rewrite replace the whole sample: the string `driver_id` (only when the sample
 * has one) and the integer `present` (bit mask of the signals and driver the sample carried;
 * see line-protocol.encoder.ts). The driver is a field, not a tag, on purpose: as a tag, a
 * sample rewritten with another (or no) driver would become a second point in another series
 * instead of replacing the first. Queries read long-format Flux CSV and pivot and downsample
 * in TypeScript (see long-frame.builder.ts for why).
 */
export class InfluxTimeSeriesStore extends TimeSeriesStore {
  readonly kind = 'influx' as const;
  private readonly agent: Agent;
  private readonly transport: Transport;
  private readonly writer: ChunkedWriter;
  private readonly queryPath: string;

  constructor(private readonly options: InfluxStoreOptions) {
    super();
    this.agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const client = new InfluxDB({
      url: options.url,
      token: options.token,
      timeout: options.timeoutMs ?? 30_000,
      transportOptions: { agent: this.agent },
    });
    this.transport = client.transport;
    const writePath =
      `/api/v2/write?org=${encodeURIComponent(options.org)}` +
      `&bucket=${encodeURIComponent(options.bucket)}&precision=ms`;
    this.queryPath = `/api/v2/query?org=${encodeURIComponent(options.org)}`;
    this.writer = new ChunkedWriter(async (body) => {
      await this.transport.request(writePath, body, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        gzipThreshold: options.gzipThreshold,
      });
    }, options);
  }

  async write(samples: readonly TelemetrySample[]): Promise<void> {
    if (samples.length === 0) return;
    await this.writer.write(samples);
  }

  async query(query: RangeQuery): Promise<TelemetryFrame> {
    const signals = query.signals ?? SIGNAL_NAMES;
    const from = Math.max(query.from, ALL_TIME.from);
    const to = Math.min(query.to, ALL_TIME.to);
    const builder = new LongFrameBuilder(from, to);
    if (from < to && signals.length > 0) {
      const fields = [...signals, PRESENT_FIELD, LEGACY_PRESENT_FIELD];
      await this.run(
        rangeQuery(this.options.bucket, query.vehicleId, from, to, fields),
        builder.add,
      );
    }
    return builder.toFrame(query.vehicleId, signals);
  }

  async downsample(query: DownsampleQuery): Promise<DownsampledFrame> {
    if (!(query.every > 0)) throw new Error(`every must be > 0, got ${query.every}`);
    return downsampleFrame(await this.query(query), query.every);
  }

  async listVehicles(): Promise<VehicleSummary[]> {
    const { bucket } = this.options;
    const edges = new Map<string, { first: number; last: number }>();
    const collect =
      (edge: 'first' | 'last'): FluxRowHandler =>
      (time, _value, _field, vehicleId) => {
        const t = parseFluxTime(time);
        const e = edges.get(vehicleId) ?? { first: Infinity, last: -Infinity };
        if (edge === 'first') e.first = Math.min(e.first, t);
        else e.last = Math.max(e.last, t);
        edges.set(vehicleId, e);
      };
    await Promise.all([
      this.run(edgeQuery(bucket, 'first'), collect('first')),
      this.run(edgeQuery(bucket, 'last'), collect('last')),
    ]);
    return [...edges].map(([vehicleId, e]) => ({ vehicleId, firstTs: e.first, lastTs: e.last }));
  }

  async latest(vehicleId: string): Promise<TelemetrySample | undefined> {
    const builder = new LongFrameBuilder();
    await this.run(latestQuery(this.options.bucket, vehicleId), builder.add);
    return builder.toLatest(vehicleId);
  }

  async health(): Promise<StoreHealth> {
    try {
      const body = (await this.transport.request('/health', '', {
        method: 'GET',
        signal: AbortSignal.timeout(this.options.healthTimeoutMs ?? 2000),
      })) as { status?: string; message?: string } | undefined;
      const ok = body?.status === 'pass';
      return ok
        ? { ok, kind: this.kind }
        : { ok, kind: this.kind, detail: body?.message ?? `status ${body?.status}` };
    } catch (err) {
      return { ok: false, kind: this.kind, detail: describeError(err) };
    }
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }

  /** Runs a Flux query and streams its CSV rows into `onRow`. */
  private async run(flux: string, onRow: FluxRowHandler): Promise<void> {
    const reader = new FluxCsvReader(onRow);
    const body = JSON.stringify({
      query: flux,
      dialect: { header: true, delimiter: ',', annotations: ['datatype', 'group', 'default'] },
      type: 'flux',
    });
    try {
      const chunks = this.transport.iterate(this.queryPath, body, {
        method: 'POST',
        headers: { accept: 'text/csv', 'content-type': 'application/json; charset=utf-8' },
      });
      for await (const chunk of chunks) reader.push(chunk);
      reader.end();
    } catch (err) {
      throw toDomainError(err, 'query');
    }
  }
}
