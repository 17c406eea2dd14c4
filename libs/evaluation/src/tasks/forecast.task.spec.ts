import type { SeriesForecast } from '@fleetfm/model';
import { ForecastModelPort, signalIdOf, type ModelForecastOptions } from '@fleetfm/forecasting';
import { evaluateForecasting, type EvalSeries } from './forecast.task';

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

describe('evaluateForecasting', () => {
  it('scores each window against seasonal naive and breaks the scores down by channel', async () => {
    const model = new RampModel(
      new Map([
        [signalIdOf('speed_mps'), 0.5],
        [signalIdOf('accel_mps2'), 0.75],
      ]),
    );
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
  });
});
