import * as fs from 'node:fs';
import * as path from 'node:path';
import { MultiBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import { loadConfig, type FleetConfig } from '@fleetfm/config';
import type { ScalingMethod } from '@fleetfm/tokenizer';
import { DEFAULT_HELD_OUT_CYCLES, parseCycleList, type CorpusSource } from '@fleetfm/datasets';
import { NotFoundError, ValidationError } from '@fleetfm/domain';
import {
  DEFAULT_MODEL_ARGS,
  DEFAULT_REAL_ROUTE_SHARE,
  EmptySplitError,
  buildPretrainCorpus,
  evaluateCheckpointQuality,
  fitCheckpointLevelBlend,
  resolvePretrainArgs,
  runPretraining,
  selectBackend,
  type LossAggregation,
  type PatchModelArgs,
  type PretrainCorpusOptions,
} from '@fleetfm/model';
import { parseNamedWeights } from './named-weights';

export interface CorpusFlags {
  readonly seed: string;
  readonly hours: string;
  readonly synthetic: string;
  readonly syntheticSharp: string;
  readonly holdOutCycles: string;
  readonly realRouteShare: string;
  readonly proceduralRouteShare: string;
  readonly simRates?: string;
  readonly validationVehicles?: string;
  readonly gps: boolean;
}

interface TrainFlags extends CorpusFlags {
  readonly corpus?: string;
  readonly out?: string;
  readonly resume?: string;
  readonly init?: string;
  readonly growLayers?: string;
  readonly steps: string;
  readonly batch: string;
  readonly lr: string;
  readonly workers: string;
  readonly maxMinutes?: string;
  readonly evalEvery: string;
  readonly patience: string;
  readonly dModel: string;
  readonly layers: string;
  readonly heads: string;
  readonly ffn: string;
  readonly lengthPower: string;
  readonly downsample: string;
  readonly mixup: string;
  readonly dropout: string;
  readonly shortContext: string;
  readonly sourceWeights?: string;
  readonly validationSourceWeights?: string;
  readonly scaling: string;
  readonly loss: string;
  readonly lossEpsilon: string;
  readonly lossNaiveEpsilon: string;
  readonly lossNaiveSeasons?: string;
  /** false (`--no-level-blend`): do not fit the checkpoint's level blend after training. */
  readonly levelBlend: boolean;
}

function num(flag: string, text: string | undefined, integer = true): number {
  const v = Number(text);
  if (
    text === undefined ||
    text.trim() === '' ||
    !Number.isFinite(v) ||
    (integer && !Number.isInteger(v))
  ) {
    throw new ValidationError(
      `--${flag} must be ${integer ? 'an integer' : 'a number'}, got '${text}'`,
    );
  }
  return v;
}

/** `corpus build` / `train` corpus flags → corpus options; ValidationError naming a bad flag. */
export function corpusOptions(
  flags: CorpusFlags,
  outDir: string,
  config: FleetConfig,
): PretrainCorpusOptions {
  const hours = num('hours', flags.hours, false);
  if (!(hours >= 0)) throw new ValidationError(`--hours must be >= 0, got ${flags.hours}`);
  const synthetic = num('synthetic', flags.synthetic);
  if (synthetic < 0) throw new ValidationError(`--synthetic must be >= 0, got ${flags.synthetic}`);
  const sharp = num('synthetic-sharp', flags.syntheticSharp);
  if (sharp < 0) {
    throw new ValidationError(`--synthetic-sharp must be >= 0, got ${flags.syntheticSharp}`);
  }
  const realRouteShare = num('real-route-share', flags.realRouteShare, false);
  if (!(realRouteShare >= 0 && realRouteShare <= 1)) {
    throw new ValidationError(`--real-route-share must be in [0, 1], got ${flags.realRouteShare}`);
  }
  const proceduralShare = num('procedural-route-share', flags.proceduralRouteShare, false);
  if (!(proceduralShare >= 0 && proceduralShare <= 1)) {
    throw new ValidationError(
      `--procedural-route-share must be in [0, 1], got ${flags.proceduralRouteShare}`,
    );
  }
  return {
    dataDir: config.sharedDataDir,
    gps: flags.gps,
    gpsShare: realRouteShare,
    proceduralShare,
    ratesHz: parseRates(flags.simRates),
    heldOutCycles: parseCycleList(flags.holdOutCycles),
    validationVehicles: parseVehicleList(flags.validationVehicles),
    hours,
    outDir,
    seed: num('seed', flags.seed),
    sharpSyntheticCount: sharp,
    syntheticCount: synthetic,
  };
}

/** `1,1,2,10` → [1, 1, 2, 10] (sample rates in Hz, drawn uniformly per simulated trip). */
export function parseRates(text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  return text.split(',').map((part) => {
    const hz = Number(part.trim());
    if (part.trim() === '' || !(hz > 0 && hz <= 100)) {
      throw new ValidationError(
        `--sim-rates: '${part.trim()}' is not a sample rate in (0, 100] Hz`,
      );
    }
    return hz;
  });
}

/** `4033363_3,cmap:4111928_1` → CMAP vehicle folders (the `cmap:` prefix is optional). */
export function parseVehicleList(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const ids = text.split(',').map((part) => part.trim().replace(/^cmap:/, ''));
  if (ids.some((id) => id === '')) {
    throw new ValidationError(`--validation-vehicles: empty vehicle id in '${text}'`);
  }
  return [...new Set(ids)];
}

/** `7,24,168` → [7, 24, 168]; a ValidationError names the flag and the bad entry. */
export function parsePeriods(text: string | undefined, flag: string): number[] | undefined {
  if (text === undefined) return undefined;
  return text.split(',').map((part) => {
    const p = Number(part.trim());
    if (part.trim() === '' || !Number.isInteger(p) || p < 2) {
      throw new ValidationError(`--${flag}: '${part.trim()}' is not a period (an integer >= 2)`);
    }
    return p;
  });
}

const SOURCES: readonly CorpusSource[] = ['gps', 'sim', 'synthetic'];

/** `sim=0.5,gps=0.35,synthetic=0.15` → weights by source; unnamed sources keep their default. */
export function parseSourceWeights(
  text: string | undefined,
  flag = 'source-weights',
): Partial<Record<CorpusSource, number>> | undefined {
  return text === undefined ? undefined : parseNamedWeights(text, SOURCES, flag, 'source');
}

async function buildCorpusWithReport(options: PretrainCorpusOptions): Promise<void> {
  const started = Date.now();
  let last = 0;
  const manifest = await buildPretrainCorpus({
    ...options,
    onProgress: ({ source, written }) => {
      if (Date.now() - last > 2000) {
        last = Date.now();
        process.stderr.write(`corpus: ${source} ${written} series\n`);
      }
    },
  });
  const s = manifest.split.series;
  console.log(
    `corpus: ${manifest.totalSeries} series, ${manifest.totalTimeSteps.toLocaleString('en-US')} time steps ` +
      `(sim ${manifest.bySource.sim}, gps ${manifest.bySource.gps}, synthetic ${manifest.bySource.synthetic}; ` +
      `train ${s.train}, validation ${s.validation}, test ${s.test}) in ${options.outDir} ` +
      `[${((Date.now() - started) / 1000).toFixed(1)} s]`,
  );
}

function addCorpusFlags(cmd: Command): Command {
  return cmd
    .option('--seed <n>', 'seed for the corpus and the run', '42')
    .option('--hours <h>', 'simulated fleet driving time in the corpus, hours', '40')
    .option('--synthetic <n>', 'KernelSynth synthetic series in the corpus', '400')
    .option(
      '--synthetic-sharp <n>',
      'more KernelSynth series whose periodic kernels are sharper (length scales 1, 0.5, 0.25): seasonal profiles with more harmonics, like daily load curves',
      '0',
    )
    .option(
      '--hold-out-cycles <list>',
      "drive cycles the simulated fleet never drives, so that `fleetfm eval` forecasts cycles the model has not seen ('none' for none)",
      DEFAULT_HELD_OUT_CYCLES.join(','),
    )
    .option(
      '--real-route-share <p>',
      "share of the simulated fleet's trips that follow a real GPS route of a train-split vehicle rather than a standard drive cycle",
      String(DEFAULT_REAL_ROUTE_SHARE),
    )
    .option(
      '--procedural-route-share <p>',
      "share of the simulated fleet's trips on procedurally generated routes (random street networks with limits, stop signs, lights, turns and congestion; each route new); the rest split by --real-route-share",
      '0',
    )
    .option(
      '--sim-rates <list>',
      'sample rates (Hz) a simulated trip is recorded at, one drawn per trip (repeat a rate to weigh it); default 1,1,2,10',
    )
    .option(
      '--validation-vehicles <list>',
      "CMAP GPS vehicles (e.g. 4033363_3,4111928_1) whose recorded trips go to the validation split, so that it scores real roads the training fleet never drives (simulated trips replay train-split vehicles' routes only); default none",
    )
    .option('--no-gps', 'leave the real GPS trips out of the corpus');
}

export function registerTrainCommands(program: Command): void {
  const corpus = program.command('corpus').description('pretraining corpora');
  addCorpusFlags(
    corpus
      .command('build')
      .description(
        'build a corpus: simulated fleet, real GPS trips, KernelSynth series -> Arrow shards + manifest',
      )
      .option('--out <dir>', 'corpus folder (default ${FLEETFM_DATA_DIR}/corpus)'),
  ).action(async (flags: CorpusFlags & { out?: string }) => {
    const config = loadConfig();
    const out = path.resolve(flags.out ?? path.join(config.dataDir, 'corpus'));
    await buildCorpusWithReport(corpusOptions(flags, out, config));
  });

  addCorpusFlags(
    program
      .command('train')
      .description('pretrain the forecasting model (data-parallel over worker threads)')
      .option(
        '--corpus <dir>',
        'corpus folder; default ${FLEETFM_DATA_DIR}/corpus, built first if missing',
      )
      .option(
        '--out <dir>',
        "checkpoint folder (default: the resumed run's, else ${FLEETFM_DATA_DIR}/models/pretrain)",
      )
      .option('--resume <dir>', 'continue a run from its checkpoint folder (or its last/)')
      .option(
        '--init <dir>',
        "start from a checkpoint's weights (e.g. models/default) with a fresh optimizer at step 0: continued pretraining on another corpus",
      )
      .option(
        '--grow-layers <n>',
        'with --init: deepen the checkpoint to n transformer blocks first; each new block copies the one before it with zeroed output projections, so training starts from the same forecasts',
      )
      .option('--steps <n>', 'total optimisation steps', '2000')
      .option('--batch <n>', 'windows per step (split across workers)', '64')
      .option('--lr <x>', 'peak learning rate (warm-up, then cosine decay)', '0.001')
      .option('--workers <n>', 'worker threads, one model replica each (1 or 2 on two cores)', '2')
      .option('--max-minutes <m>', 'stop and checkpoint after this much wall time')
      .option('--eval-every <n>', 'validate every n steps', '100')
      .option('--patience <n>', 'stop after n validations without improvement (0 = never)', '8')
      .option('--d-model <n>', 'model width', String(DEFAULT_MODEL_ARGS.dModel))
      .option('--layers <n>', 'transformer blocks', String(DEFAULT_MODEL_ARGS.numLayers))
      .option('--heads <n>', 'attention heads', String(DEFAULT_MODEL_ARGS.numHeads))
      .option('--ffn <n>', 'feed-forward width', String(DEFAULT_MODEL_ARGS.ffnDim))
      .option(
        '--scaling <method>',
        'context normalisation: mean-std, median-iqr or last-std (last value as the level)',
        'mean-std',
      )
      .option(
        '--length-power <x>',
        'pick series in proportion to (crop positions)^x: 1 = every crop alike, 0 = every series alike',
        '1',
      )
      .option(
        '--downsample <p>',
        'share of training crops taken every k-th step (k = 2 … 4): coarser sampling rates',
        '0',
      )
      .option(
        '--source-weights <list>',
        'share of training windows per corpus source, e.g. sim=0.5,gps=0.35,synthetic=0.15 (default sim=0.4,gps=0.3,synthetic=0.3)',
      )
      .option(
        '--validation-source-weights <list>',
        'share of validation windows per corpus source (default: the training mix); e.g. sim=0 validates on real GPS trips and synthetic series only, whose routes the training fleet never drives',
      )
      .option(
        '--mixup <p>',
        'share of training windows that are TSMixup combinations of 2 … 3 standardised windows',
        '0',
      )
      .option(
        '--dropout <p>',
        "share of activations zeroed in training steps (each block's attention and feed-forward outputs, the quantile head's input): a regulariser against memorising the training routes; validation and forecasts never drop",
        '0',
      )
      .option(
        '--short-context <p>',
        'share of training windows whose context is cut to a random shorter length (left padding)',
        '0',
      )
      .option(
        '--loss <aggregation>',
        "pinball loss over a step's windows: mean, or geometric (geometric mean of the windows' losses, as benchmarks score)",
        'mean',
      )
      .option('--loss-epsilon <e>', 'ε of the geometric aggregation (scaled units)', '0.02')
      .option(
        '--loss-naive-epsilon <r>',
        "adds r × each window's persistence (last value) loss to its ε: the geometric loss then weighs a window by how far it beats persistence, as benchmarks' ratios to naive do",
        '0',
      )
      .option(
        '--loss-naive-seasons <list>',
        "seasonal periods in steps (e.g. 7,12,24,48,52,96,168): a window's naive in --loss-naive-epsilon is the best of persistence and the seasonal naives of these periods, as benchmarks score each series against naive with its own season (default persistence only)",
      ),
  )
    .option(
      '--no-level-blend',
      "do not fit the best checkpoint's level blend (forecast-blend.json, see `fleetfm calibrate-forecast`) on the corpus' validation split after training",
    )
    .action((flags: TrainFlags) => train(flags));
}

async function train(flags: TrainFlags): Promise<void> {
  const config = loadConfig();
  const defaultCorpus = path.join(config.dataDir, 'corpus');
  const corpusDir = path.resolve(flags.corpus ?? defaultCorpus);
  if (!fs.existsSync(path.join(corpusDir, 'manifest.json'))) {
    if (flags.corpus) {
      throw new NotFoundError(
        `no corpus at ${corpusDir} (manifest.json missing); build one with: fleetfm corpus build --out ${flags.corpus}`,
      );
    }
    console.log(`no corpus at ${corpusDir}: building it first`);
    await buildCorpusWithReport(corpusOptions(flags, corpusDir, config));
  }
  const model: PatchModelArgs = {
    dModel: num('d-model', flags.dModel),
    ffnDim: num('ffn', flags.ffn),
    numHeads: num('heads', flags.heads),
    numLayers: num('layers', flags.layers),
  };
  // A resumed run keeps writing where it was (the folder above last/ if given last/ itself).
  const resumeOut =
    flags.resume && path.basename(path.resolve(flags.resume)) === 'last'
      ? path.dirname(path.resolve(flags.resume))
      : flags.resume;
  const outDir = path.resolve(
    flags.out ?? resumeOut ?? path.join(config.dataDir, 'models', 'pretrain'),
  );
  const steps = num('steps', flags.steps);
  const args = {
    augment: {
      downsample: num('downsample', flags.downsample, false),
      mixup: num('mixup', flags.mixup, false),
      shortContext: num('short-context', flags.shortContext, false),
    },
    batch: num('batch', flags.batch),
    command: `fleetfm ${process.argv.slice(2).join(' ')}`,
    corpusDir,
    dropout: num('dropout', flags.dropout, false),
    evalEvery: num('eval-every', flags.evalEvery),
    lengthPower: num('length-power', flags.lengthPower, false),
    lossAggregation: flags.loss as LossAggregation,
    lossEpsilon: num('loss-epsilon', flags.lossEpsilon, false),
    lossNaiveEpsilon: num('loss-naive-epsilon', flags.lossNaiveEpsilon, false),
    lossNaiveSeasons: parsePeriods(flags.lossNaiveSeasons, 'loss-naive-seasons'),
    lr: num('lr', flags.lr, false),
    maxMinutes:
      flags.maxMinutes === undefined ? undefined : num('max-minutes', flags.maxMinutes, false),
    model,
    outDir,
    patience: num('patience', flags.patience),
    init: flags.init ? path.resolve(flags.init) : undefined,
    growLayers: flags.growLayers === undefined ? undefined : num('grow-layers', flags.growLayers),
    resume: flags.resume ? path.resolve(flags.resume) : undefined,
    scaling: flags.scaling as ScalingMethod,
    seed: num('seed', flags.seed),
    sourceWeights: parseSourceWeights(flags.sourceWeights),
    validationSourceWeights: parseSourceWeights(
      flags.validationSourceWeights,
      'validation-source-weights',
    ),
    steps,
    workers: num('workers', flags.workers),
  };
  resolvePretrainArgs(args); // bad arguments fail here, before the progress bar is drawn
  const bars = new MultiBar(
    {
      format:
        'train |{bar}| {value}/{total} | loss {loss} | val {val} | {sps} steps/s, {tps} time steps/s | ETA {eta_formatted}',
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: 15_000,
    },
    Presets.shades_classic,
  );
  // MultiBar.log only flushes on the next redraw; without a terminal, plain lines are better.
  const say = (text: string): void =>
    process.stderr.isTTY ? bars.log(`${text}\n`) : console.log(text);
  // Created at the start event so that a resumed run's ETA counts from its first step.
  let bar: ReturnType<MultiBar['create']> | undefined;
  const result = await runPretraining(args, {
    onEval: (e) => {
      bar?.update({ val: e.valLoss.toFixed(4) });
      say(
        `step ${e.step}: validation loss ${e.valLoss.toFixed(4)}${e.improved ? ' (best, saved)' : ` (best ${e.bestValLoss.toFixed(4)})`}`,
      );
    },
    onStart: (e) => {
      bar = bars.create(steps, e.startStep, { loss: '-', sps: '-', tps: '-', val: '-' });
      say(
        `training ${e.parameters.toLocaleString('en-US')} parameters on ${e.workers} worker(s); ` +
          `${e.trainSeries} train / ${e.validationSeries} ${e.validationFrom} series; from step ${e.startStep}`,
      );
    },
    onStep: (e) =>
      bar?.update(e.step, {
        loss: e.loss.toFixed(4),
        sps: e.stepsPerSec.toFixed(2),
        tps: Math.round(e.timeStepsPerSec).toLocaleString('en-US'),
      }),
  }).finally(() => bars.stop());
  console.log(
    `done (${result.stoppedBy}) after ${result.stepsDone} steps in ${(result.elapsedS / 60).toFixed(1)} min: ` +
      `best validation loss ${result.bestValLoss.toFixed(4)} at step ${result.bestStep}, ` +
      `${Math.round(result.timeStepsPerSec).toLocaleString('en-US')} time steps/s; replicas agree (${result.checksums.join(', ')})\n` +
      `best checkpoint: ${result.outDir}; resume with --resume ${result.outDir}`,
  );
  const backend = await selectBackend();
  const q = await evaluateCheckpointQuality({ checkpointDir: outDir, corpusDir, record: true });
  console.log(
    `forecast quality of the best checkpoint on ${q.windows} validation windows (${backend.backend}): ` +
      `MASE ${q.mase.toFixed(3)} vs naive ${q.naiveMase.toFixed(3)}, seasonal naive ${q.seasonalNaiveMase.toFixed(3)}; ` +
      `${(100 * q.coverage).toFixed(1)}% of values inside the ${q.band[0]}–${q.band[1]} band`,
  );
  if (flags.levelBlend === false) return;
  try {
    const blend = await fitCheckpointLevelBlend({ checkpointDir: outDir, corpusDir });
    const kept = blend.fits.filter((f) => f.window !== undefined).length;
    console.log(
      `level blend fitted on validation windows${blend.heldOutRoutes ? ` (simulated signals on the held-out routes of ${blend.heldOutRoutes.vehicles.join(', ')})` : ''}: ${kept} of ${blend.fits.length} (signal, roughness) groups lean to the last value or a recent median; ${blend.file ?? ''}`,
    );
  } catch (err) {
    // A corpus too small for a validation split trains on crops of train; it has nothing held
    // out to fit the blend on, and the checkpoint forecasts with the network alone.
    if (!(err instanceof EmptySplitError)) throw err;
    console.log(`no level blend fitted (${err.message}): forecasts use the network alone`);
  }
}
