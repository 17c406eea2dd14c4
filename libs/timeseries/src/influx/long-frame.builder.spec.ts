import { LongFrameBuilder, downsampleFrame, legacyPresenceMask } from './long-frame.builder';

const T0 = Date.UTC(2026, 0, 1);
const at = (offsetMs: number): string => new Date(T0 + offsetMs).toISOString();
const list = (a: Float64Array | undefined): number[] => Array.from(a ?? []);

describe('LongFrameBuilder', () => {
  it('pivots long rows into sorted columns, NaN where not measured', () => {
    const sut = new LongFrameBuilder();
    sut.add(at(0), '1', 'speed_mps');
    sut.add(at(2000), '3', 'speed_mps');
    sut.add(at(1000), '50', 'soc_pct');
    const frame = sut.toFrame('v', ['soc_pct', 'speed_mps', 'grade_pct']);
    expect(list(frame.ts)).toEqual([T0, T0 + 1000, T0 + 2000]);
    expect(list(frame.columns.speed_mps)).toEqual([1, NaN, 3]);
    expect(list(frame.columns.soc_pct)).toEqual([NaN, 50, NaN]);
    expect(list(frame.columns.grade_pct)).toEqual([NaN, NaN, NaN]);
  });

  it('hides values whose bit the presence mask lacks (left over from a rewrite)', () => {
    const sut = new LongFrameBuilder();
    sut.add(at(0), '7.5', 'speed_mps');
    sut.add(at(0), '60', 'soc_pct'); // stale: the rewrite carried only speed
    sut.add(at(0), '256', 'present');
    const frame = sut.toFrame('v', ['soc_pct', 'speed_mps']);
    expect(list(frame.columns.speed_mps)).toEqual([7.5]);
    expect(list(frame.columns.soc_pct)).toEqual([NaN]);
  });

  it('hides values the legacy presence list does not list', () => {
    const sut = new LongFrameBuilder();
    sut.add(at(0), '7.5', 'speed_mps');
    sut.add(at(0), '60', 'soc_pct');
    sut.add(at(0), 'speed_mps', 'signals');
    const frame = sut.toFrame('v', ['soc_pct', 'speed_mps']);
    expect(list(frame.columns.speed_mps)).toEqual([7.5]);
    expect(list(frame.columns.soc_pct)).toEqual([NaN]);
  });

  it('prefers the presence mask over a legacy list at the same time (rewritten old point)', () => {
    const sut = new LongFrameBuilder();
    sut.add(at(0), '7.5', 'speed_mps');
    sut.add(at(0), '60', 'soc_pct');
    sut.add(at(0), '128', 'present'); // soc only
    sut.add(at(0), 'speed_mps', 'signals'); // stale list of the old write
    sut.add(at(1000), '8', 'speed_mps');
    sut.add(at(1000), 'speed_mps', 'signals'); // an old point never rewritten
    const frame = sut.toFrame('v', ['soc_pct', 'speed_mps']);
    expect(list(frame.columns.speed_mps)).toEqual([NaN, 8]);
    expect(list(frame.columns.soc_pct)).toEqual([60, NaN]);
  });

  it('keeps a point that has only a presence field (no signals)', () => {
    const sut = new LongFrameBuilder();
    sut.add(at(5), '0', 'present');
    expect(list(sut.toFrame('v', ['speed_mps']).columns.speed_mps)).toEqual([NaN]);
  });

  it('drops rows outside [from, to)', () => {
    const sut = new LongFrameBuilder(T0, T0 + 1000);
    sut.add(at(-1), '1', 'speed_mps');
    sut.add(at(0), '2', 'speed_mps');
    sut.add(at(1000), '3', 'speed_mps');
    expect(list(sut.toFrame('v', ['speed_mps']).columns.speed_mps)).toEqual([2]);
  });

  it('builds the latest sample from last() rows, with driver and listed signals only', () => {
    const sut = new LongFrameBuilder();
    sut.add(at(5000), '12.5', 'speed_mps');
    sut.add(at(1000), '70', 'soc_pct'); // older than the newest point
    sut.add(at(5000), '20', 'pedal_pct'); // stale field of the newest point
    sut.add(at(5000), 'drv-7', 'driver_id');
    sut.add(at(5000), String(256 + 32768), 'present');
    expect(sut.toLatest('v')).toEqual({
      vehicleId: 'v',
      driverId: 'drv-7',
      ts: T0 + 5000,
      signals: { speed_mps: 12.5 },
    });
  });

  it('gives a latest sample without driver, and undefined without rows', () => {
    const sut = new LongFrameBuilder();
    expect(sut.toLatest('v')).toBeUndefined();
    sut.add(at(0), '4', 'speed_mps');
    sut.add(at(0), '', 'driver_id');
    sut.add(at(0), 'speed_mps', 'signals');
    expect(sut.toLatest('v')).toEqual({ vehicleId: 'v', ts: T0, signals: { speed_mps: 4 } });
  });

  it('ignores a driver left over from a rewrite without driver (driver bit clear)', () => {
    const sut = new LongFrameBuilder();
    sut.add(at(0), '4', 'speed_mps');
    sut.add(at(0), 'drv-old', 'driver_id');
    sut.add(at(0), '256', 'present');
    expect(sut.toLatest('v')).toEqual({ vehicleId: 'v', ts: T0, signals: { speed_mps: 4 } });
  });

  it('takes the latest from a newer legacy point over an older masked one', () => {
    const sut = new LongFrameBuilder();
    sut.add(at(0), '1', 'speed_mps');
    sut.add(at(0), '256', 'present');
    sut.add(at(9), '2', 'speed_mps');
    sut.add(at(9), 'drv-1', 'driver_id');
    sut.add(at(9), 'speed_mps', 'signals');
    expect(sut.toLatest('v')).toEqual({
      vehicleId: 'v',
      driverId: 'drv-1',
      ts: T0 + 9,
      signals: { speed_mps: 2 },
    });
  });

  it('maps legacy presence lists to bits of SIGNAL_NAMES (sorted), plus the driver bit', () => {
    const D = 32768;
    expect(legacyPresenceMask('')).toBe(D);
    expect(legacyPresenceMask('accel_mps2')).toBe(D + 1);
    expect(legacyPresenceMask('battery_current_a,accel_mps2')).toBe(D + 3);
    expect(legacyPresenceMask('speed_mps,warp')).toBe(D + (1 << 8));
  });
});

