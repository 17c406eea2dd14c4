import * as path from 'node:path';
import { ValidationError, type SignalName } from '@fleetfm/domain';
import { DEFAULT_STYLE_LOSS_WEIGHTS, type StyleLossWeights } from './style-loss';
import { STYLE_CHANNELS } from './style-fleet';

export interface FinetuneArgs {
  /** Checkpoint to start from. */
  readonly modelDir: string;
  /** Where the fine-tuned checkpoint goes (must differ from modelDir). */
  readonly outDir: string;
  readonly steps: number;
  /** Drivers per batch (P); rows per view = P · windowsPerDriver · channels. */
  readonly batchDrivers: number;
  readonly windowsPerDriver: number;
  readonly lr: number;
  readonly seed: number;
  /** Stop (and write the checkpoint) after this much wall time; 0 = no limit. */
  readonly maxMinutes: number;
  /** Training drivers simulated (ids ft-drv-*) and trips per driver. */
  readonly trainDrivers: number;
  readonly tripsPerDriver: number;
  readonly rateHz: number;
  readonly channels: readonly SignalName[];
  /** Windows per forecast-regulariser batch; 0 disables it. */
  readonly forecastBatch: number;
  readonly temperature: number;
  readonly weights: StyleLossWeights;
  /** Shared data (drive cycles, GPS); default the simulator's default. */
  readonly dataDir?: string;
  /** Corpus for forecast batches and the MASE check; default the checkpoint's corpus dir. */
  readonly corpusDir?: string;
  /** Validation windows scored for MASE before and after (0 skips). */
  readonly qualityWindows: number;
  /**
   * What the stage trains: `all` weights (encoder too; forecast batches keep the forecast head in
   * shape), or the `embedding-head` only (encoder frozen: forecasts are bit-identical and a step
   * needs no backward pass through the encoder).
   */
  readonly trainable: FinetuneTrainable;
  /**
   * embedding-head mode: windows per training segment. The head is trained on segment
   * embeddings built exactly like the evaluation's (per-channel mean of window embeddings,
   * concatenated), 11 windows = its 10-minute segment at 10 Hz.
   */
  readonly segmentWindows: number;
  /** style-head mode: the head's hidden units and output size (per channel). */
  readonly styleHidden: number;
  readonly styleDim: number;
  /** segment-style mode: segments cut per training trip at random offsets, and their length, s. */
  readonly segmentCrops: number;
  readonly segmentSeconds: number;
}

/**
 * `segment-style`: no model weights at all; a `SegmentStyleHead` on cross-channel statistics of
 * whole 10-minute segments is trained and written as `segment-style-head.json`.
 * `style-head`: the encoder stays frozen and the checkpoint's weights untouched; a separate
 * scale-aware `StyleHead` (raw-window statistics + pooled encoder state) is trained and written as
 * `style-head.json` beside them (with --out equal to --model, only that file is written).
 */
export type FinetuneTrainable = 'all' | 'embedding-head' | 'style-head' | 'segment-style';
export const FINETUNE_TRAINABLE: readonly FinetuneTrainable[] = [
  'all',
  'embedding-head',
  'style-head',
  'segment-style',
];

/** Modes that only add a sidecar file, so they may write into the --model folder. */
const SIDECAR_MODES: readonly FinetuneTrainable[] = ['style-head', 'segment-style'];

export const DEFAULT_FINETUNE_ARGS: Omit<FinetuneArgs, 'modelDir' | 'outDir'> = {
  batchDrivers: 12,
  channels: STYLE_CHANNELS,
  forecastBatch: 32,
  lr: 3e-4,
  maxMinutes: 15,
  qualityWindows: 512,
  rateHz: 10,
  seed: 7,
  segmentCrops: 4,
  segmentSeconds: 600,
  segmentWindows: 11,
  steps: 400,
  styleDim: 32,
  styleHidden: 128,
  temperature: 0.1,
  trainable: 'all',
  trainDrivers: 160,
  tripsPerDriver: 4,
  weights: DEFAULT_STYLE_LOSS_WEIGHTS,
  windowsPerDriver: 2,
};

function positiveInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) {
    throw new ValidationError(`finetune: ${name} must be a positive integer, got ${v}`);
  }
}

/** Fills defaults and validates; throws ValidationError naming the bad field. */
export function resolveFinetuneArgs(
  args: Partial<FinetuneArgs> & Pick<FinetuneArgs, 'modelDir' | 'outDir'>,
): FinetuneArgs {
  const a: FinetuneArgs = {
    ...DEFAULT_FINETUNE_ARGS,
    ...(Object.fromEntries(
      Object.entries(args).filter(([, v]) => v !== undefined),
    ) as Partial<FinetuneArgs>),
    modelDir: args.modelDir,
    outDir: args.outDir,
  };
  for (const k of [
    'steps',
    'batchDrivers',
    'windowsPerDriver',
    'trainDrivers',
    'tripsPerDriver',
    'rateHz',
    'segmentWindows',
    'styleHidden',
    'styleDim',
    'segmentCrops',
    'segmentSeconds',
  ] as const) {
    positiveInt(k, a[k]);
  }
  if (a.batchDrivers < 2) throw new ValidationError('finetune: batch needs at least 2 drivers');
  if (a.batchDrivers > a.trainDrivers) {
    throw new ValidationError(
      `finetune: batch drivers (${a.batchDrivers}) exceed training drivers (${a.trainDrivers})`,
    );
  }
  if (!(a.lr > 0)) throw new ValidationError(`finetune: lr must be > 0, got ${a.lr}`);
  if (!(a.temperature > 0)) throw new ValidationError('finetune: temperature must be > 0');
  for (const [term, w] of Object.entries(a.weights)) {
    if (!(Number.isFinite(w) && w >= 0)) {
      throw new ValidationError(`finetune: loss weight ${term} must be a number >= 0, got ${w}`);
    }
  }
  if (a.weights.driver + a.weights.views + a.weights.scenario <= 0) {
    throw new ValidationError(
      'finetune: at least one contrastive loss weight (driver, views, scenario) must be > 0',
    );
  }
  if (!(a.maxMinutes >= 0)) throw new ValidationError('finetune: max minutes must be >= 0');
  if (!Number.isInteger(a.seed)) throw new ValidationError('finetune: seed must be an integer');
  if (!Number.isInteger(a.forecastBatch) || a.forecastBatch < 0) {
    throw new ValidationError('finetune: forecast batch must be an integer >= 0');
  }
  if (!FINETUNE_TRAINABLE.includes(a.trainable)) {
    throw new ValidationError(
      `finetune: trainable must be one of ${FINETUNE_TRAINABLE.join(', ')}, got '${a.trainable}'`,
    );
  }
  if (a.channels.length === 0) throw new ValidationError('finetune: no channels');
  if (path.resolve(a.modelDir) === path.resolve(a.outDir) && !SIDECAR_MODES.includes(a.trainable)) {
    throw new ValidationError(
      'finetune: --out must differ from --model (never overwrite it); only --trainable style-head or segment-style may write into the model folder (they add style-head.json / segment-style-head.json and change nothing else)',
    );
  }
  return a;
}
