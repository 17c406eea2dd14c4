import { ValidationError } from '@fleetfm/domain';
import type { CorpusSource } from '@fleetfm/datasets';
import { SCALING_METHODS, type ScalingMethod } from '@fleetfm/tokenizer';
import type { BackendName } from '../../backend';
import {
  DEFAULT_GEOMETRIC_EPSILON,
  LOSS_AGGREGATIONS,
  type LossAggregation,
} from '../../heads/pinball-loss';
import { checkDropoutRate } from '../../layers/dropout';
import {
  resolveModelConfig,
  type PatchModelArgs,
  type PatchModelConfig,
} from '../../patch-model.config';
import type { ReplicaInit } from '../parallel/replica';
import type { TrainingEngine } from '../parallel/training-engine';
import { SIGNAL_ID_COUNT } from './signal-ids';
import { resolveAugmentation, type WindowAugmentation } from './window-augment';

export interface PretrainArgs {
  /** Corpus folder (manifest.json + shards). */
  readonly corpusDir: string;
  /** Best checkpoint goes here; `last/` below it holds the resumable state. */
  readonly outDir: string;
  /** Model size; ignored when resuming (the checkpoint's config wins). Default DEFAULT_MODEL_ARGS. */
  readonly model?: PatchModelArgs;
  /** Total optimisation steps (including those done before a resume). Default 2000. */
  readonly steps?: number;
  /** Windows per step, split across workers. Default 64. */
  readonly batch?: number;
  /** Peak learning rate. Default 1e-3. */
  readonly lr?: number;
  /** Learning rate at the end of the cosine decay. Default lr / 10. */
  readonly minLr?: number;
  /** Linear warm-up steps. Default min(200, steps / 10). */
  readonly warmupSteps?: number;
  /** Global gradient-norm clip. Default 1. */
  readonly clipNorm?: number;
  /**
   * Dropout rate of the training steps (each block's attention and feed-forward outputs and the
   * quantile head's input), a regulariser against memorising the training series; validation
   * and inference never drop. Default 0.
   */
  readonly dropout?: number;
  /**
   * How the pinball loss aggregates over a step's windows (training and validation alike):
   * 'mean' (default) or 'geometric' (see `LossAggregation`).
   */
  readonly lossAggregation?: LossAggregation;
  /** ε of the geometric aggregation, in scaled units. Default 0.02. */
  readonly lossEpsilon?: number;
  /**
   * Share of each window's persistence loss added to its ε (geometric aggregation only; see
   * `PinballOptions.naiveEpsilon`). Default 0.
   */
  readonly lossNaiveEpsilon?: number;
  /**
   * Seasonal periods (steps) whose seasonal naive may stand in for persistence in that floor,
   * where it does better on the window (see `PinballOptions.naiveSeasons`). Default none.
   */
  readonly lossNaiveSeasons?: readonly number[];
  /** Seeds the model initialisation and every window draw. Default 42. */
  readonly seed?: number;
  /** Worker threads (data-parallel replicas). Default 2. */
  readonly workers?: number;
  /** Stop (and checkpoint) after this much wall time. Default no limit. */
  readonly maxMinutes?: number;
  /** Validate every this many steps. Default 100. */
  readonly evalEvery?: number;
  /** Fixed validation windows. Default 256. */
  readonly evalWindows?: number;
  /** Stop after this many validations without improvement; 0 never. Default 8. */
  readonly patience?: number;
  /** Compare the replicas' weight checksums every this many steps. Default 50. */
  readonly checksumEvery?: number;
  /** Continue from `<dir>/last` (or `<dir>` itself if it holds training-state.json). */
  readonly resume?: string;
  /**
   * Start from this checkpoint folder's weights (model.json + weights.bin + manifest.json) with a
   * fresh optimizer, at step 0 with its own warm-up and decay: continued pretraining on another
   * corpus or source mix when the resumable state (Adam's moments) is not at hand. The
   * checkpoint's model and tokenizer config win, as on resume. Not together with `resume`.
   */
  readonly init?: string;
  /**
   * With `init`: deepen the checkpoint to this many transformer blocks before training, keeping
   * its forecasts (see `growCheckpointDepth`). Default: the checkpoint's own depth.
   */
  readonly growLayers?: number;
  readonly sourceWeights?: Partial<Record<CorpusSource, number>>;
  /**
   * Share of validation windows per source (named sources override the defaults, as for
   * `sourceWeights`). Default: the training mix. The corpus' validation trips drive the training
   * fleet's routes, so a validation loss on them also rewards learning those routes; e.g.
   * `{ sim: 0 }` validates on real GPS trips and synthetic series only.
   */
  readonly validationSourceWeights?: Partial<Record<CorpusSource, number>>;
  /**
   * Instance normalisation of the contexts (recorded in the checkpoint's tokenizer config;
   * ignored when resuming). Default 'mean-std'.
   */
  readonly scaling?: ScalingMethod;
  /** Series picked ∝ crop positions^lengthPower (see `WindowSamplerArgs`). Default 1. */
  readonly lengthPower?: number;
  /** Augmentations of the training windows (not the validation ones). Default none. */
  readonly augment?: WindowAugmentation;
  /** tfjs backends the workers try. Default: `selectBackend`'s order. */
  readonly backends?: readonly BackendName[];
  /** The command line that produced this run, recorded in the manifest. */
  readonly command?: string;
  /** How replicas are run. Default: a `WorkerPoolEngine` with `workers` threads. */
  readonly engine?: (init: ReplicaInit, workers: number) => Promise<TrainingEngine>;
}