describe('downsampleFrame', () => {
  it('aggregates per epoch-aligned bucket, NaN-aware, non-empty buckets only', () => {
    const ts = [59_000, 60_000, 61_000, 119_999, 120_000, 300_000].map((o) => T0 + o);
    const frame = {
      vehicleId: 'v',
      ts: Float64Array.from(ts),
      columns: {
        speed_mps: Float64Array.from([10, 20, 30, 40, 50, 60]),
        soc_pct: Float64Array.from([NaN, 1, NaN, 3, NaN, NaN]),
      },
    };
    const out = downsampleFrame(frame, 60_000);
    expect(list(out.bucketStart).map((t) => t - T0)).toEqual([0, 60_000, 120_000, 300_000]);
    expect(list(out.columns.speed_mps?.mean)).toEqual([10, 30, 50, 60]);
    expect(list(out.columns.speed_mps?.min)).toEqual([10, 20, 50, 60]);
    expect(list(out.columns.speed_mps?.max)).toEqual([10, 40, 50, 60]);
    expect(list(out.columns.soc_pct?.mean)).toEqual([NaN, 2, NaN, NaN]);
    expect(list(out.columns.soc_pct?.min)).toEqual([NaN, 1, NaN, NaN]);
    expect(list(out.columns.soc_pct?.max)).toEqual([NaN, 3, NaN, NaN]);
    expect(out.every).toBe(60_000);
  });

  it('aligns buckets of a width that does not divide an hour (7 s) to the epoch', () => {
    // T0 = 1767225600000 = 7000 * 252460800: a bucket boundary; T0 - 1 is in the one before.
    const frame = { vehicleId: 'v', ts: Float64Array.from([T0 - 1, T0]), columns: {} };
    expect(list(downsampleFrame(frame, 7000).bucketStart)).toEqual([T0 - 7000, T0]);
  });
});
