import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CorpusReader, CorpusWriter } from '@fleetfm/datasets';
import { Prng } from '@fleetfm/simulator';
import { WindowSampler } from './window-sampler';

let tmp: string;
let reader: CorpusReader;

/** One long ramp (level 1000 + t, 1,000 steps) and nine short ones (t, 50 steps). */
beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetfm-sampler-'));
  const dir = path.join(tmp, 'corpus');
  const writer = await CorpusWriter.create(dir, {
    seed: 3,
    splitFractions: { test: 0, validation: 0 },
  });
  const add = async (i: number, length: number, level: number): Promise<void> => {
    await writer.add({
      channel: 'speed_mps',
      freqS: 1,
      group: `ramp:${i}`,
      id: `ramp:${i}`,
      source: 'sim',
      values: Float32Array.from({ length }, (_, t) => level + t),
    });
  };
  await add(0, 1000, 1000);
  for (let i = 1; i < 10; i++) await add(i, 50, 0);
  await writer.finish({});
  reader = await CorpusReader.open(dir);
});

afterAll(() => fs.rmSync(tmp, { force: true, recursive: true }));

const shape = { contextLength: 32, horizon: 8 };
const longShare = (windows: ReadonlyArray<{ series: Float32Array }>): number =>
  windows.filter((w) => w.series[0] >= 1000).length / windows.length;

describe('WindowSampler lengthPower', () => {
  it('picks series by crop positions (1) or alike (0)', async () => {
    // Crop positions: 1000 - 40 + 1 = 961 for the long ramp, 50 - 40 + 1 = 11 for each short.
    const byLength = await WindowSampler.load(reader, 'train', { ...shape, lengthPower: 1 });
    expect(longShare(byLength.sample(2000, new Prng(1)))).toBeCloseTo(961 / (961 + 99), 1);
    const alike = await WindowSampler.load(reader, 'train', { ...shape, lengthPower: 0 });
    expect(longShare(alike.sample(2000, new Prng(1)))).toBeCloseTo(0.1, 1);
  });

  it('rejects a power outside [0, 1]', async () => {
    await expect(WindowSampler.load(reader, 'train', { ...shape, lengthPower: 2 })).rejects.toThrow(
      /lengthPower/,
    );
  });
});

describe('WindowSampler augmentation', () => {
  it('downsamples crops by a stride in 2 … maxStride, shorter where the series is short', async () => {
    const sampler = await WindowSampler.load(reader, 'train', {
      ...shape,
      augment: { downsample: 1, maxStride: 2 },
      lengthPower: 0,
    });
    for (const w of sampler.sample(200, new Prng(2))) {
      // The long ramp fits 40 steps at stride 2; a 50-step ramp gives 25 (a shorter context).
      expect(w.series.length).toBe(w.series[0] >= 1000 ? 40 : 25);
      for (let j = 1; j < w.series.length; j++) expect(w.series[j] - w.series[j - 1]).toBe(2);
    }
    // Below the minimum context (8) + horizon (8) = 16 steps a crop is not downsampled.
    const strict = await WindowSampler.load(reader, 'train', {
      ...shape,
      augment: { downsample: 1, maxStride: 4 },
      lengthPower: 0,
      minContext: 16,
    });
    const short = strict.sample(200, new Prng(2)).filter((w) => w.series[0] < 1000);
    expect(short.length).toBeGreaterThan(100);
    // 50 steps at stride 2 → 25 ≥ 24 kept; at stride 3 → 17 and stride 4 → 13 fall back to 1.
    for (const w of short) {
      const stride = w.series[1] - w.series[0];
      expect(stride === 2 ? w.series.length === 25 : stride === 1 && w.series.length === 40).toBe(
        true,
      );
    }
  });

  it('cuts contexts to a length in [minContext, context) keeping the target', async () => {
    const sampler = await WindowSampler.load(reader, 'train', {
      ...shape,
      augment: { shortContext: 1 },
      lengthPower: 1,
    });
    const long = sampler.sample(300, new Prng(4)).filter((w) => w.series[0] >= 1000);
    expect(long.length).toBeGreaterThan(200);
    const lengths = new Set<number>();
    for (const w of long) {
      // Default minContext = 32 / 4 = 8: contexts of 8 … 31 steps plus the 8-step target.
      expect(w.series.length).toBeGreaterThanOrEqual(16);
      expect(w.series.length).toBeLessThanOrEqual(39);
      // Still a contiguous piece of the ramp ending where a full crop would.
      for (let j = 1; j < w.series.length; j++) expect(w.series[j] - w.series[j - 1]).toBe(1);
      lengths.add(w.series.length);
    }
    expect(lengths.size).toBeGreaterThan(15);
    const none = await WindowSampler.load(reader, 'train', { ...shape, lengthPower: 1 });
    const full = none.sample(300, new Prng(4)).filter((w) => w.series[0] >= 1000);
    for (const w of full) expect(w.series.length).toBe(40);
  });

  it('mixes windows into unit-free series with signal id 0', async () => {
    const sampler = await WindowSampler.load(reader, 'train', {
      ...shape,
      augment: { mixup: 1 },
    });
    const windows = sampler.sample(50, new Prng(3));
    const again = sampler.sample(50, new Prng(3));
    expect(windows.map((w) => Array.from(w.series))).toEqual(
      again.map((w) => Array.from(w.series)),
    );
    for (const w of windows) {
      expect(w.signalId).toBe(0);
      expect(w.series.length).toBe(40);
      // Every part is a ramp standardised on its 32-step context: a convex mix of identical
      // standardised ramps is that same standardised ramp, starting at -31/2 / sd(0..31).
      const sd = Math.sqrt((32 * 32 - 1) / 12);
      expect(w.series[0]).toBeCloseTo(-15.5 / sd, 4);
      expect(w.series[39]).toBeCloseTo(23.5 / sd, 4);
    }
  });
});
