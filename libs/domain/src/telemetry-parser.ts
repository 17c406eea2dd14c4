import { SIGNALS, isSignalName, type SignalName } from './signals';
import {
  ID_PATTERN,
  TS_MAX,
  TS_MIN,
  type ParsedBatch,
  type TelemetryItemError,
  type TelemetrySample,
} from './telemetry';

/** Largest number of samples accepted in one message or request. */
export const MAX_BATCH_ITEMS = 10_000;

type ItemResult = { sample: TelemetrySample } | { errors: TelemetryItemError[] };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseTimestamp(raw: unknown): number | string {
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) return 'must be a finite number of epoch milliseconds';
    if (!Number.isInteger(raw)) return 'must be whole epoch milliseconds';
    if (raw < TS_MIN || raw >= TS_MAX) return 'is outside 2000-01-01 .. 2100-01-01';
    return raw;
  }
  if (typeof raw === 'string') {
    // Only full ISO-8601 timestamps with a zone: a bare date or local time is ambiguous.
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(raw)) {
      return 'must be epoch milliseconds or an ISO-8601 timestamp with a zone';
    }
    const ms = Date.parse(raw);
    if (Number.isNaN(ms)) return 'is not a valid date';
    return parseTimestamp(ms);
  }
  if (raw === undefined) return 'is required';
  return 'must be a number (epoch ms) or an ISO-8601 string';
}

function parseItem(item: unknown, index: number): ItemResult {
  const errors: TelemetryItemError[] = [];
  const fail = (field: string, value: unknown, reason: string): void => {
    errors.push({ index, field, value, reason });
  };
  if (!isRecord(item)) {
    fail('', item, 'sample must be an object');
    return { errors };
  }
  const { vehicleId, driverId, ts, signals } = item;
  if (vehicleId === undefined || vehicleId === null || vehicleId === '') {
    fail('vehicleId', vehicleId, 'is required');
  } else if (typeof vehicleId !== 'string' || !ID_PATTERN.test(vehicleId)) {
    fail('vehicleId', vehicleId, 'must be 1-64 characters of [A-Za-z0-9._:-]');
  }
  if (driverId !== undefined && (typeof driverId !== 'string' || !ID_PATTERN.test(driverId))) {
    fail('driverId', driverId, 'must be 1-64 characters of [A-Za-z0-9._:-]');
  }
  const parsedTs = parseTimestamp(ts);
  if (typeof parsedTs === 'string') fail('ts', ts, parsedTs);
  for (const key of Object.keys(item)) {
    if (!['vehicleId', 'driverId', 'ts', 'signals'].includes(key)) {
      fail(key, item[key], 'unknown field');
    }
  }
  const parsedSignals: Partial<Record<SignalName, number>> = {};
  if (!isRecord(signals)) {
    fail('signals', signals, signals === undefined ? 'is required' : 'must be an object');
  } else {
    for (const [name, value] of Object.entries(signals)) {
      const field = `signals.${name}`;
      if (!isSignalName(name)) {
        fail(field, value, 'unknown signal');
        continue;
      }
      const spec = SIGNALS[name];
      if (typeof value !== 'number') {
        fail(field, value, 'must be a number');
      } else if (!Number.isFinite(value)) {
        fail(field, value, 'must be finite');
      } else if (value < spec.min || value > spec.max) {
        fail(field, value, `out of range [${spec.min}, ${spec.max}] ${spec.unit}`);
      } else {
        parsedSignals[name] = value;
      }
    }
    for (const [name, spec] of Object.entries(SIGNALS)) {
      if (spec.required && !(name in signals)) fail(`signals.${name}`, undefined, 'is required');
    }
    if (Object.keys(signals).length === 0)
      fail('signals', signals, 'must hold at least one signal');
  }
  if (errors.length > 0) return { errors };
  const sample: TelemetrySample =
    driverId === undefined
      ? { vehicleId: vehicleId as string, ts: parsedTs as number, signals: parsedSignals }
      : {
          vehicleId: vehicleId as string,
          driverId: driverId as string,
          ts: parsedTs as number,
          signals: parsedSignals,
        };
  return { sample };
}

/**
 * Validates one sample or an array of samples. Never throws on bad data: every item is either
 * in `valid` or has at least one precise error (field, value, reason) in `errors`.
 */
export function parseTelemetry(input: unknown): ParsedBatch {
  const items = Array.isArray(input) ? input : [input];
  const valid: TelemetrySample[] = [];
  const validIndex: number[] = [];
  const errors: TelemetryItemError[] = [];
  if (items.length > MAX_BATCH_ITEMS) {
    for (let i = 0; i < items.length; i++) {
      errors.push({
        index: i,
        field: '',
        value: undefined,
        reason: `batch has ${items.length} items; at most ${MAX_BATCH_ITEMS} are accepted`,
      });
    }
    return { valid, validIndex, errors };
  }
  items.forEach((item, index) => {
    const result = parseItem(item, index);
    if ('sample' in result) {
      valid.push(result.sample);
      validIndex.push(index);
    } else {
      errors.push(...result.errors);
    }
  });
  return { valid, validIndex, errors };
}

/** Parses raw message bytes (JSON). A message that is not JSON is one item with one error. */
export function parseTelemetryJson(raw: string | Uint8Array): ParsedBatch {
  const text = typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const reason = `invalid JSON: ${(err as Error).message}`;
    return {
      valid: [],
      validIndex: [],
      errors: [{ index: 0, field: '', value: text.slice(0, 200), reason }],
    };
  }
  return parseTelemetry(parsed);
}
