import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { CorpusReader, type Split } from '@fleetfm/datasets';
import { Prng, deriveSeed } from '@fleetfm/simulator';
import { importCheckpoint, readCheckpointDir } from '../../checkpoint';
import { Forecaster } from '../../forecaster';
import { LEVEL_BLEND_FILE } from '../../level-blend';
import { fitLevelBlend, type BlendSample, type LevelBlendFit } from '../../level-blend.fit';
import { WindowSampler } from './window-sampler';

export interface LevelBlendJobOptions {
  readonly checkpointDir: string;
  readonly corpusDir: string;
  /** Corpus split the windows come from. Default 'validation' (vehicles and drivers not trained on). */
  readonly split?: Split;
  /**
   * Windows drawn (by the corpus' default source mix). Default 32,000: the rough classes of a
   * signal get some 800 windows (with 8,000, fits from two seeds differed by 0.004–0.012 in
   * `fleetfm eval`'s relative MASE).
   */
  readonly windows?: number;
  /** Default 7. */
  readonly seed?: number;
  /** Write `forecast-blend.json` into the checkpoint folder. Default true. */
  readonly write?: boolean;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface LevelBlendJobResult extends LevelBlendFit {
  /** The sidecar written, if any. */
  readonly file?: string;
}

const BATCH = 256;

/**
 * Fits a checkpoint's level blend (see `LevelBlendState`) on full-context windows of a corpus
 * split the network did not train on, forecasting them with the network alone, and stores it
 * beside the checkpoint, where the forecasting adapters pick it up.
 */
export async function fitCheckpointLevelBlend(
  o: LevelBlendJobOptions,
): Promise<LevelBlendJobResult> {
  const { model, manifest } = await importCheckpoint(await readCheckpointDir(o.checkpointDir));
  const c = model.config;
  const split = o.split ?? 'validation';
  const count = o.windows ?? 32000;
  const seed = o.seed ?? 7;
  const forecaster = new Forecaster(model, {
    minScale: manifest.tokenizer.minScale,
    scaling: manifest.tokenizer.scaling,
  });
  try {
    const sampler = await WindowSampler.load(await CorpusReader.open(o.corpusDir), split, {
      contextLength: c.contextLength,
      horizon: c.horizon,
      minContext: c.contextLength,
    });
    const windows = sampler.sample(count, new Prng(deriveSeed(seed, 'level-blend')));
    const samples: BlendSample[] = [];
    for (let start = 0; start < windows.length; start += BATCH) {
      const batch = windows.slice(start, start + BATCH);
      const contexts = batch.map((w) => w.series.subarray(0, w.series.length - c.horizon));
      const ids = batch.map((w) => w.signalId ?? 0);
      const out = await forecaster.forecast(contexts, { signalIds: ids });
      batch.forEach((w, b) => {
        samples.push({
          actual: w.series.subarray(w.series.length - c.horizon),
          context: contexts[b],
          quantiles: out[b].quantiles,
          signalId: ids[b],
        });
      });
      o.onProgress?.(start + batch.length, windows.length);
    }
    const fit = fitLevelBlend(samples, { horizon: c.horizon, levels: c.quantiles });
    const state = {
      ...fit.state,
      fittedOn: {
        corpus: path.resolve(o.corpusDir),
        fits: fit.fits.map((f) => ({
          qualityLossRatio: round(f.qualityLossRatio),
          relativeMaeBlended: round(f.relativeMae.blended),
          relativeMaeNetwork: round(f.relativeMae.network),
          roughnessClass: f.roughnessClass,
          samples: f.samples,
          signalId: f.signalId,
          window: f.window ?? null,
        })),
        seed,
        split,
        windows: windows.length,
      },
    };
    if (o.write === false) return { ...fit, state };
    const file = path.join(o.checkpointDir, LEVEL_BLEND_FILE);
    await fs.writeFile(file, `${JSON.stringify(state, null, 2)}\n`);
    return { ...fit, file, state };
  } finally {
    await forecaster.close();
    model.dispose();
  }
}

function round(v: number): number {
  return Number.isFinite(v) ? Math.round(v * 10000) / 10000 : v;
}
