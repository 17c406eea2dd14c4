import type { TelemetrySample } from './telemetry';
import { parseTelemetry } from './telemetry-parser';

/** Unit of line-protocol timestamps (InfluxDB's `precision`); `ns` is InfluxDB's default. */
export type LinePrecision = 'ns' | 'us' | 'ms' | 's';
export const LINE_PRECISIONS: readonly LinePrecision[] = ['ns', 'us', 'ms', 's'];

/** Why one line was refused; `line` is 1-based. */
export interface LineError {
  readonly line: number;
  readonly field: string;
  readonly value: unknown;
  readonly reason: string;
}

export interface ParsedLines {
  readonly valid: TelemetrySample[];
  /** 1-based line number of each valid sample. */
  readonly validLine: number[];
  readonly errors: LineError[];
  /** Lines that held a point (not blank, not a comment). */
  readonly points: number;
}

export interface LineProtocolOptions {
  readonly precision?: LinePrecision;
  /** Timestamp (epoch ms) of points without one, as InfluxDB does. */
  readonly now: number;
}

export const TELEMETRY_MEASUREMENT = 'telemetry';

type FieldValue = number | string | boolean;
interface RawPoint {
  measurement: string;
  tags: Map<string, string>;
  fields: Map<string, FieldValue>;
  timestamp?: string;
}

class SyntaxFault extends Error {}

/** Reads `text` from `i` up to an unescaped char of `stops`; unescapes `\x` for x in `escapable`. */
function readToken(text: string, i: number, stops: string, escapable: string): [string, number] {
  let out = '';
  let start = i;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length && escapable.includes(text[i + 1])) {
      out += text.slice(start, i) + text[i + 1];
      i += 2;
      start = i;
    } else if (stops.includes(c)) {
      break;
    } else {
      i++;
    }
  }
  return [out + text.slice(start, i), i];
}

function parseFieldValue(raw: string): FieldValue {
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)) return Number(raw);
  if (/^[-+]?\d+[iu]$/.test(raw)) return Number(raw.slice(0, -1));
  if (/^(t|T|true|True|TRUE)$/.test(raw)) return true;
  if (/^(f|F|false|False|FALSE)$/.test(raw)) return false;
  throw new SyntaxFault(`invalid field value "${raw}"`);
}

function parseLine(text: string): RawPoint {
  const [measurement, afterMeasurement] = readToken(text, 0, ', ', ', ');
  let i = afterMeasurement;
  if (measurement === '') throw new SyntaxFault('missing measurement');
  const tags = new Map<string, string>();
  while (text[i] === ',') {
    const [key, j] = readToken(text, i + 1, '=, ', ',= ');
    if (text[j] !== '=' || key === '') throw new SyntaxFault(`invalid tag "${key}"`);
    const [value, k] = readToken(text, j + 1, ', ', ',= ');
    if (value === '') throw new SyntaxFault(`tag ${key} has no value`);
    tags.set(key, value);
    i = k;
  }
  if (text[i] !== ' ') throw new SyntaxFault('missing field set');
  while (text[i] === ' ') i++;
  const fields = new Map<string, FieldValue>();
  for (;;) {
    const [key, j] = readToken(text, i, '=, ', ',= ');
    if (text[j] !== '=' || key === '') throw new SyntaxFault(`invalid field "${key}"`);
    i = j + 1;
    if (text[i] === '"') {
      const [value, k] = readToken(text, i + 1, '"', '"\\');
      if (text[k] !== '"') throw new SyntaxFault(`unterminated string in field ${key}`);
      fields.set(key, value);
      i = k + 1;
    } else {
      const [raw, k] = readToken(text, i, ', ', '');
      fields.set(key, parseFieldValue(raw));
      i = k;
    }
    if (text[i] !== ',') break;
    i++;
  }
  while (text[i] === ' ') i++;
  const timestamp = text.slice(i).trim();
  if (timestamp !== '' && !/^-?\d+$/.test(timestamp)) {
    throw new SyntaxFault(`invalid timestamp "${timestamp}"`);
  }
  return { measurement, tags, fields, timestamp: timestamp === '' ? undefined : timestamp };
}

const DIVISOR: Record<LinePrecision, bigint> = { ns: 1_000_000n, us: 1000n, ms: 1n, s: 1n };

