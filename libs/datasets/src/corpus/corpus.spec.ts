import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConflictError, ValidationError } from '@fleetfm/domain';
import type { CorpusRecord, CorpusSeriesInput } from './corpus-record';
import { CorpusReader } from './corpus.reader';
import { CorpusWriter } from './corpus.writer';
import { SplitAssigner } from './split-assignment';

const FIXED_NOW = (): Date => new Date('2026-01-02T03:04:05.000Z');

function series(i: number, overrides: Partial<CorpusSeriesInput> = {}): CorpusSeriesInput {
  return {
    channel: 'speed_mps',
    driverId: `d${i % 7}`,
    freqS: 1,
    group: `trip${i}`,
    id: `s${i}`,
    scenario: i % 2 === 0 ? 'udds' : null,
    source: 'sim',
    values: Float32Array.from({ length: 10 + i }, (_, k) => i + k / 4),
    vehicleId: `v${i % 5}`,
    ...overrides,
  };
}

async function readAll(reader: CorpusReader, options = {}): Promise<CorpusRecord[]> {
  const out: CorpusRecord[] = [];
  for await (const r of reader.series(options)) out.push({ ...r, values: r.values.slice() });
  return out;
}

describe('CorpusWriter / CorpusReader', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetfm-corpus-'));
  });
  afterEach(() => fs.rmSync(dir, { force: true, recursive: true }));

  it('writes shards of at most N series with a manifest, and reads every series back', async () => {
    const writer = await CorpusWriter.create(dir, {
      maxSeriesPerShard: 4,
      now: FIXED_NOW,
      seed: 11,
    });
    const inputs = Array.from({ length: 10 }, (_, i) => series(i));
    inputs.push(
      series(10, {
        driverId: null,
        group: 'ks-1',
        scenario: 'Periodic(24)',
        source: 'synthetic',
        vehicleId: null,
      }),
    );
    for (const s of inputs) await writer.add(s);
    const manifest = await writer.finish({ note: 'test' });

    expect(fs.readdirSync(dir).sort()).toEqual([
      'manifest.json',
      'shard-00000.arrow',
      'shard-00001.arrow',
      'shard-00002.arrow',
    ]);
    expect(manifest.shards.map((s) => s.rows)).toEqual([4, 4, 3]);
    expect(manifest).toMatchObject({
      bySource: { gps: 0, sim: 10, synthetic: 1 },
      createdAt: '2026-01-02T03:04:05.000Z',
      meta: { note: 'test' },
      seed: 11,
      totalSeries: 11,
      // Lengths 10 … 20.
      totalTimeSteps: 165,
      version: 1,
    });
    expect(manifest.timeStepsBySource).toEqual({ gps: 0, sim: 145, synthetic: 20 });
    for (const shard of manifest.shards) {
      const bytes = fs.readFileSync(path.join(dir, shard.file));
      expect(shard.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(shard.bytes).toBe(bytes.length);
    }
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'))).toEqual(manifest);
    expect(Object.keys(manifest.split.entities)).toEqual([
      'driver:d0',
      'driver:d1',
      'driver:d2',
      'driver:d3',
      'driver:d4',
      'driver:d5',
      'driver:d6',
      'vehicle:v0',
      'vehicle:v1',
      'vehicle:v2',
      'vehicle:v3',
      'vehicle:v4',
    ]);

    const back = await readAll(await CorpusReader.open(dir));
    expect(back.map((r) => r.id)).toEqual(inputs.map((s) => s.id));
    back.forEach((r, i) => {
      expect(r.values).toEqual(inputs[i].values);
      expect(r).toMatchObject({
        channel: 'speed_mps',
        driverId: inputs[i].driverId,
        freqS: 1,
        group: inputs[i].group,
        scenario: inputs[i].scenario,
        source: inputs[i].source,
        vehicleId: inputs[i].vehicleId,
      });
    });
  });

  it('records pinned entities in the manifest and splits their series by the pin', async () => {
    const hashed = new SplitAssigner(11);
    const vehicle = ['v0', 'v1', 'v2', 'v3', 'v4'].find(
      (v) => hashed.entitySplit(`vehicle:${v}`) === 'train',
    );
    expect(vehicle).toBeDefined();
    const pins = { [`vehicle:${vehicle}`]: 'validation' as const };
    const writer = await CorpusWriter.create(dir, { now: FIXED_NOW, pinnedSplits: pins, seed: 11 });
    // One train-split driver for every series, so the vehicle alone decides.
    const trainDriver = ['a', 'b', 'c', 'e', 'f', 'g', 'h'].find(
      (d) => hashed.entitySplit(`driver:${d}`) === 'train',
    );
    for (let i = 0; i < 10; i++) await writer.add(series(i, { driverId: trainDriver }));
    const manifest = await writer.finish();
    expect(manifest.split.pinned).toEqual(pins);
    expect(manifest.split.entities[`vehicle:${vehicle}`]).toBe('validation');
    const back = await readAll(await CorpusReader.open(dir));
    const own = back.filter((r) => r.vehicleId === vehicle);
    expect(own.length).toBe(2);
    expect(own.every((r) => r.split === 'validation')).toBe(true);
    expect(back.some((r) => r.vehicleId !== vehicle && r.split === 'train')).toBe(true);
  });

  it('starts a new shard when the size limit would be passed', async () => {
    const writer = await CorpusWriter.create(dir, { maxShardBytes: 4 * 1000, seed: 1 });
    for (let i = 0; i < 5; i++) await writer.add(series(i, { values: new Float32Array(600) }));
    const manifest = await writer.finish();
    expect(manifest.shards.map((s) => s.rows)).toEqual([1, 1, 1, 1, 1]);
  });

  it('filters by split and source, skipping shards without them', async () => {
    const writer = await CorpusWriter.create(dir, {
      maxSeriesPerShard: 3,
      seed: 5,
      splitFractions: { test: 0.3, validation: 0.3 },
    });
    for (let i = 0; i < 30; i++)
      await writer.add(series(i, { source: i % 3 === 0 ? 'gps' : 'sim' }));
    const manifest = await writer.finish();
    const reader = await CorpusReader.open(dir);
    const all = await readAll(reader);
    for (const split of ['train', 'validation', 'test'] as const) {
      const some = await readAll(reader, { split });
      expect(some.map((r) => r.id)).toEqual(all.filter((r) => r.split === split).map((r) => r.id));
      expect(some).toHaveLength(manifest.split.series[split]);
    }
    expect((await readAll(reader, { source: 'gps' })).map((r) => r.id)).toEqual(
      all.filter((_, i) => i % 3 === 0).map((r) => r.id),
    );
  });

  it('does not open shards the manifest says hold nothing wanted', async () => {
    const writer = await CorpusWriter.create(dir, { maxSeriesPerShard: 4, seed: 2 });
    for (let i = 0; i < 8; i++) await writer.add(series(i, { source: i < 4 ? 'sim' : 'gps' }));
    await writer.finish();
    fs.rmSync(path.join(dir, 'shard-00000.arrow'));
    const reader = await CorpusReader.open(dir);
    expect((await readAll(reader, { source: 'gps' })).map((r) => r.id)).toEqual([
      's4',
      's5',
      's6',
      's7',
    ]);
    await expect(readAll(reader, { source: 'sim' })).rejects.toThrow(
      'shard-00000.arrow, listed in the corpus manifest, cannot be read',
    );
  });

  it('detects a corrupted shard, refuses to overwrite, and rejects duplicate ids', async () => {
    const writer = await CorpusWriter.create(dir, { seed: 1 });
    await writer.add(series(1));
    await expect(writer.add(series(1))).rejects.toBeInstanceOf(ConflictError);
    await expect(writer.add(series(2, { values: new Float32Array(0) }))).rejects.toBeInstanceOf(
      ValidationError,
    );
    await writer.finish();
    await expect(CorpusWriter.create(dir, { seed: 1 })).rejects.toBeInstanceOf(ConflictError);

    const shard = path.join(dir, 'shard-00000.arrow');
    const bytes = fs.readFileSync(shard);
    bytes[bytes.length - 20] ^= 0xff;
    fs.writeFileSync(shard, bytes);
    await expect(readAll(await CorpusReader.open(dir))).rejects.toThrow(
      'shard-00000.arrow is corrupt',
    );

    const again = await CorpusWriter.create(dir, { overwrite: true, seed: 1 });
    await again.add(series(3));
    await again.finish();
    expect((await readAll(await CorpusReader.open(dir))).map((r) => r.id)).toEqual(['s3']);
  });
});

