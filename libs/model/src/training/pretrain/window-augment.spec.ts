import { ValidationError } from '@fleetfm/domain';
import { Prng } from '@fleetfm/simulator';
import { gpsTraceVehicle } from './fleet-corpus.source';
import { mixWindows, resolveAugmentation, simplexWeights, stridedCrop } from './window-augment';

const ramp = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => i);

describe('stridedCrop', () => {
  it('takes every stride-th step from a start that keeps the whole crop inside the series', () => {
    const prng = new Prng(11);
    for (let k = 0; k < 50; k++) {
      const crop = stridedCrop(ramp(100), 10, 3, 5, prng);
      expect(crop).not.toBeNull();
      const c = crop as Float32Array;
      expect(c.length).toBe(10);
      for (let j = 1; j < c.length; j++) expect(c[j] - c[j - 1]).toBe(3);
      expect(c[0]).toBeGreaterThanOrEqual(0);
      expect(c[9]).toBeLessThanOrEqual(99);
    }
  });

  it('gives the longest crop a short series allows, or null below the minimum', () => {
    // 9 steps every 4th: only indices 0, 4, 8 fit (3 values).
    expect(Array.from(stridedCrop(ramp(9), 8, 4, 3, new Prng(1)) as Float32Array)).toEqual([
      0, 4, 8,
    ]);
    expect(stridedCrop(ramp(9), 8, 4, 4, new Prng(1))).toBeNull();
  });
});

describe('mixWindows', () => {
  it('standardises each part on its context and combines them aligned at the end', () => {
    // Context of a: [1, 3] → mean 2, sd 1. Context of b (last 3 of 4 steps): [10, 10, 10] →
    // constant, sd falls back to 1, mean 10.
    const a = Float32Array.from([1, 3, 5]);
    const b = Float32Array.from([99, 10, 10, 12]);
    const out = mixWindows([a, b], [0.25, 0.75], 1);
    // a → [-1, 1, 3]; b (last 3 steps) → [0, 0, 2].
    expect(Array.from(out)).toEqual([-0.25, 0.25, 0.75 + 1.5]);
  });

  it('keeps a gap of any part as a gap', () => {
    const out = mixWindows([Float32Array.from([0, 2, NaN, 4]), ramp(4)], [0.5, 0.5], 1);
    expect(Number.isNaN(out[2])).toBe(true);
    expect(Number.isFinite(out[3])).toBe(true);
  });
});

describe('simplexWeights', () => {
  it('draws positive weights that sum to one, seeded', () => {
    const w = simplexWeights(3, new Prng(4));
    expect(w.every((x) => x > 0)).toBe(true);
    expect(w.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    expect(simplexWeights(3, new Prng(4))).toEqual(w);
  });
});

describe('resolveAugmentation', () => {
  it('defaults to no augmentation and rejects bad settings', () => {
    expect(resolveAugmentation()).toEqual({
      downsample: 0,
      maxMixup: 3,
      maxStride: 4,
      mixup: 0,
      shortContext: 0,
    });
    expect(() => resolveAugmentation({ shortContext: 2 })).toThrow(/shortContext/);
    expect(() => resolveAugmentation({ mixup: 1.5 })).toThrow(ValidationError);
    expect(() => resolveAugmentation({ downsample: -0.1 })).toThrow(/downsample/);
    expect(() => resolveAugmentation({ maxStride: 1 })).toThrow(/maxStride/);
  });
});

describe('gpsTraceVehicle', () => {
  it('reads the CMAP vehicle folder out of a GPS trace name', () => {
    expect(gpsTraceVehicle('gps:4108468_1/2007-06-25#7')).toBe('4108468_1');
    expect(gpsTraceVehicle('4116813_2/2007-04-05#0')).toBe('4116813_2');
  });
});
