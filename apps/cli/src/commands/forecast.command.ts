import * as fs from 'node:fs';
import * as path from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import { loadConfig } from '@fleetfm/config';
import { InvalidRequestError } from '@fleetfm/domain';
import {
  fillMissingSteps,
  type FilledTable,
  forecastCsvLayout,
  readCsvSeriesFile,
  type CsvSeriesTable,
  type FrequencyReport,
  writeCsv,
} from '@fleetfm/datasets';
import {
  ForecastingService,
  loadModelDir,
  PatchForecastAdapter,
  type ForecastSummary,
  type LoadedModel,
} from '@fleetfm/forecasting';
import { selectBackend } from '@fleetfm/model';
import { forecasterFor, methodsNote, parseMethodOption, withMethodColumn } from './method-choice';

/** What the CSV commands share: where the model is, how to talk to the user. */
export interface CommandContext {
  /** Checkpoint folder (`--model`, else FLEETFM_MODEL_DIR, else models/default). */
  readonly modelDir: string;
  /** Progress bars on stderr. Default: when stderr is a terminal. */
  readonly progress?: boolean;
  readonly log?: (line: string) => void;
}

export interface ForecastCommandOptions {
  readonly input: string;
  readonly output: string;
  readonly timeColumn?: string;
  readonly columns?: string;
  readonly horizon: string;
  readonly context: string;
  readonly rolling?: boolean;
  readonly stride?: string;
  readonly quantiles?: string;
  readonly batchSize?: string;
  readonly model?: string;
  /** `auto` (default) or `model` (see `method-choice.ts`). */
  readonly method?: string;
}

export function parseIntOption(name: string, text: string | undefined, fallback?: number): number {
  if (text === undefined) {
    if (fallback === undefined) throw new InvalidRequestError(`--${name} is required`);
    return fallback;
  }
  const v = Number(text);
  if (!Number.isInteger(v) || v < 1) {
    throw new InvalidRequestError(`--${name} must be a positive integer, got "${text}"`);
  }
  return v;
}

export function parseList(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return items.length > 0 ? items : undefined;
}

/** Quantile levels in ascending order, each once (the CSV's q columns follow this order). */
export function parseQuantiles(text: string | undefined): number[] | undefined {
  const levels = parseList(text)?.map((s) => {
    const v = Number(s);
    if (!(v > 0 && v < 1)) {
      throw new InvalidRequestError(`--quantiles: each level must be in (0, 1), got "${s}"`);
    }
    return v;
  });
  return levels && [...new Set(levels)].sort((a, b) => a - b);
}

/**
 * The input CSV of a command: the requested columns, rows sorted by time when they are not (with
 * a note naming the first row out of order).
 */
export async function readInput(
  opts: { readonly input: string; readonly columns?: string; readonly timeColumn?: string },
  ctx: CommandContext,
): Promise<CsvSeriesTable> {
  const table = await readCsvSeriesFile(opts.input, {
    columns: parseList(opts.columns),
    sortByTime: true,
    timeColumn: opts.timeColumn,
  });
  if (table.reordered) {
    const { rows, firstLine } = table.reordered;
    ctx.log?.(
      `note: ${rows} row${rows === 1 ? ' was' : 's were'} out of time order (the first: file row ${firstLine}); rows sorted by "${table.time.column}"`,
    );
  }
  return table;
}

/**
 * `readInput` on the input's regular time grid: skipped time steps become rows of gaps (see
 * `fillMissingSteps`), with a note saying how many and where, or why they were not filled.
 */
export async function readGridInput(
  opts: Parameters<typeof readInput>[0],
  ctx: CommandContext,
): Promise<FilledTable> {
  const filled = fillMissingSteps(await readInput(opts, ctx));
  if (filled.inserted > 0) {
    ctx.log?.(
      `note: ${filled.inserted} missing time step${filled.inserted === 1 ? '' : 's'} (${filled.runs} run${filled.runs === 1 ? '' : 's'}, the first after file row ${filled.firstAfterLine}) read as gaps`,
    );
  }
  if (filled.notFilled !== undefined) ctx.log?.(`note: irregular time steps: ${filled.notFilled}`);
  return filled;
}

/** Picks the tfjs backend, then loads the checkpoint (clear error when there is none). */
export async function openModel(modelDir: string): Promise<LoadedModel> {
  await selectBackend();
  return loadModelDir(path.resolve(modelDir));
}

/** Where progress goes when stderr is not a terminal (a script, CI, a log file). */
export interface ProgressLines {
  readonly log: (line: string) => void;
  /** At most one line per this many ms. Default 15,000. */
  readonly everyMs?: number;
  readonly now?: () => number;
}

/**
 * A progress bar on stderr. Disabled (stderr is not a terminal), it writes a plain line such as
 * `forecast: 1200/5000 (24 %), about 40 s left` at most every 15 s to `lines.log` when given, so a
 * long run in a script is not silent; none for runs shorter than that.
 */
