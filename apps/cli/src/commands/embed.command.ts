import * as path from 'node:path';
import type { Command } from 'commander';
import { InvalidRequestError } from '@fleetfm/domain';
import {
  embeddingCsvLayout,
  formatTime,
  readCsvSeriesFile,
  writeCsv,
  writeEmbeddingsArrow,
} from '@fleetfm/datasets';
import { EmbeddingService, PatchEmbeddingAdapter } from '@fleetfm/retrieval';
import {
  defaultContext,
  openModel,
  parseIntOption,
  parseList,
  progressBar,
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
  const window = parseIntOption('window', opts.window);
  const stride = parseIntOption('stride', opts.stride, window);
  const table = await readCsvSeriesFile(opts.input, {
    columns: parseList(opts.columns),
    timeColumn: opts.timeColumn,
  });
  const loaded = await openModel(opts.model ?? ctx.modelDir);
  let disposeHead = (): void => undefined;
  try {
    const c = loaded.model.config;
    if (window > c.contextLength) {
      ctx.log?.(
        `note: the model reads at most ${c.contextLength} steps; each ${window}-row window is embedded from its last ${c.contextLength} rows`,
      );
    }
    const { adapter, note, styleHead } = PatchEmbeddingAdapter.forCheckpoint(
      loaded.model,
      loaded.manifest.tokenizer,
      loaded.dir,
    );
    disposeHead = () => styleHead?.dispose();
    ctx.log?.(note);
    const dim = adapter.embeddingDim;
    const service = new EmbeddingService(adapter);
    const bar = progressBar(ctx.progress ?? false, 'embed');
    const rows = await service
      .embed(
        { series: table.series, time: table.time.values },
        {
          batchSize: parseIntOption('batch-size', opts.batchSize, 64),
          combine: opts.combine,
          onProgress: bar.update,
          stride,
          window,
        },
      )
      .finally(() => bar.stop());
    if (rows.length === 0) throw new InvalidRequestError('every window is empty (all gaps)');
    if (ext === '.arrow') writeEmbeddingsArrow(opts.output, rows, table.time.kind);
    else {
      const kind = table.time.kind;
      await writeCsv(
        opts.output,
        embeddingCsvLayout(dim, (t) => formatTime(t, kind)),
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
      "window embeddings of CSV columns (the checkpoint's scale-aware style head when it has style-head.json, else the pooled embedding head)",
    )
    .requiredOption('--input <file>', 'CSV with a header row')
    .requiredOption('--output <file>', 'emb.arrow (Arrow IPC file) or emb.csv')
    .option('--time-column <name>', 'time column; default row index')
    .option('--columns <a,b>', 'columns to embed; default every column but the time column')
    .requiredOption('--window <rows>', 'rows per window')
    .option('--stride <rows>', 'rows between window starts; default --window')
    .option('--combine', "one embedding per window: the columns' embeddings averaged")
    .option('--batch-size <n>', 'windows per model call', '64')
    .option('--model <dir>', 'checkpoint folder; default FLEETFM_MODEL_DIR (models/default)')
    .action(async (opts: EmbedCommandOptions) => {
      await runEmbedCommand(opts, defaultContext(opts.model));
    });
}
