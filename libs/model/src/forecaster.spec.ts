import * as tf from '@tensorflow/tfjs';
import { ValidationError } from '@fleetfm/domain';
import { PatchTokenizer } from '@fleetfm/tokenizer';
import { selectBackend } from './backend';
import { Forecaster } from './forecaster';
import { PatchModel } from './patch-model';
import { TINY_MODEL_ARGS } from './patch-model.config';
import { contrastiveTrainStep } from './training/contrastive-step';
import { makeForecastBatch } from './training/forecast-batch';
import { Trainer } from './training/trainer';

beforeAll(async () => {
  await selectBackend({ prefer: ['wasm', 'cpu'] });
});

const wave = (n: number, k = 1, c = 0): Float32Array =>
  Float32Array.from({ length: n }, (_, t) => c + k * (Math.sin(t / 2) + 0.3 * Math.cos(t / 5)));

describe('Forecaster', () => {
  const model = new PatchModel(TINY_MODEL_ARGS); // context 32, horizon 8, levels 0.1/0.5/0.9
  const forecaster = new Forecaster(model);
  afterAll(() => model.dispose());

  it('returns mean, median and requested quantiles per step, sorted', async () => {
    const [f] = await forecaster.forecast([wave(50)], { quantiles: [0.1, 0.3, 0.5, 0.9] });
    expect(f.levels).toEqual([0.1, 0.3, 0.5, 0.9]);
    expect(f.mean.length).toBe(8);
    for (let t = 0; t < 8; t++) {
      expect(f.quantiles[0][t]).toBeLessThanOrEqual(f.quantiles[2][t]);
      expect(f.quantiles[2][t]).toBeLessThanOrEqual(f.quantiles[3][t]);
      // 0.3 is the midpoint of 0.1 and 0.5: linear interpolation of the quantile function
      expect(f.quantiles[1][t]).toBeCloseTo((f.quantiles[0][t] + f.quantiles[2][t]) / 2, 4);
      expect(f.median[t]).toBeCloseTo(f.quantiles[2][t], 5);
    }
  });

  it('is equivariant to the input scale and offset (instance normalisation)', async () => {
    const [a, b] = await forecaster.forecast([wave(40), wave(40, 1000, -50)]);
    for (let t = 0; t < 8; t++) {
      expect(b.median[t]).toBeCloseTo(-50 + 1000 * a.median[t], 1);
      expect(b.quantiles[2][t]).toBeCloseTo(-50 + 1000 * a.quantiles[2][t], 1);
    }
  });

  it('rolls forward for long horizons, handles gaps, short, constant and empty series', async () => {
    const gappy = wave(40);
    gappy.fill(Number.NaN, 10, 20);
    const out = await forecaster.forecast(
      [gappy, wave(5), new Float32Array(30).fill(7), new Float32Array(0)],
      { horizon: 20, signalIds: [1, 2, 3, 0] },
    );
    for (const f of out) {
      expect(f.mean.length).toBe(20);
      f.mean.forEach((v) => expect(Number.isFinite(v)).toBe(true));
    }
  });

  it('clamps every quantile into the series bounds, before the mean and any roll-forward', async () => {
    const [free, held] = await forecaster.forecast([wave(40), wave(40)], {
      bounds: [undefined, { max: 0.3, min: -0.2 }],
      horizon: 20,
    });
    expect(Math.max(...free.quantiles.flatMap((q) => Array.from(q)))).toBeGreaterThan(0.3);
    expect(Math.min(...free.quantiles.flatMap((q) => Array.from(q)))).toBeLessThan(-0.2);
    for (const v of [...held.quantiles, held.median, held.mean].flatMap((a) => Array.from(a))) {
      expect(v).toBeGreaterThanOrEqual(-0.2 - 1e-6);
      expect(v).toBeLessThanOrEqual(0.3 + 1e-6);
    }
    // Inside the model's own horizon the bounded quantiles are the free ones clamped.
    free.quantiles.forEach((q, k) =>
      q
        .subarray(0, 8)
        .forEach((v, t) =>
          expect(held.quantiles[k][t]).toBeCloseTo(Math.min(0.3, Math.max(-0.2, v)), 5),
        ),
    );
  });

  it('leaks no tensors', async () => {
    await forecaster.forecast([wave(40)]);
    const before = tf.memory().numTensors;
    await forecaster.forecast([wave(40), wave(33)], { horizon: 17 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad requests with ValidationError', async () => {
    await expect(forecaster.forecast([])).rejects.toThrow(ValidationError);
    await expect(forecaster.forecast([wave(9)], { quantiles: [0.05] })).rejects.toThrow(/outside/);
    await expect(forecaster.forecast([wave(9)], { horizon: 0 })).rejects.toThrow(/horizon/);
    await expect(forecaster.forecast([wave(9)], { signalIds: [99] })).rejects.toThrow(/signal id/);
  });
});

describe('contrastiveTrainStep', () => {
  it('takes finite, falling InfoNCE and SupCon steps', () => {
    const model = new PatchModel(TINY_MODEL_ARGS);
    const trainer = new Trainer(model, { learningRate: 3e-3 });
    const tok = new PatchTokenizer({ contextLength: 32, patchLength: 8 });
    const windows = (shift: number): ReturnType<typeof makeForecastBatch> =>
      makeForecastBatch(
        Array.from({ length: 8 }, (_, i) => ({
          series: Float32Array.from({ length: 41 }, (_, t) =>
            Math.sin((t + shift) * (0.2 + 0.15 * i)),
          ),
        })),
        tok,
        1,
      );
    const viewA = windows(0);
    const viewB = windows(1);
    const losses: number[] = [];
    for (let i = 0; i < 15; i++) losses.push(contrastiveTrainStep(trainer, { viewA, viewB }));
    losses.forEach((l) => expect(Number.isFinite(l)).toBe(true));
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
    const sup = contrastiveTrainStep(trainer, { labels: [0, 0, 1, 1, 2, 2, 3, 3], viewA });
    expect(Number.isFinite(sup)).toBe(true);
    trainer.dispose();
    model.dispose();
  });
});