export function progressBar(
  enabled: boolean,
  label: string,
  lines?: ProgressLines,
): { update(done: number, total: number): void; stop(): void } {
  if (!enabled) {
    if (!lines) return { stop: () => undefined, update: () => undefined };
    const now = lines.now ?? Date.now;
    const every = lines.everyMs ?? 15_000;
    const start = now();
    let last = start;
    return {
      stop: () => undefined,
      update: (done, total) => {
        const t = now();
        if (t - last < every || done >= total || done <= 0) return;
        last = t;
        const left = Math.round((((t - start) / done) * (total - done)) / 1000);
        const pct = Math.floor((100 * done) / total);
        lines.log(`${label}: ${done}/${total} (${pct} %), about ${left} s left`);
      },
    };
  }
  const bar = new SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total} | eta {eta_formatted}` },
    Presets.shades_classic,
  );
  let started = false;
  return {
    stop: () => started && bar.stop(),
    update: (done, total) => {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.setTotal(total);
      bar.update(done);
    },
  };
}

export function defaultContext(model?: string): CommandContext {
  return {
    log: (line) => console.error(line),
    modelDir: model ?? loadConfig().modelDir,
    progress: process.stderr.isTTY === true,
  };
}

/** `fleetfm forecast`: zero-shot forecasts of CSV columns, written as a CSV. */
export async function runForecastCommand(
  opts: ForecastCommandOptions,
  ctx: CommandContext,
): Promise<ForecastSummary> {
  const horizon = parseIntOption('horizon', opts.horizon);
  const context = parseIntOption('context', opts.context);
  const stride = parseIntOption('stride', opts.stride, 1);
  if (opts.stride !== undefined && !opts.rolling) {
    ctx.log?.('note: --stride only applies with --rolling; forecasting once from the end');
  }
  const quantiles = parseQuantiles(opts.quantiles);
  const method = parseMethodOption(opts.method);
  const { table } = await readGridInput(opts, ctx);
  const loaded = await openModel(opts.model ?? ctx.modelDir);
  try {
    const service = new ForecastingService(
      forecasterFor(
        method,
        new PatchForecastAdapter(loaded.model, loaded.manifest.tokenizer, loaded.levelBlend),
      ),
    );
    const request = {
      batchSize: parseIntOption('batch-size', opts.batchSize, 64),
      context,
      horizon,
      quantiles,
      rolling: opts.rolling ? { stride } : undefined,
    };
    const { levels } = service.check(table, request);
    if (context > loaded.model.config.contextLength) {
      ctx.log?.(
        `note: the model reads at most ${loaded.model.config.contextLength} steps; only the last ${loaded.model.config.contextLength} of each ${context}-row context are used`,
      );
    }
    const bar = progressBar(ctx.progress ?? false, 'forecast', ctx.log && { log: ctx.log });
    let summary: ForecastSummary | undefined;
    try {
      await writeCsv(
        opts.output,
        withMethodColumn(forecastCsvLayout(levels), method),
        service.forecast(table, { ...request, onProgress: bar.update }, (s) => (summary = s)),
      );
    } catch (error) {
      // No truncated forecast file left behind for a script to pick up as if it were complete.
      if (fs.lstatSync(opts.output, { throwIfNoEntry: false })?.isFile()) fs.rmSync(opts.output);
      throw error;
    } finally {
      bar.stop();
    }
    const s = summary as ForecastSummary;
    const methods = methodsNote(s);
    if (methods) ctx.log?.(methods);
    if (s.empty.length > 0) {
      ctx.log?.(`note: left out, no values at all: ${listNames(s.empty)}`);
    }
    if (s.endEarly.length > 0) {
      const one = s.endEarly.length === 1;
      ctx.log?.(
        `note: ${s.endEarly.length} column${one ? ' ends' : 's end'} before the last row; ` +
          `${one ? 'it is' : 'each is'} forecast from its own last value: ${listNames(s.endEarly)}`,
      );
    }
    ctx.log?.(
      `${s.forecasts} forecasts (${s.origins} origin${s.origins === 1 ? '' : 's'} × ${table.series.length - s.empty.length} series` +
        `${s.skipped ? `, ${s.skipped} skipped: context all gaps` : ''}) × ${horizon} steps → ${opts.output}` +
        ` (step ${describeStep(table.frequency)}${table.frequency.regular ? '' : `, ${table.frequency.irregularCount} irregular steps in the input`})`,
    );
    return s;
  } finally {
    loaded.model.dispose();
  }
}

/** `1 month`, `3600 s`, or the step in the time column's own unit. */
function describeStep(f: FrequencyReport): string {
  if (f.months !== null) return `${f.months} month${f.months === 1 ? '' : 's'}`;
  return f.stepSeconds === null ? String(f.step) : `${f.stepSeconds} s`;
}

/** At most 10 names, then how many more. */
function listNames(names: readonly string[]): string {
  const shown = names.slice(0, 10).join(', ');
  return names.length > 10 ? `${shown} and ${names.length - 10} more` : shown;
}

export function registerForecastCommand(program: Command): void {
  program
    .command('forecast')
    .description('zero-shot probabilistic forecasts of CSV columns with the FleetFM model')
    .requiredOption('--input <file>', 'CSV with a header row')
    .requiredOption('--output <file>', 'forecast CSV: origin, series, step, time, mean, q…')
    .option('--time-column <name>', 'time column (ISO, epoch s/ms or numbers); default row index')
    .option('--columns <a,b>', 'columns to forecast; default every column but the time column')
    .requiredOption('--horizon <steps>', 'steps to forecast')
    .requiredOption('--context <rows>', 'rows of history each forecast conditions on')
    .option('--rolling', 'forecast from every --stride rows of the history (backtest)')
    .option('--stride <rows>', 'rows between rolling origins (default 1)')
    .option('--quantiles <levels>', "quantile levels, e.g. 0.1,0.5,0.9; default the model's")
    .option('--batch-size <n>', 'contexts per model call', '64')
    .option('--model <dir>', 'checkpoint folder; default FLEETFM_MODEL_DIR (models/default)')
    .option(
      '--method <method>',
      "auto (default): where the time step has a season (hourly 24, daily 7, monthly 12, ...), per series and origin the model or MSTL, whichever forecast the context's own last min(horizon, context/4) values better, else the model (some 25-35 ms more per seasonal series and origin at context 512; a method column says which); model: the model alone",
    )
    .action(async (opts: ForecastCommandOptions) => {
      await runForecastCommand(opts, defaultContext(opts.model));
    });
}
