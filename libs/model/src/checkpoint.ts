import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ValidationError } from '@fleetfm/domain';
import type { PatchTokenizerConfig } from '@fleetfm/tokenizer';
import type { CalibratorState } from './heads/anomaly-score';
import { PatchModel } from './patch-model';
import type { PatchModelConfig } from './patch-model.config';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';
export const MANIFEST_JSON = 'manifest.json';
const FORMAT = 'fleetfm-patch-model';

/** What was trained, how, and how well: stored beside the TF.js artifacts. */
export interface CheckpointManifest {
  readonly format: typeof FORMAT;
  readonly version: 1;
  readonly createdAt: string;
  readonly seed: number;
  readonly model: PatchModelConfig;
  readonly tokenizer: PatchTokenizerConfig;
  readonly metrics: Readonly<Record<string, number>>;
  readonly parameters: number;
  readonly weightBytes: number;
  readonly calibrator?: CalibratorState;
  /** Free-form: data summary, training run, backend. */
  readonly extra?: Readonly<Record<string, unknown>>;
}

export interface CheckpointInfo {
  readonly tokenizer: PatchTokenizerConfig;
  readonly metrics?: Readonly<Record<string, number>>;
  readonly calibrator?: CalibratorState;
  readonly extra?: Readonly<Record<string, unknown>>;
  /** Default now. */
  readonly createdAt?: Date;
}

/** The three files of a checkpoint, in memory. */
export interface CheckpointFiles {
  readonly modelJson: string;
  readonly weightsBin: Uint8Array;
  readonly manifestJson: string;
}

/**
 * Serialises a model as standard TF.js artifacts (`model.json` with a weights manifest pointing
 * at `weights.bin`) through `tf.io.withSaveHandler` — no tfjs-node needed — plus a manifest.
 */
export async function exportCheckpoint(
  model: PatchModel,
  info: CheckpointInfo,
): Promise<CheckpointFiles> {
  const named = model.namedWeights();
  const { data, specs } = await tf.io.encodeWeights(
    named.map((w) => ({ name: w.name, tensor: w.variable })),
  );
  const artifacts: tf.io.ModelArtifacts = {
    convertedBy: null,
    format: FORMAT,
    generatedBy: `TensorFlow.js tfjs-core v${tf.version_core}`,
    modelTopology: { class_name: PatchModel.className, config: model.getConfig() },
    weightData: data,
    weightSpecs: specs,
  };
  let saved: tf.io.ModelArtifacts | undefined;
  const handler = tf.io.withSaveHandler(async (a) => {
    saved = a;
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
  });
  // withSaveHandler always defines save (fromMemory always defines load); IOHandler marks both optional.
  await (handler.save as NonNullable<tf.io.IOHandler['save']>)(artifacts);
  const a = saved as tf.io.ModelArtifacts;
  const modelJson = {
    convertedBy: a.convertedBy,
    format: a.format,
    generatedBy: a.generatedBy,
    modelTopology: a.modelTopology,
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: a.weightSpecs }],
  };
  const manifest: CheckpointManifest = {
    calibrator: info.calibrator,
    createdAt: (info.createdAt ?? new Date()).toISOString(),
    extra: info.extra,
    format: FORMAT,
    metrics: info.metrics ?? {},
    model: model.config,
    parameters: model.countParams(),
    seed: model.config.seed,
    tokenizer: info.tokenizer,
    version: 1,
    weightBytes: data.byteLength,
  };
  return {
    manifestJson: `${JSON.stringify(manifest, null, 2)}\n`,
    modelJson: JSON.stringify(modelJson),
    weightsBin: new Uint8Array(data),
  };
}

interface ModelJson {
  readonly format?: string;
  readonly modelTopology?: { class_name?: string; config?: PatchModelConfig };
  readonly weightsManifest?: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
}

/** Rebuilds the model from checkpoint files (via `tf.io.fromMemory`) and reads the manifest. */
export async function importCheckpoint(
  files: CheckpointFiles,
): Promise<{ model: PatchModel; manifest: CheckpointManifest }> {
  const json = JSON.parse(files.modelJson) as ModelJson;
  const topology = json.modelTopology;
  if (json.format !== FORMAT || topology?.class_name !== PatchModel.className || !topology.config) {
    throw new ValidationError(`Not a ${FORMAT} checkpoint (format ${String(json.format)})`);
  }
  const specs = (json.weightsManifest ?? []).flatMap((g) => g.weights);
  const bin = files.weightsBin;
  const buffer = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer;
  const loader = tf.io.fromMemory({
    modelTopology: topology,
    weightData: buffer,
    weightSpecs: specs,
  });
  const artifacts = await (loader.load as NonNullable<tf.io.IOHandler['load']>)();
  const decoded = tf.io.decodeWeights(
    artifacts.weightData as ArrayBuffer,
    artifacts.weightSpecs as tf.io.WeightsManifestEntry[],
  );
  const model = new PatchModel(topology.config);
  try {
    for (const { name, variable } of model.namedWeights()) {
      const t = decoded[name];
      if (!t) throw new ValidationError(`Checkpoint is missing weight ${name}`);
      if (!tf.util.arraysEqual(t.shape, variable.shape)) {
        throw new ValidationError(
          `Weight ${name} has shape [${t.shape}], expected [${variable.shape}]`,
        );
      }
      variable.assign(t);
    }
  } catch (err) {
    model.dispose();
    throw err;
  } finally {
    tf.dispose(Object.values(decoded));
  }
  const manifest = JSON.parse(files.manifestJson) as CheckpointManifest;
  return { manifest, model };
}

/** Writes model.json, weights.bin and manifest.json into `dir` (created if needed). */
export async function writeCheckpointDir(dir: string, files: CheckpointFiles): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, WEIGHTS_BIN), files.weightsBin);
  await fs.writeFile(path.join(dir, MODEL_JSON), files.modelJson);
  // Manifest last: its presence marks a complete checkpoint.
  await fs.writeFile(path.join(dir, MANIFEST_JSON), files.manifestJson);
}

export async function readCheckpointDir(dir: string): Promise<CheckpointFiles> {
  const [modelJson, weightsBin, manifestJson] = await Promise.all([
    fs.readFile(path.join(dir, MODEL_JSON), 'utf8'),
    fs.readFile(path.join(dir, WEIGHTS_BIN)),
    fs.readFile(path.join(dir, MANIFEST_JSON), 'utf8'),
  ]);
  return { manifestJson, modelJson, weightsBin: new Uint8Array(weightsBin) };
}
