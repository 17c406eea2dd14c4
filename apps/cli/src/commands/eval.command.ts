import * as fs from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '@fleetfm/config';
import {
  DEFAULT_EVAL_OPTIONS,
  evaluateModel,
  formatEvalTable,
  type EvalOptions,
  type EvalReport,
} from '@fleetfm/evaluation';
import { defaultContext, openModel, progressBar, type CommandContext } from './forecast.command';

export interface EvalCommandOptions {
  readonly model?: string;
  readonly output?: string;
  readonly baseline?: boolean;
  /** false (`--no-zero-shot`) skips the zero-shot guard. */
  readonly zeroShot?: boolean;
  /** false (`--no-auto`) skips scoring `--method auto` beside the model. */
  readonly auto?: boolean;
}

/** `fleetfm eval`: forecasting, anomaly, driver-ID and scenario metrics on held-out data. */
export async function runEvalCommand(
  opts: EvalCommandOptions,
  ctx: CommandContext & { readonly sharedDataDir?: string },
  sizes: Omit<EvalOptions, 'onStage' | 'onProgress'> = DEFAULT_EVAL_OPTIONS,
): Promise<EvalReport> {
  const loaded = await openModel(opts.model ?? ctx.modelDir);
  try {
    let bar = progressBar(false, '');
    const report = await evaluateModel(loaded, {
      ...sizes,
      auto: opts.auto ?? sizes.auto,
      baseline: opts.baseline ?? sizes.baseline,
      zeroShot: opts.zeroShot === false ? false : sizes.zeroShot,
      dataDir: ctx.sharedDataDir ?? sizes.dataDir,
      onProgress: (done, total) => bar.update(done, total),
      onStage: (stage) => {
        bar.stop();
        bar = progressBar(ctx.progress ?? false, stage.padEnd(11));
        if (!ctx.progress) ctx.log?.(`eval: ${stage}…`);
      },
    });
    bar.stop();
    if (opts.output) fs.writeFileSync(opts.output, `${JSON.stringify(report, null, 2)}\n`);
    ctx.log?.(formatEvalTable(report));
    return report;
  } finally {
    loaded.model.dispose();
  }
}

export function registerEvalCommand(program: Command): void {
  program
    .command('eval')
    .description(
      'evaluate a checkpoint on held-out simulated drivers/vehicles and GPS vehicles: MASE/WQL vs seasonal naive and AutoETS, anomaly AUC-PR, driver top-1, scenario precision@10; plus a zero-shot guard on benchmark-like non-driving series',
    )
    .option('--model <dir>', 'checkpoint folder; default FLEETFM_MODEL_DIR (models/default)')
    .option('--output <file>', 'write the full report as JSON')
    .option(
      '--no-baseline',
      'skip the statistical baselines (AutoETS; MSTL+AutoETS where seasonal in the zero-shot guard)',
    )
    .option(
      '--no-zero-shot',
      'skip the zero-shot guard (benchmark-like non-driving series; reported apart from the targets)',
    )
    .option(
      '--no-auto',
      'skip scoring forecast --method auto (per series the model or MSTL/AutoETS) beside the model (it is never judged by the targets)',
    )
    .action(async (opts: EvalCommandOptions) => {
      const config = loadConfig();
      await runEvalCommand(opts, {
        ...defaultContext(opts.model),
        log: (line) => console.log(line),
        sharedDataDir: config.sharedDataDir,
      });
    });
}
