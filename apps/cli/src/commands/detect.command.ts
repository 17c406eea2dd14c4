import type { Command } from 'commander';
import { AnomalyDetectionService, readDetectorCalibration } from '@fleetfm/anomaly';
import { InvalidRequestError } from '@fleetfm/domain';
import { DETECT_CSV_LAYOUT, formatTime, writeCsv, type DetectRow } from '@fleetfm/datasets';
import { PatchForecastAdapter } from '@fleetfm/forecasting';
import {
  defaultContext,
  openModel,
  parseIntOption,
  progressBar,
  readGridInput,
  type CommandContext,
} from './forecast.command';

export interface DetectCommandOptions {
  readonly input: string;
  readonly output: string;
  readonly timeColumn?: string;
  readonly columns?: string;
  readonly threshold?: string;
  readonly context?: string;
  readonly stride?: string;
  readonly minContext?: string;
  readonly batchSize?: string;
  readonly model?: string;
}

export interface DetectCommandSummary {
  readonly rows: number;
  readonly flagged: number;
  readonly unscored: number;
  readonly calibration: 'checkpoint' | 'input';
}

/** `fleetfm detect`: per-row anomaly scores in [0, 1] and flags, written as a CSV. */
export async function runDetectCommand(
  opts: DetectCommandOptions,
  ctx: CommandContext,
): Promise<DetectCommandSummary> {
  const threshold = opts.threshold === undefined ? undefined : Number(opts.threshold);
  if (threshold !== undefined && !(threshold > 0 && threshold <= 1)) {
    throw new InvalidRequestError(`--threshold must be in (0, 1], got "${opts.threshold}"`);
  }
  // Scored on the regular time grid (a skipped step is a gap, not two sides joined); the
  // output has the input's rows only.
  const filled = await readGridInput(opts, ctx);
  const table = filled.table;
  const inputRows = filled.rowOf ?? Int32Array.from({ length: table.rowCount }, (_, t) => t);
  const loaded = await openModel(opts.model ?? ctx.modelDir);
  try {
    const c = loaded.model.config;
    const service = new AnomalyDetectionService(
      // The network alone (no level blend): the forecast-surprise calibration was fitted on it.
      new PatchForecastAdapter(loaded.model, loaded.manifest.tokenizer),
      loaded.manifest.calibrator,
      // Calibration of the model-free detectors, a sidecar of the checkpoint when it has one.
      readDetectorCalibration(loaded.dir),
    );
    const bar = progressBar(ctx.progress ?? false, 'detect', ctx.log && { log: ctx.log });
    const result = await service
      .detect(table.series, {
        batchSize: parseIntOption('batch-size', opts.batchSize, 64),
        context: parseIntOption('context', opts.context, c.contextLength),
        minContext: parseIntOption('min-context', opts.minContext, c.patchLength),
        onProgress: bar.update,
        stride: parseIntOption('stride', opts.stride, 1),
        threshold,
      })
      .finally(() => bar.stop());
    let flagged = 0;
    let unscored = 0;
    function* rows(): Generator<DetectRow> {
      for (let s = 0; s < result.series.length; s++) {
        const { name, scores, flags } = result.series[s];
        const values = table.series[s].values;
        for (const t of inputRows) {
          if (Number.isNaN(scores[t])) unscored++;
          flagged += flags[t];
          yield {
            flag: flags[t] === 1,
            score: scores[t],
            series: name,
            time: formatTime(table.time.values[t], table.time.kind, table.time.isoStyle),
            value: values[t],
          };
        }
      }
    }
    const written = await writeCsv(opts.output, DETECT_CSV_LAYOUT, rows());
    ctx.log?.(
      `${written} rows scored → ${opts.output}: ${flagged} flagged at score ≥ ${result.threshold}; ` +
        `${unscored} without a score (missing value, or fewer than the minimum context rows before them); ` +
        (result.calibration === 'checkpoint'
          ? 'calibrated on normal data at training time'
          : 'the checkpoint has no calibrator, so scores rank rows within this input'),
    );
    return { calibration: result.calibration, flagged, rows: written, unscored };
  } finally {
    loaded.model.dispose();
  }
}

export function registerDetectCommand(program: Command): void {
  program
    .command('detect')
    .description('anomaly scores (calibrated forecast surprise) for every row of CSV columns')
    .requiredOption('--input <file>', 'CSV with a header row')
    .requiredOption('--output <file>', 'scores CSV: time, series, value, score, flag')
    .option('--time-column <name>', 'time column; default row index')
    .option('--columns <a,b>', 'columns to score; default every column but the time column')
    .option('--threshold <p>', "flag rows scoring at least p in (0, 1]; default the model's (0.99)")
    .option('--context <rows>', "history per forecast; default the model's context length")
    .option('--stride <rows>', 'rows scored per forecast (1 = one-step-ahead, sharpest)', '1')
    .option('--min-context <rows>', "rows before this are unscored; default the model's patch")
    .option('--batch-size <n>', 'contexts per model call', '64')
    .option('--model <dir>', 'checkpoint folder; default FLEETFM_MODEL_DIR (models/default)')
    .action(async (opts: DetectCommandOptions) => {
      await runDetectCommand(opts, defaultContext(opts.model));
    });
}
