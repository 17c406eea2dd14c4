import type { SeriesForecast } from '@fleetfm/model';
import {
  ForecastModelPort,
  signalIdOf,
  type ModelForecastOptions,
  type StatisticalForecaster,
} from '@fleetfm/forecasting';
import {
  evaluateForecasting,
  evaluateForecastingPerSeries,
  type EvalSeries,
} from './forecast.task';

/**
 * Forecasts `last + fraction × step × slope-estimate` for every quantile: on a ramp x_t = a·t
 * the seasonal naive (last value) misses by a·h at step h and this model by (1 − fraction)·a·h,
 * so its MASE ratio is exactly 1 − fraction, per window.
 */
class RampModel extends ForecastModelPort {
  readonly contextLength = 16;
  readonly horizon = 4;
  readonly quantiles = [0.1, 0.5, 0.9];
  constructor(private readonly fractionBySignal: ReadonlyMap<number, number>) {
    super();
  }
  async forecast(
    contexts: readonly Float32Array[],
    o: ModelForecastOptions,
  ): Promise<SeriesForecast[]> {
    return contexts.map((c, b) => {
      const slope = c[c.length - 1] - c[c.length - 2];
      const fraction = this.fractionBySignal.get(o.signalIds?.[b] ?? 0) ?? 0;
      const path = Float32Array.from({ length: o.horizon }, (_, h) => {
        return c[c.length - 1] + fraction * slope * (h + 1);
      });
      return {
        levels: [...o.quantiles],
        mean: path,
        median: path,
        quantiles: o.quantiles.map(() => path.slice()),
      };
    });
  }
}

const ramp = (id: string, channel: string, slope: number): EvalSeries => ({
  channel,
  id,
  values: Float32Array.from({ length: 40 }, (_, t) => slope * t),
});

/** Speed windows at 0.5 × seasonal naive's error, acceleration windows at 0.25 ×. */
const rampModel = (): RampModel =>
  new RampModel(
    new Map([
      [signalIdOf('speed_mps'), 0.5],
      [signalIdOf('accel_mps2'), 0.75],
    ]),
  );

describe('evaluateForecasting', () => {
  it('scores each window against seasonal naive and breaks the scores down by channel', async () => {
    const model = rampModel();
    const series = [
      ramp('a', 'speed_mps', 2),
      ramp('b', 'speed_mps', 3),
      ramp('c', 'accel_mps2', 1),
    ];
    const r = await evaluateForecasting(model, series, {
      context: 16,
      horizon: 4,
      levels: [0.1, 0.5, 0.9],
      originsPerSeries: 2,
    });
    expect(r.windows).toBe(6);
    expect(r.byChannel.speed_mps.windows).toBe(4);
    expect(r.byChannel.speed_mps.relativeMase).toBeCloseTo(0.5, 5);
    expect(r.byChannel.accel_mps2.windows).toBe(2);
    expect(r.byChannel.accel_mps2.relativeMase).toBeCloseTo(0.25, 5);
    // Geometric mean over the six windows: (0.5^4 · 0.25^2)^(1/6).
    expect(r.fleetfm.relativeMase).toBeCloseTo(Math.pow(0.5 ** 4 * 0.25 ** 2, 1 / 6), 5);
    expect(r.byChannel.speed_mps.baselineRelativeMase).toBeUndefined();
    expect(r.byRoute).toBeUndefined();
  });

  it('breaks the scores down by route when the series name theirs', async () => {
    const model = rampModel();
    const series = [
      { ...ramp('a', 'speed_mps', 2), route: 'udds' },
      { ...ramp('b', 'accel_mps2', 3), route: 'udds' },
      { ...ramp('c', 'accel_mps2', 1), route: 'real' },
    ];
    const r = await evaluateForecasting(model, series, {
      context: 16,
      horizon: 4,
      levels: [0.1, 0.5, 0.9],
      originsPerSeries: 2,
    });
    expect(r.byRoute?.udds.windows).toBe(4);
    expect(r.byRoute?.udds.relativeMase).toBeCloseTo(Math.sqrt(0.5 * 0.25), 5);
    expect(r.byRoute?.real.windows).toBe(2);
    expect(r.byRoute?.real.relativeMase).toBeCloseTo(0.25, 5);
  });

  it("breaks the scores down by the window's place in its series", async () => {
    // Slope 2, doubling for the last four steps: the model (half the last step's slope) beats
    // naive by 0.5 on the first and inner windows and by only 0.75 on the last one.
    const values = Float32Array.from({ length: 40 }, (_, t) =>
      t < 36 ? 2 * t : 70 + 4 * (t - 35),
    );
    const r = await evaluateForecasting(
      rampModel(),
      [{ channel: 'speed_mps', id: 'a', values }, ramp('b', 'speed_mps', 1)],
      { context: 16, horizon: 4, levels: [0.1, 0.5, 0.9], originsPerSeries: 3 },
    );
    expect(r.byOrigin.start).toMatchObject({ relativeMase: expect.closeTo(0.5, 5), windows: 2 });
    expect(r.byOrigin.inside).toMatchObject({ relativeMase: expect.closeTo(0.5, 5), windows: 2 });
    expect(r.byOrigin.end?.windows).toBe(2);
    expect(r.byOrigin.end?.relativeMase).toBeCloseTo(Math.sqrt(0.75 * 0.5), 5);
  });
});

