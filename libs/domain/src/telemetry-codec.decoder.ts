import type { SignalName, SignalSpec } from './signals';
import {
  ID_PATTERN,
  type ParsedBatch,
  type TelemetryItemError,
  type TelemetrySample,
} from './telemetry';
import { NO_DRIVER, TELEMETRY_BINARY_MAGIC, TELEMETRY_BINARY_VERSION } from './telemetry-codec';
import { MAX_BATCH_ITEMS } from './telemetry-parser';
import {
  ID_REASON,
  REQUIRED_SIGNALS,
  SPEC_BY_NAME,
  epochMsReason,
  signalValueReason,
} from './telemetry-rules';

class Malformed extends Error {}

/** Bounds-checked little-endian reads over one message. */
class Reader {
  at = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  need(count: number, what: string): number {
    const start = this.at;
    if (start + count > this.bytes.length) {
      throw new Malformed(
        `truncated: ${what} needs ${count} bytes at byte ${start}, the message has ${this.bytes.length}`,
      );
    }
    this.at += count;
    return start;
  }

  get length(): number {
    return this.bytes.length;
  }

  u8(what: string): number {
    return this.bytes[this.need(1, what)];
  }

  u32(what: string): number {
    return this.view.getUint32(this.need(4, what), true);
  }

  f64(at: number): number {
    return this.view.getFloat64(at, true);
  }

  byte(at: number): number {
    return this.bytes[at];
  }

  string(what: string): string {
    const length = this.u8(`${what} length`);
    const start = this.need(length, what);
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + start, length).toString('utf8');
  }
}

interface Column {
  readonly name: string;
  readonly spec: SignalSpec | undefined;
  /** Offset of the presence bitmap; values follow it. */
  readonly maskAt: number;
  readonly valuesAt: number;
}

interface Layout {
  readonly n: number;
  readonly vehicleId: string;
  readonly drivers: readonly string[];
  /** Offset of the per-sample driver indices, or -1 when the message has no drivers. */
  readonly driverIndexAt: number;
  readonly tsAt: number;
  readonly columns: readonly Column[];
}

function readLayout(r: Reader): Layout {
  if (
    r.u8('magic') !== TELEMETRY_BINARY_MAGIC ||
    r.u8('magic') !== 0x46 ||
    r.u8('magic') !== 0x54
  ) {
    throw new Malformed('bad magic bytes');
  }
  const version = r.u8('version');
  if (version !== TELEMETRY_BINARY_VERSION) {
    throw new Malformed(
      `unsupported version ${version} (this reader knows ${TELEMETRY_BINARY_VERSION})`,
    );
  }
  const n = r.u32('sample count');
  const vehicleId = r.string('vehicle id');
  const driverCount = r.u8('driver count');
  const drivers: string[] = [];
  for (let d = 0; d < driverCount; d++) drivers.push(r.string(`driver id ${d}`));
  const driverIndexAt = driverCount > 0 ? r.need(n, 'driver indices') : -1;
  const tsAt = r.need(8 * n, 'timestamps');
  const columnCount = r.u8('column count');
  const columns: Column[] = [];
  const seen = new Set<string>();
  const maskBytes = Math.ceil(n / 8);
  for (let c = 0; c < columnCount; c++) {
    const name = r.string(`signal name ${c}`);
    if (seen.has(name)) throw new Malformed(`signal ${name} appears twice`);
    seen.add(name);
    const maskAt = r.need(maskBytes, `presence of ${name}`);
    const valuesAt = r.need(8 * n, `values of ${name}`);
    columns.push({ name, spec: SPEC_BY_NAME.get(name), maskAt, valuesAt });
  }
  if (r.at !== r.length) {
    throw new Malformed(`trailing bytes after byte ${r.at}`);
  }
  if (driverIndexAt >= 0) {
    for (let i = 0; i < n; i++) {
      const d = r.byte(driverIndexAt + i);
      if (d !== NO_DRIVER && d >= driverCount) {
        throw new Malformed(`sample ${i} names driver ${d} of ${driverCount}`);
      }
    }
  }
  return { n, vehicleId, drivers, driverIndexAt, tsAt, columns };
}

