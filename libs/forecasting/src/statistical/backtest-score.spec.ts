import { backtestScore, holdoutLength, MIN_BACKTEST_HISTORY } from './backtest-score';

const point = (
  values: number[],
  levels = [0.1, 0.5, 0.9],
): { median: Float32Array; levels: number[]; quantiles: Float32Array[] } => ({
  levels,
  median: Float32Array.from(values),
  quantiles: levels.map(() => Float32Array.from(values)),
});

describe('holdoutLength', () => {
  it('holds out min(horizon, ⌊length / 4⌋)', () => {
    expect(holdoutLength(new Float32Array(512), 64)).toBe(64);
    expect(holdoutLength(new Float32Array(100), 64)).toBe(25);
    expect(holdoutLength(new Float32Array(100), 10)).toBe(10);
  });

  it('is 0 when too few observations precede the tail or the tail has none', () => {
    expect(holdoutLength(new Float32Array(MIN_BACKTEST_HISTORY + 2), 64)).toBe(2);
    expect(holdoutLength(new Float32Array(MIN_BACKTEST_HISTORY + 1), 64)).toBe(0);
    const gaps = new Float32Array(40);
    gaps.fill(Number.NaN, 30);
    expect(holdoutLength(gaps, 10)).toBe(0);
  });
});

describe('backtestScore', () => {
  // History 0, 2, 4, …: naive (lag 1) MAE 2.
  const history = Array.from({ length: 10 }, (_, t) => 2 * t);

  it('scores a point forecast by its MAE over the naive MAE', () => {
    // Errors 1 and 3: MAE 2; the quantile term of a point forecast is its MAE too.
    expect(backtestScore(history, [20, 22], point([21, 19]))).toBeCloseTo(1, 9);
  });

  it('adds the quantile loss of a spread forecast, and skips unobserved actuals', () => {
    const f = {
      levels: [0.1, 0.9],
      median: Float32Array.from([20, 0]),
      quantiles: [Float32Array.from([18, 0]), Float32Array.from([24, 0])],
    };
    // Actual 20: MAE 0; 2 × pinball: 0.1 × 2 × 2 = 0.4 and 0.1 × 4 × 2 = 0.8, mean 0.6.
    expect(backtestScore(history, [20, Number.NaN], f)).toBeCloseTo(0.3 / 2, 6);
  });

  it('scales by the seasonal naive error, or lag 1 when that is 0', () => {
    const wave = Array.from({ length: 12 }, (_, t) => [0, 4, 8, 4][t % 4]);
    // Season 4: the history repeats exactly (error 0), so lag 1 (MAE 4) is the scale.
    expect(backtestScore(wave, [0, 4], point([2, 6]), 4)).toBeCloseTo(0.5, 9);
    const growing = Array.from({ length: 12 }, (_, t) => t + [0, 4, 8, 4][t % 4]);
    // Season 4: every y[t] − y[t − 4] is 4.
    expect(backtestScore(growing, [12, 17], point([14, 19]), 4)).toBeCloseTo(0.5, 9);
  });

  it('is NaN without an observed actual or with a non-finite forecast', () => {
    expect(backtestScore(history, [Number.NaN], point([1]))).toBeNaN();
    expect(backtestScore(history, [1], point([Number.NaN]))).toBeNaN();
  });
});
