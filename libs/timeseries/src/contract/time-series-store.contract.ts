/**
 * The behaviour every `TimeSeriesStore` adapter must have, as a Jest suite. Adapters run it from
 * their own spec (`*.spec.ts` for embedded, `*.int-spec.ts` for InfluxDB).
 *
 * Deliberately not exported from the lib's index: it calls Jest globals, so it must never be
 * pulled into production code. Spec files import it relatively (`../contract/...`).
 *
 * It assumes nothing about an adapter's internals: timestamps are whole milliseconds (exact
 * after a round trip through nanoseconds), values are exactly representable binary fractions
 * (exact after a round trip through float fields), every test uses its own vehicle ids (so a
 * shared database is fine), and the store may be shared by tests as long as `cleanup` runs.
 */
import { SIGNAL_NAMES, type SignalName, type TelemetrySample } from '@fleetfm/domain';
import type { TelemetryFrame, TimeSeriesStore } from '../time-series-store.port';

export interface ContractSubject {
  readonly store: TimeSeriesStore;
  /** Opens the same data again; called after `store.close()`. Omit to skip restart tests. */
  /** A new instance over the same data (a restart). */
  readonly reopen: () => Promise<TimeSeriesStore>;
  readonly cleanup: () => Promise<void>;
}

/** 2026-01-01T00:00:00Z; a multiple of every bucket width used below. */
export const T0 = Date.UTC(2026, 0, 1);
const S = 1000;

type Signals = Partial<Record<SignalName, number>>;

function sample(
  vehicleId: string,
  ts: number,
  signals: Signals,
  driverId?: string,
): TelemetrySample {
  return driverId === undefined ? { vehicleId, ts, signals } : { vehicleId, driverId, ts, signals };
}

const list = (values: Float64Array | undefined): number[] => Array.from(values ?? []);
const offsets = (frame: { ts: Float64Array }): number[] => list(frame.ts).map((t) => t - T0);

