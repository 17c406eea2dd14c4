import { Forecaster, PatchModel, selectBackend, TINY_MODEL_ARGS } from '@fleetfm/model';
import { PatchForecastAdapter } from './patch-forecast.adapter';

beforeAll(async () => {
  await selectBackend({ prefer: ['wasm'] });
});

/** 8 tokens of 8 steps, head width 8: a shape the lean engine runs. */
const LEAN_SHAPE = { ...TINY_MODEL_ARGS, contextLength: 64, dModel: 16, numSignals: 4 };

const wave = (n: number, period: number): Float32Array =>
  Float32Array.from({ length: n }, (_, t) => 50 + 10 * Math.sin((2 * Math.PI * t) / period));

describe('PatchForecastAdapter', () => {
  it('forecasts on the lean engine when the shape allows it, equal to the tfjs path', async () => {
    const model = new PatchModel(LEAN_SHAPE);
    const adapter = new PatchForecastAdapter(model);
    expect(adapter.inference).toBe('lean');
    const contexts = [wave(80, 12), wave(30, 7)];
    // Signal id 9 is outside the model's vocabulary of 4: read as 0 (unknown).
    const got = await adapter.forecast(contexts, {
      horizon: 12,
      quantiles: [0.1, 0.5, 0.9],
      signalIds: [2, 9],
    });
    const want = await new Forecaster(model, {}, { inference: 'tfjs' }).forecast(contexts, {
      horizon: 12,
      signalIds: [2, 0],
    });
    got.forEach((f, s) =>
      f.quantiles.forEach((q, k) =>
        q.forEach((v, t) => expect(Math.abs(v - want[s].quantiles[k][t])).toBeLessThan(1e-3)),
      ),
    );
    await adapter.close();
    model.dispose();
  });

  it('falls back to tfjs for shapes the lean engine does not run', () => {
    const model = new PatchModel(TINY_MODEL_ARGS); // 4 tokens
    expect(new PatchForecastAdapter(model).inference).toBe('tfjs');
    model.dispose();
  });
});
