import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ValidationError } from '@fleetfm/domain';
import type { FleetLayer } from '../layers/fleet-layer';
import { StyleHead, type StyleHeadConfig } from './style-head';

/** The style head's file inside a checkpoint folder (beside model.json / weights.bin). */
export const STYLE_HEAD_JSON = 'style-head.json';
const FORMAT = 'fleetfm-style-head';

/**
 * A style head as one JSON sidecar: the layer config (`getConfig`), its weights (float32, base64)
 * and the SHA-256 of the `weights.bin` whose encoder it was trained on. The head reads the
 * encoder's pooled states, so it is only valid with exactly those weights; `readStyleHead`
 * refuses a head whose fingerprint does not match (e.g. after models/default was retrained).
 */
export interface StyleHeadFile {
  readonly format: typeof FORMAT;
  readonly version: 1;
  readonly className: string;
  readonly config: StyleHeadConfig;
  readonly baseWeightsSha256: string;
  readonly weights: EncodedWeights;
  /** Free-form: training run, command, channels. */
  readonly extra?: Readonly<Record<string, unknown>>;
}

export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Serialises a head (config + weights) bound to the encoder weights `baseWeights`. */
export function serialiseStyleHead(
  head: StyleHead,
  baseWeights: Uint8Array,
  extra?: Record<string, unknown>,
): StyleHeadFile {
  return {
    baseWeightsSha256: sha256Of(baseWeights),
    className: StyleHead.className,
    config: head.getConfig() as unknown as StyleHeadConfig,
    extra,
    format: FORMAT,
    version: 1,
    weights: encodeLayerWeights(head),
  };
}

/** A layer's weights as named float32 base64 blobs (the sidecar format of the style heads). */
export type EncodedWeights = ReadonlyArray<{ name: string; shape: number[]; data: string }>;

export function encodeLayerWeights(layer: FleetLayer): EncodedWeights {
  return layer.namedWeights().map((w) => {
    const data = w.variable.dataSync() as Float32Array;
    return {
      data: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64'),
      name: w.name,
      shape: [...w.variable.shape],
    };
  });
}

/** Assigns encoded weights to a built layer (names and shapes checked; `what` names the file). */
export function assignLayerWeights(layer: FleetLayer, weights: EncodedWeights, what: string): void {
  const byName = new Map(weights.map((w) => [w.name, w]));
  for (const { name, variable } of layer.namedWeights()) {
    const w = byName.get(name);
    if (!w) throw new ValidationError(`${what} is missing weight ${name}`);
    const bytes = Buffer.from(w.data, 'base64');
    const values = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    if (!tf.util.arraysEqual(w.shape, variable.shape) || values.length !== variable.size) {
      throw new ValidationError(`${what}: weight ${name} has shape [${w.shape}]`);
    }
    tf.tidy(() => variable.assign(tf.tensor(Float32Array.from(values), variable.shape)));
  }
}

/** Rebuilds a head from its file (shapes and names checked); the caller disposes it. */
export function deserialiseStyleHead(file: StyleHeadFile): StyleHead {
  if (file.format !== FORMAT || file.className !== StyleHead.className) {
    throw new ValidationError(`Not a ${FORMAT} file (format ${String(file.format)})`);
  }
  const head = new StyleHead(file.config);
  try {
    assignLayerWeights(head, file.weights, 'Style head file');
  } catch (err) {
    head.dispose();
    throw err;
  }
  return head;
}

export async function writeStyleHead(dir: string, file: StyleHeadFile): Promise<void> {
  await fs.promises.mkdir(dir, { recursive: true });
  await fs.promises.writeFile(path.join(dir, STYLE_HEAD_JSON), `${JSON.stringify(file)}\n`);
}

/** What `readStyleHead` found: a head, or why there is none. */
export type StyleHeadLoad =
  | { readonly head: StyleHead; readonly file: StyleHeadFile }
  | { readonly head?: undefined; readonly reason: string };

/**
 * The style head of a checkpoint folder, if it has one trained on this folder's `weights.bin`.
 * A missing file or a fingerprint mismatch gives a reason instead (callers fall back to the
 * model's own embedding head); a malformed file throws.
 */
export function readStyleHead(dir: string): StyleHeadLoad {
  const file = path.join(dir, STYLE_HEAD_JSON);
  if (!fs.existsSync(file)) return { reason: `no ${STYLE_HEAD_JSON} in ${dir}` };
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as StyleHeadFile;
  const weights = path.join(dir, 'weights.bin');
  const sha = fs.existsSync(weights) ? sha256Of(fs.readFileSync(weights)) : '';
  if (sha !== parsed.baseWeightsSha256) {
    return {
      reason: `${STYLE_HEAD_JSON} was trained on other encoder weights (sha256 ${parsed.baseWeightsSha256.slice(0, 12)}…, this checkpoint ${sha.slice(0, 12) || 'none'}…): ignored; re-run fleetfm finetune --trainable style-head`,
    };
  }
  return { file: parsed, head: deserialiseStyleHead(parsed) };
}
