import { SIGNAL_NAMES, ValidationError, type TelemetrySample } from '@fleetfm/domain';
import { crc32 } from './crc32';

/**
 * One `write()` call in columnar form: the unit the write-ahead log stores (one record) and the
 * unit the in-memory heads apply, so a batch is encoded once and replayed by the same code.
 */
export interface ColumnBatch {
  /** Log sequence number: one per record, increasing over the life of the store. */
  readonly lsn: number;
  readonly length: number;
  readonly ts: Float64Array;
  /** Row -> index into `strings` of the vehicle id. */
  readonly vehicle: Uint32Array;
  /** Row -> index into `strings` of the driver id, -1 when the sample had none. */
  readonly driver: Int32Array;
  readonly strings: readonly string[];
  /** One column per entry of SIGNAL_NAMES; NaN where the sample did not carry the signal. */
  readonly signals: readonly Float64Array[];
}

interface RecordMeta {
  readonly lsn: number;
  readonly n: number;
  readonly strings: string[];
  readonly signals: string[];
}

/** Bytes before the payload: u32 payload length, u32 crc32 of the payload. */
export const FRAME_BYTES = 8;

const pad8 = (n: number): number => (n + 7) & ~7;

/**
 * Encodes samples as one WAL record:
 * `[u32 payloadLen][u32 crc][u32 metaLen][u32 0][meta JSON, padded to 8]
 *  [f64 ts × n][f64 signal × n per signal][u32 vehicle × n][i32 driver × n][pad to 8]`.
 * Every column starts 8-byte aligned so that replay can view it without copying.
 */
export function encodeBatch(
  samples: readonly TelemetrySample[],
  lsn: number,
): { bytes: Uint8Array; batch: ColumnBatch } {
  const n = samples.length;
  const ids = new Map<string, number>();
  const strings: string[] = [];
  const intern = (s: string): number => {
    let i = ids.get(s);
    if (i === undefined) {
      i = strings.length;
      ids.set(s, i);
      strings.push(s);
    }
    return i;
  };
  const vehicle = new Uint32Array(n);
  const driver = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = samples[i];
    if (typeof s.vehicleId !== 'string' || s.vehicleId === '') {
      throw new ValidationError(`sample ${i}: vehicleId is required`, { index: i });
    }
    if (typeof s.ts !== 'number' || !Number.isFinite(s.ts)) {
      throw new ValidationError(`sample ${i}: ts must be finite epoch ms`, { index: i });
    }
    vehicle[i] = intern(s.vehicleId);
    driver[i] = s.driverId === undefined ? -1 : intern(s.driverId);
  }
  const meta: RecordMeta = { lsn, n, strings, signals: [...SIGNAL_NAMES] };
  const metaBytes = Buffer.from(JSON.stringify(meta), 'utf8');
  const colStart = FRAME_BYTES + 8 + pad8(metaBytes.length);
  const f64Bytes = 8 * n * (1 + SIGNAL_NAMES.length);
  const total = pad8(colStart + f64Bytes + 8 * n);
  const buffer = new ArrayBuffer(total);
  const bytes = new Uint8Array(buffer);
  const head = new DataView(buffer);
  head.setUint32(0, total - FRAME_BYTES, true);
  head.setUint32(FRAME_BYTES, metaBytes.length, true);
  bytes.set(metaBytes, FRAME_BYTES + 8);

  const ts = new Float64Array(buffer, colStart, n);
  const signals = SIGNAL_NAMES.map(
    (_, k) => new Float64Array(buffer, colStart + 8 * n * (k + 1), n),
  );
  // A local copy: the imported binding is a getter once compiled to CommonJS.
  const names = [...SIGNAL_NAMES];
  const width = names.length;
  for (let i = 0; i < n; i++) {
    const s = samples[i];
    ts[i] = s.ts;
    const values = s.signals as Readonly<Record<string, number | undefined>>;
    for (let k = 0; k < width; k++) {
      const v = values[names[k]];
      signals[k][i] = v === undefined ? Number.NaN : v;
    }
  }
  const intStart = colStart + f64Bytes;
  new Uint32Array(buffer, intStart, n).set(vehicle);
  new Int32Array(buffer, intStart + 4 * n, n).set(driver);
  head.setUint32(4, crc32(bytes.subarray(FRAME_BYTES)), true);
  return { bytes, batch: { lsn, length: n, ts, vehicle, driver, strings, signals } };
}

export interface DecodedLog {
  readonly batches: ColumnBatch[];
  /** Bytes of whole, checksummed records from the start of the buffer. */
  readonly validBytes: number;
  /** Bytes after the last good record (a torn or corrupt tail), ignored. */
  readonly tornBytes: number;
}

/**
 * Decodes consecutive records and stops at the first incomplete or corrupt one: a crash while
 * appending leaves at most a torn tail, and everything before it was fsync'd whole.
 */
export function decodeRecords(input: Uint8Array): DecodedLog {
  // Typed-array views need 8-byte alignment of the underlying buffer.
  const buf = input.byteOffset % 8 === 0 ? input : new Uint8Array(input);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const batches: ColumnBatch[] = [];
  let off = 0;
  while (off + FRAME_BYTES <= buf.length) {
    const len = view.getUint32(off, true);
    if (len < 8 || len % 8 !== 0 || off + FRAME_BYTES + len > buf.length) break;
    const payload = buf.subarray(off + FRAME_BYTES, off + FRAME_BYTES + len);
    if (crc32(payload) !== view.getUint32(off + 4, true)) break;
    const batch = decodePayload(payload);
    if (!batch) break;
    batches.push(batch);
    off += FRAME_BYTES + len;
  }
  return { batches, validBytes: off, tornBytes: buf.length - off };
}

function decodePayload(payload: Uint8Array): ColumnBatch | undefined {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const metaLen = view.getUint32(0, true);
  let meta: RecordMeta;
  try {
    meta = JSON.parse(
      Buffer.from(payload.buffer, payload.byteOffset + 8, metaLen).toString('utf8'),
    );
  } catch {
    return undefined;
  }
  const n = meta.n;
  const base = payload.byteOffset + 8 + pad8(metaLen);
  if (base - payload.byteOffset + 8 * n * (1 + meta.signals.length) + 8 * n > payload.length) {
    return undefined;
  }
  const ts = new Float64Array(payload.buffer, base, n);
  const byName = new Map(meta.signals.map((name, k) => [name, k]));
  // Columns of signals the schema no longer knows are dropped; new signals read as missing.
  const signals = SIGNAL_NAMES.map((name) => {
    const k = byName.get(name);
    return k === undefined
      ? new Float64Array(n).fill(Number.NaN)
      : new Float64Array(payload.buffer, base + 8 * n * (k + 1), n);
  });
  const intStart = base + 8 * n * (1 + meta.signals.length);
  const vehicle = new Uint32Array(payload.buffer, intStart, n);
  const driver = new Int32Array(payload.buffer, intStart + 4 * n, n);
  return { lsn: meta.lsn, length: n, ts, vehicle, driver, strings: meta.strings, signals };
}
