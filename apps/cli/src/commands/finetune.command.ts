import * as path from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { loadConfig } from '@fleetfm/config';
import { ValidationError } from '@fleetfm/domain';
import {
  DEFAULT_STYLE_LOSS_WEIGHTS,
  resolveFinetuneArgs,
  runFinetune,
  selectBackend,
  type FinetuneArgs,
  type FinetuneResult,
  type StyleLossParts,
  type StyleLossWeights,
} from '@fleetfm/model';
import { parseNamedWeights } from './named-weights';

export interface FinetuneFlags {
  readonly model?: string;
  readonly out: string;
  readonly steps?: string;
  readonly batch?: string;
  readonly windows?: string;
  readonly lr?: string;
  readonly seed?: string;
  readonly maxMinutes?: string;
  readonly drivers?: string;
  readonly trips?: string;
  readonly forecastBatch?: string;
  readonly qualityWindows?: string;
  readonly trainable?: string;
  readonly segmentWindows?: string;
  readonly styleHidden?: string;
  readonly styleDim?: string;
  readonly crops?: string;
  readonly temperature?: string;
  readonly lossWeights?: string;
}

function num(flag: string, text: string | undefined, integer = true): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
    throw new ValidationError(
      `--${flag} must be ${integer ? 'an integer' : 'a number'}, got '${text}'`,
    );
  }
  return v;
}

const LOSS_TERMS: readonly (keyof StyleLossWeights)[] = ['driver', 'views', 'scenario', 'forecast'];

/** `--loss-weights driver=0,scenario=1` → the default weights with those terms replaced. */
function lossWeightsOf(flags: FinetuneFlags): StyleLossWeights | undefined {
  if (flags.lossWeights === undefined) return undefined;
  if (flags.trainable === 'segment-style') {
    throw new ValidationError(
      '--loss-weights: segment-style trains driver SupCon + InfoNCE with fixed weights; the flag is for all, embedding-head and style-head',
    );
  }
  return {
    ...DEFAULT_STYLE_LOSS_WEIGHTS,
    ...parseNamedWeights(flags.lossWeights, LOSS_TERMS, 'loss-weights', 'loss term'),
  };
}

/** Command-line flags -> job arguments (undefined = the job's default). */
export function finetuneArgsOf(
  flags: FinetuneFlags,
  config: { readonly modelDir: string; readonly sharedDataDir?: string },
): Partial<FinetuneArgs> & Pick<FinetuneArgs, 'modelDir' | 'outDir'> {
  return {
    batchDrivers: num('batch', flags.batch),
    dataDir: config.sharedDataDir,
    forecastBatch: num('forecast-batch', flags.forecastBatch),
    lr: num('lr', flags.lr, false),
    maxMinutes: num('max-minutes', flags.maxMinutes, false),
    modelDir: path.resolve(flags.model ?? config.modelDir),
    outDir: path.resolve(flags.out),
    qualityWindows: num('quality-windows', flags.qualityWindows),
    seed: num('seed', flags.seed),
    segmentCrops: num('crops', flags.crops),
    segmentWindows: num('segment-windows', flags.segmentWindows),
    steps: num('steps', flags.steps),
    styleDim: num('style-dim', flags.styleDim),
    styleHidden: num('style-hidden', flags.styleHidden),
    temperature: num('temperature', flags.temperature, false),
    trainDrivers: num('drivers', flags.drivers),
    trainable: flags.trainable as FinetuneArgs['trainable'] | undefined,
    weights: lossWeightsOf(flags),
    tripsPerDriver: num('trips', flags.trips),
    windowsPerDriver: num('windows', flags.windows),
  };
}

const fmt = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : '-');
const partsText = (p: StyleLossParts): string =>
  `total ${fmt(p.total)} (driver ${fmt(p.driver)}, views ${fmt(p.views)}, scenario ${fmt(p.scenario)}, forecast ${fmt(p.forecast)})`;

