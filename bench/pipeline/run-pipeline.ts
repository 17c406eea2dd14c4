import * as os from 'node:os';
import type { BenchResult } from '../harness';
import { cpuShare, cpuSnapshot, type CpuShare } from './cpu-usage';
import { buildLineChunks, deleteTopics, influxWriteCeiling, kafkaConsumeCeiling } from './ceilings';
import { generateDataset, type DatasetOptions } from './dataset';
import { runFleetFm } from './fleetfm-run';
import { InfluxHttp } from './influx-http';
import { buildReport, TARGET_SAMPLES_PER_S, type PipelineMeasurements } from './pipeline-report';
import { restartedServices, startServices, stopServices, type ServicesMode } from './services';
// Adapter internals, not public API: the write ceiling uses the adapter's chunking defaults.
import { WRITER_DEFAULTS } from '../../libs/timeseries/src/influx/chunked-writer';

export interface PipelineSizes extends DatasetOptions {
  /** Longest paced latency phase, seconds. */
  readonly latencySeconds: number;
  /** Lines of the extra one-request-in-flight InfluxDB ceiling (a prefix of the data). */
  readonly singleFlightLines: number;
  /** Ingest workers (consumer-group members); the benchmark uses 1, experiments more. */
  readonly ingestWorkers?: number;
  /** Environment overrides for the ingest config (tuning experiments); none in the benchmark. */
  readonly ingestOverrides?: Readonly<Record<string, string | number>>;
  /** CPU-profile the ingest thread during the throughput phase into this folder. */
  readonly profileDir?: string;
  /** Experiment: producer compression instead of the configured stream's (KAFKA_COMPRESSION). */
  readonly producerCompression?: 'gzip' | 'none';
  /** Which Kafka/InfluxDB pair to use (services.ts). Default shared. */
  readonly services?: ServicesMode;
}

/**
 * One full run: start the services (if needed), generate the data, FleetFM end to end, then the
 * ceilings on the same data; clean up topics and databases, and stop the services only if this
 * run started them.
 */
export async function runPipeline(sizes: PipelineSizes): Promise<BenchResult> {
  const services = startServices(sizes.services);
  const runId = `${Date.now()}`;
  const topic = `bench-pipeline-${runId}`;
  const database = `bench_${runId}`;
  const rawDatabases = [`bench_${runId}_raw2`, `bench_${runId}_raw1`];
  const influx = new InfluxHttp(services.addresses.influxUrl);
  const loadBefore = os.loadavg();
  try {
    const data = generateDataset(sizes);
    await influx.createDatabase(database);
    const run = await runFleetFm(services, data, {
      topic,
      database,
      groupId: `bench-ingest-${runId}`,
      latencyTargetRate: TARGET_SAMPLES_PER_S,
      latencyHeadroom: 0.8,
      latencySeconds: sizes.latencySeconds,
      chunkMessages: 20,
      throughputChunkMessages: sizes.vehicles,
      pollMs: 100,
      phaseTimeoutMs: 240_000,
      ingestWorkers: sizes.ingestWorkers ?? 1,
      ingestOverrides: sizes.ingestOverrides ?? {},
      ...(sizes.profileDir ? { profileDir: sizes.profileDir } : {}),
      ...(sizes.producerCompression ? { producerCompression: sizes.producerCompression } : {}),
    });
    const storedPoints = await influx.countPoints(database);

    const cpu = async <T>(work: () => Promise<T>): Promise<[T, CpuShare]> => {
      const before = cpuSnapshot(services.pids);
      const result = await work();
      return [result, cpuShare(before, cpuSnapshot(services.pids))];
    };
    // Consume-only ceiling: the same messages, from the same topic.
    const [kafka, kafkaCpu] = await cpu(() =>
      kafkaConsumeCeiling(
        services.addresses.kafkaBrokers,
        topic,
        run.messagesPublished,
        run.config.ingest.flushMs,
        120_000,
      ),
    );
    // Write-only ceilings: the throughput phase's samples as the adapter encodes and chunks them,
    // with the adapter's maxInFlight, and (on a prefix) with one request in flight: whether
    // InfluxDB is bound by round trips or by CPU here.
    const chunks = buildLineChunks(data.phases.throughput.messages, WRITER_DEFAULTS.batchSize);
    const lines = data.phases.throughput.samples;
    await influx.createDatabase(rawDatabases[0]);
    const [write, writeCpu] = await cpu(() =>
      influxWriteCeiling(influx, rawDatabases[0], chunks, lines, WRITER_DEFAULTS.maxInFlight),
    );
    const rawStored = await influx.countPoints(rawDatabases[0]);
    const prefix = Math.max(1, Math.round(sizes.singleFlightLines / WRITER_DEFAULTS.batchSize));
    await influx.createDatabase(rawDatabases[1]);
    const writeSingle = await influxWriteCeiling(
      influx,
      rawDatabases[1],
      chunks.slice(0, prefix),
      Math.min(lines, prefix * WRITER_DEFAULTS.batchSize),
      1,
    );
    const measurements: PipelineMeasurements = {
      sizes,
      data,
      run,
      storedPoints,
      kafka,
      kafkaCpu,
      write,
      writeCpu,
      writeSingle,
      rawStored,
      linesPerChunk: WRITER_DEFAULTS.batchSize,
      services,
      names: { topic, database },
      loadAverage: { before: loadBefore, after: os.loadavg() },
    };
    return buildReport(measurements);
  } catch (err) {
    const restarted = restartedServices(services);
    if (restarted.length === 0) throw err;
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(
      `${restarted.join(' and ')} stopped or restarted during the run (by another process on ` +
        `this machine, e.g. a failure-injection test); no measurement. First error: ${why}`,
      { cause: err },
    );
  } finally {
    for (const db of [database, ...rawDatabases]) {
      await influx.dropDatabase(db).catch(() => undefined);
    }
    influx.close();
    await deleteTopics(services.addresses.kafkaBrokers, [topic, `${topic}.dlq`]).catch(
      (err: unknown) => console.warn(`[pipeline] could not delete ${topic}: ${String(err)}`),
    );
    stopServices(services);
  }
}
