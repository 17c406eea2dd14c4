import { SIGNAL_NAMES } from './signals';
import type { TelemetrySample } from './telemetry';

/**
 * Compact binary encoding of one vehicle's run of samples ("FTB", FleetFM telemetry batch), for
 * the stream: columnar, so ingestion decodes it with typed reads instead of JSON.parse, and about
 * a quarter of the JSON size. A message starts with TELEMETRY_BINARY_MAGIC, a byte no JSON text
 * can start with, so JSON and binary messages share a topic and are told apart by their first
 * byte. All numbers little-endian:
 *
 * ```
 * u8  0xF7, u8 'F', u8 'T', u8 version (1)
 * u32 n                         samples
 * u8  L, L bytes                vehicle id (UTF-8)
 * u8  D, D × (u8 len, bytes)    driver ids used by the run (D ≤ 254)
 * n × u8                        driver index per sample, 0xFF = none (only when D > 0)
 * n × f64                       ts, epoch ms
 * u8  C                         signal columns, then per column:
 *     u8 len, bytes               signal name (UTF-8)
 *     ceil(n / 8) bytes           presence bitmap (bit i % 8 of byte i / 8: sample i has it)
 *     n × f64                     values (anything where absent)
 * ```
 * The message must end there. Encoding is transport only: the decoder validates every sample
 * with the JSON parser's rules and reasons (see decodeTelemetryBinary).
 */
export const TELEMETRY_BINARY_MAGIC = 0xf7;
export const TELEMETRY_BINARY_VERSION = 1;
/** Content type for HTTP or message headers that carry this encoding. */
export const TELEMETRY_BINARY_CONTENT_TYPE = 'application/vnd.fleetfm.telemetry-batch';
/** Driver index of a sample without a driver. */
export const NO_DRIVER = 0xff;
/** Most distinct drivers in one message. */
export const MAX_DRIVERS_PER_MESSAGE = 254;
const HEADER = [TELEMETRY_BINARY_MAGIC, 0x46, 0x54, TELEMETRY_BINARY_VERSION] as const;

/** Telemetry in the binary encoding? (First byte; anything else is read as JSON.) */
export function isBinaryTelemetry(bytes: Uint8Array): boolean {
  return bytes.length > 0 && bytes[0] === TELEMETRY_BINARY_MAGIC;
}

function shortString(name: string, value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > 255) throw new RangeError(`${name} is longer than 255 bytes`);
  return bytes;
}

/**
 * Encodes the samples of one vehicle (in the given order) as one binary message. Columns are the
 * signals any sample carries, in schema order (then any other key, in first-seen order). Values
 * are written as they are, NaN included: validation is the decoder's job.
 * @throws RangeError for samples of several vehicles, more than 254 drivers or ids over 255 bytes.
 */
export function encodeTelemetryBatch(samples: readonly TelemetrySample[]): Buffer {
  const n = samples.length;
  const vehicleId = n > 0 ? samples[0].vehicleId : '';
  const drivers: string[] = [];
  const driverIndex = new Map<string, number>();
  const names = new Set<string>();
  for (const s of samples) {
    if (s.vehicleId !== vehicleId) {
      throw new RangeError(`one message holds one vehicle: ${vehicleId} and ${s.vehicleId}`);
    }
    if (s.driverId !== undefined && !driverIndex.has(s.driverId)) {
      if (drivers.length >= MAX_DRIVERS_PER_MESSAGE) {
        throw new RangeError(`at most ${MAX_DRIVERS_PER_MESSAGE} drivers per message`);
      }
      driverIndex.set(s.driverId, drivers.length);
      drivers.push(s.driverId);
    }
    for (const name in s.signals) names.add(name);
  }
  const columns = [
    ...SIGNAL_NAMES.filter((name) => names.has(name)),
    ...[...names].filter((name) => !(SIGNAL_NAMES as readonly string[]).includes(name)),
  ];
  if (columns.length > 255) throw new RangeError('at most 255 signal columns per message');
  const vehicle = shortString('vehicleId', vehicleId);
  const driverBytes = drivers.map((d) => shortString('driverId', d));
  const columnNames = columns.map((c) => shortString('signal name', c));
  const maskBytes = (n + 7) >> 3;
  let size = 4 + 4 + 1 + vehicle.length + 1 + (drivers.length > 0 ? n : 0) + 8 * n + 1;
  for (const d of driverBytes) size += 1 + d.length;
  for (const c of columnNames) size += 1 + c.length + maskBytes + 8 * n;

  const out = Buffer.alloc(size);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let at = 0;
  for (const b of HEADER) out[at++] = b;
  view.setUint32(at, n, true);
  at += 4;
  const putString = (bytes: Buffer): void => {
    out[at++] = bytes.length;
    bytes.copy(out, at);
    at += bytes.length;
  };
  putString(vehicle);
  out[at++] = drivers.length;
  for (const d of driverBytes) putString(d);
  if (drivers.length > 0) {
    for (let i = 0; i < n; i++) {
      const d = samples[i].driverId;
      out[at++] = d === undefined ? NO_DRIVER : (driverIndex.get(d) as number);
    }
  }
  for (let i = 0; i < n; i++, at += 8) view.setFloat64(at, samples[i].ts, true);
  out[at++] = columns.length;
  for (let c = 0; c < columns.length; c++) {
    putString(columnNames[c]);
    const name = columns[c];
    const maskAt = at;
    at += maskBytes;
    for (let i = 0; i < n; i++, at += 8) {
      const value = (samples[i].signals as Record<string, number | undefined>)[name];
      if (value === undefined) continue;
      out[maskAt + (i >> 3)] |= 1 << (i & 7);
      view.setFloat64(at, value, true);
    }
  }
  return out;
}
