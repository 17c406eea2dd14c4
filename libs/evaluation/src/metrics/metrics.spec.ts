import {
  geometricMean,
  mase,
  normalQuantile,
  seasonalNaive,
  seasonalNaiveQuantiles,
  weightedQuantileLoss,
} from './forecast-metrics';
import { averagePrecision, bestF1, precisionAtK } from './ranking-metrics';

describe('forecast metrics', () => {
  const history = [0, 1, 0, 1, 0];

  it('MASE: a perfect forecast scores 0, seasonal naive on a zig-zag scores 1', () => {
    expect(mase([1, 0], [1, 0], history)).toBe(0);
    // Scale mean|Δ| = 1; naive repeats 0; actual 1 -> MAE 1.
    expect(mase([1], seasonalNaive(history, 1), history)).toBe(1);
    // Season 2: y[n - 2 + (h mod 2)] = [1, 0, 1]; in-sample |y_t - y_{t-2}| = 0 -> undefined.
    expect(Array.from(seasonalNaive(history, 3, 2))).toEqual([1, 0, 1]);
    expect(mase([1], [1], history, 2)).toBeNaN();
    // History [1, 2, 4, 7]: scale (1 + 2 + 3) / 3 = 2; naive 7 vs [9, 11]: MAE 3 -> 1.5.
    expect(mase([9, 11], seasonalNaive([1, 2, 4, 7], 2), [1, 2, 4, 7])).toBe(1.5);
  });

  it('WQL: 2 Σ pinball / Σ |y|, averaged over levels, on a hand-computed case', () => {
    // Median [1, 5] vs [2, 4]: pinball 0.5 + 0.5 = 1; 2 · 1 / 6.
    expect(weightedQuantileLoss([2, 4], [[1, 5]], [0.5])).toBeCloseTo(1 / 3, 12);
    // q0.1 = [1, 3]: 0.1 + 0.1; q0.9 = [3, 5]: 0.1 + 0.1; each 2 · 0.2 / 6, mean 1/15.
    expect(
      weightedQuantileLoss(
        [2, 4],
        [
          [1, 3],
          [3, 5],
        ],
        [0.1, 0.9],
      ),
    ).toBeCloseTo(1 / 15, 12);
  });

  it('seasonal naive quantiles widen with √h around the naive point', () => {
    const [median, q90] = seasonalNaiveQuantiles(history, 4, [0.5, 0.9]);
    expect(Array.from(median)).toEqual([0, 0, 0, 0]);
    // σ = RMS of the differences = 1; z0.9 = 1.2815515655446004.
    expect(q90[0]).toBeCloseTo(1.2815515655446004, 8);
    expect(q90[3]).toBeCloseTo(2 * 1.2815515655446004, 8);
  });

  it('normal quantiles and geometric means', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 12);
    expect(normalQuantile(0.1)).toBeCloseTo(-1.2815515655446004, 8);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.3263478740408408, 8);
    expect(geometricMean([1, 4])).toBeCloseTo(2, 12);
    expect(geometricMean([0.5, 2, Number.NaN])).toBeCloseTo(1, 12);
  });
});

describe('ranking metrics', () => {
  it('AUC-PR (average precision) on a tiny ranked list', () => {
    // Ranks: + - + -: P = 1 at R = 0.5, P = 2/3 at R = 1 -> 0.5 + 0.5 · 2/3.
    expect(averagePrecision([0.9, 0.8, 0.7, 0.6], [1, 0, 1, 0])).toBeCloseTo(5 / 6, 12);
    expect(averagePrecision([0.9, 0.8, 0.7, 0.6], [1, 1, 0, 0])).toBe(1);
    // A tie is one threshold, whatever the order: P = 1/2 at R = 1.
    expect(averagePrecision([0.5, 0.5], [0, 1])).toBe(0.5);
    expect(averagePrecision([0.5, 0.5], [1, 0])).toBe(0.5);
    expect(averagePrecision([0.2, Number.NaN, 0.1], [0, 1, 1])).toBe(0.5);
  });

  it('best F1 over thresholds', () => {
    const best = bestF1([0.9, 0.8, 0.7, 0.6], [1, 0, 1, 0]);
    // Threshold 0.9: F1 = 2/3; threshold 0.7: P 2/3, R 1 -> 0.8.
    expect(best.f1).toBeCloseTo(0.8, 12);
    expect(best.threshold).toBe(0.7);
  });

  it('precision@k', () => {
    expect(precisionAtK(['a', 'b', 'a', 'a'], 'a', 2)).toBe(0.5);
    expect(precisionAtK(['a', 'b', 'a', 'a'], 'a', 4)).toBe(0.75);
    expect(precisionAtK(['a'], 'a', 10)).toBe(0.1);
  });
});
