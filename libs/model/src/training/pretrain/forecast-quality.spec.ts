import type { Forecaster, SeriesForecast } from '../../forecaster';
import { evaluateForecastQuality, seasonOf, seasonalNaive } from './forecast-quality';

/** A stand-in forecaster that returns `answer(context)` as every quantile. */
function fake(answer: (context: Float32Array) => Float32Array): Forecaster {
  return {
    forecast: async (series: readonly Float32Array[]): Promise<SeriesForecast[]> =>
      series.map((s) => {
        const v = answer(s);
        return { levels: [0.1, 0.9], mean: v, median: v, quantiles: [v, v] };
      }),
    model: { config: { quantiles: [0.1, 0.5, 0.9] } },
  } as unknown as Forecaster;
}

describe('forecast quality', () => {
  it('finds the period of a periodic context, and 1 for a constant context', () => {
    const sine = Float32Array.from({ length: 200 }, (_, t) => Math.sin((2 * Math.PI * t) / 10));
    expect(seasonOf(sine, 100)).toBe(10);
    const alternating = Float32Array.from({ length: 50 }, (_, t) => (t % 2 === 0 ? 1 : -1));
    expect(seasonOf(alternating, 25)).toBe(2);
    expect(seasonOf(new Float32Array(20).fill(3), 10)).toBe(1);
  });

  it('repeats the last season', () => {
    expect(Array.from(seasonalNaive(Float32Array.from([1, 2, 3, 4, 5]), 2, 5))).toEqual([
      4, 5, 4, 5, 4,
    ]);
  });

  it('scores a ramp: the naive MASE is (H + 1) / 2, a perfect forecast 0 with full coverage', async () => {
    const h = 4;
    const ramp = { series: Float32Array.from({ length: 20 }, (_, t) => t) };
    const perfect = await evaluateForecastQuality(
      fake((c) => Float32Array.from({ length: h }, (_, i) => c.length + i)),
      [ramp],
      h,
    );
    expect(perfect).toMatchObject({ coverage: 1, mase: 0, naiveMase: 2.5, windows: 1 });
    const flat = await evaluateForecastQuality(
      fake(() => new Float32Array(h).fill(15)),
      [ramp],
      h,
    );
    // Future 16..19 against 15: errors 1..4, scale 1.
    expect(flat.mase).toBeCloseTo(2.5, 10);
    expect(flat.coverage).toBe(0);
    // Seasonal naive on the ramp: the autocorrelation peaks at lag 2, so it repeats [14, 15]
    // against 16..19: MAE 3; the flat forecast's MAE is 2.5.
    expect(flat.seasonalNaiveMase).toBeCloseTo(3, 10);
    expect(flat.relativeMaeGeoMean).toBeCloseTo(2.5 / 3, 10);
  });
});
