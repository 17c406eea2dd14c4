import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { CorpusReader, type Split } from '@fleetfm/datasets';
import { Prng, deriveSeed } from '@fleetfm/simulator';
import {
  MANIFEST_JSON,
  importCheckpoint,
  readCheckpointDir,
  type CheckpointManifest,
} from '../../checkpoint';
import { Forecaster } from '../../forecaster';
import { evaluateForecastQuality, type ForecastQuality } from './forecast-quality';
import { WindowSampler } from './window-sampler';

export interface CheckpointQualityOptions {
  readonly checkpointDir: string;
  readonly corpusDir: string;
  /** Default 'validation'. */
  readonly split?: Split;
  /** Held-out windows scored. Default 512. */
  readonly windows?: number;
  /** Default 7. */
  readonly seed?: number;
  /** Add the scores to the checkpoint's manifest metrics. Default false. */
  readonly record?: boolean;
}

/**
 * Loads a checkpoint (tfjs backend must be selected) and scores it on full-length windows of a
 * corpus split: MASE against naive and seasonal naive, and band coverage.
 */
export async function evaluateCheckpointQuality(
  o: CheckpointQualityOptions,
): Promise<ForecastQuality> {
  const { model, manifest } = await importCheckpoint(await readCheckpointDir(o.checkpointDir));
  try {
    const c = model.config;
    const sampler = await WindowSampler.load(
      await CorpusReader.open(o.corpusDir),
      o.split ?? 'validation',
      {
        contextLength: c.contextLength,
        horizon: c.horizon,
        // Full contexts only: the baselines need the whole window.
        minContext: c.contextLength,
      },
    );
    const windows = sampler.sample(o.windows ?? 512, new Prng(deriveSeed(o.seed ?? 7, 'quality')));
    const forecaster = new Forecaster(model, {
      scaling: manifest.tokenizer.scaling,
      minScale: manifest.tokenizer.minScale,
    });
    const quality = await evaluateForecastQuality(forecaster, windows, c.horizon);
    if (o.record) {
      const updated: CheckpointManifest = {
        ...manifest,
        metrics: {
          ...manifest.metrics,
          [`${o.split ?? 'validation'}Coverage`]: quality.coverage,
          [`${o.split ?? 'validation'}Mase`]: quality.mase,
          [`${o.split ?? 'validation'}NaiveMase`]: quality.naiveMase,
          [`${o.split ?? 'validation'}RelativeMaeGeoMean`]: quality.relativeMaeGeoMean,
          [`${o.split ?? 'validation'}SeasonalNaiveMase`]: quality.seasonalNaiveMase,
        },
      };
      await fs.writeFile(
        path.join(o.checkpointDir, MANIFEST_JSON),
        `${JSON.stringify(updated, null, 2)}\n`,
      );
    }
    return quality;
  } finally {
    model.dispose();
  }
}
