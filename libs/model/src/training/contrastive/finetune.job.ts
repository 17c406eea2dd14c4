import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { CorpusReader } from '@fleetfm/datasets';
import { Prng, deriveSeed, loadTraceLibrary, type TraceLibrary } from '@fleetfm/simulator';
import { PatchTokenizer } from '@fleetfm/tokenizer';
import {
  exportCheckpoint,
  importCheckpoint,
  readCheckpointDir,
  WEIGHTS_BIN,
  writeCheckpointDir,
} from '../../checkpoint';
import { StyleHead } from '../../heads/style-head';
import {
  serialiseStyleHead,
  STYLE_HEAD_JSON,
  writeStyleHead,
  type StyleHeadFile,
} from '../../heads/style-head-file';
import { makeForecastBatch, type ForecastBatch } from '../forecast-batch';
import { setLearningRate } from '../parallel/optimizer-state';
import { evaluateCheckpointQuality } from '../pretrain/checkpoint-quality';
import type { ForecastQuality } from '../pretrain/forecast-quality';
import { learningRateAt } from '../pretrain/lr-schedule';
import { WindowSampler } from '../pretrain/window-sampler';
import { Trainer } from '../trainer';
import { resolveFinetuneArgs, type FinetuneArgs } from './finetune-options';
import { extractTripFeatures, type TripFeatures } from './frozen-features';
import { featuresByDriver, sampleSegmentBatch, segmentLossFn } from './segment-head';
import { sampleStyleBatch, tripsByDriver } from './style-batch';
import { runSegmentStyleFinetune } from './segment-style.job';
import { simulateStyleFleet, styleFleetSummary } from './style-fleet';
import { fitStyleStandardisation, styleHeadLossFn } from './style-head-loss';
import { signalIdOf } from '../pretrain/signal-ids';
import { styleLossFn, type StyleLossParts } from './style-loss';

export interface FinetuneHooks {
  readonly onStage?: (stage: string) => void;
  readonly onProgress?: (done: number, total: number, parts?: StyleLossParts) => void;
  /** Recorded in the manifest (e.g. the command line). */
  readonly command?: string;
  /** Routes to drive; default `loadTraceLibrary(dataDir)` (tests pass a small one). */
  readonly library?: TraceLibrary;
}

export interface FinetuneResult {
  readonly outDir: string;
  readonly steps: number;
  readonly elapsedS: number;
  readonly stoppedBy: 'steps' | 'time';
  /** Mean loss terms over the first and last tenth of the steps. */
  readonly first: StyleLossParts;
  readonly last: StyleLossParts;
  readonly quality?: { readonly before: ForecastQuality; readonly after: ForecastQuality };
  readonly forecastSource: string;
  /** style-head mode: where the head was written (`style-head.json`). */
  readonly styleHeadPath?: string;
}

/** One Adam step on the embedding head's weights only (no gradient reaches the encoder). */
function headOnlyStep(trainer: Trainer, lossFn: () => tf.Scalar): void {
  const head = trainer.model.namedWeights().filter((w) => w.name.startsWith('embeddingHead.'));
  const { value, grads } = tf.variableGrads(
    lossFn,
    head.map((w) => w.variable),
  );
  value.dispose();
  trainer.applyGradients(new Map(head.map((w) => [w.name, grads[w.variable.name]])));
}

function sameDir(a: string, b: string): boolean {
  return path.resolve(a) === path.resolve(b);
}

function meanParts(list: readonly StyleLossParts[]): StyleLossParts {
  const keys = ['total', 'driver', 'views', 'scenario', 'forecast'] as const;
  const out = { driver: 0, forecast: 0, scenario: 0, total: 0, views: 0 };
  for (const k of keys) out[k] = list.reduce((s, p) => s + p[k], 0) / Math.max(1, list.length);
  return out;
}

/** What the manifest's `extra.stage.name` calls each mode (segment-style has its own job). */
const STAGE_NAMES: Record<FinetuneArgs['trainable'], string> = {
  all: 'contrastive fine-tuning (encoder and heads, forecast batches as regulariser)',
  'embedding-head': 'contrastive embedding head (encoder and forecast head frozen)',
  'segment-style': 'driver-style segment head',
  'style-head': 'driver-style head (scale-aware)',
};

/**
 * Second training stage: teaches the embedding head driver style and scenario. Loads a
 * checkpoint, simulates a labelled fleet of training drivers (`ft-drv-*`, own seed), and
 * optimises supervised-contrastive (driver) + InfoNCE (two augmented views) + scenario SupCon,
 * with pinball-loss forecast batches from the pretraining corpus mixed into every step so that
 * forecasting does not drift. Writes a checkpoint in the same format, manifest noting the stage.
 */
