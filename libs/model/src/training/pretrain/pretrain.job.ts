import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { CorpusReader, type CorpusManifest } from '@fleetfm/datasets';
import { NotFoundError } from '@fleetfm/domain';
import { Prng, deriveSeed } from '@fleetfm/simulator';
import { PatchTokenizer, type ScalingMethod } from '@fleetfm/tokenizer';
import {
  readCheckpointDir,
  writeCheckpointDir,
  type CheckpointFiles,
  type CheckpointInfo,
} from '../../checkpoint';
import { finishPinball, type PinballOptions } from '../../heads/pinball-loss';
import { forwardFlopsPerSeries, type PatchModelConfig } from '../../patch-model.config';
import { makeForecastBatch, type ForecastBatch } from '../forecast-batch';
import type { TrainingEngine } from '../parallel/training-engine';
import { WorkerPoolEngine } from '../parallel/worker-pool.engine';
import { growCheckpointDepth } from './grow-depth';
import { learningRateAt } from './lr-schedule';
import {
  resolvePretrainArgs,
  type PretrainArgs,
  type ResolvedPretrainArgs,
} from './pretrain-options';
import {
  LAST_DIR,
  readResumeState,
  writeResumeState,
  type InitFrom,
  type ResumeState,
  type TrainingProgress,
} from './training-state';
import { EmptySplitError, WindowSampler } from './window-sampler';

export interface PretrainStartEvent {
  readonly startStep: number;
  readonly steps: number;
  readonly workers: number;
  readonly parameters: number;
  readonly model: PatchModelConfig;
  readonly trainSeries: number;
  readonly validationSeries: number;
  readonly validationFrom: 'validation' | 'train';
}

export interface PretrainStepEvent {
  readonly step: number;
  readonly loss: number;
  readonly lr: number;
  /** Steps per second over the recent steps of this run. */
  readonly stepsPerSec: number;
  /** Context time steps consumed per second (batch × contextLength × steps/s). */
  readonly timeStepsPerSec: number;
}

export interface PretrainEvalEvent {
  readonly step: number;
  readonly valLoss: number;
  readonly bestValLoss: number;
  readonly improved: boolean;
}

export interface PretrainHooks {
  onStart?(e: PretrainStartEvent): void;
  onStep?(e: PretrainStepEvent): void;
  onEval?(e: PretrainEvalEvent): void;
}

export interface PretrainResult {
  readonly outDir: string;
  readonly stepsDone: number;
  readonly stoppedBy: 'steps' | 'time' | 'early-stop';
  readonly bestValLoss: number;
  readonly bestStep: number;
  readonly lastTrainLoss: number;
  readonly elapsedS: number;
  readonly timeStepsPerSec: number;
  readonly checksums: readonly string[];
}

function corpusSummary(dir: string, m: CorpusManifest): Record<string, unknown> {
  return {
    bySource: m.bySource,
    dir: path.resolve(dir),
    seed: m.seed,
    splitSeries: m.split.series,
    timeStepsBySource: m.timeStepsBySource,
    totalSeries: m.totalSeries,
    totalTimeSteps: m.totalTimeSteps,
  };
}

function batches(
  windows: ReturnType<WindowSampler['sample']>,
  size: number,
  f: (w: typeof windows) => ForecastBatch,
): ForecastBatch[] {
  const out: ForecastBatch[] = [];
  for (let i = 0; i < windows.length; i += size) out.push(f(windows.slice(i, i + size)));
  return out;
}

/**
 * Pretrains the patch model on a corpus: seeded random crops, instance-normalised by the
 * tokenizer, pinball loss, Adam with warm-up + cosine decay and clipping, data-parallel over
 * worker threads. Validates every `evalEvery` steps on fixed validation windows, keeps the best
 * checkpoint in `outDir` and a resumable one in `outDir/last`, stops early without improvement.
 */
