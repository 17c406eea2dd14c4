import { performance } from 'node:perf_hooks';
import type { TelemetrySample } from '@fleetfm/domain';
import { decodeMessage } from '@fleetfm/ingestion';
import type { OutgoingMessage } from '@fleetfm/stream';
import { Kafka, logLevel } from 'kafkajs';
// Adapter internals, not public API: the ceiling must send exactly the bytes the adapter sends.
import { LineProtocolEncoder } from '../../libs/timeseries/src/influx/line-protocol.encoder';
import type { InfluxHttp } from './influx-http';

export interface KafkaCeiling {
  readonly messages: number;
  readonly seconds: number;
  readonly messagesPerSecond: number;
}

/**
 * Consume-only ceiling: a plain kafkajs consumer (fresh group, from the beginning, eachBatch
 * counting messages; no parsing, no store) on the topic the pipeline filled. Timed from joining
 * the group until the last expected message arrived. Fetch settings as FleetFM's subscription:
 * kafkajs defaults, maxWaitTimeInMs = the ingest flush interval, one partition at a time.
 */
export async function kafkaConsumeCeiling(
  brokers: string,
  topic: string,
  expectedMessages: number,
  maxWaitMs: number,
  timeoutMs: number,
): Promise<KafkaCeiling> {
  const kafka = new Kafka({
    clientId: 'fleetfm-bench-raw',
    brokers: brokers.split(','),
    logLevel: logLevel.ERROR,
  });
  const consumer = kafka.consumer({
    groupId: `bench-raw-${Date.now()}`,
    maxWaitTimeInMs: maxWaitMs,
    allowAutoTopicCreation: false,
  });
  let joinedAt = Number.NaN;
  let count = 0;
  let finish: (at: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => (finish = resolve));
  consumer.on(consumer.events.GROUP_JOIN, () => (joinedAt = performance.now()));
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: 1,
      eachBatch: async ({ batch }) => {
        count += batch.messages.length;
        if (count >= expectedMessages) finish(performance.now());
      },
    });
    const timeout = new Promise<number>((_, reject) =>
      setTimeout(
        () => reject(new Error(`kafka ceiling: ${count}/${expectedMessages} messages`)),
        timeoutMs,
      ).unref(),
    );
    const endedAt = await Promise.race([done, timeout]);
    const seconds = (endedAt - joinedAt) / 1000;
    return { messages: count, seconds, messagesPerSecond: count / seconds };
  } finally {
    await consumer.disconnect();
  }
}

/** Deletes the run's topic and its dead-letter topic. */
export async function deleteTopics(brokers: string, topics: readonly string[]): Promise<void> {
  const kafka = new Kafka({
    clientId: 'fleetfm-bench-admin',
    brokers: brokers.split(','),
    logLevel: logLevel.ERROR,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const doomed = topics.filter((t) => existing.has(t));
    if (doomed.length > 0) await admin.deleteTopics({ topics: doomed });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Line protocol for the samples of `messages`, `linesPerChunk` lines per body, encoded by the
 * InfluxDB adapter's own encoder (so the ceiling writes exactly what FleetFM writes).
 */
export function buildLineChunks(
  messages: readonly OutgoingMessage[],
  linesPerChunk: number,
): string[] {
  const encoder = new LineProtocolEncoder();
  const chunks: string[] = [];
  let pending: TelemetrySample[] = [];
  for (const m of messages) {
    const decoded = decodeMessage(m.value, Number.MAX_SAFE_INTEGER);
    if (decoded.errors.length > 0)
      throw new Error(`invalid bench message: ${decoded.errors[0].reason}`);
    for (const s of decoded.samples) pending.push(s);
    while (pending.length >= linesPerChunk) {
      chunks.push(encoder.encode(pending, 0, linesPerChunk));
      pending = pending.slice(linesPerChunk);
    }
  }
  if (pending.length > 0) chunks.push(encoder.encode(pending));
  return chunks;
}

export interface InfluxCeiling {
  readonly lines: number;
  readonly seconds: number;
  readonly linesPerSecond: number;
  readonly concurrency: number;
}

/** Write-only ceiling: POSTs pre-built bodies to /api/v2/write, `concurrency` in flight. */
export async function influxWriteCeiling(
  influx: InfluxHttp,
  database: string,
  chunks: readonly string[],
  lines: number,
  concurrency: number,
): Promise<InfluxCeiling> {
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < chunks.length) await influx.writeLines(database, chunks[next++]);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  return { lines, seconds, linesPerSecond: lines / seconds, concurrency };
}
