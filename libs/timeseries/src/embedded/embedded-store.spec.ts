import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeTimeSeriesStoreContract } from '../contract/time-series-store.contract';
import { EmbeddedTimeSeriesStore, type EmbeddedStoreOptions } from './embedded-store';

async function tempDir(): Promise<string> {
  return fs.promises.mkdtemp(path.join(os.tmpdir(), 'fleetfm-store-'));
}

function embeddedFactory(options: EmbeddedStoreOptions) {
  return async () => {
    const dir = await tempDir();
    return {
      store: await EmbeddedTimeSeriesStore.open(dir, options),
      reopen: () => EmbeddedTimeSeriesStore.open(dir, options),
      cleanup: () => fs.promises.rm(dir, { recursive: true, force: true }),
    };
  };
}

describeTimeSeriesStoreContract('embedded', embeddedFactory({}));
// Tiny segments and WAL: every test then reads across segment files, the head and checkpoints.
describeTimeSeriesStoreContract(
  'embedded, 2-row segments',
  embeddedFactory({ segmentRows: 2, maxWalBytes: 2048, cacheBytes: 4096 }),
);

const T0 = Date.UTC(2026, 0, 1);

function rows(vehicleId: string, from: number, count: number, driverId?: string) {
  return Array.from({ length: count }, (_, i) => ({
    vehicleId,
    ...(driverId === undefined ? {} : { driverId }),
    ts: T0 + (from + i) * 100,
    signals: { speed_mps: (from + i) % 90, soc_pct: 50 },
  }));
}

async function speeds(store: EmbeddedTimeSeriesStore, vehicleId: string): Promise<number[]> {
  const frame = await store.query({
    vehicleId,
    from: T0,
    to: T0 + 86_400_000,
    signals: ['speed_mps'],
  });
  return Array.from(frame.columns.speed_mps ?? []);
}

const expectedSpeeds = (count: number): number[] => Array.from({ length: count }, (_, i) => i % 90);