export async function runPretraining(
  input: PretrainArgs,
  hooks: PretrainHooks = {},
): Promise<PretrainResult> {
  const a = resolvePretrainArgs(input);
  const reader = await CorpusReader.open(a.corpusDir);
  const resume: ResumeState | undefined = a.resume ? await readResumeState(a.resume) : undefined;
  const source = a.init ? await readInitCheckpoint(a.init) : undefined;
  const initial =
    source && a.growLayers !== undefined ? growCheckpointDepth(source, a.growLayers) : source;
  const seed = resume?.progress.seed ?? a.seed;
  const start = resume?.checkpoint ?? initial;
  const resumed = start
    ? (JSON.parse(start.manifestJson) as {
        model: PatchModelConfig;
        tokenizer?: { scaling?: ScalingMethod };
      })
    : undefined;
  const model: PatchModelConfig = resumed ? resumed.model : a.model;
  const tokenizer = new PatchTokenizer({
    contextLength: model.contextLength,
    patchLength: model.patchLength,
    // A resumed run keeps the normalisation its weights were trained with.
    scaling: resumed ? (resumed.tokenizer?.scaling ?? 'mean-std') : a.scaling,
  });
  const shape = {
    contextLength: model.contextLength,
    horizon: model.horizon,
    lengthPower: a.lengthPower,
    sourceWeights: a.sourceWeights,
  };
  const train = await WindowSampler.load(reader, 'train', { ...shape, augment: a.augment });
  let validationFrom: 'validation' | 'train' = 'validation';
  let val: WindowSampler;
  try {
    val = await WindowSampler.load(reader, 'validation', {
      ...shape,
      sourceWeights: a.validationSourceWeights ?? a.sourceWeights,
    });
  } catch (err) {
    // Tiny corpora may have no validation entity; fall back to (distinct) crops of train.
    if (!(err instanceof EmptySplitError)) throw err;
    validationFrom = 'train';
    val = train;
  }
  const toBatch = (w: Parameters<typeof makeForecastBatch>[0]): ForecastBatch =>
    makeForecastBatch(w, tokenizer, model.horizon);
  const valBatches = batches(
    val.sample(a.evalWindows, new Prng(deriveSeed(seed, 'validation'))),
    a.batch,
    toBatch,
  );

  const init = {
    checkpoint: start,
    model,
    optimizer: resume?.optimizer,
    trainer: {
      clipNorm: a.clipNorm,
      dropout: a.dropout,
      dropoutSeed: deriveSeed(seed, 'dropout'),
      learningRate: a.lr,
      loss: lossOptions(a),
    },
  };
  const engine: TrainingEngine = a.engine
    ? await a.engine(init, a.workers)
    : await WorkerPoolEngine.start({ backends: a.backends, init, workers: a.workers });
  try {
    return await loop(
      a,
      engine,
      {
        heldOutCycles: unseenCycles(reader.manifest, [resume?.checkpoint, initial]),
        initFrom: source && a.init ? describeInit(a.init, source) : undefined,
        model,
        reader,
        resume,
        seed,
        tokenizer,
        toBatch,
        train,
        val,
        valBatches,
        validationFrom,
      },
      hooks,
    );
  } finally {
    await engine.dispose();
  }
}

/** Reads the checkpoint `--init` starts from; a clear error when the folder is not one. */
async function readInitCheckpoint(dir: string): Promise<CheckpointFiles> {
  try {
    return await readCheckpointDir(dir);
  } catch (err) {
    throw new NotFoundError(
      `no checkpoint to start from in ${dir} (needs model.json, weights.bin, manifest.json): ${(err as Error).message}`,
      { dir },
    );
  }
}

/** What a run started from, for its manifest: the folder, its weights' hash, its own chain. */
function describeInit(dir: string, files: CheckpointFiles): InitFrom {
  const manifest = JSON.parse(files.manifestJson) as {
    extra?: { commands?: unknown; initFrom?: InitFrom | null };
  };
  return {
    commands: manifest.extra?.commands ?? null,
    dir,
    // That checkpoint's own start, so a chain of --init runs keeps every command line.
    initFrom: manifest.extra?.initFrom ?? null,
    weightsSha256: createHash('sha256').update(files.weightsBin).digest('hex'),
  };
}

/**
 * Drive cycles these weights never trained on: those the corpus held out, and (when the run
 * starts from a checkpoint, by `--init` or `--resume`) that checkpoint's weights never saw
 * either. A checkpoint written before cycles were recorded counts as having seen them all.
 */
