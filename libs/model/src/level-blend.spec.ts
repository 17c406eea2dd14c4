import { ValidationError } from '@fleetfm/domain';
import { Prng } from '@fleetfm/simulator';
import { selectBackend } from './backend';
import { Forecaster } from './forecaster';
import {
  blendFor,
  blendRow,
  contextRoughness,
  parseLevelBlend,
  recentMedian,
  roughnessClass,
  type LevelBlendState,
} from './level-blend';
import {
  blendBuckets,
  fitLevelBlend,
  type BlendSample,
  type LevelBlendFit,
  type SignalBlendFit,
} from './level-blend.fit';
import { PatchModel } from './patch-model';
import { TINY_MODEL_ARGS } from './patch-model.config';

describe('recentMedian', () => {
  it.each([
    // values, window, mask, median
    [[5, 1, 2, 3], 3, undefined, 2],
    [[5, 1, 2, 3, 10], 4, undefined, 2.5],
    [[5, 1, Number.NaN, 3, 10], 4, undefined, 3],
    [[5, 1, 2, 3], 2, [1, 1, 0, 1], 3],
    [[Number.NaN, Number.NaN], 2, undefined, Number.NaN],
  ])('%j, last %i (mask %j) -> %d', (values, window, mask, expected) => {
    expect(recentMedian(values, window, mask)).toEqual(expected);
  });

  it('reads one row of a batch', () => {
    const batch = [9, 9, 9, 1, 2, 100];
    expect(recentMedian(batch, 3, undefined, 3, 6)).toBe(2);
  });
});

describe('blendRow', () => {
  it('moves the median that share of the way to the level and keeps the spread', () => {
    const row = Float32Array.from([1, 2, 4]);
    blendRow(row, 2, 12, 0.5);
    expect(Array.from(row)).toEqual([6, 7, 9]);
  });

  it('leaves the row alone for weight 0 or an unknown level', () => {
    const row = Float32Array.from([1, 2, 4]);
    blendRow(row, 2, 12, 0);
    blendRow(row, 2, Number.NaN, 1);
    expect(Array.from(row)).toEqual([1, 2, 4]);
  });
});

describe('contextRoughness', () => {
  const rng = new Prng(5);
  const noise = Float32Array.from({ length: 2000 }, () => rng.normal());
  const slow = Float32Array.from({ length: 200 }, (_, t) => Math.sin(t / 20));

  it('is about 1.4 for white noise, small for a smooth swing, 0 when flat or too short', () => {
    expect(contextRoughness(noise)).toBeGreaterThan(1.2);
    expect(contextRoughness(noise)).toBeLessThan(1.65);
    expect(contextRoughness(slow)).toBeLessThan(0.1);
    expect(contextRoughness(new Float32Array(100).fill(3))).toBe(0);
    expect(contextRoughness([1, 5])).toBe(0);
  });

  it('is scale-free and reads the last observed values only', () => {
    const scaled = noise.map((v) => 1000 + 50 * v);
    expect(contextRoughness(scaled)).toBeCloseTo(contextRoughness(noise), 3);
    const gappy = Float32Array.from([...slow, Number.NaN, Number.NaN]);
    expect(contextRoughness(gappy)).toBeCloseTo(contextRoughness(slow), 6);
    const masked = Float32Array.from([...noise.subarray(0, 100), ...slow.subarray(0, 100)]);
    const mask = Float32Array.from({ length: 200 }, (_, i) => (i < 100 ? 1 : 0));
    expect(contextRoughness(masked, mask)).toBeCloseTo(contextRoughness(noise.subarray(0, 100)), 6);
  });

  it.each([
    [0, 0],
    [0.19, 0],
    [0.2, 1],
    [0.49, 1],
    [0.5, 2],
    [3, 2],
  ])('roughness %d is class %i of [0.2, 0.5]', (r, cls) => {
    expect(roughnessClass(r, [0.2, 0.5])).toBe(cls);
  });
});

