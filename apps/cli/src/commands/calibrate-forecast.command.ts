import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '@fleetfm/config';
import { InvalidRequestError, NotFoundError, SIGNAL_NAMES } from '@fleetfm/domain';
import {
  LEVEL_BLEND_FILE,
  MANIFEST_JSON,
  fitCheckpointLevelBlend,
  selectBackend,
  type BlendFitSet,
  type LevelBlendJobResult,
  type SignalBlendFit,
} from '@fleetfm/model';
import { progressBar, type CommandContext } from './forecast.command';

export interface CalibrateForecastFlags {
  readonly model?: string;
  readonly corpus?: string;
  readonly windows?: string;
  readonly seed?: string;
  readonly heldOutRoutes?: string;
}

function integer(flag: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (text.trim() === '' || !Number.isInteger(v) || v < min) {
    throw new InvalidRequestError(`--${flag} must be an integer ≥ ${min}, got '${text}'`);
  }
  return v;
}

/** `--held-out-routes`: auto, off, or CMAP GPS vehicle folders separated by commas. */
export function parseHeldOutRoutes(text: string | undefined): 'auto' | false | string[] {
  const t = (text ?? 'auto').trim();
  if (t === 'auto') return 'auto';
  if (t === 'off') return false;
  const vehicles = t.split(',').map((v) => v.trim());
  if (t === '' || vehicles.some((v) => !/^[0-9]+_[0-9]+$/.test(v))) {
    throw new InvalidRequestError(
      `--held-out-routes must be auto, off or CMAP vehicle folders such as 4109114_1,4111928_1, got '${text}'`,
    );
  }
  return vehicles;
}

/** The corpus a checkpoint was trained on, as its manifest records it. */
function recordedCorpus(modelDir: string): string | undefined {
  const manifest = JSON.parse(fs.readFileSync(path.join(modelDir, MANIFEST_JSON), 'utf8')) as {
    extra?: { corpus?: { dir?: unknown } };
  };
  const dir = manifest.extra?.corpus?.dir;
  return typeof dir === 'string' ? dir : undefined;
}

/**
 * `fleetfm calibrate-forecast`: fits the checkpoint's level blend on held-out windows of its
 * corpus (the validation split: vehicles and drivers it did not train on) and writes
 * `forecast-blend.json` beside it, where forecast, serve and eval read it.
 */
export async function runCalibrateForecastCommand(
  flags: CalibrateForecastFlags,
  ctx: CommandContext,
): Promise<LevelBlendJobResult> {
  const modelDir = path.resolve(flags.model ?? ctx.modelDir);
  if (!fs.existsSync(path.join(modelDir, MANIFEST_JSON))) {
    throw new NotFoundError(`no model at ${modelDir}: run \`fleetfm train\` or pass --model`);
  }
  const corpusDir = flags.corpus ?? recordedCorpus(modelDir);
  if (!corpusDir) {
    throw new InvalidRequestError(
      `${modelDir} does not record the corpus it trained on: pass --corpus <dir>`,
    );
  }
  if (!fs.existsSync(corpusDir)) {
    throw new NotFoundError(
      `corpus ${corpusDir} not found: build it with \`fleetfm corpus build\` (models/README.md has the default's) or pass --corpus`,
    );
  }
  const windows = integer('windows', flags.windows, 32000, 100);
  const seed = integer('seed', flags.seed, 7, 0);
  const heldOutRoutes = parseHeldOutRoutes(flags.heldOutRoutes);
  await selectBackend();
  const bar = progressBar(ctx.progress ?? false, 'forecast', ctx.log && { log: ctx.log });
  const started = Date.now();
  const result = await fitCheckpointLevelBlend({
    checkpointDir: modelDir,
    corpusDir,
    heldOutRoutes,
    onProgress: (done, total) => bar.update(done, total),
    seed,
    windows,
  }).finally(() => bar.stop());
  ctx.log?.(formatBlendFits(result.fits, result.fitSets));
  const routes = result.heldOutRoutes;
  const trainedOn = recordedCorpus(modelDir);
  if (routes && trainedOn && path.resolve(trainedOn) !== path.resolve(corpusDir)) {
    ctx.log?.(
      `note: ${modelDir} trained on ${trainedOn}, not ${corpusDir}: the routes of ${routes.vehicles.join(', ')} are held out only if that corpus kept them out too (--held-out-routes off otherwise)`,
    );
  }
  const routeNote = routes
    ? ` and ${routes.windows} windows on the held-out routes of ${routes.vehicles.join(', ')} (${routes.simulatedTrips} simulated trips over ${routes.routes} routes, ${routes.recordedTrips} recorded)`
    : heldOutRoutes === false
      ? ' (held-out routes off)'
      : ' (no held-out routes: the corpus pins no GPS vehicle to validation)';
  ctx.log?.(
    `fitted on ${windows} validation windows of ${corpusDir}${routeNote} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${result.file ?? LEVEL_BLEND_FILE}`,
  );
  return result;
}

/**
 * One line per signal and roughness class: windows, level window, weights by horizon bucket,
 * scores before / after.
 */
export function formatBlendFits(
  fits: readonly SignalBlendFit[],
  sets?: readonly BlendFitSet[],
): string {
  const name = (f: SignalBlendFit): string =>
    `${f.signalId === 0 ? 'unknown (0)' : (SIGNAL_NAMES[f.signalId - 1] ?? `signal ${f.signalId}`)}, roughness ${f.roughness.from}-${Number.isFinite(f.roughness.to) ? f.roughness.to : '∞'}`;
  return fits
    .map((f, i) => {
      const on = sets?.[i] === 'held-out routes' ? ' [held-out routes]' : '';
      const how =
        f.window === undefined
          ? 'network alone'
          : `${f.window === 1 ? 'the last value' : `median of the last ${f.window}`}, weights ${f.buckets.map((b) => `${b.from}-${b.to}: ${b.weight.toFixed(1)}`).join(', ')}`;
      return `${name(f).padEnd(36)} ${String(f.samples).padStart(5)} windows  relative MAE ${f.relativeMae.network.toFixed(3)} -> ${f.relativeMae.blended.toFixed(3)}, quantile loss x${f.qualityLossRatio.toFixed(3)}  (${how})${on}`;
    })
    .join('\n');
}

export function registerCalibrateForecastCommand(program: Command): void {
  program
    .command('calibrate-forecast')
    .description(
      `fit the checkpoint's level blend (per signal, how far forecasts lean to the last value or a recent median) on its corpus' validation split and, for the simulated signals, on routes it never trained on; writes ${LEVEL_BLEND_FILE} into the checkpoint`,
    )
    .option('--model <dir>', 'checkpoint folder; default FLEETFM_MODEL_DIR (models/default)')
    .option('--corpus <dir>', "corpus folder; default the one the checkpoint's manifest records")
    .option('--windows <n>', 'validation windows drawn', '32000')
    .option('--seed <n>', 'seed of the window draw', '7')
    .option(
      '--held-out-routes <auto|off|vehicles>',
      "fit the simulated signals on a fleet driving roads the checkpoint never trained on: the real GPS routes of the corpus' pinned validation vehicles (auto; corpus build --validation-vehicles), of the CMAP vehicles listed, or not at all (off)",
      'auto',
    )
    .action(async (flags: CalibrateForecastFlags) => {
      const config = loadConfig();
      await runCalibrateForecastCommand(flags, {
        log: (m) => console.log(m),
        modelDir: config.modelDir,
        progress: process.stderr.isTTY,
      });
    });
}
