import type { SeriesForecast } from '@fleetfm/model';
import { AutoMethodForecaster } from './auto-method.forecaster';
import { ForecastModelPort, type ModelForecastOptions } from './forecast-model.port';
import { AugursSeasonalBaseline } from './statistical/augurs-mstl.baseline';
import type { StatisticalForecaster } from './statistical/augurs-ets.baseline';

const LEVELS = [0.1, 0.5, 0.9];

/**
 * A closed-form model: repeats the value `lag` steps back (lag 1 = the last value) at every
 * level, and records its calls.
 */
class RepeatingModel extends ForecastModelPort {
  readonly contextLength = 512;
  readonly horizon = 64;
  readonly quantiles = LEVELS;
  readonly calls: { lengths: number[]; options: ModelForecastOptions }[] = [];

  constructor(private readonly lag = 1) {
    super();
  }

  async forecast(
    contexts: readonly Float32Array[],
    options: ModelForecastOptions,
  ): Promise<SeriesForecast[]> {
    this.calls.push({ lengths: contexts.map((c) => c.length), options });
    return contexts.map((c) => {
      const row = Float32Array.from({ length: options.horizon }, (_, h) => {
        const back = this.lag - (h % this.lag);
        return c[c.length - back];
      });
      return {
        levels: options.quantiles,
        mean: row,
        median: row,
        quantiles: options.quantiles.map(() => row.slice()),
      };
    });
  }
}

const PROFILE = [3, -1, 4, 1, -5, 9, -2, 6, 0, 2, -3, 5, 1, -4, 7, 2, -6, 3, 0, 8, -2, 1, 4, -1];
/** Level 100 plus a fixed daily profile of hourly values, no noise. */
const hourly = (length: number): Float32Array =>
  Float32Array.from({ length }, (_, t) => 100 + PROFILE[t % 24]);
/** A weekly profile of daily values, no noise. */
const weekly = (length: number): Float32Array =>
  Float32Array.from({ length }, (_, t) => 20 + [0, 9, 2, 7, -4, 5, 1][t % 7]);

