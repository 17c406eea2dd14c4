import { loadConfig } from '@fleetfm/config';
import { SIGNAL_NAMES, type SignalName, type TelemetrySample } from '@fleetfm/domain';
import { InfluxTimeSeriesStore, type InfluxStoreOptions } from '@fleetfm/timeseries';
import { median, type Benchmark, type BenchMetric } from './harness';

// Needs a running InfluxDB: `bash scripts/services/up.sh influx` (defaults below) or INFLUX_URL.
const LOCAL = {
  url: 'http://127.0.0.1:18086',
  token: 'fleetfm:fleetfm',
  org: '-',
  bucket: 'fleetfm/autogen',
};
const VEHICLES = 20;
const HZ = 10;
const BATCH = 5000;
const WRITE_SAMPLES = 400_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);
const QUERY_REPS = 7;
const SIGNALS8 = SIGNAL_NAMES.filter((s) => s !== 'grade_pct');

function batch(run: string, b: number): TelemetrySample[] {
  const out: TelemetrySample[] = new Array(BATCH);
  for (let i = 0; i < BATCH; i++) {
    const n = b * BATCH + i;
    const v = n % VEHICLES;
    const t = Math.floor(n / VEHICLES);
    const signals: Partial<Record<SignalName, number>> = {};
    for (let k = 0; k < SIGNALS8.length; k++) signals[SIGNALS8[k]] = ((t * 7 + k * 13) % 1000) / 8;
    out[i] = { vehicleId: `${run}-v${v}`, driverId: `d${v}`, ts: T0 + (t * 1000) / HZ, signals };
  }
  return out;
}

async function writeRate(connection: InfluxStoreOptions, label: string): Promise<number> {
  const store = new InfluxTimeSeriesStore(connection);
  const run = `bw${Date.now().toString(36)}${label}`;
  const batches = Array.from({ length: WRITE_SAMPLES / BATCH }, (_, b) => batch(run, b));
  const started = performance.now();
  for (const samples of batches) await store.write(samples);
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  return WRITE_SAMPLES / seconds;
}

async function timed(reps: number, fn: () => Promise<unknown>): Promise<number> {
  const ms: number[] = [];
  for (let r = 0; r < reps; r++) {
    const started = performance.now();
    await fn();
    ms.push(performance.now() - started);
  }
  return median(ms);
}

/** Flux's own pivot, downloaded but not even parsed: the alternative to pivoting in TS. */
async function fluxPivotMs(connection: InfluxStoreOptions, vehicleId: string): Promise<number> {
  const query =
    `from(bucket: "${connection.bucket}") |> range(start: ${new Date(T0).toISOString()}, stop: ${new Date(T0 + HOUR).toISOString()})` +
    ` |> filter(fn: (r) => r._measurement == "telemetry" and r.vehicle_id == "${vehicleId}")` +
    ` |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")`;
  return timed(QUERY_REPS, async () => {
    const res = await fetch(`${connection.url}/api/v2/query?org=${connection.org}`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.flux', accept: 'text/csv' },
      body: query,
    });
    if (!res.ok) throw new Error(`pivot query: HTTP ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  });
}

const bench: Benchmark = {
  name: 'influx-store',
  description: `InfluxDB adapter: write rate (${WRITE_SAMPLES} samples x 8 signals, write() of ${BATCH}), 1-hour queries`,
  async run() {
    const connection: InfluxStoreOptions = loadConfig().influx ?? LOCAL;
    const metrics: BenchMetric[] = [];
    for (const [label, options] of [
      ['inflight1', { maxInFlight: 1, batchSize: 5000 }],
      ['inflight2', { maxInFlight: 2, batchSize: 2500 }],
      ['inflight4', { maxInFlight: 4, batchSize: 1250 }],
      ['inflight2-gzip', { maxInFlight: 2, batchSize: 2500, gzipThreshold: 1024 }],
    ] as const) {
      const rate = await writeRate({ ...connection, ...options }, label);
      metrics.push({
        metric: `write samples/s (${label})`,
        value: rate,
        unit: 'samples/s',
        target: '>= 100000',
        pass: rate >= 100_000,
      });
    }

    // One vehicle, one hour at 10 Hz: 36,000 samples x 8 signals.
    const store = new InfluxTimeSeriesStore(connection);
    const vehicleId = `bq${Date.now().toString(36)}`;
    const hour: TelemetrySample[] = [];
    for (let t = 0; t < HOUR; t += 1000 / HZ) {
      const signals: Partial<Record<SignalName, number>> = {};
      for (const s of SIGNALS8) signals[s] = (t % 977) / 4;
      hour.push({ vehicleId, driverId: 'd1', ts: T0 + t, signals });
    }
    await store.write(hour);
    let rows = 0;
    const queryMs = await timed(QUERY_REPS, async () => {
      rows = (await store.query({ vehicleId, from: T0, to: T0 + HOUR, signals: SIGNALS8 })).ts
        .length;
    });
    if (rows !== hour.length) throw new Error(`query returned ${rows} rows, wrote ${hour.length}`);
    metrics.push({
      metric: 'query 1 h (36k x 8), long format + TS pivot',
      value: queryMs,
      unit: 'ms',
      target: '< 1000',
      pass: queryMs < 1000,
    });
    metrics.push({
      metric: 'same with Flux pivot(), download only',
      value: await fluxPivotMs(connection, vehicleId),
      unit: 'ms',
    });
    const downsampleMs = await timed(QUERY_REPS, () =>
      store.downsample({ vehicleId, from: T0, to: T0 + HOUR, every: 10_000, signals: SIGNALS8 }),
    );
    metrics.push({ metric: 'downsample 1 h to 10 s', value: downsampleMs, unit: 'ms' });
    metrics.push({
      metric: 'latest',
      value: await timed(QUERY_REPS, () => store.latest(vehicleId)),
      unit: 'ms',
    });
    let vehicles = 0;
    const listMs = await timed(3, async () => {
      vehicles = (await store.listVehicles()).length;
    });
    metrics.push({
      metric: `listVehicles (${vehicles} vehicles in the bucket)`,
      value: listMs,
      unit: 'ms',
    });
    await store.close();
    return {
      name: 'influx-store',
      metrics,
      meta: { writeSamples: WRITE_SAMPLES, batch: BATCH, hz: HZ, vehicles: VEHICLES },
    };
  },
};

export default bench;
