import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '@fleetfm/config';
import { encodeTelemetryBatch } from '@fleetfm/domain';
import { decodeMessage, IngestionService, ingestionOptionsFromConfig } from '@fleetfm/ingestion';
import { Prng } from '@fleetfm/simulator';
import { EmbeddedTelemetryStream, type OutgoingMessage } from '@fleetfm/stream';
import { EmbeddedTimeSeriesStore, type TimeSeriesStore } from '@fleetfm/timeseries';
// A test helper, not public API: isolates the pipeline's own cost from the store's.
import { InMemoryTimeSeriesStore } from '../libs/ingestion/src/testing/in-memory-store';
import { median, type Benchmark, type BenchResult } from './harness';

const VEHICLES = 50;
const SAMPLES_PER_MESSAGE = 100;
const MESSAGES = 5000;
const TOTAL_SAMPLES = MESSAGES * SAMPLES_PER_MESSAGE;
const PUBLISH_CHUNK = 10;
const STREAM_CAPACITY = 1000;
const PARTITIONS = 6;
const RUNS = 3;
const HZ = 10;
const T0 = Date.UTC(2026, 0, 1);
const TOPIC = 'telemetry';
const TARGET = 200_000;

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

/**
 * Message m: 100 consecutive 10 Hz samples of vehicle m mod 50, as a JSON array or in the binary
 * batch encoding the simulator publishes by default.
 */
function makeMessages(encoding: 'json' | 'binary' = 'json'): OutgoingMessage[] {
  const prng = new Prng(42);
  const random = (): number => prng.next();
  const out: OutgoingMessage[] = [];
  for (let m = 0; m < MESSAGES; m++) {
    const vehicle = m % VEHICLES;
    const vehicleId = `veh-${String(vehicle).padStart(3, '0')}`;
    const firstStep = Math.floor(m / VEHICLES) * SAMPLES_PER_MESSAGE;
    const samples = [];
    for (let i = 0; i < SAMPLES_PER_MESSAGE; i++) {
      const step = firstStep + i;
      samples.push({
        vehicleId,
        driverId: `drv-${vehicle % 7}`,
        ts: T0 + (step * 1000) / HZ,
        signals: {
          accel_mps2: r3(random() * 2 - 1),
          battery_current_a: r3(100 * random()),
          battery_voltage_v: r3(380 + random()),
          brake_pct: 0,
          grade_pct: r3(random() - 0.5),
          motor_torque_nm: r3(200 * random()),
          pedal_pct: r3(30 * random()),
          soc_pct: r3(80 - step / 10_000),
          speed_mps: r3(15 + 10 * Math.sin(step / 600) + random()),
        },
      });
    }
    out.push({
      key: vehicleId,
      value:
        encoding === 'binary'
          ? encodeTelemetryBatch(samples)
          : Buffer.from(JSON.stringify(samples)),
    });
  }
  return out;
}

interface Timing {
  /** Wall-clock seconds from the first publish until every sample is written and committed. */
  readonly seconds: number;
  /** CPU seconds (user + system) this process spent meanwhile: steadier on a shared machine. */
  readonly cpuSeconds: number;
}

async function ingestOnce(store: TimeSeriesStore, messages: OutgoingMessage[]): Promise<Timing> {
  const config = loadConfig({});
  const stream = new EmbeddedTelemetryStream({ partitions: PARTITIONS, capacity: STREAM_CAPACITY });
  const sut = new IngestionService(stream, store, ingestionOptionsFromConfig(config));
  await sut.start();
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (let i = 0; i < messages.length; i += PUBLISH_CHUNK) {
    await stream.publish(TOPIC, messages.slice(i, i + PUBLISH_CHUNK));
  }
  for (;;) {
    const m = await sut.metrics();
    // The stream's own lag: metrics() reuses a measured lag for a second.
    const lag = await stream.lag(TOPIC, config.ingest.groupId);
    if (m.samplesWritten >= TOTAL_SAMPLES && lag === 0) break;
    if (m.itemsRejected > 0) throw new Error(`${m.itemsRejected} samples were rejected`);
    await new Promise((r) => setTimeout(r, 1));
  }
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  await sut.stop();
  await stream.close();
  return { seconds, cpuSeconds: (used.user + used.system) / 1e6 };
}

