import type { TelemetrySample } from '@fleetfm/domain';
import { decodeRecords, encodeBatch } from './column-batch';
import { crc32, crc32Portable } from './crc32';

const T0 = Date.UTC(2026, 0, 1);
const samples: TelemetrySample[] = [
  { vehicleId: 'v1', driverId: 'd1', ts: T0, signals: { speed_mps: 12.5, soc_pct: 80 } },
  { vehicleId: 'v2', ts: T0 + 100, signals: { speed_mps: 3 } },
  { vehicleId: 'v1', driverId: 'd2', ts: T0 + 200, signals: { grade_pct: -1.25, speed_mps: 0 } },
];

describe('crc32', () => {
  it.each([
    ['123456789', 0xcbf43926],
    ['', 0],
    ['The quick brown fox jumps over the lazy dog', 0x414fa339],
  ])('of %j is the IEEE check value', (text, expected) => {
    expect(crc32(Buffer.from(text))).toBe(expected);
    expect(crc32Portable(Buffer.from(text))).toBe(expected);
  });
});

describe('WAL record encoding', () => {
  it('round-trips a batch column by column', () => {
    const { bytes } = encodeBatch(samples, 7);
    const { batches, validBytes, tornBytes } = decodeRecords(bytes);
    expect([validBytes, tornBytes]).toEqual([bytes.length, 0]);
    const [b] = batches;
    expect(b.lsn).toBe(7);
    expect(Array.from(b.ts)).toEqual([T0, T0 + 100, T0 + 200]);
    expect(Array.from(b.vehicle, (i) => b.strings[i])).toEqual(['v1', 'v2', 'v1']);
    expect(Array.from(b.driver, (i) => (i < 0 ? undefined : b.strings[i]))).toEqual([
      'd1',
      undefined,
      'd2',
    ]);
    // SIGNAL_NAMES is sorted: grade_pct is column 4, soc_pct 7, speed_mps 8.
    expect(Array.from(b.signals[4])).toEqual([NaN, NaN, -1.25]);
    expect(Array.from(b.signals[7])).toEqual([80, NaN, NaN]);
    expect(Array.from(b.signals[8])).toEqual([12.5, 3, 0]);
  });

  it('reads consecutive records and stops at a torn one', () => {
    const a = encodeBatch(samples, 1).bytes;
    const b = encodeBatch(samples.slice(1), 2).bytes;
    const c = encodeBatch(samples, 3).bytes;
    const log = Buffer.concat([a, b, c.subarray(0, c.length - 3)]);
    const decoded = decodeRecords(log);
    expect(decoded.batches.map((x) => x.lsn)).toEqual([1, 2]);
    expect(decoded.validBytes).toBe(a.length + b.length);
    expect(decoded.tornBytes).toBe(c.length - 3);
  });

  it('stops at a record whose checksum does not match', () => {
    const a = encodeBatch(samples, 1).bytes;
    const b = Buffer.from(encodeBatch(samples, 2).bytes);
    b[b.length - 20] ^= 0xff;
    expect(decodeRecords(Buffer.concat([a, b])).batches.map((x) => x.lsn)).toEqual([1]);
  });

  it('decodes from an unaligned buffer', () => {
    const { bytes } = encodeBatch(samples, 1);
    const shifted = Buffer.alloc(bytes.length + 1);
    shifted.set(bytes, 1);
    expect(decodeRecords(shifted.subarray(1)).batches).toHaveLength(1);
  });

  it('refuses a sample without a finite timestamp', () => {
    const bad = [{ vehicleId: 'v1', ts: Number.NaN, signals: {} }];
    expect(() => encodeBatch(bad, 1)).toThrow('sample 0: ts must be finite epoch ms');
  });
});
