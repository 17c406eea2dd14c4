import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SignalName, TelemetrySample } from '@fleetfm/domain';
import { Prng } from '@fleetfm/simulator';
import { EmbeddedTimeSeriesStore } from '@fleetfm/timeseries';
import { median, percentile, type Benchmark, type BenchResult } from './harness';

const VEHICLES = 20;
const TOTAL_SAMPLES = 2_000_000;
const BATCH = 5000;
const HZ = 10;
const T0 = Date.UTC(2026, 0, 1);
const QUERY_SIGNALS: SignalName[] = [
  'accel_mps2',
  'battery_current_a',
  'battery_voltage_v',
  'brake_pct',
  'motor_torque_nm',
  'pedal_pct',
  'soc_pct',
  'speed_mps',
];
const QUERY_REPS = 50;
const HOUR = 3_600_000;

/** Batch `b` of the ingest stream: 20 vehicles interleaved in time order, 10 Hz each. */
function makeBatch(b: number, random: () => number): TelemetrySample[] {
  const out: TelemetrySample[] = new Array(BATCH);
  for (let i = 0; i < BATCH; i++) {
    const n = b * BATCH + i;
    const step = Math.floor(n / VEHICLES);
    const speed = 15 + 10 * Math.sin(step / 600) + random();
    out[i] = {
      vehicleId: `veh-${String(n % VEHICLES).padStart(3, '0')}`,
      driverId: `drv-${n % 7}`,
      ts: T0 + (step * 1000) / HZ,
      signals: {
        accel_mps2: random() * 2 - 1,
        battery_current_a: 100 * random(),
        battery_voltage_v: 380 + random(),
        brake_pct: 0,
        grade_pct: 1,
        motor_torque_nm: 200 * random(),
        pedal_pct: 30 * random(),
        soc_pct: 80 - step / 10_000,
        speed_mps: speed,
      },
    };
  }
  return out;
}

interface IngestTimes {
  readonly seconds: number;
  /** CPU seconds (user + system) of this process inside `write()`: robust to a busy machine. */
  readonly cpuSeconds: number;
  readonly closeSeconds: number;
}

async function measureIngest(dir: string): Promise<IngestTimes> {
  const store = await EmbeddedTimeSeriesStore.open(dir);
  const prng = new Prng(42);
  const random = (): number => prng.next();
  let ns = 0n;
  let cpuMicros = 0;
  for (let b = 0; b < TOTAL_SAMPLES / BATCH; b++) {
    const batch = makeBatch(b, random); // generation is not part of the store's write path
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    await store.write(batch);
    ns += process.hrtime.bigint() - start;
    const used = process.cpuUsage(cpu);
    cpuMicros += used.user + used.system;
  }
  const closeStart = process.hrtime.bigint();
  await store.close();
  const closeSeconds = Number(process.hrtime.bigint() - closeStart) / 1e9;
  return { seconds: Number(ns) / 1e9, cpuSeconds: cpuMicros / 1e6, closeSeconds };
}

async function measureQueries(
  dir: string,
): Promise<{ cold: number; warm: number[]; rows: number }> {
  const store = await EmbeddedTimeSeriesStore.open(dir);
  const prng = new Prng(7);
  const random = (): number => prng.next();
  const spanMs = (TOTAL_SAMPLES / VEHICLES / HZ) * 1000;
  const timeOne = async (): Promise<{ ms: number; rows: number }> => {
    const vehicle = `veh-${String(Math.floor(random() * VEHICLES)).padStart(3, '0')}`;
    const from = T0 + Math.floor((random() * (spanMs - HOUR)) / 100) * 100;
    const start = process.hrtime.bigint();
    const frame = await store.query({
      vehicleId: vehicle,
      from,
      to: from + HOUR,
      signals: QUERY_SIGNALS,
    });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    return { ms, rows: frame.ts.length };
  };
  const cold = await timeOne();
  const warm: number[] = [];
  let rows = cold.rows;
  for (let i = 0; i < QUERY_REPS; i++) {
    const r = await timeOne();
    warm.push(r.ms);
    rows = Math.min(rows, r.rows);
  }
  await store.close();
  return { cold: cold.ms, warm, rows };
}

const bench: Benchmark = {
  name: 'store',
  description:
    'Embedded time-series store: durable ingest (WAL fsync per 5000-sample batch, 20 vehicles, ' +
    '9 signals) and 1-hour 10 Hz range queries (36,000 samples x 8 signals)',
  async run(): Promise<BenchResult> {
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'fleetfm-store-bench-'));
    try {
      const ingest = await measureIngest(dir);
      const rate = TOTAL_SAMPLES / ingest.seconds;
      const q = await measureQueries(dir);
      const p50 = median(q.warm);
      return {
        name: 'store',
        metrics: [
          {
            metric: 'ingest throughput (write path incl. fsync)',
            value: rate,
            unit: 'samples/s',
            target: '>= 200,000',
            pass: rate >= 200_000,
          },
          {
            metric: 'ingest per CPU-second (contention-free view)',
            value: TOTAL_SAMPLES / ingest.cpuSeconds,
            unit: 'samples/s',
          },
          {
            metric: 'close (flush heads to segments)',
            value: ingest.closeSeconds * 1000,
            unit: 'ms',
          },
          {
            metric: '1 h query p50 (36,000 x 8)',
            value: p50,
            unit: 'ms',
            target: '< 100',
            pass: p50 < 100,
          },
          { metric: '1 h query p99', value: percentile(q.warm, 99), unit: 'ms' },
          { metric: '1 h query, first after reopen', value: q.cold, unit: 'ms' },
        ],
        meta: {
          samples: TOTAL_SAMPLES,
          vehicles: VEHICLES,
          batch: BATCH,
          queryRepetitions: QUERY_REPS,
          rowsPerQuery: q.rows,
          rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
          loadAverage1m: os.loadavg()[0],
        },
      };
    } finally {
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
  },
};

export default bench;
