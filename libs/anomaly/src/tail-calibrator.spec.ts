import { combineCalibrated, fitDetectorCalibration } from './detector-calibration';
import { TailCalibrator } from './tail-calibrator';

describe('TailCalibrator', () => {
  // Reference 1..100: u = the 99th value (99), the top 1 (100) gives mean excess β = 1.
  const cal = TailCalibrator.fit(Array.from({ length: 100 }, (_, i) => i + 1));

  it('is the mid-rank ECDF below the tail and an exponential tail above it', () => {
    expect(cal.score(50)).toBeCloseTo(49.5 / 100, 12);
    expect(cal.score(0)).toBe(0);
    expect(cal.score(100)).toBeCloseTo(1 - 0.01 * Math.exp(-1), 12);
    expect(cal.score(109)).toBeCloseTo(1 - 0.01 * Math.exp(-10), 12);
    expect(Number.isNaN(cal.score(Number.NaN))).toBe(true);
  });

  it('is monotone and within [0, 1], including far beyond every normal value', () => {
    let prev = -1;
    for (let x = -10; x < 140; x += 0.25) {
      const s = cal.score(x);
      expect(s).toBeGreaterThanOrEqual(prev);
      expect(s).toBeLessThanOrEqual(1);
      prev = s;
    }
    expect(cal.score(120)).toBeGreaterThan(cal.score(110));
  });

  it('round-trips through its state', () => {
    const again = TailCalibrator.fromState(cal.toState());
    for (const x of [3, 77.5, 99.5, 104]) expect(again.score(x)).toBe(cal.score(x));
  });

  it('ranks runs beyond an all-zero reference by their raw size', () => {
    const zero = TailCalibrator.fit(new Array(50).fill(0));
    expect(zero.score(0)).toBeLessThan(zero.score(1));
    expect(zero.score(1)).toBeLessThan(zero.score(3));
  });
});

describe('combineCalibrated', () => {
  it('is 1 − the pair-union p-value of the two strongest finite components', () => {
    // p = (0.5, 0.1): x = 0.05, one pair: 1 − 0.05·(1 − ln 0.05).
    expect(combineCalibrated([0.5, 0.9, Number.NaN])).toBeCloseTo(
      1 - 0.05 * (1 - Math.log(0.05)),
      12,
    );
    // Three components, p = (1e-3, 1e-3, 0.5): three pairs, x = 1e-6.
    expect(combineCalibrated([0.999, 0.999, 0.5])).toBeCloseTo(1 - 3e-6 * (1 - Math.log(1e-6)), 12);
    expect(combineCalibrated([0.99])).toBe(0.99);
    expect(combineCalibrated([0.1, 0.2, 0.3])).toBe(0);
    expect(Number.isNaN(combineCalibrated([Number.NaN]))).toBe(true);
  });

  it('ranks rows whose strongest component saturated at 1 by the second strongest', () => {
    expect(combineCalibrated([1, 0.999, 0.5])).toBeGreaterThan(combineCalibrated([1, 0.5, 0.5]));
    expect(combineCalibrated([1, 0.5, 0.5])).toBeLessThan(1);
  });

  it('ranks two corroborating detectors above one slightly stronger detector alone', () => {
    // The Šidák max^m ranked these the other way round (0.997 vs 0.9997).
    expect(combineCalibrated([0.999, 0.999, 0.5])).toBeGreaterThan(
      combineCalibrated([0.9999, 0.5, 0.5]),
    );
  });
});

describe('fitDetectorCalibration', () => {
  it('pools each component by signal name', () => {
    const state = fitDetectorCalibration([
      { components: { spike: [1, 2] }, name: 'a' },
      { components: { spike: [3, Number.NaN] }, name: 'a' },
      { components: { stuck: [0] }, name: 'b' },
    ]);
    expect(state.components.spike?.a.reference).toEqual([1, 2, 3]);
    expect(state.components.stuck?.b.reference).toEqual([0]);
    expect(state.threshold).toBe(0.99);
  });
});
