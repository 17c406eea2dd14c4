import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CorpusRecord, CorpusSeriesInput } from './corpus-record';
import { CorpusReader } from './corpus.reader';
import { buildCorpus, type BuildCorpusOptions } from './build-corpus';
import { simulatedTripSeries } from '../sources/simulated-trip.adapter';

/** A stand-in fleet: what the lead's adapter over the simulator will yield. */
function* fakeFleet(seed: number): Generator<CorpusSeriesInput> {
  for (let v = 0; v < 3; v++) {
    const speed = Float32Array.from({ length: 50 }, (_, i) => ((seed % 7) + v + i) / 10);
    yield* simulatedTripSeries(
      { rateHz: 1, signals: { speed_mps: speed } },
      { driverId: `d${v}`, scenario: 'udds', trip: `v${v}/d${v}/udds#0`, vehicleId: `v${v}` },
    );
  }
}

/** A small `cmap-gps/` tree: 3 vehicles, one day each, two 200 s trips split by a 10 min jump. */
function writeGpsFixture(root: string): void {
  for (const vehicle of ['100_1', '100_2', '200_1']) {
    const dir = path.join(root, 'cmap-gps', vehicle);
    fs.mkdirSync(dir, { recursive: true });
    const rows = ['timestamp,cycle_sec,timestep,speed_mph,accel_meters_ps'];
    for (let i = 0; i < 400; i++) {
      const t = Date.UTC(2007, 7, 20, 6) / 1000 + i + (i >= 200 ? 600 : 0);
      const stamp = new Date(t * 1000).toISOString().slice(0, 19).replace('T', ' ');
      rows.push(`${stamp},${i},1,${(20 * Math.sin((Math.PI * (i % 200)) / 199)).toFixed(2)},0.0`);
    }
    fs.writeFileSync(path.join(dir, '2007-08-20.csv'), rows.join('\n'));
  }
}

describe('buildCorpus', () => {
  const dirs: string[] = [];
  const dataRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetfm-data-'));
  dirs.push(dataRoot);
  writeGpsFixture(dataRoot);
  const options = (outDir: string): BuildCorpusOptions => ({
    dataRoot,
    gps: { channels: ['speed_mps', 'accel_mps2'], maxTrips: 4 },
    outDir,
    seed: 17,
    simulator: fakeFleet,
    synthetic: { count: 3, length: 48 },
    writer: { maxSeriesPerShard: 5, now: () => new Date(0) },
  });
  const tmp = (): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetfm-build-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { force: true, recursive: true })));

  it('assembles GPS, synthetic and simulated series into shards with a manifest', async () => {
    const dir = tmp();
    const progress: string[] = [];
    const manifest = await buildCorpus({
      ...options(dir),
      onProgress: (e) => progress.push(`${e.source}${e.written}`),
    });
    expect(manifest.bySource).toEqual({ gps: 8, sim: 3, synthetic: 3 });
    expect(manifest.totalSeries).toBe(14);
    expect(manifest.shards.map((s) => s.rows)).toEqual([5, 5, 4]);
    expect(manifest.meta).toMatchObject({
      gps: { trips: 4, tripsAvailable: 6 },
      synthetic: { count: 3, length: 48 },
    });
    expect(progress.slice(-1)).toEqual(['sim3']);

    const records: CorpusRecord[] = [];
    for await (const r of (await CorpusReader.open(dir)).series()) records.push(r);
    expect(records.map((r) => r.source)).toEqual([
      ...Array(8).fill('gps'),
      ...Array(3).fill('synthetic'),
      ...Array(3).fill('sim'),
    ]);
    const gps = records.filter((r) => r.source === 'gps');
    expect(
      gps.every((r) => r.vehicleId?.startsWith('cmap:') && r.freqS === 1 && r.scenario === 'real'),
    ).toBe(true);
    expect(gps.map((r) => r.channel).slice(0, 2)).toEqual(['speed_mps', 'accel_mps2']);
    const synthetic = records.filter((r) => r.source === 'synthetic');
    expect(
      synthetic.every(
        (r) => r.values.length === 48 && Number.isNaN(r.freqS) && r.vehicleId === null,
      ),
    ).toBe(true);
    expect(records.filter((r) => r.source === 'sim').map((r) => r.driverId)).toEqual([
      'd0',
      'd1',
      'd2',
    ]);
    expect(manifest.totalTimeSteps).toBe(records.reduce((n, r) => n + r.values.length, 0));
  });

  it('adds sharp KernelSynth series without changing any other series', async () => {
    const [a, b] = [tmp(), tmp()];
    await buildCorpus(options(a));
    const manifest = await buildCorpus({ ...options(b), sharpSynthetic: { count: 2, length: 48 } });
    expect(manifest.bySource).toEqual({ gps: 8, sim: 3, synthetic: 5 });
    expect(manifest.meta).toMatchObject({
      sharpSynthetic: { count: 2, length: 48, periodicLengthScales: [1, 0.5, 0.25] },
    });
    const read = async (dir: string): Promise<CorpusRecord[]> => {
      const out: CorpusRecord[] = [];
      for await (const r of (await CorpusReader.open(dir)).series()) out.push(r);
      return out;
    };
    const [before, after] = [await read(a), await read(b)];
    const sharp = after.filter((r) => r.id.startsWith('synthetic-sharp:'));
    expect(sharp).toHaveLength(2);
    expect(sharp.every((r) => r.source === 'synthetic' && r.values.length === 48)).toBe(true);
    const rest = after.filter((r) => !r.id.startsWith('synthetic-sharp:'));
    expect(rest.map((r) => [r.id, Array.from(r.values)])).toEqual(
      before.map((r) => [r.id, Array.from(r.values)]),
    );
  });

  it('is reproducible: the same seed gives byte-identical shards', async () => {
    const [a, b] = [tmp(), tmp()];
    const ma = await buildCorpus(options(a));
    const mb = await buildCorpus(options(b));
    expect(mb.shards.map((s) => s.sha256)).toEqual(ma.shards.map((s) => s.sha256));
    const mc = await buildCorpus({ ...options(tmp()), seed: 18 });
    expect(mc.shards.map((s) => s.sha256)).not.toEqual(ma.shards.map((s) => s.sha256));
  });
});
