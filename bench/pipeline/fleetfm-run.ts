import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { loadConfig, type FleetConfig } from '@fleetfm/config';
import { IngestionService, ingestionOptionsFromConfig } from '@fleetfm/ingestion';
import { createTelemetryStream } from '@fleetfm/stream';
import {
  InfluxTimeSeriesStore,
  openTimeSeriesStore,
  type TimeSeriesStore,
} from '@fleetfm/timeseries';
import { cpuShare, cpuSnapshot, threadCpuSeconds, type CpuShare } from './cpu-usage';
import type { Dataset, PhaseName } from './dataset';
import { InstrumentedStore, type WriteStats } from './instrumented-store';
import { PhaseProfiler } from './phase-profiler';
import {
  nowMs,
  type PublishCommand,
  type PublisherInit,
  type PublishReport,
} from './publisher.protocol';
import type { RunningServices } from './services';

export interface FleetFmRunOptions {
  readonly topic: string;
  readonly database: string;
  readonly groupId: string;
  /** Latency phase: publish at min(target, headroom x measured throughput) samples/s ... */
  readonly latencyTargetRate: number;
  readonly latencyHeadroom: number;
  /** ... for at most this long. */
  readonly latencySeconds: number;
  /** Messages per publish() in the latency phase (fine-grained produce times for the markers). */
  readonly chunkMessages: number;
  /**
   * Messages per publish() in the warm-up and throughput phases: one simulated window of the
   * whole fleet, as the runtime's fleet feed publishes (toMessages of one batch, one call).
   */
  readonly throughputChunkMessages: number;
  readonly pollMs: number;
  readonly phaseTimeoutMs: number;
  /** IngestionService instances in the consumer group (the benchmark uses 1). */
  readonly ingestWorkers: number;
  /** Config overrides for ingestion tuning experiments (INGEST_*). */
  readonly ingestOverrides: Readonly<Record<string, string | number>>;
  /** Experiment: producer compression other than the configured stream's (KAFKA_COMPRESSION). */
  readonly producerCompression?: 'gzip' | 'none';
  /** When set, the throughput phase of this thread is CPU-profiled into this folder. */
  readonly profileDir?: string;
}

export interface FleetFmRun {
  readonly config: FleetConfig;
  readonly throughput: PublishReport & {
    readonly storedAt: number;
    readonly cpu: CpuShare;
    /** CPU seconds of the ingest (main) thread over the phase. */
    readonly ingestThreadCpu: number;
    /** store.write calls during the throughput phase. */
    readonly writes: WriteStats;
  };
  readonly latency: PublishReport & { readonly samplesPerSecond: number };
  readonly samplesWritten: number;
  readonly messagesPublished: number;
  readonly ingestWorkers: number;
  /** How the InfluxDB store was opened. */
  readonly storeVia: string;
}

/**
 * `openTimeSeriesStore(config)`, which picks InfluxDB when INFLUX_URL is set; until the factory
 * does, the adapter is constructed from the same config (and the report says so).
 */
