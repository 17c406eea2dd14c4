import {
  decodeTelemetryBinary,
  isBinaryTelemetry,
  parseTelemetryJson,
  type TelemetryItemError,
  type TelemetrySample,
} from '@fleetfm/domain';
import type { IncomingMessage, OutgoingMessage } from '@fleetfm/stream';

/** At most this many item errors are listed in a dead letter's `error` header. */
export const MAX_LISTED_ERRORS = 100;
/** Offending values longer than this (as JSON) are cut in the `error` header. */
const MAX_VALUE_CHARS = 200;

export interface DecodedMessage {
  readonly samples: TelemetrySample[];
  readonly errors: TelemetryItemError[];
  /** Items the message carried (valid + rejected); 1 for a message that could not be read. */
  readonly items: number;
  /** Items with at least one error. */
  readonly rejected: number;
}

/**
 * Decodes one message: the binary batch encoding (telemetry-codec, told apart by its first byte)
 * or JSON, a single sample or an array of samples. Both go through the same validation rules.
 * Never throws.
 */
export function decodeMessage(value: Buffer, maxBytes: number): DecodedMessage {
  if (value.length > maxBytes) {
    const reason = `message is ${value.length} bytes; at most ${maxBytes} are accepted`;
    return {
      samples: [],
      errors: [{ index: 0, field: '', value: undefined, reason }],
      items: 1,
      rejected: 1,
    };
  }
  const parsed = isBinaryTelemetry(value)
    ? decodeTelemetryBinary(value)
    : parseTelemetryJson(value);
  const bad = new Set<number>();
  for (const error of parsed.errors) bad.add(error.index);
  return {
    samples: parsed.valid,
    errors: parsed.errors,
    items: parsed.valid.length + bad.size,
    rejected: bad.size,
  };
}

function printable(value: unknown): unknown {
  if (value === undefined) return null;
  const json = JSON.stringify(value);
  if (json === undefined || json.length <= MAX_VALUE_CHARS) return value;
  return `${json.slice(0, MAX_VALUE_CHARS)}…`;
}

/**
 * The dead letter of `message`: its original key, payload and headers, plus why it failed
 * (`error`: JSON list of {index, field, value, reason}, the first MAX_LISTED_ERRORS of
 * `error-count`) and where it came from (`source-topic`, `source-partition`, `source-offset`)
 * and when (`failed-at`, ISO-8601).
 */
export function deadLetter(
  message: IncomingMessage,
  errors: readonly TelemetryItemError[],
  failedAt: number,
): OutgoingMessage {
  const listed = errors.slice(0, MAX_LISTED_ERRORS).map((e) => ({
    index: e.index,
    field: e.field,
    value: printable(e.value),
    reason: e.reason,
  }));
  return {
    key: message.key,
    value: message.value,
    headers: {
      ...message.headers,
      error: JSON.stringify(listed),
      'error-count': String(errors.length),
      'failed-at': new Date(failedAt).toISOString(),
      'source-offset': message.offset,
      'source-partition': String(message.partition),
      'source-topic': message.topic,
    },
  };
}