/** Arguments that stay optional once resolved (no default stands for them). */
type UndefaultedArgs =
  | 'resume'
  | 'init'
  | 'growLayers'
  | 'sourceWeights'
  | 'validationSourceWeights'
  | 'backends'
  | 'command'
  | 'engine'
  | 'augment';

export type ResolvedPretrainArgs = Required<Omit<PretrainArgs, UndefaultedArgs | 'model'>> &
  Pick<PretrainArgs, UndefaultedArgs> & {
    readonly model: PatchModelConfig;
  };

function check(ok: boolean, message: string): void {
  if (!ok) throw new ValidationError(message);
}

const isInt = (v: number, min: number): boolean => Number.isInteger(v) && v >= min;

/** Fills defaults and validates; throws ValidationError naming the bad argument. */
export function resolvePretrainArgs(a: PretrainArgs): ResolvedPretrainArgs {
  const steps = a.steps ?? 2000;
  const lr = a.lr ?? 1e-3;
  const seed = a.seed ?? 42;
  const r: ResolvedPretrainArgs = {
    ...a,
    batch: a.batch ?? 64,
    checksumEvery: a.checksumEvery ?? 50,
    clipNorm: a.clipNorm ?? 1,
    dropout: a.dropout ?? 0,
    evalEvery: a.evalEvery ?? 100,
    evalWindows: a.evalWindows ?? 256,
    lengthPower: a.lengthPower ?? 1,
    lossAggregation: a.lossAggregation ?? 'mean',
    lossEpsilon: a.lossEpsilon ?? DEFAULT_GEOMETRIC_EPSILON,
    lossNaiveEpsilon: a.lossNaiveEpsilon ?? 0,
    lossNaiveSeasons: a.lossNaiveSeasons ?? [],
    lr,
    maxMinutes: a.maxMinutes ?? Number.POSITIVE_INFINITY,
    minLr: a.minLr ?? lr / 10,
    model: resolveModelConfig({ ...a.model, seed: a.model?.seed ?? seed }),
    patience: a.patience ?? 8,
    scaling: a.scaling ?? 'mean-std',
    seed,
    steps,
    warmupSteps: a.warmupSteps ?? Math.min(200, Math.floor(steps / 10)),
    workers: a.workers ?? 2,
  };
  check(typeof r.corpusDir === 'string' && r.corpusDir !== '', 'corpusDir is required');
  check(typeof r.outDir === 'string' && r.outDir !== '', 'outDir is required');
  check(
    !(r.resume && r.init),
    'resume and init exclude each other: resume continues a run, init starts a new one from weights',
  );
  check(
    r.growLayers === undefined || r.init !== undefined,
    'growLayers needs init (it deepens the checkpoint a run starts from)',
  );
  check(
    r.growLayers === undefined || isInt(r.growLayers, 1),
    `growLayers must be a positive integer, got ${a.growLayers}`,
  );
  check(isInt(r.steps, 1), `steps must be a positive integer, got ${a.steps}`);
  check(
    isInt(r.workers, 1) && r.workers <= 16,
    `workers must be an integer in [1, 16], got ${a.workers}`,
  );
  check(
    isInt(r.batch, r.workers),
    `batch must be an integer >= workers (${r.workers}), got ${a.batch}`,
  );
  check(r.lr > 0 && Number.isFinite(r.lr), `lr must be a positive number, got ${a.lr}`);
  check(r.minLr >= 0 && r.minLr <= r.lr, `minLr must be in [0, lr], got ${a.minLr}`);
  check(
    isInt(r.warmupSteps, 0),
    `warmupSteps must be a non-negative integer, got ${a.warmupSteps}`,
  );
  check(
    r.lengthPower >= 0 && r.lengthPower <= 1,
    `lengthPower must be in [0, 1], got ${a.lengthPower}`,
  );
  check(
    SCALING_METHODS.includes(r.scaling),
    `scaling must be one of ${SCALING_METHODS.join(', ')}, got ${a.scaling}`,
  );
  resolveAugmentation(r.augment); // throws ValidationError naming the bad setting
  check(r.clipNorm >= 0, `clipNorm must be >= 0, got ${a.clipNorm}`);
  checkDropoutRate(r.dropout);
  check(
    LOSS_AGGREGATIONS.includes(r.lossAggregation),
    `lossAggregation must be one of ${LOSS_AGGREGATIONS.join(', ')}, got ${a.lossAggregation}`,
  );
  check(
    r.lossEpsilon > 0 && Number.isFinite(r.lossEpsilon),
    `lossEpsilon must be a positive number, got ${a.lossEpsilon}`,
  );
  check(
    r.lossNaiveEpsilon >= 0 && Number.isFinite(r.lossNaiveEpsilon),
    `lossNaiveEpsilon must be a number >= 0, got ${a.lossNaiveEpsilon}`,
  );
  check(
    r.lossNaiveSeasons.every((p) => isInt(p, 2) && p <= r.model.contextLength),
    `lossNaiveSeasons must be integers in [2, ${r.model.contextLength}] (the context length), got ${a.lossNaiveSeasons?.join(', ')}`,
  );
  check(
    r.lossNaiveSeasons.length === 0 ||
      (r.lossAggregation === 'geometric' && r.lossNaiveEpsilon > 0),
    'lossNaiveSeasons needs the geometric loss with lossNaiveEpsilon > 0 (they choose its floor)',
  );
  check(Number.isInteger(r.seed), `seed must be an integer, got ${a.seed}`);
  check(r.maxMinutes > 0, `maxMinutes must be > 0, got ${a.maxMinutes}`);
  check(isInt(r.evalEvery, 1), `evalEvery must be a positive integer, got ${a.evalEvery}`);
  check(isInt(r.evalWindows, 1), `evalWindows must be a positive integer, got ${a.evalWindows}`);
  check(isInt(r.patience, 0), `patience must be a non-negative integer, got ${a.patience}`);
  check(
    isInt(r.checksumEvery, 0),
    `checksumEvery must be a non-negative integer, got ${a.checksumEvery}`,
  );
  check(
    r.model.numSignals >= SIGNAL_ID_COUNT,
    `model numSignals must be >= ${SIGNAL_ID_COUNT} (one id per telemetry signal + unknown)`,
  );
  return r;
}