describe('AutoMethodForecaster', () => {
  it('takes MSTL on a noiseless seasonal profile that a last-value model misses, and says why', async () => {
    const model = new RepeatingModel(1);
    const sut = new AutoMethodForecaster(model, new AugursSeasonalBaseline());
    const [f] = await sut.forecast([hourly(512)], {
      horizon: 48,
      quantiles: LEVELS,
      seasons: [24],
    });
    expect(f.method).toBe('mstl');
    expect(f.selection?.holdout).toBe(48);
    expect(f.selection?.statisticalScore).toBeLessThan(0.01);
    expect(f.selection?.modelScore).toBeGreaterThan(0.5);
    const expected = hourly(512 + 48).subarray(512);
    f.median.forEach((v, h) => expect(v).toBeCloseTo(expected[h], 2));
    expect(f.levels).toEqual(LEVELS);
    expect(f.quantiles).toHaveLength(3);
    // The model ran once, on the backtest only.
    expect(model.calls.map((c) => [c.lengths, c.options.horizon])).toEqual([[[464], 48]]);
    expect(sut.choices()).toEqual({ ets: 0, model: 0, mstl: 1 });
  });

  it('keeps the model where it forecast the held-out tail better (no season known: AutoETS)', async () => {
    // A weekly pattern the caller gave no season for: the lag-7 model is exact, AutoETS is not.
    const model = new RepeatingModel(7);
    const sut = new AutoMethodForecaster(model, new AugursSeasonalBaseline(), {
      seasonalOnly: false,
    });
    const context = weekly(200);
    const [f] = await sut.forecast([context], { horizon: 14, quantiles: LEVELS });
    expect(f.method).toBe('model');
    expect(f.selection?.holdout).toBe(14);
    expect(f.selection?.modelScore).toBeLessThan(f.selection?.statisticalScore ?? 0);
    // Backtest on the first 186 values, then the forecast from all 200.
    expect(model.calls.map((c) => [c.lengths, c.options.horizon])).toEqual([
      [[186], 14],
      [[200], 14],
    ]);
    expect(Array.from(f.median.subarray(0, 7))).toEqual(Array.from(context.subarray(193)));
    expect(sut.choices()).toEqual({ ets: 0, model: 1, mstl: 0 });
  });

  it('by default keeps the model without a backtest where there is no season', async () => {
    const model = new RepeatingModel(1);
    const sut = new AutoMethodForecaster(model, new AugursSeasonalBaseline());
    // A random walk that AutoETS would backtest as well as the lag-1 model: not even tried.
    const walk = Float32Array.from({ length: 300 }, (_, t) => Math.sin(t / 7) * 5 + t / 10);
    const [f, g] = await sut.forecast([walk, hourly(512)], {
      horizon: 24,
      quantiles: LEVELS,
      seasons: [1, 24],
    });
    expect(f.method).toBe('model');
    expect(f.selection?.holdout).toBe(0);
    expect(g.method).toBe('mstl');
    // The backtest ran on the seasonal context only; the forecast on the other one.
    expect(model.calls.map((c) => [c.lengths, c.options.horizon])).toEqual([
      [[488], 24],
      [[300], 24],
    ]);
  });

  it('batches the backtest by held-out length; signal ids and seasons follow their contexts', async () => {
    const model = new RepeatingModel(1);
    const sut = new AutoMethodForecaster(model, new AugursSeasonalBaseline(), {
      seasonalOnly: false,
    });
    const contexts = [weekly(40), hourly(512), weekly(41), Float32Array.from([1, 2, 3])];
    const out = await sut.forecast(contexts, {
      horizon: 24,
      quantiles: LEVELS,
      seasons: [7, 24, 1, 1],
      signalIds: [1, 2, 3, 4],
    });
    // Held out: 10, 24, 10 and none (3 values are too few to test).
    expect(out.map((f) => f.selection?.holdout)).toEqual([10, 24, 10, 0]);
    expect(out[1].method).toBe('mstl');
    expect(out[3].method).toBe('model');
    expect(out[3].selection?.modelScore).toBeNaN();
    const [first, second] = model.calls;
    expect(first.lengths).toEqual([30, 31]);
    expect(first.options).toMatchObject({ horizon: 10, seasons: [7, 1], signalIds: [1, 3] });
    expect(second.options).toMatchObject({ horizon: 24, seasons: [24], signalIds: [2] });
    const last = model.calls[model.calls.length - 1];
    expect(last.options.horizon).toBe(24);
    expect(last.options.signalIds?.[last.options.signalIds.length - 1]).toBe(4);
  });

  it('falls back to the model when the statistical forecaster throws', async () => {
    const failing: StatisticalForecaster = {
      forecast: () => {
        throw new Error('WASM trap');
      },
      name: 'failing',
    };
    const sut = new AutoMethodForecaster(new RepeatingModel(1), failing);
    const [f] = await sut.forecast([hourly(100)], { horizon: 8, quantiles: LEVELS, seasons: [24] });
    expect(f.method).toBe('model');
    expect(f.selection?.statisticalScore).toBe(Number.POSITIVE_INFINITY);
  });

  it('with a margin, takes the statistical forecast only when it backtests that much better', async () => {
    // Lag-1 model on the hourly profile: MSTL scores ~0, so even a margin of 0.9 keeps MSTL.
    const lean = new AutoMethodForecaster(new RepeatingModel(1), new AugursSeasonalBaseline(), {
      margin: 0.9,
    });
    const [f] = await lean.forecast([hourly(512)], {
      horizon: 8,
      quantiles: LEVELS,
      seasons: [24],
    });
    expect(f.method).toBe('mstl');
    expect(
      () =>
        new AutoMethodForecaster(new RepeatingModel(1), new AugursSeasonalBaseline(), {
          margin: 1,
        }),
    ).toThrow(RangeError);
  });

  it("rejects a horizon past the model's limit before forecasting with either method", async () => {
    class Limited extends RepeatingModel {
      override get maxHorizon(): number {
        return 128;
      }
    }
    const model = new Limited(1);
    const sut = new AutoMethodForecaster(model, new AugursSeasonalBaseline());
    expect(sut.maxHorizon).toBe(128);
    await expect(
      sut.forecast([hourly(512)], { horizon: 129, quantiles: LEVELS, seasons: [24] }),
    ).rejects.toThrow('horizon must be an integer in [1, 128], got 129');
    expect(model.calls).toEqual([]);
  });

  it("delegates the model's context, horizon and levels", () => {
    const sut = new AutoMethodForecaster(new RepeatingModel(1), new AugursSeasonalBaseline());
    expect([sut.contextLength, sut.horizon, sut.quantiles]).toEqual([512, 64, LEVELS]);
  });
});