async function embeddedStoreRun(messages: OutgoingMessage[]): Promise<Timing> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetfm-ingest-bench-'));
  const store = await EmbeddedTimeSeriesStore.open(dir);
  try {
    return await ingestOnce(store, messages);
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function decodeOnly(messages: OutgoingMessage[]): number {
  const started = performance.now();
  let samples = 0;
  for (const m of messages) samples += decodeMessage(m.value, 1 << 20).samples.length;
  if (samples !== messages.length * SAMPLES_PER_MESSAGE)
    throw new Error(`decoded ${samples} samples`);
  return (performance.now() - started) / 1000;
}

const bench: Benchmark = {
  name: 'ingest',
  description: `embedded stream -> validate -> store, ${TOTAL_SAMPLES.toLocaleString('en-US')} samples in JSON messages of ${SAMPLES_PER_MESSAGE}`,
  async run(): Promise<BenchResult> {
    const messages = makeMessages();
    const binary = makeMessages('binary');
    const bytes = messages.reduce((sum, m) => sum + m.value.length, 0);
    const binaryBytes = binary.reduce((sum, m) => sum + m.value.length, 0);
    decodeOnly(messages.slice(0, 500)); // warm-up
    decodeOnly(binary.slice(0, 500));
    const decode: number[] = [];
    const decodeBinary: number[] = [];
    const inMemory: Timing[] = [];
    const embedded: Timing[] = [];
    const loadBefore = os.loadavg()[0];
    for (let run = 0; run < RUNS; run++) {
      decode.push(TOTAL_SAMPLES / decodeOnly(messages));
      decodeBinary.push(TOTAL_SAMPLES / decodeOnly(binary));
      inMemory.push(await ingestOnce(new InMemoryTimeSeriesStore(), messages));
      embedded.push(await embeddedStoreRun(messages));
    }
    const perWall = (ts: Timing[]): number[] => ts.map((t) => TOTAL_SAMPLES / t.seconds);
    const perCpu = (ts: Timing[]): number[] => ts.map((t) => TOTAL_SAMPLES / t.cpuSeconds);
    const config = loadConfig({});
    return {
      name: 'ingest',
      metrics: [
        {
          metric: 'ingest, embedded store (median)',
          value: median(perWall(embedded)),
          unit: 'samples/s',
          target: `>= ${TARGET.toLocaleString('en-US')}`,
          pass: median(perWall(embedded)) >= TARGET,
        },
        {
          metric: 'ingest, embedded store, per CPU-second',
          value: median(perCpu(embedded)),
          unit: 'samples/cpu-s',
        },
        {
          metric: 'ingest, in-memory store (median)',
          value: median(perWall(inMemory)),
          unit: 'samples/s',
        },
        {
          metric: 'ingest, in-memory store, per CPU-second',
          value: median(perCpu(inMemory)),
          unit: 'samples/cpu-s',
        },
        { metric: 'decode + validate only (median)', value: median(decode), unit: 'samples/s' },
        {
          metric: 'decode + validate only, binary messages (median)',
          value: median(decodeBinary),
          unit: 'samples/s',
        },
        { metric: 'payload', value: bytes / TOTAL_SAMPLES, unit: 'bytes/sample' },
        { metric: 'payload, binary', value: binaryBytes / TOTAL_SAMPLES, unit: 'bytes/sample' },
      ],
      meta: {
        store:
          'EmbeddedTimeSeriesStore (@fleetfm/timeseries, WAL + segments in a temp dir); in-memory test store for comparison',
        messages: MESSAGES,
        samplesPerMessage: SAMPLES_PER_MESSAGE,
        vehicles: VEHICLES,
        runs: RUNS,
        stream: { partitions: PARTITIONS, capacity: STREAM_CAPACITY, publishChunk: PUBLISH_CHUNK },
        ingest: config.ingest,
        samplesPerSecond: {
          embedded: perWall(embedded),
          inMemory: perWall(inMemory),
          decode,
          decodeBinary,
        },
        samplesPerCpuSecond: { embedded: perCpu(embedded), inMemory: perCpu(inMemory) },
        // Other work on the machine depresses wall-clock figures; CPU-second figures less so.
        loadAverage1m: { before: loadBefore, after: os.loadavg()[0] },
      },
    };
  },
};

export default bench;
