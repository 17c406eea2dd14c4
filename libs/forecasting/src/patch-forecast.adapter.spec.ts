import { Forecaster, PatchModel, selectBackend, TINY_MODEL_ARGS } from '@fleetfm/model';
import { PatchForecastAdapter } from './patch-forecast.adapter';
import { signalIdOf } from './signal-id';

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

  it("holds a known signal's forecast inside its physical range (a speed is never negative)", async () => {
    const model = new PatchModel(LEAN_SHAPE);
    const adapter = new PatchForecastAdapter(model);
    // A vehicle standing still with sensor noise: an untrained model spreads around 0.
    const still = Float32Array.from({ length: 64 }, (_, t) => 0.01 + 0.05 * Math.abs(Math.sin(t)));
    const opts = { horizon: 8, quantiles: [0.1, 0.5, 0.9] };
    const [unknown] = await adapter.forecast([still], { ...opts, signalIds: [0] });
    const [speed] = await adapter.forecast([still], {
      ...opts,
      signalIds: [signalIdOf('speed_mps')],
    });
    expect(Math.min(...unknown.quantiles.flatMap((q) => Array.from(q)))).toBeLessThan(0);
    for (const q of speed.quantiles) for (const v of q) expect(v).toBeGreaterThanOrEqual(0);
    unknown.quantiles.forEach((q, k) =>
      q.forEach((v, t) => expect(speed.quantiles[k][t]).toBeCloseTo(Math.max(0, v), 5)),
    );
    // The median and the mean are taken after clamping.
    for (const v of [...speed.median, ...speed.mean]) expect(v).toBeGreaterThanOrEqual(0);
    await adapter.close();
    model.dispose();
  });

  it('holds an unknown series at >= 0 when its history touches zero and never goes below', async () => {
    const model = new PatchModel(LEAN_SHAPE);
    const adapter = new PatchForecastAdapter(model);
    const counts = Float32Array.from({ length: 64 }, (_, t) => (t % 5 === 0 ? 2 : 0));
    const shifted = counts.map((v) => v - 0.5);
    const opts = { horizon: 8, quantiles: [0.1, 0.5, 0.9], signalIds: [0, 0] };
    const [held, free] = await adapter.forecast([counts, shifted], opts);
    // The same shape half a unit lower is forecast half a unit lower, unclamped (scale-free model).
    expect(Math.min(...free.quantiles.flatMap((q) => Array.from(q)))).toBeLessThan(-0.5);
    free.quantiles.forEach((q, k) =>
      q.forEach((v, t) => expect(held.quantiles[k][t]).toBeCloseTo(Math.max(0, v + 0.5), 4)),
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
