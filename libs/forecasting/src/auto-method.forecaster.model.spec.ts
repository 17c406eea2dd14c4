import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@fleetfm/model';
import { AutoMethodForecaster } from './auto-method.forecaster';
import { loadModelDir } from './model-loader';
import { PatchForecastAdapter } from './patch-forecast.adapter';
import { AugursSeasonalBaseline } from './statistical/augurs-mstl.baseline';

const ROOT = path.resolve(__dirname, '../../..');

/** Speed (m/s) of a public drive cycle, 1 Hz, `length` steps from `from`. */
function driveCycle(name: string, from: number, length: number): Float32Array {
  const rows = fs
    .readFileSync(path.join(ROOT, '..', 'shared', 'data', 'drive-cycles', name), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  return Float32Array.from(rows.slice(from, from + length).map((r) => Number(r.split(',')[1])));
}

const PROFILE = [3, -1, 4, 1, -5, 9, -2, 6, 0, 2, -3, 5, 1, -4, 7, 2, -6, 3, 0, 8, -2, 1, 4, -1];

describe('AutoMethodForecaster with models/default', () => {
  beforeAll(async () => {
    await selectBackend({ prefer: ['wasm'] });
  });

  it('keeps the model on drive cycles, takes MSTL on a noiseless daily profile, leaks no tensors', async () => {
    const loaded = await loadModelDir(path.join(ROOT, 'models', 'default'));
    const model = new PatchForecastAdapter(loaded.model, loaded.manifest.tokenizer);
    const sut = new AutoMethodForecaster(model, new AugursSeasonalBaseline());
    const profile = Float32Array.from({ length: 512 }, (_, t) => 100 + PROFILE[t % 24]);
    const contexts = [profile, DRIVING.map(([name, from]) => driveCycle(name, from, 512))].flat();
    const before = tf.memory().numTensors;
    try {
      const out = await sut.forecast(contexts, {
        horizon: 64,
        quantiles: model.quantiles,
        seasons: contexts.map((_, i) => (i === 0 ? 24 : 1)),
        signalIds: contexts.map(() => 0),
      });
      expect(tf.memory().numTensors).toBe(before);
      expect(out.map((f) => f.method)).toEqual(['mstl', ...DRIVING.map(() => 'model')]);
      // By default only the seasonal context is backtested; the drive cycles keep the model.
      expect(out.map((f) => f.selection?.holdout)).toEqual([64, ...DRIVING.map(() => 0)]);
      for (const f of out) {
        expect(f.median).toHaveLength(64);
        expect(f.quantiles).toHaveLength(model.quantiles.length);
      }
      // Backtested against AutoETS too, each drive cycle gets whichever backtested better.
      const tested = new AutoMethodForecaster(model, new AugursSeasonalBaseline(), {
        seasonalOnly: false,
      });
      const driving = await tested.forecast(contexts.slice(1), {
        horizon: 64,
        quantiles: model.quantiles,
        signalIds: DRIVING.map(() => 0),
      });
      expect(tf.memory().numTensors).toBe(before);
      expect(driving.map((f) => f.selection?.holdout)).toEqual(DRIVING.map(() => 64));
      for (const f of driving) {
        const { modelScore = NaN, statisticalScore = NaN } = f.selection ?? {};
        expect(Number.isFinite(modelScore) && Number.isFinite(statisticalScore)).toBe(true);
        expect(f.method).toBe(modelScore <= statisticalScore ? 'model' : 'ets');
      }
      // The model backtests clearly better on the highway cycle's first 512 s (the other two are
      // within 2 % of AutoETS: either may win).
      expect(driving.map((f) => f.method)).toEqual([
        expect.any(String),
        'model',
        expect.any(String),
      ]);
    } finally {
      await model.close();
      loaded.model.dispose();
    }
  }, 60_000);
});

/**
 * Urban, highway and motorcycle speed traces (file, first row). Backtest scores of models/default
 * against AutoETS: session 18's 27.9 vs 27.5, 3.6 vs 5.4, 32.4 vs 32.0 (session 12's 27.1, 5.9,
 * 30.6; session 11's 22.3, 4.9, 25.5; the statistical scores do not change). Which wins on a
 * single window moves between checkpoints (the highway one flipped twice), so only the choice's
 * consistency with the scores and the one wide margin are asserted.
 */
const DRIVING: readonly (readonly [string, number])[] = [
  ['udds.csv', 0],
  ['hwfet.csv', 0],
  ['ftpmc1b.csv', 0],
];
