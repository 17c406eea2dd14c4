import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadTraceLibrary } from '@fleetfm/simulator';
import { MANIFEST_JSON, MODEL_JSON, WEIGHTS_BIN } from '../../checkpoint';
import {
  serialiseSegmentStyleHead,
  writeSegmentStyleHead,
} from '../../heads/style-segment-head-file';
import type { FinetuneHooks, FinetuneResult } from './finetune.job';
import type { FinetuneArgs } from './finetune-options';
import { segmentCrops, trainSegmentStyleHead } from './segment-style-train';
import { simulateStyleFleet, styleFleetSummary } from './style-fleet';
import type { StyleLossParts } from './style-loss';

function driverParts(losses: readonly number[]): StyleLossParts {
  const mean = losses.reduce((s, x) => s + x, 0) / Math.max(1, losses.length);
  return { driver: mean, forecast: 0, scenario: 0, total: mean, views: 0 };
}

/**
 * `fleetfm finetune --trainable segment-style`: simulates labelled training drivers (`ft-drv-*`,
 * own seed, never an evaluation seed), cuts `segmentCrops` segments of `segmentSeconds` (default 10 minutes, the evaluation's) per trip at random
 * offsets, trains a `SegmentStyleHead` on driver SupCon and writes `segment-style-head.json`. The
 * checkpoint's own files are never rewritten: with --out equal to --model only the sidecar is
 * added; another --out gets byte-identical copies of model.json, weights.bin and manifest.json.
 */
export async function runSegmentStyleFinetune(
  o: FinetuneArgs,
  hooks: FinetuneHooks = {},
): Promise<FinetuneResult> {
  const started = performance.now();
  const rows = Math.round(o.segmentSeconds * o.rateHz);
  hooks.onStage?.('simulating training drivers');
  const fleet = simulateStyleFleet({
    drivers: o.trainDrivers,
    library: hooks.library ?? loadTraceLibrary(o.dataDir),
    minRouteS: o.segmentSeconds,
    onProgress: (d, t) => hooks.onProgress?.(d, t),
    rateHz: o.rateHz,
    seed: o.seed,
    tripsPerDriver: o.tripsPerDriver,
  });
  hooks.onStage?.('segment statistics');
  const data = segmentCrops(
    fleet,
    { crops: o.segmentCrops, rateHz: o.rateHz, rows, seed: o.seed },
    (d, t) => hooks.onProgress?.(d, t),
  );
  hooks.onStage?.('training segment style head');
  const trained = trainSegmentStyleHead(
    data,
    {
      batchDrivers: o.batchDrivers,
      embeddingDim: o.styleDim,
      hiddenDim: o.styleHidden,
      lr: o.lr,
      maxMinutes: o.maxMinutes,
      segmentsPerDriver: o.windowsPerDriver,
      seed: o.seed,
      steps: o.steps,
      temperature: o.temperature,
    },
    (step, total, loss) => hooks.onProgress?.(step, total, { ...driverParts([loss]), total: loss }),
  );
  try {
    const { losses, stoppedBy } = trained;
    const tenth = Math.max(1, Math.floor(losses.length / 10));
    const first = driverParts(losses.slice(0, tenth));
    const last = driverParts(losses.slice(-tenth));
    const elapsedS = (performance.now() - started) / 1000;
    hooks.onStage?.('writing segment style head');
    if (path.resolve(o.outDir) !== path.resolve(o.modelDir)) {
      await fs.promises.mkdir(o.outDir, { recursive: true });
      for (const name of [MODEL_JSON, WEIGHTS_BIN, MANIFEST_JSON]) {
        await fs.promises.copyFile(path.join(o.modelDir, name), path.join(o.outDir, name));
      }
    }
    const file = await writeSegmentStyleHead(
      o.outDir,
      serialiseSegmentStyleHead(trained.head, {
        args: { ...o, channels: undefined, weights: undefined },
        command: hooks.command,
        elapsedS,
        first: first.driver,
        fleet: styleFleetSummary(fleet),
        last: last.driver,
        segments: data.vectors.length,
        segmentSeconds: o.segmentSeconds,
        steps: losses.length,
        stoppedBy,
      }),
    );
    return {
      elapsedS,
      first,
      forecastSource: 'none (segment-style mode reads raw signals only)',
      last,
      outDir: o.outDir,
      steps: losses.length,
      stoppedBy,
      styleHeadPath: file,
    };
  } finally {
    trained.head.dispose();
  }
}
