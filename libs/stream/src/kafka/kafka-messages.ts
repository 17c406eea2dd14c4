import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import type { IncomingMessage, OutgoingMessage } from '../telemetry-stream.port';

/**
 * Most bytes (keys + values + headers, before compression) sent in one produce request. The
 * broker refuses a record batch above `message.max.bytes` (1 MiB by default) and kafkajs puts
 * all of a request's messages for one partition into one batch, so large publishes are split.
 */
export const MAX_PRODUCE_REQUEST_BYTES = 512 * 1024;

/** The offset after `offset` (offsets are decimal strings: Kafka offsets exceed 2^53). */
export function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}

export function toKafkaMessage(message: OutgoingMessage): Message {
  return {
    key: message.key,
    value: message.value,
    ...(message.headers ? { headers: { ...message.headers } } : {}),
  };
}

export function fromKafkaMessage(
  topic: string,
  partition: number,
  message: KafkaMessage,
): IncomingMessage {
  const headers = decodeHeaders(message.headers);
  return {
    topic,
    partition,
    offset: message.offset,
    timestamp: Number(message.timestamp),
    key: message.key?.toString('utf8') ?? '',
    value: message.value ?? Buffer.alloc(0),
    ...(headers ? { headers } : {}),
  };
}

/** Header values arrive as Buffers; a repeated header keeps its last value. */
function decodeHeaders(headers: IHeaders | undefined): Record<string, string> | undefined {
  if (!headers) return undefined;
  const out: Record<string, string> = {};
  let any = false;
  for (const [name, raw] of Object.entries(headers)) {
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value === undefined) continue;
    out[name] = Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
    any = true;
  }
  return any ? out : undefined;
}

export function approximateSize(message: OutgoingMessage): number {
  let size = Buffer.byteLength(message.key, 'utf8') + message.value.length;
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value, 'utf8');
  }
  return size;
}

/** Splits messages, in order, into runs of at most `maxBytes` (a bigger message goes alone). */
export function chunkBySize<T extends OutgoingMessage>(
  messages: readonly T[],
  maxBytes: number = MAX_PRODUCE_REQUEST_BYTES,
): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = approximateSize(message);
    if (current.length > 0 && bytes + size > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Splits `items` into consecutive slices of at most `size` (the last may be shorter). */
export function slices<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let from = 0; from < items.length; from += size) out.push(items.slice(from, from + size));
  return out;
}
