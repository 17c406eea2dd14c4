import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ForecastModelPort, type ModelForecastOptions } from '@fleetfm/forecasting';
import type { SeriesForecast } from '@fleetfm/model';
import { readyApp, strictStore } from '../testing/http-test-app';
import type { ServingModel } from './serving-model';

const LEVELS = [0.1, 0.5, 0.9];

/** Closed-form model: last non-gap value as the median, ±1 for the outer levels. */
class LastValueModel extends ForecastModelPort {
  readonly contextLength: number = 8;
  readonly horizon = 4;
  readonly quantiles = LEVELS;
  readonly calls: { contexts: Float32Array[]; options: ModelForecastOptions }[] = [];

  async forecast(
    contexts: readonly Float32Array[],
    options: ModelForecastOptions,
  ): Promise<SeriesForecast[]> {
    this.calls.push({ contexts: [...contexts], options });
    return contexts.map((c) => {
      const last = [...c].reverse().find((v) => !Number.isNaN(v)) ?? 0;
      const at = (v: number): Float32Array => new Float32Array(options.horizon).fill(v);
      const quantiles = options.quantiles.map((l) => at(last + (l < 0.5 ? -1 : l > 0.5 ? 1 : 0)));
      return { mean: at(last), median: at(last), levels: options.quantiles, quantiles };
    });
  }
}

/** The same, seeing 32 steps: room for `auto` to hold out a tail and fit before it. */
class LongerContextModel extends LastValueModel {
  override readonly contextLength = 32;
}

function appWith(model: ServingModel, store = strictStore()): Promise<NestFastifyApplication> {
  return readyApp(store, model);
}

describe('forecasting HTTP API', () => {
  let app: NestFastifyApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('forecasts posted series in their own units, with gaps and signal ids', async () => {
    const model = new LastValueModel();
    app = await appWith({ port: model });
    const res = await app.inject({
      method: 'POST',
      url: '/v1/forecast',
      payload: {
        series: [
          { id: 'a', values: [1, 2, 3, null], signal: 'soc_pct' },
          { values: [5, 6, 7, 8, 9, 10, 11, 12, 13, 14] },
        ],
        horizon: 2,
      },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      model: { contextLength: 8, horizon: 4, levels: LEVELS },
      forecasts: [
        {
          id: 'a',
          mean: [3, 3],
          method: 'model',
          quantiles: { '0.1': [2, 2], '0.5': [3, 3], '0.9': [4, 4] },
        },
        {
          id: '1',
          mean: [14, 14],
          method: 'model',
          quantiles: { '0.1': [13, 13], '0.5': [14, 14], '0.9': [15, 15] },
        },
      ],
    });
    // Contexts longer than the model's are cut to their last steps; gaps arrive as NaN.
    expect(Array.from(model.calls[0].contexts[1])).toEqual([7, 8, 9, 10, 11, 12, 13, 14]);
    expect(Number.isNaN(model.calls[0].contexts[0][3])).toBe(true);
    expect(model.calls[0].options.signalIds).toEqual([8, 0]);
  });

  it.each([
    ['a non-finite value', { series: [{ values: [1, 'x'] }], horizon: 2 }, 422],
    ['only gaps', { series: [{ values: [null, null] }], horizon: 2 }, 422],
    [
      'a quantile outside the model',
      { series: [{ values: [1, 2] }], horizon: 2, quantiles: [0.01] },
      400,
    ],
    ['no horizon', { series: [{ values: [1, 2] }] }, 400],
    ['an unknown signal', { series: [{ values: [1, 2], signal: 'warp' }], horizon: 2 }, 400],
    ['an unknown method', { series: [{ values: [1, 2] }], horizon: 2, method: 'best' }, 400],
    ['a season of 0', { series: [{ values: [1, 2] }], horizon: 2, method: 'auto', season: 0 }, 400],
  ])('rejects %s', async (_name, payload, status) => {
    app = await appWith({ port: new LastValueModel() });
    const res = await app.inject({ method: 'POST', url: '/v1/forecast', payload });
    expect(res.statusCode).toBe(status);
  });

  it("method 'auto' picks per series and says which method and why", async () => {
    const model = new LongerContextModel();
    app = await appWith({ port: model });
    // Six repeats of a season of 4 (the last-value model misses it), and a series too short to test.
    const seasonal = Array.from({ length: 24 }, (_, t) => [10, 14, 12, 6][t % 4]);
    const res = await app.inject({
      method: 'POST',
      url: '/v1/forecast',
      payload: {
        horizon: 4,
        method: 'auto',
        season: 4,
        series: [{ id: 's', values: seasonal }, { values: [1, 2, 3] }],
      },
    });
    expect(res.statusCode).toBe(200);
    const [s, short] = res.json().forecasts;
    expect(s.method).toBe('mstl');
    expect(s.mean.map((v: number) => Math.round(v))).toEqual([10, 14, 12, 6]);
    expect(s.selection.holdout).toBe(4);
    expect(s.selection.statisticalScore).toBeLessThan(s.selection.modelScore);
    expect(short).toMatchObject({
      method: 'model',
      selection: { holdout: 0, modelScore: null, statisticalScore: null },
    });
    // Every model call (the backtest, the short series' forecast) got the season.
    expect(model.calls.every((c) => c.options.seasons?.every((x) => x === 4))).toBe(true);
  });

  it('answers 503 with the reason when no model is loaded', async () => {
    app = await appWith({ reason: 'no model at models/default: run `fleetfm train`' });
    const res = await app.inject({
      method: 'POST',
      url: '/v1/forecast',
      payload: { series: [{ values: [1, 2] }], horizon: 2 },
    });
    expect(res.statusCode).toBe(503);
    expect(res.json().message).toMatch(/fleetfm train/);
  });

  it("forecasts a vehicle's signal from whole buckets ending at its latest sample", async () => {
    const store = strictStore();
    const T = Date.UTC(2026, 0, 1);
    store.latest.mockResolvedValue({ vehicleId: 'veh-1', ts: T + 7_500, signals: {} });
    store.downsample.mockResolvedValue({
      vehicleId: 'veh-1',
      every: 1000,
      bucketStart: Float64Array.from([T + 5_000, T + 7_000]),
      columns: {
        speed_mps: {
          mean: Float64Array.from([4, 6]),
          min: Float64Array.from([4, 6]),
          max: Float64Array.from([4, 6]),
        },
      },
    });
    app = await appWith({ port: new LastValueModel() }, store);
    const res = await app.inject({ method: 'GET', url: '/v1/vehicles/veh-1/forecast?horizon=3' });
    expect(res.statusCode).toBe(200);
    expect(store.downsample).toHaveBeenCalledWith({
      vehicleId: 'veh-1',
      from: T,
      to: T + 8_000,
      every: 1000,
      signals: ['speed_mps'],
    });
    const body = res.json();
    expect(body.history.values).toEqual([null, null, null, null, null, 4, null, 6]);
    expect(body.forecast.ts).toEqual([T + 8_000, T + 9_000, T + 10_000]);
    expect(body.forecast.mean).toEqual([6, 6, 6]);
  });
});