describe('EmbeddedTimeSeriesStore on disk', () => {
  let dir: string;
  const open: EmbeddedTimeSeriesStore[] = [];
  const openStore = async (at: string, options: EmbeddedStoreOptions = {}) => {
    const store = await EmbeddedTimeSeriesStore.open(at, options);
    open.push(store);
    return store;
  };
  /** The directory as a crash would leave it: whatever is on disk right now, no close(). */
  const crashCopy = async (): Promise<string> => {
    const copy = await tempDir();
    await fs.promises.cp(dir, copy, { recursive: true });
    return copy;
  };
  const walFile = async (at: string): Promise<string> => {
    const names = await fs.promises.readdir(path.join(at, 'wal'));
    expect(names).toHaveLength(1);
    return path.join(at, 'wal', names[0]);
  };

  beforeEach(async () => {
    dir = await tempDir();
  });

  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
    await fs.promises.rm(dir, { recursive: true, force: true });
  });

  it('recovers every acknowledged write after a crash (no close)', async () => {
    const sut = await openStore(dir);
    await sut.write(rows('v1', 0, 30, 'd1'));
    await sut.write(rows('v1', 30, 20, 'd2'));
    await sut.write(rows('v2', 0, 5));
    const recovered = await openStore(await crashCopy());
    expect(recovered.stats().recoveredRecords).toBe(3);
    expect(await speeds(recovered, 'v1')).toEqual(expectedSpeeds(50));
    expect(await speeds(recovered, 'v2')).toEqual(expectedSpeeds(5));
    expect((await recovered.latest('v1'))?.driverId).toBe('d2');
  });

  it.each([
    ['cut short', (bytes: Buffer) => bytes.subarray(0, bytes.length - 100)],
    [
      'with a flipped byte',
      (bytes: Buffer) => Buffer.from(bytes).fill(0x55, bytes.length - 40, bytes.length - 39),
    ],
    [
      'with garbage appended',
      (bytes: Buffer) => Buffer.concat([bytes, Buffer.from('not a record')]),
    ],
  ])('ignores a torn WAL tail (last record %s)', async (_label, damage) => {
    const sut = await openStore(dir);
    await sut.write(rows('v1', 0, 10));
    await sut.write(rows('v1', 10, 10));
    const copy = await crashCopy();
    const file = await walFile(copy);
    await fs.promises.writeFile(file, damage(await fs.promises.readFile(file)));
    const recovered = await openStore(copy);
    const stats = recovered.stats();
    expect(stats.ignoredTailBytes).toBeGreaterThan(0);
    const garbageOnly = _label === 'with garbage appended';
    expect(stats.recoveredRecords).toBe(garbageOnly ? 2 : 1);
    expect(await speeds(recovered, 'v1')).toEqual(expectedSpeeds(garbageOnly ? 20 : 10));
    // The recovered store appends to a fresh log, so new writes are not hidden behind the tear.
    await recovered.write(rows('v1', 20, 5));
    const again = await openStore(
      await (async () => {
        const c = await tempDir();
        await fs.promises.cp(copy, c, { recursive: true });
        return c;
      })(),
    );
    expect((await speeds(again, 'v1')).slice(-5)).toEqual([20, 21, 22, 23, 24]);
  });

  it('flushes full heads to segment files and reads them back after reopen', async () => {
    const options = { segmentRows: 100 };
    const sut = await openStore(dir, options);
    await sut.write(rows('v1', 0, 120));
    await sut.write(rows('v1', 120, 130));
    expect(sut.stats()).toMatchObject({ segments: 2, headRows: 0 });
    await sut.write(rows('v1', 250, 10));
    expect(sut.stats()).toMatchObject({ segments: 2, headRows: 10 });
    const segDir = path.join(dir, 'segments', Buffer.from('v1').toString('hex'));
    expect((await fs.promises.readdir(segDir)).filter((f) => f.endsWith('.seg'))).toHaveLength(2);
    await sut.close();
    const reopened = await openStore(dir, options);
    expect(reopened.stats()).toMatchObject({ segments: 3, headRows: 0, recoveredRecords: 0 });
    expect(await speeds(reopened, 'v1')).toEqual(expectedSpeeds(260));
  });

  it('replays only WAL rows that are not yet in segments after a crash', async () => {
    const options = { segmentRows: 100 };
    const sut = await openStore(dir, options);
    await sut.write(rows('v1', 0, 150)); // flushed to a segment
    await sut.write(rows('v1', 150, 30)); // head only
    await sut.write(rows('v2', 0, 40)); // head only
    const recovered = await openStore(await crashCopy(), options);
    expect(recovered.stats().recoveredRecords).toBe(3);
    expect(await speeds(recovered, 'v1')).toEqual(expectedSpeeds(180));
    expect(await speeds(recovered, 'v2')).toEqual(expectedSpeeds(40));
    // 1 segment from before the crash + the two recovered heads, no copy of the first one.
    expect(recovered.stats().segments).toBe(3);
  });

  it('keeps the WAL bounded by checkpointing', async () => {
    const sut = await openStore(dir, { maxWalBytes: 20_000 });
    for (let b = 0; b < 20; b++) await sut.write(rows(`v${b % 3}`, b * 50, 50));
    expect(sut.stats().walBytes).toBeLessThan(20_000);
    expect(await fs.promises.readdir(path.join(dir, 'wal'))).toHaveLength(1);
    expect((await speeds(sut, 'v0')).length).toBe(7 * 50);
  });

  it('bounds the segment cache (LRU) while serving long histories', async () => {
    const options = { segmentRows: 100, cacheBytes: 10_000 };
    const sut = await openStore(dir, options);
    for (let b = 0; b < 10; b++) await sut.write(rows('v1', b * 100, 100));
    await sut.close();
    const reopened = await openStore(dir, options);
    expect(await speeds(reopened, 'v1')).toEqual(expectedSpeeds(1000));
    const stats = reopened.stats();
    expect(stats.segments).toBe(10);
    expect(stats.cacheBytes).toBeLessThanOrEqual(10_000);
    expect(stats.cachedSegments).toBeLessThan(10);
  });

  it('never shows a row twice or loses one while flushes run under concurrent queries', async () => {
    const sut = await openStore(dir, { segmentRows: 64 });
    const checks: Promise<void>[] = [];
    for (let b = 0; b < 20; b++) {
      const written = b * 25;
      const pendingWrite = sut.write(rows('v1', written, 25));
      checks.push(
        speeds(sut, 'v1').then((s) => {
          expect(s.length).toBeGreaterThanOrEqual(written);
          expect(s).toEqual(expectedSpeeds(s.length));
        }),
      );
      await pendingWrite;
    }
    await Promise.all(checks);
    expect(await speeds(sut, 'v1')).toEqual(expectedSpeeds(500));
  });

  it('refuses work once closed and says so in health', async () => {
    const sut = await openStore(dir);
    await sut.close();
    await expect(sut.write(rows('v1', 0, 1))).rejects.toThrow('closed');
    await expect(sut.health()).resolves.toMatchObject({ ok: false, kind: 'embedded' });
  });
});
