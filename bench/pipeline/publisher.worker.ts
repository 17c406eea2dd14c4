import { parentPort, workerData } from 'node:worker_threads';
import { loadConfig } from '@fleetfm/config';
import {
  createTelemetryStream,
  KafkaTelemetryStream,
  type OutgoingMessage,
  type TelemetryStream,
} from '@fleetfm/stream';
import { threadCpuSeconds } from './cpu-usage';
import { InfluxHttp } from './influx-http';
import {
  nowMs,
  type PublishCommand,
  type PublisherInit,
  type PublisherPhase,
  type PublishReport,
} from './publisher.protocol';

/**
 * The simulator side of the pipeline, on its own thread (in production the simulator is its own
 * process): publishes pre-generated messages through FleetFM's Kafka stream and, as an outside
 * observer, polls InfluxDB for marker samples to time produce -> queryable.
 */
const init = workerData as PublisherInit;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function asOutgoing(phase: PublisherPhase, max: number): OutgoingMessage[] {
  // Structured cloning turned the Buffers into Uint8Arrays; wrap them again without copying.
  return phase.messages.slice(0, max).map((m) => ({
    key: m.key,
    value: Buffer.from(m.value.buffer, m.value.byteOffset, m.value.byteLength),
  }));
}

/** Per marker: when its chunk was handed to the producer (0 = not yet), and whether it was seen. */
interface MarkerClock {
  readonly publishedAt: Float64Array;
  readonly found: Uint8Array;
}

async function pollMarkers(
  influx: InfluxHttp,
  phase: PublisherPhase,
  clock: MarkerClock,
  publishing: () => boolean,
  cmd: PublishCommand,
  lastAck: () => number,
): Promise<{ latencies: number[]; missing: number; polls: number; meanPollMs: number }> {
  const latencies: number[] = [];
  // Latency per marker in publish order (NaN = not found), to see whether a backlog built up.
  const byMarker = new Array<number>(phase.markers.length).fill(Number.NaN);
  let polls = 0;
  let pollTime = 0;
  for (;;) {
    const pending: number[] = [];
    for (let i = 0; i < phase.markers.length && pending.length < 100; i++) {
      if (clock.publishedAt[i] > 0 && !clock.found[i]) pending.push(i);
    }
    if (pending.length > 0) {
      const sent = nowMs();
      const flags = await influx.findMarkers(
        init.database,
        pending.map((i) => phase.markers[i]),
      );
      const answered = nowMs();
      polls++;
      pollTime += answered - sent;
      // Found: it became queryable before `answered` (an upper bound; resolution pollMs + poll).
      pending.forEach((marker, k) => {
        if (!flags[k]) return;
        clock.found[marker] = 1;
        latencies.push(answered - clock.publishedAt[marker]);
        byMarker[marker] = answered - clock.publishedAt[marker];
      });
    }
    if (latencies.length === phase.markers.length) break;
    if (!publishing() && nowMs() - lastAck() > cmd.markerTimeoutMs) break;
    await sleep(cmd.pollMs);
  }
  return {
    latencies: byMarker.filter((x) => !Number.isNaN(x)),
    missing: phase.markers.length - latencies.length,
    polls,
    meanPollMs: polls > 0 ? pollTime / polls : Number.NaN,
  };
}

async function publishPhase(
  stream: TelemetryStream,
  influx: InfluxHttp,
  cmd: PublishCommand,
): Promise<PublishReport> {
  const all = init.phases[cmd.phase];
  const max = Math.min(cmd.maxMessages ?? all.messages.length, all.messages.length);
  const phase = { ...all, markers: all.markers.filter((m) => m.message < max) };
  const messages = asOutgoing(all, max);
  const markerOf = new Map(phase.markers.map((m, i) => [m.message, i]));
  const clock: MarkerClock = {
    publishedAt: new Float64Array(phase.markers.length),
    found: new Uint8Array(phase.markers.length),
  };
  let publishing = true;
  let lastAckAt = 0;
  const polling = pollMarkers(
    influx,
    phase,
    clock,
    () => publishing,
    cmd,
    () => lastAckAt,
  );
  const firstPublishAt = nowMs();
  const threadCpu = threadCpuSeconds();
  const chunkSamples = cmd.chunkMessages * phase.samplesPerMessage;
  const spacingMs = cmd.samplesPerSecond ? (1000 * chunkSamples) / cmd.samplesPerSecond : 0;
  try {
    for (let c = 0, from = 0; from < messages.length; c++, from += cmd.chunkMessages) {
      const wait = firstPublishAt + c * spacingMs - nowMs();
      if (wait > 1) await sleep(wait);
      const at = nowMs();
      const to = Math.min(messages.length, from + cmd.chunkMessages);
      for (let m = from; m < to; m++) {
        const marker = markerOf.get(m);
        if (marker !== undefined) clock.publishedAt[marker] = at;
      }
      await stream.publish(init.topic, messages.slice(from, to));
      lastAckAt = nowMs();
    }
  } finally {
    publishing = false;
  }
  const cpuSeconds = threadCpuSeconds() - threadCpu;
  const markers = await polling;
  return {
    phase: cmd.phase,
    firstPublishAt,
    lastAckAt,
    cpuSeconds,
    samples: messages.length * phase.samplesPerMessage,
    latenciesMs: markers.latencies,
    markersMissing: markers.missing,
    polls: markers.polls,
    meanPollMs: markers.meanPollMs,
  };
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('publisher.worker must run as a worker thread');
  const config = loadConfig(
    {},
    { KAFKA_BROKERS: init.kafkaBrokers, KAFKA_TOPIC: init.topic, FLEETFM_LOG_LEVEL: 'warn' },
  );
  let stream: TelemetryStream;
  if (init.compression === undefined) {
    stream = await createTelemetryStream(config);
  } else {
    const kafka = new KafkaTelemetryStream({
      brokers: config.kafka?.brokers ?? [],
      partitions: config.kafka?.partitions,
      compression: init.compression,
    });
    await kafka.ensureTopic(init.topic);
    stream = kafka;
  }
  const influx = new InfluxHttp(init.influxUrl);
  port.on('message', (cmd: PublishCommand | 'close') => {
    if (cmd === 'close') {
      void stream.close().finally(() => {
        influx.close();
        port.close();
      });
      return;
    }
    publishPhase(stream, influx, cmd).then(
      (report) => port.postMessage(report),
      (err: unknown) =>
        port.postMessage({
          phase: cmd.phase,
          error: err instanceof Error ? (err.stack ?? err.message) : String(err),
        }),
    );
  });
  port.postMessage('ready');
}

void main();
