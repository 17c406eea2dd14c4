import * as fs from 'node:fs';
import * as path from 'node:path';
import { SIGNAL_NAMES } from '@fleetfm/domain';
import { crc32 } from './crc32';
import { fsyncDir } from './wal';
import type { SeriesSource } from './series-source';

const MAGIC = 0x31534646; // "FFS1" little-endian
const NAME_PATTERN = /^(\d{16})_([^_]+)_([^_]+)_(\d+)\.seg$/;
const pad8 = (n: number): number => (n + 7) & ~7;

/**
 * What the store knows about a segment without reading it: everything is in the file name,
 * so opening a store with months of history costs one `readdir` per vehicle.
 */
export interface SegmentInfo {
  readonly vehicleId: string;
  readonly file: string;
  readonly minTs: number;
  readonly maxTs: number;
  readonly rows: number;
  /**
   * LSN of the newest WAL record whose rows it holds. Per vehicle it increases with every
   * flush, so it orders segments by age (newer wins on equal ts) and tells recovery which WAL
   * records of the vehicle are already in segments.
   */
  readonly lastLsn: number;
}

interface SegmentMeta {
  readonly vehicleId: string;
  readonly rows: number;
  readonly signals: string[];
  readonly drivers: string[];
}

export function vehicleDirName(vehicleId: string): string {
  return Buffer.from(vehicleId, 'utf8').toString('hex');
}

export function vehicleIdOfDir(dirName: string): string | undefined {
  if (!/^([0-9a-f]{2})+$/.test(dirName)) return undefined;
  return Buffer.from(dirName, 'hex').toString('utf8');
}

export function segmentFileName(info: Omit<SegmentInfo, 'file' | 'vehicleId'>): string {
  const lsn = String(info.lastLsn).padStart(16, '0');
  return `${lsn}_${info.minTs}_${info.maxTs}_${info.rows}.seg`;
}

export function parseSegmentFileName(
  vehicleId: string,
  dir: string,
  name: string,
): SegmentInfo | undefined {
  const m = NAME_PATTERN.exec(name);
  if (!m) return undefined;
  const [minTs, maxTs] = [Number(m[2]), Number(m[3])];
  if (!Number.isFinite(minTs) || !Number.isFinite(maxTs)) return undefined;
  return {
    vehicleId,
    file: path.join(dir, name),
    lastLsn: Number(m[1]),
    minTs,
    maxTs,
    rows: Number(m[4]),
  };
}

/**
 * Binary columnar layout: `[u32 magic][u32 metaLen][meta JSON, padded to 8][f64 ts × n]
 * [f64 × n per stored signal][i32 driver × n, padded to 8][u32 crc32 of all before][u32 0]`.
 * Signals without any value in the segment are not stored.
 */
export function encodeSegment(vehicleId: string, source: SeriesSource): Uint8Array {
  const n = source.length;
  const stored: number[] = [];
  for (let k = 0; k < SIGNAL_NAMES.length; k++) {
    const col = source.column(k);
    if (!col) continue;
    for (let i = 0; i < n; i++) {
      if (!Number.isNaN(col[i])) {
        stored.push(k);
        break;
      }
    }
  }
  const drivers: string[] = [];
  const driverCodes = new Map<string, number>();
  const drv = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const id = source.driverAt(i);
    if (id === undefined) {
      drv[i] = -1;
      continue;
    }
    let code = driverCodes.get(id);
    if (code === undefined) {
      code = drivers.length;
      drivers.push(id);
      driverCodes.set(id, code);
    }
    drv[i] = code;
  }
  const meta: SegmentMeta = {
    vehicleId,
    rows: n,
    signals: stored.map((k) => SIGNAL_NAMES[k]),
    drivers,
  };
  const metaBytes = Buffer.from(JSON.stringify(meta), 'utf8');
  const colStart = 8 + pad8(metaBytes.length);
  const intStart = colStart + 8 * n * (1 + stored.length);
  const crcAt = intStart + pad8(4 * n);
  const buffer = new ArrayBuffer(crcAt + 8);
  const bytes = new Uint8Array(buffer);
  const view = new DataView(buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, metaBytes.length, true);
  bytes.set(metaBytes, 8);
  new Float64Array(buffer, colStart, n).set(source.ts.subarray(0, n));
  stored.forEach((k, j) => {
    const col = source.column(k) as Float64Array;
    new Float64Array(buffer, colStart + 8 * n * (j + 1), n).set(col.subarray(0, n));
  });
  new Int32Array(buffer, intStart, n).set(drv);
  view.setUint32(crcAt, crc32(bytes.subarray(0, crcAt)), true);
  return bytes;
}

/** An immutable segment read into memory (columns are views over the file's bytes). */
export class LoadedSegment implements SeriesSource {
  constructor(
    readonly length: number,
    readonly ts: Float64Array,
    private readonly cols: readonly (Float64Array | undefined)[],
    private readonly drv: Int32Array,
    private readonly drivers: readonly string[],
    readonly bytes: number,
  ) {}

  column(k: number): Float64Array | undefined {
    return this.cols[k];
  }

  driverAt(row: number): string | undefined {
    const code = this.drv[row];
    return code < 0 ? undefined : this.drivers[code];
  }
}

export function decodeSegment(input: Uint8Array, file: string): LoadedSegment {
  const buf = input.byteOffset % 8 === 0 ? input : new Uint8Array(input);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const corrupt = (why: string): Error => new Error(`segment ${file} is corrupt: ${why}`);
  if (buf.length < 16 || view.getUint32(0, true) !== MAGIC) throw corrupt('bad magic');
  const crcAt = buf.length - 8;
  if (crc32(buf.subarray(0, crcAt)) !== view.getUint32(crcAt, true)) throw corrupt('bad crc');
  const metaLen = view.getUint32(4, true);
  const meta = JSON.parse(Buffer.from(buf.buffer, buf.byteOffset + 8, metaLen).toString('utf8'));
  const { rows: n, signals, drivers } = meta as SegmentMeta;
  const base = buf.byteOffset + 8 + pad8(metaLen);
  const ts = new Float64Array(buf.buffer, base, n);
  const byName = new Map(signals.map((name, j) => [name, j]));
  const cols = SIGNAL_NAMES.map((name) => {
    const j = byName.get(name);
    return j === undefined ? undefined : new Float64Array(buf.buffer, base + 8 * n * (j + 1), n);
  });
  const drv = new Int32Array(buf.buffer, base + 8 * n * (1 + signals.length), n);
  return new LoadedSegment(n, ts, cols, drv, drivers, buf.length);
}

/** Writes a segment atomically: temp file, fsync, rename, fsync of the directory. */
export async function writeSegmentFile(
  dir: string,
  vehicleId: string,
  source: SeriesSource,
  lastLsn: number,
): Promise<{ info: SegmentInfo; segment: LoadedSegment }> {
  const n = source.length;
  const info = { lastLsn, minTs: source.ts[0], maxTs: source.ts[n - 1], rows: n };
  const file = path.join(dir, segmentFileName(info));
  const tmp = `${file}.tmp`;
  await fs.promises.mkdir(dir, { recursive: true });
  const bytes = encodeSegment(vehicleId, source);
  const handle = await fs.promises.open(tmp, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.promises.rename(tmp, file);
  await fsyncDir(dir);
  return { info: { ...info, vehicleId, file }, segment: decodeSegment(bytes, file) };
}

export async function readSegmentFile(file: string): Promise<LoadedSegment> {
  return decodeSegment(await fs.promises.readFile(file), file);
}
