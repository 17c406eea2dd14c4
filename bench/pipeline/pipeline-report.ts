import type { BenchMetric, BenchResult } from '../harness';
import { median, percentile } from '../harness';
import type { InfluxCeiling, KafkaCeiling } from './ceilings';
import type { CpuShare } from './cpu-usage';
import type { Dataset } from './dataset';
import type { FleetFmRun } from './fleetfm-run';
import type { PipelineSizes } from './run-pipeline';
import type { RunningServices } from './services';

export const TARGET_SAMPLES_PER_S = 100_000;
export const TARGET_FIELDS_PER_S = 800_000;
export const TARGET_P99_MS = 2000;

export interface PipelineMeasurements {
  readonly sizes: PipelineSizes;
  readonly data: Dataset;
  readonly run: FleetFmRun;
  readonly storedPoints: number;
  readonly kafka: KafkaCeiling;
  readonly kafkaCpu: CpuShare;
  readonly write: InfluxCeiling;
  readonly writeCpu: CpuShare;
  readonly writeSingle: InfluxCeiling;
  readonly rawStored: number;
  readonly linesPerChunk: number;
  readonly services: RunningServices;
  readonly names: { readonly topic: string; readonly database: string };
  readonly loadAverage: { readonly before: number[]; readonly after: number[] };
}

const round = (x: number, digits = 3): number => Number(x.toPrecision(digits));
/** Cores of the benchmark machine (every process of the pipeline shares them). */
const CORES = 2;
const thousands = (x: number): string => Math.round(x).toLocaleString('en-US');

/** Metrics (with targets) and the meta that explains how each was measured. */
export function buildReport(m: PipelineMeasurements): BenchResult {
  const { data, run, kafka, write, writeSingle } = m;
  const t = run.throughput;
  const seconds = (t.storedAt - t.firstPublishAt) / 1000;
  const samplesPerS = t.samples / seconds;
  const fieldsPerS = data.phases.throughput.fieldValues / seconds;
  const kafkaSamplesPerS = kafka.messagesPerSecond * m.sizes.ticksPerMessage;
  const latency = run.latency.latenciesMs;
  const p99 = percentile(latency, 99);
  const paced = `at ${thousands(run.latency.samplesPerSecond)} samples/s`;
  const metrics: BenchMetric[] = [
    {
      metric: 'FleetFM end to end, sustained',
      value: samplesPerS,
      unit: 'samples/s',
      target: `>= ${thousands(TARGET_SAMPLES_PER_S)}`,
      pass: samplesPerS >= TARGET_SAMPLES_PER_S,
    },
    {
      metric: 'FleetFM end to end, field values',
      value: fieldsPerS,
      unit: 'values/s',
      target: `>= ${thousands(TARGET_FIELDS_PER_S)}`,
      pass: fieldsPerS >= TARGET_FIELDS_PER_S,
    },
    { metric: `produce -> queryable p50 ${paced}`, value: median(latency), unit: 'ms' },
    {
      metric: `produce -> queryable p99 ${paced}`,
      value: p99,
      unit: 'ms',
      target: `< ${TARGET_P99_MS}`,
      pass: p99 < TARGET_P99_MS && run.latency.markersMissing === 0,
    },
    { metric: 'ceiling: kafkajs consume only', value: kafkaSamplesPerS, unit: 'samples/s' },
    {
      metric: `ceiling: InfluxDB write only, ${write.concurrency} in flight`,
      value: write.linesPerSecond,
      unit: 'samples/s',
    },
    {
      metric: 'ceiling: InfluxDB write only, 1 in flight',
      value: writeSingle.linesPerSecond,
      unit: 'samples/s',
    },
    {
      metric: 'FleetFM / kafkajs consume ceiling',
      value: samplesPerS / kafkaSamplesPerS,
      unit: 'ratio',
    },
    {
      metric: `FleetFM / InfluxDB write ceiling (${write.concurrency} in flight)`,
      value: samplesPerS / write.linesPerSecond,
      unit: 'ratio',
    },
    {
      metric: 'FleetFM / InfluxDB write ceiling (1 in flight)',
      value: samplesPerS / writeSingle.linesPerSecond,
      unit: 'ratio',
    },
    {
      metric: 'ingest wall time awaiting store.write',
      value: t.writes.seconds / seconds,
      unit: 'share',
    },
    {
      metric: 'publisher alone (same run)',
      value: t.samples / ((t.lastAckAt - t.firstPublishAt) / 1000),
      unit: 'samples/s',
    },
    {
      metric: 'FleetFM per CPU-second of this process',
      value: t.samples / t.cpu.cpuSeconds.node,
      unit: 'samples/cpu-s',
    },
    ...perSampleRows(m),
  ];
  return { name: 'pipeline', metrics, meta: buildMeta(m, seconds) };
}

