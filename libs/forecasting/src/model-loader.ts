import * as fs from 'node:fs';
import * as path from 'node:path';
import { NotFoundError, ValidationError } from '@fleetfm/domain';
import {
  importCheckpoint,
  LEVEL_BLEND_FILE,
  MANIFEST_JSON,
  parseLevelBlend,
  readCheckpointDir,
  type CheckpointManifest,
  type LevelBlendState,
  type PatchModel,
} from '@fleetfm/model';

/** A checkpoint loaded for serving. */
export interface LoadedModel {
  readonly dir: string;
  readonly model: PatchModel;
  readonly manifest: CheckpointManifest;
  /** The checkpoint's level blend (`forecast-blend.json`), when it has one. */
  readonly levelBlend?: LevelBlendState;
}

/** How a folder is named to the user: relative to the working directory when inside it. */
export function displayPath(dir: string): string {
  const rel = path.relative(process.cwd(), dir);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : dir;
}

/**
 * Loads the checkpoint in `dir` (model.json, weights.bin, manifest.json). A folder without a
 * manifest is not a (complete) checkpoint: NotFoundError telling the user how to get one.
 */
export async function loadModelDir(dir: string): Promise<LoadedModel> {
  if (!fs.existsSync(path.join(dir, MANIFEST_JSON))) {
    throw new NotFoundError(
      `no model at ${displayPath(dir)}: run \`fleetfm train\` or set FLEETFM_MODEL_DIR`,
      { dir },
    );
  }
  const { model, manifest } = await importCheckpoint(await readCheckpointDir(dir));
  try {
    return { dir, levelBlend: readLevelBlend(dir, model.config.horizon), manifest, model };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

/**
 * The level blend stored beside a checkpoint (see `fleetfm calibrate-forecast`), or undefined
 * when it has none. A sidecar that does not parse is an error naming the file, never ignored.
 */
export function readLevelBlend(dir: string, horizon: number): LevelBlendState | undefined {
  const file = path.join(dir, LEVEL_BLEND_FILE);
  if (!fs.existsSync(file)) return undefined;
  try {
    return parseLevelBlend(JSON.parse(fs.readFileSync(file, 'utf8')), horizon);
  } catch (err) {
    throw new ValidationError(
      `${displayPath(file)}: ${(err as Error).message}; re-run \`fleetfm calibrate-forecast\` or delete it`,
    );
  }
}
