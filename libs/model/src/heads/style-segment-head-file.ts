import * as fs from 'node:fs';
import * as path from 'node:path';
import { ValidationError } from '@fleetfm/domain';
import { assignLayerWeights, encodeLayerWeights, type EncodedWeights } from './style-head-file';
import { SegmentStyleHead, type SegmentStyleHeadConfig } from './style-segment-head';
import { SEGMENT_STYLE_VECTOR_NAMES } from './style-segment-vector';

/** The segment-level driver-style head's file inside a checkpoint folder. */
export const SEGMENT_STYLE_HEAD_JSON = 'segment-style-head.json';
const FORMAT = 'fleetfm-segment-style-head';

/**
 * A segment style head as one JSON sidecar: config, weights (float32, base64) and the names of
 * the statistics it reads, in order (a head trained on another statistics layout is refused).
 * It reads raw signals only, never the encoder, so it is not bound to a `weights.bin`.
 */
export interface SegmentStyleHeadFile {
  readonly format: typeof FORMAT;
  readonly version: 1;
  readonly className: string;
  readonly config: SegmentStyleHeadConfig;
  readonly featureNames: readonly string[];
  readonly weights: EncodedWeights;
  /** Free-form: training run, command, validation numbers. */
  readonly extra?: Readonly<Record<string, unknown>>;
}

export function serialiseSegmentStyleHead(
  head: SegmentStyleHead,
  extra?: Record<string, unknown>,
): SegmentStyleHeadFile {
  return {
    className: SegmentStyleHead.className,
    config: head.getConfig() as unknown as SegmentStyleHeadConfig,
    extra,
    featureNames: SEGMENT_STYLE_VECTOR_NAMES,
    format: FORMAT,
    version: 1,
    weights: encodeLayerWeights(head),
  };
}

/** Rebuilds a head from its file (layout, names and shapes checked); the caller disposes it. */
export function deserialiseSegmentStyleHead(file: SegmentStyleHeadFile): SegmentStyleHead {
  if (file.format !== FORMAT || file.className !== SegmentStyleHead.className) {
    throw new ValidationError(`Not a ${FORMAT} file (format ${String(file.format)})`);
  }
  const names = file.featureNames ?? [];
  if (
    names.length !== SEGMENT_STYLE_VECTOR_NAMES.length ||
    names.some((n, i) => n !== SEGMENT_STYLE_VECTOR_NAMES[i])
  ) {
    throw new ValidationError(
      `${SEGMENT_STYLE_HEAD_JSON} reads ${names.length} statistics that differ from this version's ${SEGMENT_STYLE_VECTOR_NAMES.length}; re-run fleetfm finetune --trainable segment-style`,
    );
  }
  const head = new SegmentStyleHead(file.config);
  try {
    assignLayerWeights(head, file.weights, SEGMENT_STYLE_HEAD_JSON);
  } catch (err) {
    head.dispose();
    throw err;
  }
  return head;
}

export async function writeSegmentStyleHead(
  dir: string,
  file: SegmentStyleHeadFile,
): Promise<string> {
  await fs.promises.mkdir(dir, { recursive: true });
  const out = path.join(dir, SEGMENT_STYLE_HEAD_JSON);
  await fs.promises.writeFile(out, `${JSON.stringify(file)}\n`);
  return out;
}

/** The folder's segment style head, or why there is none (a malformed file throws). */
export function readSegmentStyleHead(
  dir: string,
):
  | { readonly head: SegmentStyleHead; readonly file: SegmentStyleHeadFile }
  | { readonly head?: undefined; readonly reason: string } {
  const file = path.join(dir, SEGMENT_STYLE_HEAD_JSON);
  if (!fs.existsSync(file)) return { reason: `no ${SEGMENT_STYLE_HEAD_JSON} in ${dir}` };
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as SegmentStyleHeadFile;
  return { file: parsed, head: deserialiseSegmentStyleHead(parsed) };
}
