import { AugursEtsBaseline } from './augurs-ets.baseline';
import { AugursSeasonalBaseline, MSTL_MIN_SEASONS, usesMstl } from './augurs-mstl.baseline';

const LEVELS = [0.1, 0.5, 0.9];
const PROFILE = [3, -1, 4, 1, -5, 9, -2];
/** A level of 100 plus a fixed weekly profile, no noise: the forecast is the profile repeated. */
const weekly = (length: number): number[] =>
  Array.from({ length }, (_, t) => 100 + PROFILE[t % PROFILE.length]);

describe('AugursSeasonalBaseline', () => {
  it('repeats the season of a noiseless seasonal series (MSTL), from two seasons on', () => {
    const sut = new AugursSeasonalBaseline();
    for (const length of [2 * 7, 3 * 7 + 2, 70]) {
      const { mean, quantiles } = sut.forecast(weekly(length), 10, LEVELS, 7);
      const expected = weekly(length + 10).slice(length);
      mean.forEach((v, h) => expect(v).toBeCloseTo(expected[h], 3));
      expect(Array.from(quantiles[1])).toEqual(Array.from(mean));
      for (let h = 0; h < 10; h++) {
        expect(quantiles[0][h]).toBeLessThanOrEqual(mean[h] + 1e-9);
        expect(quantiles[2][h]).toBeGreaterThanOrEqual(mean[h] - 1e-9);
      }
    }
    expect(sut.fits()).toEqual({ ets: 0, mstl: 3, mstlFailed: 0 });
  });

  it('falls back to the non-seasonal AutoETS below two seasons and for season 1', () => {
    const sut = new AugursSeasonalBaseline();
    const ets = new AugursEtsBaseline();
    const short = weekly(2 * 7 - 1);
    expect(usesMstl(short.length, 7)).toBe(false);
    expect(usesMstl(MSTL_MIN_SEASONS * 7, 7)).toBe(true);
    // Exactly AutoETS's numbers: the driving eval (season 1) is unchanged by the wrapper.
    expect(sut.forecast(short, 5, LEVELS, 7)).toEqual(ets.forecast(short, 5, LEVELS));
    const line = Array.from({ length: 40 }, (_, t) => 10 + 2 * t);
    expect(sut.forecast(line, 3, LEVELS, 1)).toEqual(ets.forecast(line, 3, LEVELS));
    expect(sut.forecast(line, 3, LEVELS)).toEqual(ets.forecast(line, 3, LEVELS));
    expect(sut.fits()).toEqual({ ets: 3, mstl: 0, mstlFailed: 0 });
  });

  it('forward-fills gaps (NaN, leading ones backward) and stays finite', () => {
    const sut = new AugursSeasonalBaseline();
    const gappy = weekly(70).map((v, t) => (t < 3 || t % 9 === 4 ? Number.NaN : v));
    const { mean, quantiles } = sut.forecast(gappy, 14, LEVELS, 7);
    expect(mean).toHaveLength(14);
    for (const row of [mean, ...quantiles]) expect(row.every(Number.isFinite)).toBe(true);
    // The gaps blur the profile a little; the forecast still follows it.
    const expected = weekly(84).slice(70);
    mean.forEach((v, h) => expect(Math.abs(v - expected[h])).toBeLessThan(2));
    expect(sut.fits().mstl).toBe(1);
  });
});