function malformed(reason: string): ParsedBatch {
  return {
    valid: [],
    validIndex: [],
    errors: [
      { index: 0, field: '', value: undefined, reason: `invalid binary telemetry: ${reason}` },
    ],
  };
}

/**
 * Decodes and validates one binary message (see telemetry-codec.ts) with the rules of
 * parseTelemetryJson: each sample is valid or has precise errors (same fields, values and
 * reasons as the JSON parser gives for the same sample). A message that cannot be read at all
 * is one item with one error. Never throws.
 */
export function decodeTelemetryBinary(bytes: Uint8Array): ParsedBatch {
  const r = new Reader(bytes);
  let layout: Layout;
  try {
    layout = readLayout(r);
  } catch (err) {
    if (err instanceof Malformed) return malformed(err.message);
    throw err;
  }
  const { n, vehicleId, drivers, driverIndexAt, tsAt, columns } = layout;
  const errors: TelemetryItemError[] = [];
  if (n > MAX_BATCH_ITEMS) {
    const reason = `batch has ${n} items; at most ${MAX_BATCH_ITEMS} are accepted`;
    for (let i = 0; i < n; i++) errors.push({ index: i, field: '', value: undefined, reason });
    return { valid: [], validIndex: [], errors };
  }
  const bad = new Uint8Array(n);
  const fail = (index: number, field: string, value: unknown, reason: string): void => {
    errors.push({ index, field, value, reason });
    bad[index] = 1;
  };
  // Column by column; errors are put in item order (then field order) at the end.
  if (vehicleId === '' || !ID_PATTERN.test(vehicleId)) {
    const reason = vehicleId === '' ? 'is required' : ID_REASON;
    for (let i = 0; i < n; i++) fail(i, 'vehicleId', vehicleId, reason);
  }
  const driverOk = drivers.map((d) => ID_PATTERN.test(d));
  if (driverIndexAt >= 0 && driverOk.includes(false)) {
    for (let i = 0; i < n; i++) {
      const d = r.byte(driverIndexAt + i);
      if (d !== NO_DRIVER && !driverOk[d]) fail(i, 'driverId', drivers[d], ID_REASON);
    }
  }
  const ts = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = r.f64(tsAt + 8 * i);
    ts[i] = t;
    const reason = epochMsReason(t);
    if (reason !== undefined) fail(i, 'ts', t, reason);
  }
  const signalCount = new Uint8Array(n);
  for (const column of columns) {
    const { name, spec, maskAt, valuesAt } = column;
    const field = `signals.${name}`;
    for (let i = 0; i < n; i++) {
      if ((r.byte(maskAt + (i >> 3)) & (1 << (i & 7))) === 0) continue;
      signalCount[i]++;
      const value = r.f64(valuesAt + 8 * i);
      const reason = signalValueReason(spec, value);
      if (reason !== undefined) fail(i, field, value, reason);
    }
  }
  for (const name of REQUIRED_SIGNALS) {
    const column = columns.find((c) => c.name === name);
    for (let i = 0; i < n; i++) {
      if (column && (r.byte(column.maskAt + (i >> 3)) & (1 << (i & 7))) !== 0) continue;
      fail(i, `signals.${name}`, undefined, 'is required');
    }
  }
  for (let i = 0; i < n; i++) {
    if (signalCount[i] === 0) fail(i, 'signals', {}, 'must hold at least one signal');
  }
  if (errors.length > 0) errors.sort((a, b) => a.index - b.index); // stable: field order kept

  const valid: TelemetrySample[] = [];
  const validIndex: number[] = [];
  for (let i = 0; i < n; i++) {
    if (bad[i] === 1) continue;
    const signals: Partial<Record<SignalName, number>> = {};
    for (const { name, maskAt, valuesAt } of columns) {
      if ((r.byte(maskAt + (i >> 3)) & (1 << (i & 7))) !== 0) {
        signals[name as SignalName] = r.f64(valuesAt + 8 * i);
      }
    }
    const d = driverIndexAt >= 0 ? r.byte(driverIndexAt + i) : NO_DRIVER;
    valid.push(
      d === NO_DRIVER
        ? { vehicleId, ts: ts[i], signals }
        : { vehicleId, driverId: drivers[d], ts: ts[i], signals },
    );
    validIndex.push(i);
  }
  return { valid, validIndex, errors };
}
