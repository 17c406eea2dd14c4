import * as path from 'node:path';
import type { Command } from 'commander';
import { InvalidRequestError } from '@fleetfm/domain';
import {
  embeddingCsvLayout,
  formatTime,
  timeUnitSeconds,
  type EmbeddingRow,
  type TimeKind,
  writeCsv,
  writeEmbeddingsArrow,
} from '@fleetfm/datasets';
import {
  DriverStyleService,
  EMBEDDING_KINDS,
  embeddersForCheckpoint,
  EmbeddingService,
  type EmbeddingKind,
} from '@fleetfm/retrieval';
import {
  defaultContext,
  openModel,
  parseIntOption,
  progressBar,
  readGridInput,
  readInput,
  type CommandContext,
} from './forecast.command';

export interface EmbedCommandOptions {
  readonly input: string;
  readonly output: string;
  readonly timeColumn?: string;
  readonly columns?: string;
  readonly window: string;
  readonly stride?: string;
  readonly combine?: boolean;
  readonly batchSize?: string;
  readonly model?: string;
  readonly kind?: string;
  readonly rateHz?: string;
}

/** The kind flag, checked (default scenario). */
export function embeddingKindOf(text: string | undefined): EmbeddingKind {
  const kind = (text ?? 'scenario') as EmbeddingKind;
  if (!EMBEDDING_KINDS.includes(kind)) {
    throw new InvalidRequestError(
      `--kind must be one of ${EMBEDDING_KINDS.join(', ')}, got '${text}'`,
    );
  }
  return kind;
}

/**
 * Rows per second for the driver-style statistics: --rate-hz, else from the time column's
 * median step (instants, or plain numbers read as seconds).
 */
export function rateHzOf(
  flag: string | undefined,
  time: { readonly kind: TimeKind; readonly values: ArrayLike<number> },
): number {
  if (flag !== undefined) {
    const v = Number(flag);
    if (flag.trim() === '' || !(v > 0) || !Number.isFinite(v)) {
      throw new InvalidRequestError(`--rate-hz must be a positive number, got '${flag}'`);
    }
    return v;
  }
  const unit = time.kind === 'number' ? 1 : timeUnitSeconds(time.kind);
  const steps: number[] = [];
  for (let i = 1; i < time.values.length; i++) {
    const d = time.values[i] - time.values[i - 1];
    if (d > 0 && Number.isFinite(d)) steps.push(d);
  }
  if (unit === null || steps.length === 0) {
    throw new InvalidRequestError(
      '--kind driver-style needs the sampling rate: pass --rate-hz or a --time-column',
    );
  }
  steps.sort((a, b) => a - b);
  return 1 / (steps[steps.length >> 1] * unit);
}

/** `fleetfm embed`: one embedding per window, to Arrow IPC (`.arrow`) or CSV (`.csv`). */
export async function runEmbedCommand(
  opts: EmbedCommandOptions,
  ctx: CommandContext,
): Promise<{ rows: number; dim: number }> {
  const ext = path.extname(opts.output).toLowerCase();
  if (ext !== '.arrow' && ext !== '.csv') {
    throw new InvalidRequestError(`--output must end in .arrow or .csv, got ${opts.output}`);
  }
  const kind = embeddingKindOf(opts.kind);
  const window = parseIntOption('window', opts.window);
  const stride = parseIntOption('stride', opts.stride, window);
  // Scenario windows are taken on the regular time grid (a skipped step is a gap inside the
  // window); driver-style statistics read the rows as they come.
  const table =
    kind === 'scenario' ? (await readGridInput(opts, ctx)).table : await readInput(opts, ctx);
  const rateHz = kind === 'driver-style' ? rateHzOf(opts.rateHz, table.time) : 0;
  const loaded = await openModel(opts.model ?? ctx.modelDir);
  let disposeHead = (): void => undefined;
  try {
    const c = loaded.model.config;
    if (kind === 'scenario' && window > c.contextLength) {
      ctx.log?.(
        `note: the model reads at most ${c.contextLength} steps; each ${window}-row window is embedded from its last ${c.contextLength} rows`,
      );
    }
    const embedders = embeddersForCheckpoint(loaded.model, loaded.manifest.tokenizer, loaded.dir);
    disposeHead = () => embedders.dispose();
    ctx.log?.(embedders.notes[kind]);
    const bar = progressBar(ctx.progress ?? false, 'embed', ctx.log && { log: ctx.log });
    const input = { series: table.series, time: table.time.values };
    let rows: EmbeddingRow[];
    if (kind === 'driver-style') {
      rows = await new DriverStyleService(embedders.driverStyle)
        .embed(input, { onProgress: bar.update, rateHz, stride, window })
        .finally(() => bar.stop());
    } else {
      rows = await new EmbeddingService(embedders.scenario)
        .embed(input, {
          batchSize: parseIntOption('batch-size', opts.batchSize, 64),
          combine: opts.combine,
          onProgress: bar.update,
          stride,
          window,
        })
        .finally(() => bar.stop());
    }
    const dim = rows[0]?.embedding.length ?? 0;
    if (rows.length === 0) throw new InvalidRequestError('every window is empty (all gaps)');
    if (ext === '.arrow') writeEmbeddingsArrow(opts.output, rows, table.time.kind);
    else {
      const { kind: timeKind, isoStyle } = table.time;
      await writeCsv(
        opts.output,
        embeddingCsvLayout(dim, (t) => formatTime(t, timeKind, isoStyle)),
        rows,
      );
    }
    ctx.log?.(`${rows.length} embeddings of dimension ${dim} → ${opts.output}`);
    return { dim, rows: rows.length };
  } finally {
    disposeHead();
    loaded.model.dispose();
  }
}

export function registerEmbedCommand(program: Command): void {
  program
    .command('embed')
    .description(
      'window embeddings of CSV columns: --kind scenario (default; one per window of each column, the pooled embedding head) or --kind driver-style (one per window of all columns together: speed_mps, pedal_pct, brake_pct[, accel_mps2])',
    )
    .requiredOption('--input <file>', 'CSV with a header row')
    .requiredOption('--output <file>', 'emb.arrow (Arrow IPC file) or emb.csv')
    .option('--time-column <name>', 'time column; default row index')
    .option('--columns <a,b>', 'columns to embed; default every column but the time column')
    .requiredOption('--window <rows>', 'rows per window')
    .option('--stride <rows>', 'rows between window starts; default --window')
    .option('--combine', "one embedding per window: the columns' embeddings averaged")
    .option('--batch-size <n>', 'windows per model call', '64')
    .option('--kind <kind>', 'scenario (default) or driver-style', 'scenario')
    .option(
      '--rate-hz <x>',
      'driver-style: rows per second; default from --time-column (plain numbers = seconds)',
    )
    .option('--model <dir>', 'checkpoint folder; default FLEETFM_MODEL_DIR (models/default)')
    .action(async (opts: EmbedCommandOptions) => {
      await runEmbedCommand(opts, defaultContext(opts.model));
    });
}