export function describeTimeSeriesStoreContract(
  name: string,
  factory: () => Promise<ContractSubject>,
): void {
  describe(`${name}: TimeSeriesStore contract`, () => {
    // Unique per run and per test, so adapters backed by a shared database need no wiping.
    const run = `ct${Date.now().toString(36)}`;
    let counter = 0;
    let subject: ContractSubject;
    let store: TimeSeriesStore;
    let vid: (label: string) => string;

    beforeEach(async () => {
      counter += 1;
      const prefix = `${run}-${counter}`;
      vid = (label) => `${prefix}-${label}`;
      subject = await factory();
      store = subject.store;
    });

    afterEach(async () => {
      await store.close();
      await subject.cleanup();
    });

    const rangeOf = (vehicleId: string, signals?: SignalName[]): Promise<TelemetryFrame> =>
      store.query({ vehicleId, from: T0, to: T0 + 3600 * S, signals });

    describe('write and query', () => {
      it('round-trips samples as sorted columns', async () => {
        const v = vid('a');
        await store.write([
          sample(v, T0, { speed_mps: 10, soc_pct: 80 }),
          sample(v, T0 + S, { speed_mps: 10.5, soc_pct: 79.75 }),
          sample(v, T0 + 2 * S, { speed_mps: 11.25, soc_pct: 79.5 }),
        ]);
        const frame = await rangeOf(v, ['speed_mps', 'soc_pct']);
        expect(frame.vehicleId).toBe(v);
        expect(offsets(frame)).toEqual([0, 1000, 2000]);
        expect(list(frame.columns.speed_mps)).toEqual([10, 10.5, 11.25]);
        expect(list(frame.columns.soc_pct)).toEqual([80, 79.75, 79.5]);
      });

      it('returns every known signal when none are asked for, NaN where not measured', async () => {
        const v = vid('a');
        await store.write([sample(v, T0, { speed_mps: 3 }), sample(v, T0 + S, { speed_mps: 4 })]);
        const frame = await rangeOf(v);
        expect(Object.keys(frame.columns).sort()).toEqual([...SIGNAL_NAMES]);
        expect(list(frame.columns.speed_mps)).toEqual([3, 4]);
        expect(list(frame.columns.grade_pct)).toEqual([NaN, NaN]);
      });

      it('returns only the signals asked for', async () => {
        const v = vid('a');
        await store.write([sample(v, T0, { speed_mps: 3, soc_pct: 50, pedal_pct: 12 })]);
        const frame = await rangeOf(v, ['soc_pct']);
        expect(Object.keys(frame.columns)).toEqual(['soc_pct']);
        expect(list(frame.columns.soc_pct)).toEqual([50]);
      });

      it('keeps vehicles apart', async () => {
        const [a, b] = [vid('a'), vid('b')];
        await store.write([
          sample(a, T0, { speed_mps: 1 }),
          sample(b, T0, { speed_mps: 2 }),
          sample(b, T0 + S, { speed_mps: 3 }),
        ]);
        expect(list((await rangeOf(a, ['speed_mps'])).columns.speed_mps)).toEqual([1]);
        expect(list((await rangeOf(b, ['speed_mps'])).columns.speed_mps)).toEqual([2, 3]);
      });

      it('accepts an empty batch', async () => {
        await expect(store.write([])).resolves.toBeUndefined();
      });
    });

    describe('range edges', () => {
      const load = async (v: string): Promise<void> => {
        await store.write([0, 1, 2].map((i) => sample(v, T0 + i * S, { speed_mps: i })));
      };

      it.each([
        ['includes from, excludes to', 0, 2000, [0, 1000]],
        ['a one-millisecond range at a sample', 2000, 2001, [2000]],
        ['a range between samples', 1, 1000, []],
        ['an empty range (from = to)', 1000, 1000, []],
        ['an inverted range (from > to)', 2000, 1000, []],
        ['a range before all data', -5000, 0, []],
      ])('%s', async (_label, from, to, expected) => {
        const v = vid('edges');
        await load(v);
        const frame = await store.query({ vehicleId: v, from: T0 + from, to: T0 + to });
        expect(offsets(frame)).toEqual(expected);
        expect(list(frame.columns.speed_mps)).toEqual(expected.map((o) => o / 1000));
      });

      it('gives an empty frame for a vehicle without data', async () => {
        const frame = await rangeOf(vid('nobody'), ['speed_mps']);
        expect(frame.ts.length).toBe(0);
        expect(list(frame.columns.speed_mps)).toEqual([]);
      });
    });

    describe('idempotency', () => {
      const batch = (v: string): TelemetrySample[] => [
        sample(v, T0, { speed_mps: 5, soc_pct: 60 }, 'drv-1'),
        sample(v, T0 + S, { speed_mps: 6 }, 'drv-1'),
        sample(v, T0 + 2 * S, { soc_pct: 59.5 }, 'drv-1'),
      ];

      it('stores a replayed batch once (with partial signal sets)', async () => {
        const v = vid('replay');
        await store.write(batch(v));
        await store.write(batch(v));
        await store.write(batch(v).reverse());
        const frame = await rangeOf(v, ['speed_mps', 'soc_pct']);
        expect(offsets(frame)).toEqual([0, 1000, 2000]);
        expect(list(frame.columns.speed_mps)).toEqual([5, 6, NaN]);
        expect(list(frame.columns.soc_pct)).toEqual([60, NaN, 59.5]);
        const summary = (await store.listVehicles()).filter((s) => s.vehicleId === v);
        expect(summary).toEqual([{ vehicleId: v, firstTs: T0, lastTs: T0 + 2 * S }]);
      });

      it('lets the last write of a timestamp win, including its set of signals', async () => {
        const v = vid('rewrite');
        await store.write(batch(v));
        await store.write([sample(v, T0, { speed_mps: 7.5 }, 'drv-2')]);
        const frame = await rangeOf(v, ['speed_mps', 'soc_pct']);
        expect(offsets(frame)).toEqual([0, 1000, 2000]);
        expect(list(frame.columns.speed_mps)).toEqual([7.5, 6, NaN]);
        expect(list(frame.columns.soc_pct)).toEqual([NaN, NaN, 59.5]);
      });

      it('keeps the last of equal timestamps within one batch', async () => {
        const v = vid('dup');
        await store.write([
          sample(v, T0, { speed_mps: 1 }),
          sample(v, T0 + S, { speed_mps: 2 }),
          sample(v, T0, { speed_mps: 3 }),
        ]);
        const frame = await rangeOf(v, ['speed_mps']);
        expect(offsets(frame)).toEqual([0, 1000]);
        expect(list(frame.columns.speed_mps)).toEqual([3, 2]);
      });
    });

    describe('out-of-order and late data', () => {
      it('sorts a shuffled batch', async () => {
        const v = vid('shuffled');
        const order = [4, 0, 3, 1, 2];
        await store.write(order.map((i) => sample(v, T0 + i * S, { speed_mps: i * 2 })));
        const frame = await rangeOf(v, ['speed_mps']);
        expect(offsets(frame)).toEqual([0, 1000, 2000, 3000, 4000]);
        expect(list(frame.columns.speed_mps)).toEqual([0, 2, 4, 6, 8]);
      });

      it('merges late batches into earlier and between existing samples', async () => {
        const v = vid('late');
        await store.write([10, 11, 12, 13].map((i) => sample(v, T0 + i * S, { speed_mps: i })));
        await store.write([0, 1, 2].map((i) => sample(v, T0 + i * S, { speed_mps: i })));
        await store.write([sample(v, T0 + 11_500, { speed_mps: 11.5 })]);
        await store.write([20, 21].map((i) => sample(v, T0 + i * S, { speed_mps: i })));
        const frame = await rangeOf(v, ['speed_mps']);
        const expected = [0, 1, 2, 10, 11, 11.5, 12, 13, 20, 21];
        expect(offsets(frame)).toEqual(expected.map((i) => i * 1000));
        expect(list(frame.columns.speed_mps)).toEqual(expected);
      });
    });

    describe('downsample', () => {
      it('gives NaN-aware mean, min and max per non-empty bucket', async () => {
        const v = vid('ds');
        await store.write([
          sample(v, T0 + 1 * S, { speed_mps: 80, soc_pct: 1 }), // before `from`
          sample(v, T0 + 3 * S, { speed_mps: 3, soc_pct: 50 }),
          sample(v, T0 + 6 * S, { speed_mps: 6 }),
          sample(v, T0 + 9 * S, { speed_mps: 9, soc_pct: 52 }),
          sample(v, T0 + 12 * S, { speed_mps: 12 }),
          sample(v, T0 + 35 * S, { speed_mps: 35, soc_pct: 45 }),
          sample(v, T0 + 40 * S, { speed_mps: 80, soc_pct: 1 }), // at `to`, excluded
        ]);
        const frame = await store.downsample({
          vehicleId: v,
          from: T0 + 3 * S,
          to: T0 + 40 * S,
          every: 10 * S,
          signals: ['speed_mps', 'soc_pct'],
        });
        expect(frame.every).toBe(10_000);
        expect(offsets({ ts: frame.bucketStart })).toEqual([0, 10_000, 30_000]);
        expect(list(frame.columns.speed_mps?.mean)).toEqual([6, 12, 35]);
        expect(list(frame.columns.speed_mps?.min)).toEqual([3, 12, 35]);
        expect(list(frame.columns.speed_mps?.max)).toEqual([9, 12, 35]);
        expect(list(frame.columns.soc_pct?.mean)).toEqual([51, NaN, 45]);
        expect(list(frame.columns.soc_pct?.min)).toEqual([50, NaN, 45]);
        expect(list(frame.columns.soc_pct?.max)).toEqual([52, NaN, 45]);
      });

      it('aligns buckets to multiples of `every` since the epoch, not to `from`', async () => {
        const v = vid('align');
        const at = [59_000, 60_000, 61_000, 119_999, 120_000];
        await store.write(at.map((o, i) => sample(v, T0 + o, { speed_mps: (i + 1) * 10 })));
        const frame = await store.downsample({
          vehicleId: v,
          from: T0 + 59_000,
          to: T0 + 121_000,
          every: 60_000,
          signals: ['speed_mps'],
        });
        expect(offsets({ ts: frame.bucketStart })).toEqual([0, 60_000, 120_000]);
        expect(list(frame.columns.speed_mps?.mean)).toEqual([10, 30, 50]);
        expect(list(frame.columns.speed_mps?.min)).toEqual([10, 20, 50]);
        expect(list(frame.columns.speed_mps?.max)).toEqual([10, 40, 50]);
      });

      it('gives no buckets for a vehicle without data', async () => {
        const frame = await store.downsample({
          vehicleId: vid('none'),
          from: T0,
          to: T0 + 60_000,
          every: 10_000,
        });
        expect(frame.bucketStart.length).toBe(0);
      });
    });

    describe('listVehicles and latest', () => {
      it('lists each vehicle with its first and last timestamp', async () => {
        const [a, b] = [vid('a'), vid('b')];
        await store.write([
          sample(b, T0 + 9 * S, { speed_mps: 1 }),
          sample(a, T0 + 5 * S, { speed_mps: 1 }),
          sample(b, T0 + 2 * S, { speed_mps: 1 }),
        ]);
        await store.write([sample(a, T0 + 7 * S, { speed_mps: 1 })]);
        const mine = (await store.listVehicles())
          .filter((s) => s.vehicleId === a || s.vehicleId === b)
          .sort((x, y) => x.vehicleId.localeCompare(y.vehicleId));
        expect(mine).toEqual([
          { vehicleId: a, firstTs: T0 + 5 * S, lastTs: T0 + 7 * S },
          { vehicleId: b, firstTs: T0 + 2 * S, lastTs: T0 + 9 * S },
        ]);
      });

      it('returns the newest sample with its driver, unmoved by late data', async () => {
        const v = vid('latest');
        await store.write([
          sample(v, T0, { speed_mps: 1 }, 'drv-old'),
          sample(v, T0 + 5 * S, { speed_mps: 12.5, soc_pct: 70 }, 'drv-7'),
        ]);
        await store.write([sample(v, T0 + 3 * S, { speed_mps: 2 }, 'drv-late')]);
        expect(await store.latest(v)).toEqual({
          vehicleId: v,
          driverId: 'drv-7',
          ts: T0 + 5 * S,
          signals: { speed_mps: 12.5, soc_pct: 70 },
        });
      });

      it('returns a latest sample without driver as such', async () => {
        const v = vid('nodriver');
        await store.write([sample(v, T0, { speed_mps: 4 })]);
        const latest = await store.latest(v);
        expect(latest).toEqual({ vehicleId: v, ts: T0, signals: { speed_mps: 4 } });
        expect(latest?.driverId).toBeUndefined();
      });

      it('drops the driver when a sample is rewritten without one', async () => {
        const v = vid('driverless');
        await store.write([sample(v, T0, { speed_mps: 3 }, 'drv-9')]);
        await store.write([sample(v, T0, { speed_mps: 4 })]);
        const latest = await store.latest(v);
        expect(latest).toEqual({ vehicleId: v, ts: T0, signals: { speed_mps: 4 } });
        expect(latest?.driverId).toBeUndefined();
      });

      it('returns undefined for a vehicle without data', async () => {
        expect(await store.latest(vid('nobody'))).toBeUndefined();
      });
    });

    it('reports healthy with its kind', async () => {
      const health = await store.health();
      expect(health.ok).toBe(true);
      expect(health.kind).toBe(store.kind);
    });

    it('keeps everything across a restart', async () => {
      const v = vid('restart');
      await store.write([
        sample(v, T0, { speed_mps: 1, soc_pct: 90 }, 'drv-1'),
        sample(v, T0 + S, { speed_mps: 2 }, 'drv-1'),
      ]);
      await store.write([sample(v, T0, { speed_mps: 1.5 }, 'drv-2')]);
      await store.close();
      store = await subject.reopen();
      const frame = await rangeOf(v, ['speed_mps', 'soc_pct']);
      expect(offsets(frame)).toEqual([0, 1000]);
      expect(list(frame.columns.speed_mps)).toEqual([1.5, 2]);
      expect(list(frame.columns.soc_pct)).toEqual([NaN, NaN]);
      expect(await store.latest(v)).toEqual({
        vehicleId: v,
        driverId: 'drv-1',
        ts: T0 + S,
        signals: { speed_mps: 2 },
      });
      const mine = (await store.listVehicles()).filter((s) => s.vehicleId === v);
      expect(mine).toEqual([{ vehicleId: v, firstTs: T0, lastTs: T0 + S }]);
    });
  });
}