/**
 * Seasonal naive with period 4 plus half the ramp's drift: on x_t = p[t mod 4] + t it misses by
 * 4 − 2 = 2 at every step of a 4-step horizon.
 */
class HalfDriftSeasonalModel extends ForecastModelPort {
  readonly contextLength = 32;
  readonly horizon = 4;
  readonly quantiles = [0.1, 0.5, 0.9];
  readonly contextLengths: number[] = [];
  async forecast(
    contexts: readonly Float32Array[],
    o: ModelForecastOptions,
  ): Promise<SeriesForecast[]> {
    return contexts.map((c) => {
      this.contextLengths.push(c.length);
      const n = c.length;
      const path = Float32Array.from({ length: o.horizon }, (_, h) => c[n - 4 + (h % 4)] + 2);
      return {
        levels: [...o.quantiles],
        mean: path,
        median: path,
        quantiles: o.quantiles.map(() => path.slice()),
      };
    });
  }
}

describe('evaluateForecastingPerSeries', () => {
  // x_t = p[t mod 4] + t with p = (0, 4, 0, −4); 40 steps: origins 32 and 36 (both ≡ 0 mod 4).
  const pattern = [0, 4, 0, -4];
  const values = Float32Array.from({ length: 40 }, (_, t) => pattern[t % 4] + t);
  const base = { channel: 'not-a-signal', context: 32, horizon: 4, values, windows: 2 };

  it("scores each window against seasonal naive with its own series' season", async () => {
    const model = new HalfDriftSeasonalModel();
    const r = await evaluateForecastingPerSeries(
      model,
      [
        { ...base, group: 'season-4', id: 'a', season: 4 },
        { ...base, group: 'season-1', id: 'b', season: 1 },
        // A shorter context: the model sees 16 steps.
        { ...base, context: 16, group: 'season-4-short', id: 'c', season: 4 },
      ],
      { levels: [0.1, 0.5, 0.9] },
    );
    expect(r.windows).toBe(6);
    expect(Object.keys(r.byContext)).toEqual(['16', '32']);
    expect(r.byContext['16'].windows).toBe(2);
    expect(r.byContext['16'].relativeMase).toBeCloseTo(0.5, 6);
    expect(r.byContext['32'].windows).toBe(4);
    expect(model.contextLengths.sort((a, b) => a - b)).toEqual([16, 16, 32, 32, 32, 32]);
    // Season 4: seasonal naive misses by the drift of one season, 4, at every step; the model by 2.
    expect(r.byGroup['season-4'].relativeMase).toBeCloseTo(0.5, 6);
    expect(r.byGroup['season-4'].season).toBe(4);
    expect(r.byGroup['season-4-short'].relativeMase).toBeCloseTo(0.5, 6);
    // Season 1 (last value x_{n−1} = n − 5 at n ≡ 0 mod 4): the actuals x_n … x_{n+3} are
    // n, n + 5, n + 2, n − 1, errors 5, 10, 7, 4: MAE 6.5, so the ratio is 2 / 6.5.
    expect(r.byGroup['season-1'].relativeMase).toBeCloseTo(2 / 6.5, 6);
    expect(r.byGroup['season-1'].season).toBe(1);
    // Overall: geometric mean over the six windows.
    expect(r.fleetfm.relativeMase).toBeCloseTo(Math.pow(0.5 ** 4 * (2 / 6.5) ** 2, 1 / 6), 6);
    expect(r.baseline).toBeUndefined();
  });

  it("hands the baseline each series' season", async () => {
    // A baseline that is seasonal naive with the season it is given: exactly 1 on every window.
    const seasons: (number | undefined)[] = [];
    const baseline: StatisticalForecaster = {
      forecast: (history, horizon, levels, season = 1) => {
        seasons.push(season);
        const mean = Float64Array.from(
          { length: horizon },
          (_, h) => history[history.length - season + (h % season)],
        );
        return { mean, quantiles: levels.map(() => mean.slice()) };
      },
      name: 'seasonal naive',
    };
    const r = await evaluateForecastingPerSeries(
      new HalfDriftSeasonalModel(),
      [
        { ...base, group: 'season-4', id: 'a', season: 4 },
        { ...base, group: 'season-1', id: 'b', season: 1 },
      ],
      { baseline, levels: [0.1, 0.5, 0.9] },
    );
    expect(seasons).toEqual([4, 4, 1, 1]);
    expect(r.byGroup['season-4'].baselineRelativeMase).toBeCloseTo(1, 6);
    expect(r.byGroup['season-1'].baselineRelativeMase).toBeCloseTo(1, 6);
    expect(r.baseline?.name).toBe('seasonal naive');
  });
});