/** Epoch ms of a timestamp in `precision`; finer than ms is truncated (floored). */
function toEpochMs(digits: string, precision: LinePrecision): number {
  const value = BigInt(digits);
  if (precision === 's') return Number(value * 1000n);
  const divisor = DIVISOR[precision];
  const q = value / divisor;
  return Number(value < 0n && q * divisor !== value ? q - 1n : q);
}

/** Domain field names (`signals.x`) as line-protocol users know them (`fields.x`). */
function lineField(field: string): string {
  if (field === 'vehicleId') return 'tags.vehicle_id';
  if (field === 'driverId') return 'tags.driver_id';
  if (field === 'ts') return 'timestamp';
  if (field.startsWith('signals.')) return `fields.${field.slice('signals.'.length)}`;
  return field;
}

/**
 * Parses InfluxDB line protocol into validated samples:
 * `telemetry,vehicle_id=v1,driver_id=d7 speed_mps=12.5,soc_pct=80 1767225600000000000`.
 * Measurement `telemetry`; tags `vehicle_id` (required) and `driver_id`; fields are signals.
 * Timestamps are in `precision` (default ns) and truncated to whole ms; a point without one
 * gets `now`. Every refused line has at least one error (syntax, or the telemetry parser's
 * reasons); blank lines and `#` comments are skipped. Never throws on bad input.
 */
export function parseLineProtocol(text: string, options: LineProtocolOptions): ParsedLines {
  const precision = options.precision ?? 'ns';
  const errors: LineError[] = [];
  const items: Record<string, unknown>[] = [];
  const itemLine: number[] = [];
  let points = 0;
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].endsWith('\r') ? lines[n].slice(0, -1) : lines[n];
    const trimmed = line.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    points++;
    const lineNo = n + 1;
    const fail = (field: string, value: unknown, reason: string): void => {
      errors.push({ line: lineNo, field, value, reason });
    };
    let point: RawPoint;
    try {
      point = parseLine(trimmed);
    } catch (err) {
      if (!(err instanceof SyntaxFault)) throw err;
      fail('', line.slice(0, 200), `invalid line protocol: ${err.message}`);
      continue;
    }
    let ok = true;
    if (point.measurement !== TELEMETRY_MEASUREMENT) {
      fail('measurement', point.measurement, `must be "${TELEMETRY_MEASUREMENT}"`);
      ok = false;
    }
    for (const key of point.tags.keys()) {
      if (key !== 'vehicle_id' && key !== 'driver_id') {
        fail(`tags.${key}`, point.tags.get(key), 'unknown tag (expected vehicle_id, driver_id)');
        ok = false;
      }
    }
    if (!ok) continue;
    const item: Record<string, unknown> = {
      vehicleId: point.tags.get('vehicle_id'),
      ts: point.timestamp === undefined ? options.now : toEpochMs(point.timestamp, precision),
      signals: Object.fromEntries(point.fields),
    };
    if (point.tags.has('driver_id')) item.driverId = point.tags.get('driver_id');
    items.push(item);
    itemLine.push(lineNo);
  }
  // Validation (ids, ranges, required signals) is the telemetry parser's, item by item.
  const parsed = items.length === 0 ? undefined : parseTelemetryItems(items);
  for (const e of parsed?.errors ?? []) {
    errors.push({
      line: itemLine[e.index],
      field: lineField(e.field),
      value: e.value,
      reason: e.reason,
    });
  }
  errors.sort((a, b) => a.line - b.line);
  return {
    valid: parsed?.valid ?? [],
    validLine: (parsed?.validIndex ?? []).map((i) => itemLine[i]),
    errors,
    points,
  };
}

/** parseTelemetry without its batch-size cap: the request body limit bounds line protocol. */
function parseTelemetryItems(items: Record<string, unknown>[]): ReturnType<typeof parseTelemetry> {
  const valid: TelemetrySample[] = [];
  const validIndex: number[] = [];
  const errors: ReturnType<typeof parseTelemetry>['errors'] = [];
  items.forEach((item, index) => {
    const one = parseTelemetry(item);
    if (one.valid.length === 1) {
      valid.push(one.valid[0]);
      validIndex.push(index);
    } else {
      for (const e of one.errors) errors.push({ ...e, index });
    }
  });
  return { valid, validIndex, errors };
}