function buildMeta(m: PipelineMeasurements, seconds: number): Record<string, unknown> {
  const { data, run, kafka, write, writeSingle, sizes } = m;
  const t = run.throughput;
  const throughput = data.phases.throughput;
  return {
    machine:
      '2 cores shared by Kafka (JVM), InfluxDB, this Node process (ingest on the main thread, the ' +
      'publisher on a worker thread) and everything else running on the box (other engineers’ ' +
      'builds and tests): see cpuDuringThroughput (CPU seconds per process over the phase) and ' +
      'loadAverage. Absolute numbers are depressed accordingly; the ratios to ceilings measured ' +
      'minutes apart are the steadier figures',
    data: {
      generator: 'FleetSimulator.step (seeded, anomalyRate 0 so every sample is valid), not timed',
      vehicles: sizes.vehicles,
      rateHz: sizes.rateHz,
      samplesPerMessage: sizes.ticksPerMessage,
      messageFormat:
        (sizes.encoding ?? 'binary') === 'binary'
          ? 'binary columnar batch (encodeTelemetryBatch) of one vehicle’s consecutive samples (runtime toMessages), key = vehicle id'
          : 'JSON array of one vehicle’s consecutive samples (runtime toMessages), key = vehicle id',
      samples: {
        warmup: data.phases.warmup.samples,
        throughput: throughput.samples,
        latencyPublished: run.latency.samples,
      },
      signalsPerSample: round(throughput.fieldValues / throughput.samples, 4),
      bytesPerSample: round(data.bytesPerSample),
      generationSeconds: round(data.generationSeconds),
    },
    fleetfm: {
      stream: `KafkaTelemetryStream (createTelemetryStream), fresh topic ${m.names.topic}, ${run.config.kafka?.partitions} partitions; producer compression ${run.config.kafka?.compression}, acks=all, idempotent`,
      store: `InfluxDB ${m.services.addresses.influxUrl}, fresh database ${m.names.database} (dropped after), opened by ${run.storeVia}`,
      ingest: {
        workers: run.ingestWorkers,
        ...run.config.ingest,
        tuning:
          Object.keys(sizes.ingestOverrides ?? {}).length > 0
            ? sizes.ingestOverrides
            : 'none: config defaults',
      },
      publisher: `worker thread of this process (in production the simulator is its own process); ${sizes.vehicles} messages (one window of the fleet) per publish() in the throughput phase, 20 in the latency phase`,
      throughputSeconds: round(seconds),
      throughputMethod:
        'throughput-phase samples / (first publish() call -> the samples written cover them). Written = samples of IngestionService store.write calls that resolved, i.e. InfluxDB acknowledged them (204) and they are queryable; counted by a wrapper around the store and polled every 50 ms (IngestionService.metrics().samplesWritten is the same count but also queries Kafka for the lag, which loaded the broker); checked equal to metrics().samplesWritten and to an InfluxDB count at the end. A warm-up window is ingested first (group joined, sockets open)',
      storeWrites: {
        ...t.writes,
        seconds: round(t.writes.seconds),
        samplesPerWrite: round(t.writes.samples / t.writes.writes),
        msPerWrite: round((1000 * t.writes.seconds) / t.writes.writes),
      },
      storedPoints: m.storedPoints,
      samplesWritten: run.samplesWritten,
      storedCheck:
        m.storedPoints === run.samplesWritten ? 'InfluxDB count = samples written' : 'MISMATCH',
    },
    latency: {
      method:
        'markers = the last sample of evenly spaced messages of a separate, paced phase. Produce time: just before publish() of the 20-message chunk holding the marker (publisher thread). Queryable time: when an InfluxQL look-up by vehicle_id and exact time (all pending markers in one multi-statement request, every 100 ms, from the publisher thread) first returned the point; an upper bound, resolution = poll period + mean poll time',
      pacedRate: round(run.latency.samplesPerSecond),
      pacedRateRule: `min(target ${thousands(TARGET_SAMPLES_PER_S)} samples/s, 0.8 x the measured sustained throughput), at most ${sizes.latencySeconds} s`,
      markers: run.latency.latenciesMs.length,
      // Rising from the first to the last third = the paced rate exceeded what the machine gave
      // the pipeline at that moment and a backlog built up (not a steady-state delay).
      p50ByThird: thirds(run.latency.latenciesMs).map((part) => round(median(part))),
      markersMissing: run.latency.markersMissing,
      meanPollMs: round(run.latency.meanPollMs),
      noThroughputPhaseMarkers:
        'while the producer outruns ingestion latency is only the Kafka backlog, and polling would load InfluxDB during the throughput measurement',
    },
    ceilings: {
      kafka: {
        ...kafka,
        seconds: round(kafka.seconds),
        method:
          'plain kafkajs consumer, fresh group, fromBeginning, eachBatch only counting messages (autoCommit), same topic; from GROUP_JOIN to the last message',
      },
      influx: {
        method: `line protocol pre-built with the adapter’s LineProtocolEncoder in chunks of ${m.linesPerChunk} lines (its batchSize), POST /api/v2/write precision=ms over keep-alive, fresh databases`,
        adapterInFlight: { ...write, seconds: round(write.seconds), storedPoints: m.rawStored },
        oneInFlight: { ...writeSingle, seconds: round(writeSingle.seconds) },
      },
    },
    cpuDuringThroughput: t.cpu,
    cpuMicrosecondsPerSample: cpuBudget(m),
    loadAverage: {
      before: m.loadAverage.before.map((x) => round(x)),
      after: m.loadAverage.after.map((x) => round(x)),
    },
    services: {
      mode: m.services.mode,
      kafka: m.services.addresses.kafkaBrokers,
      influx: m.services.addresses.influxUrl,
      startedHere: m.services.started,
    },
  };
}