describe('parseLevelBlend', () => {
  const ok = {
    roughnessBounds: [0.2, 0.5],
    signals: { '2': [null, null, { weights: [0, 0.5], window: 16 }] },
    version: 1,
  };
  const one = (s: unknown): unknown => ({ ...ok, signals: { '1': [null, null, s] } });

  it('accepts a well-formed blend', () => {
    expect(parseLevelBlend(ok, 2).signals['2'][2]?.window).toBe(16);
  });

  it.each([
    [{ ...ok, version: 2 }, /version: 1/],
    [{ ...ok, roughnessBounds: [0.5, 0.2] }, /ascending positive/],
    [{ ...ok, signals: { x: [null, null, null] } }, /not an integer/],
    [{ ...ok, signals: { '1': [null] } }, /needs 3 roughness classes/],
    [one({ weights: [0, 0], window: 0 }), /positive integer window/],
    [one({ weights: [0], window: 4 }), /1 weights, the model's horizon is 2/],
    [one({ weights: [0, 1.5], window: 4 }), /outside \[0, 1\]/],
  ])('rejects %j', (json, message) => {
    expect(() => parseLevelBlend(json, 2)).toThrow(ValidationError);
    expect(() => parseLevelBlend(json, 2)).toThrow(message);
  });
});

describe('blendBuckets', () => {
  it.each([
    [
      64,
      [
        [0, 4],
        [4, 8],
        [8, 16],
        [16, 32],
        [32, 64],
      ],
    ],
    [
      8,
      [
        [0, 4],
        [4, 8],
      ],
    ],
    [
      10,
      [
        [0, 4],
        [4, 8],
        [8, 10],
      ],
    ],
    [3, [[0, 3]]],
  ])('horizon %i', (horizon, buckets) => {
    expect(blendBuckets(horizon)).toEqual(buckets);
  });
});

/**
 * Windows of a noisy level (iid spikes around a constant) whose "network" forecast is the last
 * value: the recent median is the better forecast, more so the longer the window. And windows of
 * a straight ramp forecast exactly by the network: no blend can help there.
 */
function samples(horizon: number): BlendSample[] {
  const rng = new Prng(3);
  const out: BlendSample[] = [];
  const levels = [0.1, 0.5, 0.9];
  for (let i = 0; i < 120; i++) {
    const noisy = Float32Array.from({ length: 128 + horizon }, () =>
      rng.chance(0.2) ? 10 + 30 * rng.next() : 10 + rng.next(),
    );
    const last = noisy[127];
    out.push({
      actual: noisy.subarray(128),
      context: noisy.subarray(0, 128),
      quantiles: levels.map((q) => new Float32Array(horizon).fill(last + (q - 0.5) * 4)),
      signalId: 2,
    });
    const slope = 1 + rng.next();
    const ramp = Float32Array.from({ length: 128 + horizon }, (_, t) => t * slope);
    out.push({
      actual: ramp.subarray(128),
      context: ramp.subarray(0, 128),
      quantiles: levels.map((q) => ramp.slice(128).map((v) => v + (q - 0.5) * 2)),
      signalId: 5,
    });
  }
  return out;
}

describe('fitLevelBlend', () => {
  const fit = fitLevelBlend(samples(8), { horizon: 8, levels: [0.1, 0.5, 0.9] });

  it('blends a noisy level toward its recent median', () => {
    const noisy = fit.fits.find((f) => f.signalId === 2);
    expect(noisy?.window).toBeGreaterThanOrEqual(16);
    expect(noisy?.buckets.every((b) => b.weight >= 0.7)).toBe(true);
    expect(noisy?.relativeMae.blended).toBeLessThan(0.8 * (noisy?.relativeMae.network ?? 0));
    expect(noisy?.qualityLossRatio).toBeLessThan(0.9);
    expect(noisy?.roughnessClass).toBe(2);
    expect(fit.state.signals['2'][2]?.weights).toHaveLength(8);
    expect(fit.state.signals['2'][0]).toBeNull();
  });

  it('keeps the network alone where it is exact', () => {
    const ramp = fit.fits.find((f) => f.signalId === 5);
    expect(ramp?.roughnessClass).toBe(0);
    expect(ramp?.window).toBeUndefined();
    expect(ramp?.buckets.every((b) => b.weight === 0)).toBe(true);
    expect(fit.state.signals['5']).toBeUndefined();
  });

  it('leans toward the last value (window 1) where persistence is the level', () => {
    // Random walks forecast at their context's mean: the last value is the best level.
    const rng = new Prng(5);
    const walks: BlendSample[] = Array.from({ length: 200 }, () => {
      const v = new Float32Array(136);
      for (let t = 1; t < v.length; t++) v[t] = v[t - 1] + (rng.next() - 0.5);
      const mean = v.subarray(0, 128).reduce((a, b) => a + b, 0) / 128;
      return {
        actual: v.subarray(128),
        context: v.subarray(0, 128),
        quantiles: [0.1, 0.5, 0.9].map((q) => new Float32Array(8).fill(mean + (q - 0.5) * 4)),
        signalId: 9,
      };
    });
    const largest = (f: LevelBlendFit): SignalBlendFit =>
      [...f.fits].sort((a, b) => b.samples - a.samples)[0];
    const walk = largest(fitLevelBlend(walks, { horizon: 8, levels: [0.1, 0.5, 0.9] }));
    expect(walk.samples).toBeGreaterThanOrEqual(50);
    expect(walk.window).toBe(1);
    expect(walk.buckets.every((b) => b.weight >= 0.8)).toBe(true);
    expect(walk.relativeMae.blended).toBeLessThan(0.5 * walk.relativeMae.network);
    const without = fitLevelBlend(walks, { horizon: 8, levels: [0.1, 0.5, 0.9], windows: [16] });
    expect(largest(without).relativeMae.blended).toBeGreaterThan(walk.relativeMae.blended);
  });

  it('needs enough windows per signal', () => {
    const few = fitLevelBlend(samples(8).slice(0, 40), {
      horizon: 8,
      levels: [0.1, 0.5, 0.9],
      minSamples: 50,
    });
    expect(few.state.signals).toEqual({});
    expect(few.fits.find((f) => f.signalId === 2)?.samples).toBe(20);
  });

  it('rejects a bad grid or window list', () => {
    const o = { horizon: 8, levels: [0.1, 0.5, 0.9] };
    expect(() => fitLevelBlend([], { ...o, step: 0 })).toThrow(ValidationError);
    expect(() => fitLevelBlend([], { ...o, windows: [0] })).toThrow(/positive integers/);
  });
});

describe('Forecaster with a level blend', () => {
  beforeAll(async () => {
    await selectBackend({ prefer: ['wasm', 'cpu'] });
  });
  const model = new PatchModel(TINY_MODEL_ARGS); // context 32, horizon 8, levels 0.1/0.5/0.9
  afterAll(() => model.dispose());
  const weights = [0, 0, 0, 0, 1, 1, 1, 1];
  const blend: LevelBlendState = {
    roughnessBounds: [0.2, 0.5],
    signals: { '3': [null, null, { weights, window: 8 }] },
    version: 1,
  };
  const plain = new Forecaster(model);
  const blended = new Forecaster(model, {}, { levelBlend: blend });
  const spiky = Float32Array.from({ length: 40 }, (_, t) => (t % 5 === 0 ? 50 : 2 + (t % 3)));
  const smooth = Float32Array.from({ length: 40 }, (_, t) => 10 + Math.sin(t / 15));

  it("moves a rough context's median to the recent median where the weight is 1", async () => {
    expect(blendFor(blend, 3, spiky)?.window).toBe(8);
    const [a] = await plain.forecast([spiky], { signalIds: [3] });
    const [b] = await blended.forecast([spiky], { signalIds: [3] });
    const level = recentMedian(spiky, 8);
    for (let t = 0; t < 8; t++) {
      if (weights[t] === 0) {
        expect(b.median[t]).toBeCloseTo(a.median[t], 4);
      } else {
        expect(b.median[t]).toBeCloseTo(level, 3);
        expect(b.quantiles[2][t] - b.quantiles[0][t]).toBeCloseTo(
          a.quantiles[2][t] - a.quantiles[0][t],
          3,
        );
      }
    }
  });

  it('leaves smooth contexts and other signals to the network', async () => {
    expect(blendFor(blend, 3, smooth)).toBeUndefined();
    const [a, c] = await plain.forecast([smooth, spiky], { signalIds: [3, 2] });
    const [b, d] = await blended.forecast([smooth, spiky], { signalIds: [3, 2] });
    expect(Array.from(b.median)).toEqual(Array.from(a.median));
    expect(Array.from(d.median)).toEqual(Array.from(c.median));
  });
});