async function openInfluxStore(
  config: FleetConfig,
): Promise<{ store: TimeSeriesStore; via: string }> {
  const store = await openTimeSeriesStore(config);
  if (store.kind === 'influx') return { store, via: 'openTimeSeriesStore(config)' };
  await store.close();
  if (!config.influx) throw new Error('INFLUX_URL is not set');
  return {
    store: new InfluxTimeSeriesStore({ ...config.influx }),
    via: `new InfluxTimeSeriesStore(config.influx): openTimeSeriesStore(config) returned the ${store.kind} store`,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The publisher thread, driven one phase at a time. */
class Publisher {
  private readonly worker: Worker;
  private readonly ready: Promise<void>;
  private waiting: ((report: PublishReport) => void) | undefined;
  private failed: ((err: Error) => void) | undefined;
  private exited = false;

  constructor(init: PublisherInit) {
    this.worker = new Worker(path.join(__dirname, 'publisher.worker.js'), { workerData: init });
    this.ready = new Promise((resolve, reject) => {
      this.failed = reject;
      this.worker.on('message', (msg: 'ready' | PublishReport) => {
        if (msg === 'ready') resolve();
        else this.waiting?.(msg);
      });
      this.worker.on('error', (err) => this.failed?.(err));
      this.worker.on('exit', (code) => {
        this.exited = true;
        this.failed?.(new Error(`publisher thread exited (code ${code})`));
      });
    });
  }

  async run(cmd: PublishCommand): Promise<PublishReport> {
    await this.ready;
    const report = await new Promise<PublishReport>((resolve, reject) => {
      this.waiting = resolve;
      this.failed = reject;
      this.worker.postMessage(cmd);
    });
    if (report.error) throw new Error(`publisher (${cmd.phase}): ${report.error}`);
    return report;
  }

  async close(): Promise<void> {
    if (this.exited) return;
    this.failed = undefined;
    const exited = new Promise((resolve) => this.worker.once('exit', resolve));
    this.worker.postMessage('close');
    const timer = setTimeout(() => void this.worker.terminate(), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * FleetFM end to end: the publisher thread produces the pre-generated messages through the Kafka
 * stream adapter while one IngestionService (config defaults) consumes them into the InfluxDB
 * store opened by `openTimeSeriesStore`. Phases: warm-up (group joined, connections open),
 * throughput (as fast as the producer goes), latency (paced below the measured throughput).
 */
export async function runFleetFm(
  services: RunningServices,
  data: Dataset,
  options: FleetFmRunOptions,
): Promise<FleetFmRun> {
  const { addresses } = services;
  // Only for an embedded store the factory might open instead; removed at the end.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetfm-pipeline-bench-'));
  const config = loadConfig(
    {},
    {
      FLEETFM_DATA_DIR: dataDir,
      FLEETFM_LOG_LEVEL: 'warn',
      INFLUX_BUCKET: `${options.database}/autogen`,
      INFLUX_ORG: addresses.influxOrg,
      INFLUX_TOKEN: addresses.influxToken,
      INFLUX_URL: addresses.influxUrl,
      INGEST_GROUP_ID: options.groupId,
      KAFKA_BROKERS: addresses.kafkaBrokers,
      KAFKA_TOPIC: options.topic,
      ...options.ingestOverrides,
    },
  );
  const stream = await createTelemetryStream(config);
  const opened = await openInfluxStore(config);
  const store = new InstrumentedStore(opened.store);
  const samplesPerMessage = data.options.ticksPerMessage;
  const publisher = new Publisher({
    kafkaBrokers: addresses.kafkaBrokers,
    topic: options.topic,
    influxUrl: addresses.influxUrl,
    database: options.database,
    ...(options.producerCompression ? { compression: options.producerCompression } : {}),
    phases: {
      warmup: { ...data.phases.warmup, samplesPerMessage },
      throughput: { ...data.phases.throughput, samplesPerMessage },
      latency: { ...data.phases.latency, samplesPerMessage },
    },
  });
  const logger = { log: (): void => undefined, warn: (m: string) => console.warn(`[ingest] ${m}`) };
  const workers = Array.from(
    { length: options.ingestWorkers },
    () => new IngestionService(stream, store, ingestionOptionsFromConfig(config), logger),
  );
  // IngestionService.metrics() also asks Kafka for the lag (three admin requests); polled every
  // 50 ms that loaded the broker measurably, so progress is read from the store wrapper instead:
  // the same event (a store.write resolved), counted without any I/O.
  const samplesWritten = async (final = false): Promise<number> => {
    let counted = 0;
    for (const w of workers) {
      const m = await w.metrics();
      if (m.itemsRejected > 0) throw new Error(`${m.itemsRejected} samples were rejected`);
      counted += m.samplesWritten;
    }
    if (final && counted !== store.stats().samples) {
      throw new Error(
        `ingest counted ${counted} samples written, the store saw ${store.stats().samples}`,
      );
    }
    return counted;
  };
  try {
    for (const w of workers) await w.start();
    // A publisher failure must end the wait below instead of becoming an unhandled rejection.
    let publisherFailure: unknown;
    const watch = (report: Promise<PublishReport>): Promise<PublishReport> => {
      report.catch((err: unknown) => (publisherFailure ??= err));
      return report;
    };
    const waitWritten = async (target: number): Promise<number> => {
      const deadline = nowMs() + options.phaseTimeoutMs;
      for (;;) {
        if (publisherFailure !== undefined) throw publisherFailure;
        const written = store.stats().samples;
        if (written >= target) return nowMs();
        if (nowMs() > deadline) throw new Error(`only ${written}/${target} stored`);
        await sleep(50);
      }
    };
    const phase = (name: PhaseName, extra: Partial<PublishCommand> = {}): Promise<PublishReport> =>
      watch(
        publisher.run({
          phase: name,
          chunkMessages: options.chunkMessages,
          markerTimeoutMs: 30_000,
          pollMs: options.pollMs,
          ...extra,
        }),
      );

    let expected = data.phases.warmup.samples;
    await phase('warmup', { chunkMessages: options.throughputChunkMessages });
    await waitWritten(expected);

    expected += data.phases.throughput.samples;
    const profiler = options.profileDir ? new PhaseProfiler() : undefined;
    await profiler?.start();
    const cpuBefore = cpuSnapshot(services.pids);
    const threadCpu = threadCpuSeconds();
    const writesBefore = store.stats();
    const throughputReport = phase('throughput', {
      chunkMessages: options.throughputChunkMessages,
    });
    const storedAt = await waitWritten(expected);
    const cpu = cpuShare(cpuBefore, cpuSnapshot(services.pids));
    const ingestThreadCpu = threadCpuSeconds() - threadCpu;
    const writesAfter = store.stats();
    if (profiler && options.profileDir) {
      const file = await profiler.stop(options.profileDir, `ingest-${options.topic}`);
      console.log(`[pipeline] CPU profile of the throughput phase (ingest thread): ${file}`);
    }
    const writes: WriteStats = {
      writes: writesAfter.writes - writesBefore.writes,
      samples: writesAfter.samples - writesBefore.samples,
      seconds: writesAfter.seconds - writesBefore.seconds,
    };
    const throughput = await throughputReport;

    const measured =
      data.phases.throughput.samples / ((storedAt - throughput.firstPublishAt) / 1000);
    const rate = Math.min(options.latencyTargetRate, options.latencyHeadroom * measured);
    const latencyMessages = Math.min(
      data.phases.latency.messages.length,
      Math.ceil((rate * options.latencySeconds) / samplesPerMessage / options.chunkMessages) *
        options.chunkMessages,
    );
    const latency = await phase('latency', {
      samplesPerSecond: rate,
      maxMessages: latencyMessages,
    });
    expected += latencyMessages * samplesPerMessage;
    await waitWritten(expected);
    const final = await samplesWritten(true);
    return {
      config,
      throughput: { ...throughput, storedAt, cpu, writes, ingestThreadCpu },
      latency: { ...latency, samplesPerSecond: rate },
      samplesWritten: final,
      ingestWorkers: workers.length,
      messagesPublished:
        data.phases.warmup.messages.length +
        data.phases.throughput.messages.length +
        latencyMessages,
      storeVia: opened.via,
    };
  } finally {
    const steps = [
      ...workers.map((w) => () => w.stop()),
      () => stream.close(),
      () => store.close(),
      () => publisher.close(),
    ];
    for (const step of steps) {
      await step().catch((err: unknown) => console.warn(`[pipeline] clean-up: ${String(err)}`));
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