describe('SplitAssigner', () => {
  const fleet = Array.from({ length: 3000 }, (_, i) => ({
    driverId: `d${(i * 7) % 113}`,
    group: `g${i}`,
    vehicleId: `v${i % 97}`,
  }));

  it('never puts a held-out vehicle or driver in train, nor a test one in validation', () => {
    const assigner = new SplitAssigner(2024, { test: 0.15, validation: 0.15 });
    const seenIn = new Map<string, Set<string>>();
    for (const s of fleet) {
      const split = assigner.assign(s);
      for (const key of [`vehicle:${s.vehicleId}`, `driver:${s.driverId}`]) {
        if (!seenIn.has(key)) seenIn.set(key, new Set());
        seenIn.get(key)?.add(split);
      }
    }
    let heldOut = 0;
    for (const [key, splits] of seenIn) {
      const own = assigner.entitySplit(key);
      if (own !== 'train') {
        heldOut++;
        expect(splits.has('train')).toBe(false);
      }
      if (own === 'test') expect([...splits]).toEqual(['test']);
    }
    // The property is not vacuous: some of the 210 entities are held out.
    expect(heldOut).toBeGreaterThan(20);
  });

  it('is deterministic per seed, independent of the rest of the corpus, and near the fractions', () => {
    const a = new SplitAssigner(7);
    const b = new SplitAssigner(7);
    const c = new SplitAssigner(8);
    const keys = Array.from({ length: 4000 }, (_, i) => `vehicle:v${i}`);
    expect(keys.map((k) => a.entitySplit(k))).toEqual(keys.map((k) => b.entitySplit(k)));
    expect(keys.map((k) => a.entitySplit(k))).not.toEqual(keys.map((k) => c.entitySplit(k)));
    const test = keys.filter((k) => a.entitySplit(k) === 'test').length / keys.length;
    const validation = keys.filter((k) => a.entitySplit(k) === 'validation').length / keys.length;
    // Binomial sd at n = 4000, p = 0.1: 0.005.
    expect(Math.abs(test - 0.1)).toBeLessThan(0.02);
    expect(Math.abs(validation - 0.1)).toBeLessThan(0.02);
  });

  it('splits by group only when a series has neither vehicle nor driver', () => {
    const assigner = new SplitAssigner(1);
    expect(assigner.assign({ group: 'x' })).toBe(assigner.entitySplit('group:x'));
    expect(assigner.assign({ group: 'x', vehicleId: 'v1' })).toBe(
      assigner.entitySplit('vehicle:v1'),
    );
  });

  it('rejects fractions that leave nothing for train', () => {
    expect(() => new SplitAssigner(1, { test: 0.5, validation: 0.5 })).toThrow('split fractions');
  });

  it('sends a pinned entity to its pinned split and leaves every other one to the hash', () => {
    const hashed = new SplitAssigner(7);
    const keys = Array.from({ length: 200 }, (_, i) => `vehicle:v${i}`);
    const train = keys.find((k) => hashed.entitySplit(k) === 'train') ?? '';
    const pinned = new SplitAssigner(7, undefined, { [train]: 'validation' });
    expect(pinned.entitySplit(train)).toBe('validation');
    expect(pinned.assign({ driverId: 'd1', group: 'g', vehicleId: train.slice(8) })).not.toBe(
      'train',
    );
    const others = keys.filter((k) => k !== train);
    expect(others.map((k) => pinned.entitySplit(k))).toEqual(
      others.map((k) => hashed.entitySplit(k)),
    );
    expect(() => new SplitAssigner(7, undefined, { [train]: 'holdout' as 'test' })).toThrow(
      /pinned to 'holdout'/,
    );
  });
});
