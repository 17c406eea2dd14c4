import type { SignalName } from './signals';
import {
  ID_PATTERN,
  TS_MAX,
  TS_MIN,
  type ParsedBatch,
  type TelemetryItemError,
  type TelemetrySample,
} from './telemetry';
import {
  ID_REASON,
  REQUIRED_SIGNALS,
  SPEC_BY_NAME,
  epochMsReason,
  signalValueReason,
} from './telemetry-rules';

/** Largest number of samples accepted in one message or request. */
export const MAX_BATCH_ITEMS = 10_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseTimestamp(raw: unknown): number | string {
  if (typeof raw === 'number') {
    return epochMsReason(raw) ?? raw;
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

/**
 * The last vehicle and driver ids that passed ID_PATTERN: the samples of one message usually
 * share them, so the pattern runs once per message instead of once per sample.
 */
const lastGoodIds = { vehicleId: '', driverId: '' };

function isId(value: unknown, field: keyof typeof lastGoodIds): boolean {
  if (typeof value !== 'string') return false;
  // '' is the cache's empty state, never a valid id.
  if (value.length > 0 && value === lastGoodIds[field]) return true;
  if (!ID_PATTERN.test(value)) return false;
  lastGoodIds[field] = value;
  return true;
}

/** Validates the signals of one item; returns how many errors it appended. */
function checkSignals(
  signals: Record<string, unknown>,
  index: number,
  errors: TelemetryItemError[],
): number {
  const before = errors.length;
  const names = Object.keys(signals);
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    const value = signals[name];
    const spec = SPEC_BY_NAME.get(name);
    const reason = signalValueReason(spec, value);
    if (reason !== undefined) errors.push({ index, field: `signals.${name}`, value, reason });
  }
  for (const name of REQUIRED_SIGNALS) {
    if (!(name in signals)) {
      errors.push({ index, field: `signals.${name}`, value: undefined, reason: 'is required' });
    }
  }
  if (names.length === 0) {
    errors.push({
      index,
      field: 'signals',
      value: signals,
      reason: 'must hold at least one signal',
    });
  }
  return errors.length - before;
}

/**
 * Validates one item, appending its errors (in field order) to `errors`; returns the sample when
 * it is valid. With `adopt`, a valid item that already has the sample's exact shape (numeric
 * `ts`) is returned as is instead of copied — only safe for objects nobody else holds, such as
 * the output of JSON.parse.
 */
function parseItem(
  item: unknown,
  index: number,
  errors: TelemetryItemError[],
  adopt: boolean,
): TelemetrySample | undefined {
  if (!isRecord(item)) {
    errors.push({ index, field: '', value: item, reason: 'sample must be an object' });
    return undefined;
  }
  const before = errors.length;
  const { vehicleId, driverId, ts, signals } = item;
  if (vehicleId === undefined || vehicleId === null || vehicleId === '') {
    errors.push({ index, field: 'vehicleId', value: vehicleId, reason: 'is required' });
  } else if (!isId(vehicleId, 'vehicleId')) {
    errors.push({ index, field: 'vehicleId', value: vehicleId, reason: ID_REASON });
  }
  if (driverId !== undefined && !isId(driverId, 'driverId')) {
    errors.push({ index, field: 'driverId', value: driverId, reason: ID_REASON });
  }
  const parsedTs =
    typeof ts === 'number' && Number.isInteger(ts) && ts >= TS_MIN && ts < TS_MAX
      ? ts
      : parseTimestamp(ts);
  if (typeof parsedTs === 'string')
    errors.push({ index, field: 'ts', value: ts, reason: parsedTs });
  const keys = Object.keys(item);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (key !== 'vehicleId' && key !== 'driverId' && key !== 'ts' && key !== 'signals') {
      errors.push({ index, field: key, value: item[key], reason: 'unknown field' });
    }
  }
  if (!isRecord(signals)) {
    const reason = signals === undefined ? 'is required' : 'must be an object';
    errors.push({ index, field: 'signals', value: signals, reason });
  } else {
    checkSignals(signals, index, errors);
  }
  if (errors.length > before) return undefined;
  if (adopt && parsedTs === ts) return item as unknown as TelemetrySample;
  const parsedSignals = { ...(signals as Partial<Record<SignalName, number>>) };
  return driverId === undefined
    ? { vehicleId: vehicleId as string, ts: parsedTs as number, signals: parsedSignals }
    : {
        vehicleId: vehicleId as string,
        driverId: driverId as string,
        ts: parsedTs as number,
        signals: parsedSignals,
      };
}

function parseItems(input: unknown, adopt: boolean): ParsedBatch {
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
  for (let index = 0; index < items.length; index++) {
    const sample = parseItem(items[index], index, errors, adopt);
    if (sample !== undefined) {
      valid.push(sample);
      validIndex.push(index);
    }
  }
  return { valid, validIndex, errors };
}

/**
 * Validates one sample or an array of samples. Never throws on bad data: every item is either
 * in `valid` or has at least one precise error (field, value, reason) in `errors`. The valid
 * samples are fresh objects: later changes to `input` do not reach them.
 */
export function parseTelemetry(input: unknown): ParsedBatch {
  return parseItems(input, false);
}

/** Parses raw message bytes (JSON). A message that is not JSON is one item with one error. */
export function parseTelemetryJson(raw: string | Uint8Array): ParsedBatch {
  // Decode in place: Buffer.from(aBuffer) would copy the whole message first.
  const text =
    typeof raw === 'string'
      ? raw
      : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
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
  // The parsed objects belong to nobody else, so valid ones become the samples without a copy.
  return parseItems(parsed, true);
}
