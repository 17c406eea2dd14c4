import { randomUUID } from 'node:crypto';
import { loadConfig } from '@fleetfm/config';
import type { IncomingMessage } from '../telemetry-stream.port';
import type { KafkaStreamLogger } from './kafka-stream.options';
import { KafkaTelemetryStream } from './kafka-telemetry-stream';

/** Helpers shared by the Kafka integration tests (real broker from the jest global set-up). */

export function kafkaBrokers(): string[] {
  const config = loadConfig().kafka;
  if (!config) throw new Error('KAFKA_BROKERS is not set; the integration global setup sets it');
  return config.brokers;
}

/** Unique per call, so that reruns against the same broker never see each other's data. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Quiet, but errors reach the test output (and warnings are kept for assertions). */
export function testLogger(): KafkaStreamLogger & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    error: (m) => console.error(`[kafka] ${m}`),
    warn: (m) => void warnings.push(m),
    log: () => undefined,
  };
}

export function testStream(
  partitions = 6,
  retryBackoffMs = 100,
  compression: 'none' | 'gzip' = 'none',
): KafkaTelemetryStream {
  return new KafkaTelemetryStream({
    compression,
    brokers: kafkaBrokers(),
    clientId: uniqueName('fleetfm-int'),
    partitions,
    logLevel: 'error',
    logger: testLogger(),
    retryBackoffMs,
    maxRetryBackoffMs: 1000,
  });
}

export async function waitFor(
  what: string,
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function id(message: IncomingMessage): string {
  return `${message.partition}:${message.offset}`;
}

export function json(message: IncomingMessage): { key: string; seq: number } {
  return JSON.parse(message.value.toString('utf8')) as { key: string; seq: number };
}

/** `perKey` messages for each of `keys` vehicles, interleaved, value `{ key, seq }`. */
export function sequenced(
  keys: number,
  perKey: number,
  from = 0,
): { key: string; value: Buffer }[] {
  const out: { key: string; value: Buffer }[] = [];
  for (let seq = from; seq < from + perKey; seq++) {
    for (let k = 0; k < keys; k++) {
      const key = `veh-${String(k).padStart(3, '0')}`;
      out.push({ key, value: Buffer.from(JSON.stringify({ key, seq })) });
    }
  }
  return out;
}