export function unseenCycles(
  corpus: CorpusManifest,
  startedFrom: readonly (CheckpointFiles | undefined)[],
): string[] {
  const simulator = corpus.meta?.simulator as { heldOutCycles?: unknown } | undefined;
  let cycles = stringList(simulator?.heldOutCycles);
  for (const files of startedFrom) {
    if (!files) continue;
    const extra = (JSON.parse(files.manifestJson) as { extra?: { heldOutCycles?: unknown } }).extra;
    const seen = new Set(stringList(extra?.heldOutCycles));
    cycles = cycles.filter((c) => seen.has(c));
  }
  return cycles;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

interface LoopContext {
  readonly heldOutCycles: readonly string[];
  readonly initFrom?: InitFrom;
  readonly model: PatchModelConfig;
  readonly reader: CorpusReader;
  readonly resume?: ResumeState;
  readonly seed: number;
  readonly tokenizer: PatchTokenizer;
  readonly toBatch: (w: Parameters<typeof makeForecastBatch>[0]) => ForecastBatch;
  readonly train: WindowSampler;
  readonly val: WindowSampler;
  readonly valBatches: ForecastBatch[];
  readonly validationFrom: 'validation' | 'train';
}

async function loop(
  a: ResolvedPretrainArgs,
  engine: TrainingEngine,
  ctx: LoopContext,
  hooks: PretrainHooks,
): Promise<PretrainResult> {
  const { model, seed } = ctx;
  const started = performance.now();
  const prior = ctx.resume?.progress;
  let progress: TrainingProgress = prior ?? {
    bestStep: -1,
    bestValLoss: Number.POSITIVE_INFINITY,
    elapsedS: 0,
    evalsSinceBest: 0,
    history: [],
    seed,
    step: 0,
  };
  const validation = validationKey(a, ctx);
  if (progress.validation !== validation) {
    // The best validation loss so far was measured on other windows or in another aggregation
    // (or by a run that did not record which): not comparable, so this run starts a fresh best.
    progress = {
      ...progress,
      bestStep: -1,
      bestValLoss: Number.POSITIVE_INFINITY,
      evalsSinceBest: 0,
    };
  }
  progress = { ...progress, lossAggregation: a.lossAggregation, validation };
  if (ctx.initFrom) progress = { ...progress, initFrom: ctx.initFrom };
  if (a.command) {
    const fromStep = progress.step;
    progress = {
      ...progress,
      commands: [...(progress.commands ?? []), { command: a.command, fromStep }],
    };
  }
  const elapsed = (): number => (prior?.elapsedS ?? 0) + (performance.now() - started) / 1000;
  const flops = forwardFlopsPerSeries(model);
  const schedule = { floor: a.minLr, peak: a.lr, totalSteps: a.steps, warmupSteps: a.warmupSteps };
  const extraBase = {
    command: a.command,
    commands: progress.commands,
    initFrom: progress.initFrom ?? null,
    corpus: corpusSummary(ctx.reader.dir, ctx.reader.manifest),
    // Drive cycles these weights never trained on: `fleetfm eval` forecasts them as held out.
    heldOutCycles: ctx.heldOutCycles,
    training: {
      augment: ctx.train.augment,
      batch: a.batch,
      checksumEvery: a.checksumEvery,
      clipNorm: a.clipNorm,
      dropout: a.dropout,
      evalEvery: a.evalEvery,
      evalWindows: a.evalWindows,
      lengthPower: a.lengthPower,
      loss: lossOptions(a),
      lr: a.lr,
      maxMinutes: Number.isFinite(a.maxMinutes) ? a.maxMinutes : null,
      minLr: a.minLr,
      patience: a.patience,
      seed,
      sourceWeights: ctx.train.sources,
      steps: a.steps,
      validationFrom: ctx.validationFrom,
      validationSources: ctx.val.sources,
      warmupSteps: a.warmupSteps,
      workers: engine.workers,
    },
  };
  hooks.onStart?.({
    model,
    parameters: engine.parameters,
    startStep: progress.step,
    steps: a.steps,
    trainSeries: ctx.train.seriesCount,
    validationFrom: ctx.validationFrom,
    validationSeries: ctx.val.seriesCount,
    workers: engine.workers,
  });

  let step = progress.step;
  let lastLoss = Number.NaN;
  let stoppedBy: PretrainResult['stoppedBy'] = 'steps';
  let checksums: string[] = [];
  const recent: number[] = [];
  let stepTimeTotal = 0;
  let stepsTimed = 0;
  const info = (valLoss: number): CheckpointInfo => ({
    extra: {
      ...extraBase,
      throughput: {
        analyticForwardMflopPerSeries: flops / 1e6,
        timeStepsPerSec:
          stepsTimed > 0 ? (a.batch * model.contextLength * stepsTimed) / stepTimeTotal : null,
      },
      elapsedS: elapsed(),
      history: progress.history,
    },
    metrics: { bestStep: progress.bestStep, step, trainLoss: lastLoss, valLoss },
    tokenizer: ctx.tokenizer.config,
  });

  const evaluate = async (): Promise<boolean> => {
    // The engines average the validation totals; `finishPinball` maps that to the loss.
    const valLoss = finishPinball(await engine.evaluate(ctx.valBatches), 1, lossOptions(a));
    const improved = valLoss < progress.bestValLoss;
    progress = {
      ...progress,
      bestStep: improved ? step : progress.bestStep,
      bestValLoss: improved ? valLoss : progress.bestValLoss,
      elapsedS: elapsed(),
      evalsSinceBest: improved ? 0 : progress.evalsSinceBest + 1,
      history: [...progress.history, { step, trainLoss: lastLoss, valLoss }],
      step,
    };
    const files = await engine.exportCheckpoint(info(valLoss));
    if (improved) await writeCheckpointDir(a.outDir, files);
    await writeResumeState(path.join(a.outDir, LAST_DIR), {
      checkpoint: files,
      optimizer: await engine.optimizerState(),
      progress,
    });
    hooks.onEval?.({ bestValLoss: progress.bestValLoss, improved, step, valLoss });
    return a.patience > 0 && progress.evalsSinceBest >= a.patience;
  };

  let lastEvalStep = -1;
  while (step < a.steps) {
    if (elapsed() - (prior?.elapsedS ?? 0) > a.maxMinutes * 60) {
      stoppedBy = 'time';
      break;
    }
    const windows = ctx.train.sample(a.batch, new Prng(deriveSeed(seed, 'batch', step)));
    const batch = ctx.toBatch(windows);
    const lr = learningRateAt(schedule, step);
    const t0 = performance.now();
    lastLoss = await engine.step(step, batch, lr);
    const dt = (performance.now() - t0) / 1000;
    if (!Number.isFinite(lastLoss))
      throw new Error(`training diverged at step ${step}: loss ${lastLoss}`);
    step++;
    if (step > (prior?.step ?? 0) + 1) {
      // The first step of a run includes warm-up (kernel compilation); leave it out.
      stepTimeTotal += dt;
      stepsTimed++;
    }
    recent.push(dt);
    if (recent.length > 20) recent.shift();
    const sps = recent.length / recent.reduce((s, x) => s + x, 0);
    hooks.onStep?.({
      loss: lastLoss,
      lr,
      step,
      stepsPerSec: sps,
      timeStepsPerSec: sps * a.batch * model.contextLength,
    });
    if (a.checksumEvery > 0 && step % a.checksumEvery === 0)
      checksums = await verifyReplicas(engine, step);
    if (step % a.evalEvery === 0) {
      lastEvalStep = step;
      if (await evaluate()) {
        stoppedBy = 'early-stop';
        break;
      }
    }
  }
  if (lastEvalStep !== step) await evaluate();
  checksums = await verifyReplicas(engine, step);
  return {
    bestStep: progress.bestStep,
    bestValLoss: progress.bestValLoss,
    checksums,
    elapsedS: elapsed(),
    lastTrainLoss: lastLoss,
    outDir: a.outDir,
    stepsDone: step,
    stoppedBy,
    timeStepsPerSec:
      stepsTimed > 0 ? (a.batch * model.contextLength * stepsTimed) / stepTimeTotal : Number.NaN,
  };
}

async function verifyReplicas(engine: TrainingEngine, step: number): Promise<string[]> {
  const sums = await engine.checksums();
  if (new Set(sums).size > 1) {
    throw new Error(`replicas diverged at step ${step}: weight checksums ${sums.join(', ')}`);
  }
  return sums;
}

function lossOptions(a: ResolvedPretrainArgs): PinballOptions {
  if (a.lossAggregation === 'mean') return { aggregation: 'mean' };
  // No naiveEpsilon key at 0 and no naiveSeasons key when empty: validation keys (and resumes)
  // of older runs stay as they were.
  const relative = a.lossNaiveEpsilon > 0 ? { naiveEpsilon: a.lossNaiveEpsilon } : {};
  const seasons = a.lossNaiveSeasons.length > 0 ? { naiveSeasons: [...a.lossNaiveSeasons] } : {};
  return { aggregation: a.lossAggregation, epsilon: a.lossEpsilon, ...relative, ...seasons };
}

/**
 * What the validation loss depends on besides the weights: the corpus, the window draw (source
 * weights, length power, count, seed) and the loss aggregation.
 */
function validationKey(a: ResolvedPretrainArgs, ctx: LoopContext): string {
  const m = ctx.reader.manifest;
  return JSON.stringify({
    corpus: { createdAt: m.createdAt, seed: m.seed, totalTimeSteps: m.totalTimeSteps },
    from: ctx.validationFrom,
    lengthPower: a.lengthPower,
    loss: lossOptions(a),
    seed: ctx.seed,
    sources: ctx.val.sources,
    windows: a.evalWindows,
  });
}
