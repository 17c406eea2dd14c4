import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { NotFoundError, ValidationError } from '@fleetfm/domain';
import {
  MANIFEST_JSON,
  readCheckpointDir,
  writeCheckpointDir,
  type CheckpointFiles,
} from '../../checkpoint';
import type { LossAggregation } from '../../heads/pinball-loss';
import type { OptimizerSnapshot } from '../parallel/optimizer-state';

export const TRAINING_STATE_JSON = 'training-state.json';
export const OPTIMIZER_BIN = 'optimizer.bin';
export const LAST_DIR = 'last';

/** Everything besides the weights that a resumed run needs. */
export interface TrainingProgress {
  /** The next step to run (= steps done). Window draws are a function of (seed, step). */
  readonly step: number;
  readonly seed: number;
  readonly bestValLoss: number;
  readonly bestStep: number;
  readonly evalsSinceBest: number;
  readonly elapsedS: number;
  readonly history: ReadonlyArray<{ step: number; trainLoss: number; valLoss: number }>;
  /** Command lines of this run and the runs it resumed, oldest first, with their start steps. */
  readonly commands?: ReadonlyArray<{ readonly fromStep: number; readonly command: string }>;
  /** The loss aggregation `bestValLoss` and `history` were measured in (absent: 'mean'). */
  readonly lossAggregation?: LossAggregation;
  /** What `bestValLoss` was measured on (corpus, windows, aggregation); a resume that differs starts a fresh best. */
  readonly validation?: string;
  /** The checkpoint this run started from with fresh optimizer state (`init`), if any. */
  readonly initFrom?: InitFrom;
}

/** What a run started from: the folder, its weights' SHA-256, and that checkpoint's own chain. */
export interface InitFrom {
  readonly commands: unknown;
  readonly dir: string;
  /** Where that checkpoint itself started from, if it was made with `init` too. */
  readonly initFrom: InitFrom | null;
  readonly weightsSha256: string;
}

interface StateFile extends TrainingProgress {
  readonly version: 1;
  readonly optimizer: { readonly file: string; readonly specs: OptimizerSnapshot['specs'] };
}

export interface ResumeState {
  readonly checkpoint: CheckpointFiles;
  readonly optimizer: OptimizerSnapshot;
  readonly progress: TrainingProgress;
}

/** Writes a resumable checkpoint: the model files plus optimizer moments and progress. */
export async function writeResumeState(dir: string, state: ResumeState): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  // The state file goes last: its presence marks a complete, resumable directory.
  await fs.rm(path.join(dir, TRAINING_STATE_JSON), { force: true });
  await writeCheckpointDir(dir, state.checkpoint);
  await fs.writeFile(path.join(dir, OPTIMIZER_BIN), new Uint8Array(state.optimizer.data));
  const file: StateFile = {
    ...state.progress,
    // JSON has no Infinity.
    bestValLoss: Number.isFinite(state.progress.bestValLoss) ? state.progress.bestValLoss : -1,
    optimizer: { file: OPTIMIZER_BIN, specs: state.optimizer.specs },
    version: 1,
  };
  await fs.writeFile(path.join(dir, TRAINING_STATE_JSON), `${JSON.stringify(file, null, 2)}\n`);
}

/** `<dir>/last` if it is resumable, else `<dir>`; NotFoundError if neither is. */
export async function findResumeDir(dir: string): Promise<string> {
  for (const candidate of [path.join(dir, LAST_DIR), dir]) {
    try {
      await fs.access(path.join(candidate, TRAINING_STATE_JSON));
      return candidate;
    } catch {
      // try the next
    }
  }
  throw new NotFoundError(
    `nothing to resume in ${dir}: no ${TRAINING_STATE_JSON} there or in ${LAST_DIR}/`,
    { dir },
  );
}

export async function readResumeState(dir: string): Promise<ResumeState> {
  const resumeDir = await findResumeDir(dir);
  const file = JSON.parse(
    await fs.readFile(path.join(resumeDir, TRAINING_STATE_JSON), 'utf8'),
  ) as StateFile;
  if (file.version !== 1) {
    throw new ValidationError(`unsupported training state version ${String(file.version)}`);
  }
  try {
    await fs.access(path.join(resumeDir, MANIFEST_JSON));
  } catch {
    throw new NotFoundError(`incomplete checkpoint in ${resumeDir}`, { dir: resumeDir });
  }
  const bin = await fs.readFile(path.join(resumeDir, file.optimizer.file));
  const data = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer;
  const { optimizer, version: _v, ...progress } = file;
  return {
    checkpoint: await readCheckpointDir(resumeDir),
    optimizer: { data, specs: optimizer.specs },
    progress: {
      ...progress,
      bestValLoss: progress.bestValLoss < 0 ? Number.POSITIVE_INFINITY : progress.bestValLoss,
    },
  };
}