/** `fleetfm finetune`: the driver-style contrastive stage on top of a pretrained checkpoint. */
export async function runFinetuneCommand(
  args: Partial<FinetuneArgs> & Pick<FinetuneArgs, 'modelDir' | 'outDir'>,
  options: { readonly progress: boolean; readonly log: (line: string) => void; command?: string },
): Promise<FinetuneResult> {
  resolveFinetuneArgs(args); // bad arguments fail before the progress bar is drawn
  const backend = await selectBackend();
  options.log(`backend ${backend.backend}; fine-tuning ${args.modelDir} -> ${args.outDir}`);
  let bar: SingleBar | undefined;
  let stage = '';
  const result = await runFinetune(args, {
    command: options.command,
    onProgress: (done, total, parts) => {
      if (!options.progress) {
        if (parts && (done % 10 === 0 || done === total)) {
          options.log(`step ${done}/${total}: ${partsText(parts)}`);
        }
        return;
      }
      if (!bar) {
        bar = new SingleBar(
          {
            format: `${stage.padEnd(12).slice(0, 12)} |{bar}| {value}/{total} | {loss} | ETA {eta_formatted}`,
            hideCursor: true,
          },
          Presets.shades_classic,
        );
        bar.start(total, 0, { loss: '' });
      }
      bar.update(done, { loss: parts ? partsText(parts) : '' });
    },
    onStage: (s) => {
      bar?.stop();
      bar = undefined;
      stage = s;
      options.log(`finetune: ${s}…`);
    },
  }).finally(() => bar?.stop());
  options.log(
    `done (${result.stoppedBy}) after ${result.steps} steps in ${(result.elapsedS / 60).toFixed(1)} min\n` +
      `  first tenth: ${partsText(result.first)}\n  last tenth:  ${partsText(result.last)}\n` +
      `  forecast batches: ${result.forecastSource}\n  checkpoint: ${result.outDir}`,
  );
  if (result.quality) {
    const { before, after } = result.quality;
    options.log(
      `forecast MASE on ${after.windows} validation windows: before ${before.mase.toFixed(4)}, after ${after.mase.toFixed(4)} ` +
        `(${(100 * (after.mase / before.mase - 1)).toFixed(2)}%)`,
    );
  }
  return result;
}

export function registerFinetuneCommand(program: Command): void {
  program
    .command('finetune')
    .description(
      'second stage: teach the embedding driver style and scenario (supervised contrastive + InfoNCE on simulated training drivers, forecast batches as a regulariser)',
    )
    .option('--model <dir>', 'checkpoint to start from; default FLEETFM_MODEL_DIR (models/default)')
    .requiredOption(
      '--out <dir>',
      'folder for the fine-tuned checkpoint (not the --model folder, except with --trainable style-head or segment-style)',
    )
    .option('--steps <n>', 'optimisation steps (default 400)')
    .option('--batch <n>', 'drivers per batch (default 12)')
    .option('--windows <n>', 'windows per driver in a batch, from different trips (default 2)')
    .option('--lr <x>', 'peak learning rate (default 3e-4)')
    .option('--seed <n>', 'seed of the training fleet and batches (default 7)')
    .option('--max-minutes <x>', 'stop after this long and write the checkpoint (default 15)')
    .option('--drivers <n>', 'simulated training drivers, ft-drv-* (default 160)')
    .option('--trips <n>', 'trips per training driver (default 4)')
    .option(
      '--forecast-batch <n>',
      'forecast windows mixed into each step; 0 disables (default 32)',
    )
    .option(
      '--quality-windows <n>',
      'validation windows for MASE before/after; 0 skips (default 512)',
    )
    .option(
      '--trainable <what>',
      "'all' (encoder too, forecast batches as regulariser), 'embedding-head' (encoder frozen, forecasts unchanged, head trained on evaluation-style segment embeddings), 'style-head' (encoder frozen, weights untouched: a scale-aware style head on raw-window statistics + pooled encoder states, written as style-head.json) or 'segment-style' (no model weights: a driver-style head on cross-channel statistics of whole 10-minute segments, written as segment-style-head.json); the last two may use --out equal to --model to add only their file; default all",
    )
    .option(
      '--segment-windows <n>',
      'embedding-head / style-head mode: windows per training segment, aggregated like the evaluation (default 11)',
    )
    .option('--style-hidden <n>', 'style-head mode: hidden units of the head (default 128)')
    .option('--style-dim <n>', 'style-head mode: embedding size per channel (default 32)')
    .option('--temperature <x>', 'contrastive temperature (default 0.1)')
    .option(
      '--loss-weights <list>',
      "weights of the loss terms, e.g. 'driver=0,views=0.5,scenario=1' for a scenario-only embedding; unnamed terms keep their defaults (driver 1, views 0.5, scenario 0.25, forecast 2; forecast only in mode all)",
    )
    .option('--crops <n>', 'segment-style mode: 10-minute segments per training trip (default 4)')
    .action(async (flags: FinetuneFlags) => {
      const config = loadConfig();
      await runFinetuneCommand(finetuneArgsOf(flags, config), {
        command: `fleetfm finetune ${process.argv.slice(3).join(' ')}`,
        log: (line) => console.error(line),
        progress: process.stderr.isTTY === true,
      });
    });
}
