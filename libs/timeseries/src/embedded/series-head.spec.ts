import type { TelemetrySample } from '@fleetfm/domain';
import { encodeBatch } from './column-batch';
import { decodeSegment, encodeSegment } from './segment-file';
import { SeriesHead } from './series-head';

const SPEED = 8; // index of speed_mps in SIGNAL_NAMES

function applyAll(head: SeriesHead, rows: [number, number, string?][], lsn = 1): void {
  const samples: TelemetrySample[] = rows.map(([ts, speed, driverId]) => ({
    vehicleId: 'v',
    ...(driverId ? { driverId } : {}),
    ts,
    signals: { speed_mps: speed },
  }));
  const { batch } = encodeBatch(samples, lsn);
  for (let i = 0; i < batch.length; i++) head.append(batch, i);
  head.normalize();
}

const tsOf = (h: SeriesHead): number[] => Array.from(h.ts.subarray(0, h.length));
const speedOf = (h: SeriesHead): number[] => Array.from(h.column(SPEED).subarray(0, h.length));

describe('SeriesHead', () => {
  it('appends in order and replaces an equal last timestamp', () => {
    const sut = new SeriesHead();
    applyAll(sut, [
      [10, 1],
      [20, 2],
      [20, 3],
    ]);
    expect(tsOf(sut)).toEqual([10, 20]);
    expect(speedOf(sut)).toEqual([1, 3]);
  });

  it('sorts late rows in and keeps the last write of a timestamp', () => {
    const sut = new SeriesHead();
    applyAll(sut, [
      [30, 3],
      [10, 1],
      [20, 2],
      [10, 9],
    ]);
    applyAll(sut, [[20, 7]], 2);
    expect(tsOf(sut)).toEqual([10, 20, 30]);
    expect(speedOf(sut)).toEqual([9, 7, 3]);
    expect([sut.firstLsn, sut.lastLsn]).toEqual([1, 2]);
  });

  it('grows past its initial capacity and gives memory back on clear', () => {
    const sut = new SeriesHead();
    const small = sut.capacityBytes;
    applyAll(
      sut,
      Array.from({ length: 1000 }, (_, i): [number, number] => [i, i % 90]),
    );
    expect(sut.length).toBe(1000);
    expect(speedOf(sut)[999]).toBe(999 % 90);
    sut.clear();
    expect([sut.length, sut.capacityBytes]).toEqual([0, small]);
  });
});

describe('segment encoding', () => {
  it('round-trips rows, drivers and absent signals', () => {
    const head = new SeriesHead();
    applyAll(head, [
      [10, 1, 'd1'],
      [20, 2],
      [30, 3, 'd2'],
    ]);
    const sut = decodeSegment(encodeSegment('v', head), 'test.seg');
    expect(Array.from(sut.ts)).toEqual([10, 20, 30]);
    expect(Array.from(sut.column(SPEED) ?? [])).toEqual([1, 2, 3]);
    expect(sut.column(0)).toBeUndefined(); // accel_mps2 never measured: not stored
    expect([0, 1, 2].map((r) => sut.driverAt(r))).toEqual(['d1', undefined, 'd2']);
  });

  it('detects corruption', () => {
    const head = new SeriesHead();
    applyAll(head, [[10, 1]]);
    const bytes = Buffer.from(encodeSegment('v', head));
    bytes[bytes.length - 12] ^= 1;
    expect(() => decodeSegment(bytes, 'x.seg')).toThrow('segment x.seg is corrupt: bad crc');
  });
});