export async function runFinetune(
  input: Parameters<typeof resolveFinetuneArgs>[0],
  hooks: FinetuneHooks = {},
): Promise<FinetuneResult> {
  const o: FinetuneArgs = resolveFinetuneArgs(input);
  if (o.trainable === 'segment-style') return runSegmentStyleFinetune(o, hooks);
  const started = performance.now();
  const { model, manifest } = await importCheckpoint(await readCheckpointDir(o.modelDir));
  const trainer = new Trainer(model, { learningRate: o.lr });
  let styleHead: StyleHead | undefined;
  let styleOptimizer: tf.AdamOptimizer | undefined;
  try {
    const c = model.config;
    const tokenizer = new PatchTokenizer(manifest.tokenizer);
    hooks.onStage?.('simulating training drivers');
    const library = hooks.library ?? loadTraceLibrary(o.dataDir);
    const maxShift = Math.floor(c.contextLength / 4);
    const headOnly = o.trainable === 'embedding-head';
    const styleMode = o.trainable === 'style-head';
    const frozen = headOnly || styleMode;
    const fleet = simulateStyleFleet({
      drivers: o.trainDrivers,
      library,
      minRouteS:
        (frozen ? o.segmentWindows * c.contextLength : c.contextLength + maxShift) / o.rateHz,
      onProgress: (d, t) => hooks.onProgress?.(d, t),
      rateHz: o.rateHz,
      seed: o.seed,
      tripsPerDriver: o.tripsPerDriver,
    });
    const byDriver = tripsByDriver(fleet, c.contextLength);
    let segmentsByDriver: TripFeatures[][] = [];
    const channelIds = o.channels.map((ch) => {
      const id = signalIdOf(ch);
      return id < c.numSignals ? id : 0;
    });
    if (frozen) {
      hooks.onStage?.('encoding windows (frozen encoder)');
      const features = await extractTripFeatures(
        model,
        tokenizer,
        fleet.trips,
        o.channels,
        (done, total) => hooks.onProgress?.(done, total),
      );
      segmentsByDriver = featuresByDriver(features, fleet.drivers, o.segmentWindows);
      if (styleMode) {
        styleHead = new StyleHead({
          embeddingDim: o.styleDim,
          hiddenDim: o.styleHidden,
          numSignals: c.numSignals,
          pooledDim: c.dModel,
          seed: o.seed,
        });
        const { mean, std } = fitStyleStandardisation(features, channelIds, c.numSignals);
        styleHead.setStandardisation(mean, std);
        styleOptimizer = tf.train.adam(o.lr);
      }
    }
    const corpusDir =
      o.corpusDir ?? ((manifest.extra?.corpus ?? {}) as { dir?: string }).dir ?? undefined;
    let sampler: WindowSampler | undefined;
    if (!frozen && o.forecastBatch > 0 && corpusDir && fs.existsSync(corpusDir)) {
      sampler = await WindowSampler.load(await CorpusReader.open(corpusDir), 'train', {
        contextLength: c.contextLength,
        horizon: c.horizon,
      });
    }
    const forecastSource = sampler
      ? `corpus ${corpusDir} (train split)`
      : frozen
        ? 'not needed: encoder and forecast head frozen'
        : o.forecastBatch > 0
          ? 'none: no corpus found'
          : 'disabled';
    const batchPrng = new Prng(deriveSeed(o.seed, 'style-batches'));
    const forecastPrng = new Prng(deriveSeed(o.seed, 'forecast-batches'));
    const schedule = {
      floor: o.lr / 10,
      peak: o.lr,
      totalSteps: o.steps,
      warmupSteps: Math.max(1, Math.round(o.steps / 20)),
    };
    hooks.onStage?.('training');
    const history: StyleLossParts[] = [];
    const deadline = o.maxMinutes > 0 ? started + o.maxMinutes * 60_000 : Infinity;
    let stoppedBy: FinetuneResult['stoppedBy'] = 'steps';
    const sampleSegments = (): ReturnType<typeof sampleSegmentBatch> =>
      sampleSegmentBatch(
        segmentsByDriver,
        {
          drivers: o.batchDrivers,
          segmentWindows: o.segmentWindows,
          tripsPerDriver: o.windowsPerDriver,
        },
        batchPrng,
      );
    for (let step = 0; step < o.steps; step++) {
      if (performance.now() > deadline) {
        stoppedBy = 'time';
        break;
      }
      setLearningRate(trainer.optimizer, learningRateAt(schedule, step));
      const parts: StyleLossParts = { driver: 0, forecast: 0, scenario: 0, total: 0, views: 0 };
      if (styleHead && styleOptimizer) {
        setLearningRate(styleOptimizer, learningRateAt(schedule, step));
        const segs = sampleSegments();
        const styleStep = styleHeadLossFn(
          styleHead,
          segs,
          channelIds,
          o.weights,
          o.temperature,
          parts,
        );
        try {
          const vars = styleHead.trainableWeights();
          styleOptimizer.minimize(styleStep.lossFn, false, vars)?.dispose();
        } finally {
          styleStep.dispose();
        }
        history.push(parts);
        hooks.onProgress?.(step + 1, o.steps, parts);
        continue;
      }
      if (headOnly) {
        const segs = sampleSegments();
        const step1 = segmentLossFn(model, segs, o.weights, o.temperature, parts);
        try {
          headOnlyStep(trainer, step1.lossFn);
        } finally {
          step1.dispose();
        }
        history.push(parts);
        hooks.onProgress?.(step + 1, o.steps, parts);
        continue;
      }
      const batch = sampleStyleBatch(
        byDriver,
        tokenizer,
        {
          channels: o.channels,
          drivers: o.batchDrivers,
          maxShift,
          noise: 0.05,
          numSignals: c.numSignals,
          windowsPerDriver: o.windowsPerDriver,
        },
        batchPrng,
      );
      const forecast: ForecastBatch | undefined = sampler
        ? makeForecastBatch(sampler.sample(o.forecastBatch, forecastPrng), tokenizer, c.horizon)
        : undefined;
      const { lossFn, dispose } = styleLossFn(
        model,
        batch,
        forecast,
        o.weights,
        o.temperature,
        parts,
      );
      try {
        trainer.stepOn(lossFn);
      } finally {
        dispose();
      }
      history.push(parts);
      hooks.onProgress?.(step + 1, o.steps, parts);
    }
    const tenth = Math.max(1, Math.floor(history.length / 10));
    const first = meanParts(history.slice(0, tenth));
    const last = meanParts(history.slice(-tenth));
    const elapsedS = (performance.now() - started) / 1000;
    hooks.onStage?.('writing checkpoint');
    const stage = {
      args: { ...o },
      elapsedS,
      first,
      fleet: styleFleetSummary(fleet),
      forecastSource,
      last,
      name: STAGE_NAMES[o.trainable],
      steps: history.length,
      stoppedBy,
    };
    const sidecar = (weightsBin: Uint8Array): StyleHeadFile =>
      serialiseStyleHead(styleHead as StyleHead, weightsBin, {
        base: { createdAt: manifest.createdAt, dir: o.modelDir },
        channels: o.channels,
        command: hooks.command,
        stage,
      });
    const resultOf = (quality?: FinetuneResult['quality']): FinetuneResult => ({
      elapsedS,
      first,
      forecastSource,
      last,
      outDir: o.outDir,
      quality,
      steps: history.length,
      stoppedBy,
      styleHeadPath: styleHead ? path.join(o.outDir, STYLE_HEAD_JSON) : undefined,
    });
    if (styleHead && sameDir(o.modelDir, o.outDir)) {
      // In place: the checkpoint's files are untouched, the head goes beside them.
      await writeStyleHead(o.outDir, sidecar(fs.readFileSync(path.join(o.modelDir, WEIGHTS_BIN))));
      return resultOf();
    }
    const files = await exportCheckpoint(model, {
      calibrator: manifest.calibrator,
      extra: {
        ...manifest.extra,
        base: { createdAt: manifest.createdAt, dir: o.modelDir, metrics: manifest.metrics },
        command: hooks.command ?? manifest.extra?.command,
        stage,
      },
      metrics: manifest.metrics,
      tokenizer: manifest.tokenizer,
    });
    await writeCheckpointDir(o.outDir, files);
    if (styleHead) await writeStyleHead(o.outDir, sidecar(files.weightsBin));
    let quality: FinetuneResult['quality'];
    if (o.qualityWindows > 0 && corpusDir && fs.existsSync(corpusDir)) {
      hooks.onStage?.('forecast quality');
      const q = { corpusDir, seed: 7, split: 'validation' as const, windows: o.qualityWindows };
      const before = await evaluateCheckpointQuality({ ...q, checkpointDir: o.modelDir });
      const after = await evaluateCheckpointQuality({
        ...q,
        checkpointDir: o.outDir,
        record: true,
      });
      quality = { after, before };
    }
    return resultOf(quality);
  } finally {
    styleHead?.dispose();
    styleOptimizer?.dispose();
    trainer.dispose();
    model.dispose();
  }
}
