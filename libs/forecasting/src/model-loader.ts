import * as fs from 'node:fs';
import * as path from 'node:path';
import { NotFoundError } from '@fleetfm/domain';
import {
  importCheckpoint,
  MANIFEST_JSON,
  readCheckpointDir,
  type CheckpointManifest,
  type PatchModel,
} from '@fleetfm/model';

/** A checkpoint loaded for serving. */
export interface LoadedModel {
  readonly dir: string;
  readonly model: PatchModel;
  readonly manifest: CheckpointManifest;
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
  return { dir, manifest, model };
}