/**
 * CPU cost per sample of each process in each measurement. Unlike wall-clock rates these hardly
 * depend on what else runs on the machine, so they give the rate a dedicated machine could reach:
 * cores / (sum of the pipeline's CPU seconds per sample), an estimate, not a measurement.
 */
function cpuBudget(m: PipelineMeasurements): Record<string, unknown> {
  const per = (share: CpuShare, samples: number): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const [name, s] of Object.entries(share.cpuSeconds)) {
      if (name !== 'other') out[name] = round((1e6 * s) / samples);
    }
    return out;
  };
  const t = m.run.throughput;
  const fleetfm = per(t.cpu, t.samples);
  const ingestThread = round((1e6 * t.ingestThreadCpu) / t.samples);
  const publisherThread = round((1e6 * t.cpuSeconds) / t.samples);
  // The publisher stands in for the simulator, another process in production: leave it out,
  // but keep the rest of this process (thread pool: zlib inflate; GC helpers) in.
  const ingestSide = (fleetfm.node ?? 0) - publisherThread;
  const total = ingestSide + (fleetfm.kafka ?? 0) + (fleetfm.influx ?? 0);
  const cores = CORES;
  const ceiling = cpuBoundCeiling(m);
  return {
    fleetfm: {
      ...fleetfm,
      ingestThread,
      publisherThread,
      note: 'node = the whole process: ingest thread + publisher thread + thread pool (gzip, inflate) and GC threads',
    },
    kafkaConsumeCeiling: per(m.kafkaCpu, m.kafka.messages * m.sizes.ticksPerMessage),
    influxWriteCeiling: per(m.writeCpu, m.write.lines),
    fleetfmOnDedicatedCoresEstimate: {
      cores,
      samplesPerSecond: round((cores * 1e6) / total),
      rule: 'cores / (node - publisher thread + kafka + influx CPU per sample in the FleetFM phase), perfect overlap, nothing else on the machine: an estimate. node still includes the thread pool (and GC threads), so this understates a dedicated ingest machine somewhat',
    },
    cpuBoundCeiling: {
      cores,
      microsPerSample: Object.fromEntries(
        Object.entries(ceiling.microsPerSample).map(([k, v]) => [k, round(v)]),
      ),
      samplesPerSecond: round(ceiling.samplesPerSecond),
      rule: 'cores / (InfluxDB CPU per line in the write-only ceiling + broker CPU per sample in the FleetFM phase + Node CPU per sample of the kafkajs consume-only client + Node CPU per line of the write-only client): the cost of only moving the bytes through Kafka and into InfluxDB, no decoding, validation, encoding or simulator. An upper bound for any ingest on these 2 cores',
    },
  };
}

/** CPU microseconds per sample of one process in one measurement (NaN when not measured). */
function microsPerSample(share: CpuShare, name: string, samples: number): number {
  const s = share.cpuSeconds[name];
  return s === undefined ? Number.NaN : (1e6 * s) / samples;
}

/**
 * The smallest CPU cost per sample this machine can have for the pipeline, from the same run:
 * InfluxDB's CPU in the write-only ceiling (pre-encoded line protocol, nothing else of ours
 * running), the broker's CPU in the FleetFM phase (produce, fetch, commits), and the Node CPU of
 * the two ceilings' clients (kafkajs consume only; HTTP posts of pre-built bodies only): no
 * decoding, validation or line encoding at all, and no simulator. cores / that sum is an upper
 * bound on any ingest path here, FleetFM's or not.
 */
export function cpuBoundCeiling(m: PipelineMeasurements): {
  readonly microsPerSample: Readonly<Record<string, number>>;
  readonly samplesPerSecond: number;
} {
  const t = m.run.throughput;
  const consumed = m.kafka.messages * m.sizes.ticksPerMessage;
  const parts = {
    influxWriteOnly: microsPerSample(m.writeCpu, 'influx', m.write.lines),
    kafkaBrokerInFleetFm: microsPerSample(t.cpu, 'kafka', t.samples),
    nodeKafkaConsumeOnly: microsPerSample(m.kafkaCpu, 'node', consumed),
    nodeInfluxPostOnly: microsPerSample(m.writeCpu, 'node', m.write.lines),
  };
  const total = Object.values(parts).reduce((a, b) => a + b, 0);
  return { microsPerSample: parts, samplesPerSecond: (CORES * 1e6) / total };
}

function perSampleRows(m: PipelineMeasurements): BenchMetric[] {
  const t = m.run.throughput;
  const publisher = (1e6 * t.cpuSeconds) / t.samples;
  const ceiling = cpuBoundCeiling(m);
  const parts = ceiling.microsPerSample;
  const ingestSide = microsPerSample(t.cpu, 'node', t.samples) - publisher;
  const influx = microsPerSample(t.cpu, 'influx', t.samples);
  return [
    {
      metric: 'CPU per sample, ingest side (node - publisher thread)',
      value: ingestSide,
      unit: 'us',
    },
    {
      metric: 'CPU per sample, ingest thread',
      value: (1e6 * t.ingestThreadCpu) / t.samples,
      unit: 'us',
    },
    { metric: 'CPU per sample, publisher thread', value: publisher, unit: 'us' },
    { metric: 'CPU per sample, Kafka broker', value: parts.kafkaBrokerInFleetFm, unit: 'us' },
    { metric: 'CPU per sample, InfluxDB', value: influx, unit: 'us' },
    {
      metric: 'CPU per sample, InfluxDB write-only ceiling',
      value: parts.influxWriteOnly,
      unit: 'us',
    },
    {
      metric: `FleetFM CPU-bound rate (${CORES} cores / its CPU per sample, ingest side + Kafka + InfluxDB)`,
      value: (CORES * 1e6) / (ingestSide + parts.kafkaBrokerInFleetFm + influx),
      unit: 'samples/s',
    },
    {
      metric: `CPU-bound ceiling on this machine (${CORES} cores / min CPU per sample)`,
      value: ceiling.samplesPerSecond,
      unit: 'samples/s',
      target: `>= ${thousands(TARGET_SAMPLES_PER_S)} needed`,
      pass: ceiling.samplesPerSecond >= TARGET_SAMPLES_PER_S,
    },
  ];
}

function thirds(values: readonly number[]): number[][] {
  const n = values.length;
  return [0, 1, 2].map((k) => values.slice(Math.floor((k * n) / 3), Math.floor(((k + 1) * n) / 3)));
}
