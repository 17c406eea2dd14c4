import type * as tf from '@tensorflow/tfjs';
import { ValidationError } from '@fleetfm/domain';
import type { CheckpointFiles } from '../../checkpoint';

type WeightSpec = tf.io.WeightsManifestEntry;

interface WeightSlice {
  readonly spec: WeightSpec;
  readonly bytes: Uint8Array;
}

interface GrowableModelJson {
  modelTopology: { config: { numLayers: number } };
  weightsManifest: Array<{ paths: string[]; weights: WeightSpec[] }>;
}

const BLOCK = /^blocks\.(\d+)\.(.+)$/;
/** A block's residual branches end in these projections: zeroed, the block is the identity. */
const RESIDUAL_OUTPUTS = ['attention.output.', 'ffnOut.'];

/**
 * How many new blocks follow each of `layers` blocks when growing to `target`: one per block
 * from the last backwards, round again if more are needed (3 → 5: after blocks 1 and 2).
 */
export function growthPlan(layers: number, target: number): number[] {
  const copies = new Array<number>(layers).fill(0);
  for (let j = 0; j < target - layers; j++) copies[layers - 1 - (j % layers)] += 1;
  return copies;
}

/**
 * Deepens a checkpoint to `numLayers` transformer blocks without changing what it computes
 * (function-preserving growth, as in progressive stacking): each new block is a copy of the block
 * before it with its attention output and FFN output projections zeroed, so both residual
 * branches add nothing until training moves them. Everything outside the blocks (embeddings,
 * heads) and the existing blocks are kept bit for bit; the manifest's model config, parameter
 * count and byte size follow. Pure: works on the files in memory, no tensors.
 */
export function growCheckpointDepth(files: CheckpointFiles, numLayers: number): CheckpointFiles {
  const json = JSON.parse(files.modelJson) as GrowableModelJson;
  const layers = json.modelTopology?.config?.numLayers;
  const groups = json.weightsManifest ?? [];
  if (!Number.isInteger(layers) || layers < 1 || groups.length !== 1) {
    throw new ValidationError('cannot grow this checkpoint: not a single-file patch model');
  }
  if (!Number.isInteger(numLayers) || numLayers < layers) {
    throw new ValidationError(
      `growing needs at least the checkpoint's ${layers} blocks, got ${numLayers}`,
    );
  }
  if (numLayers === layers) return files;
  const slices = sliceWeights(groups[0].weights, files.weightsBin);
  const isBlock = (s: WeightSlice): boolean => BLOCK.test(s.spec.name);
  const first = slices.findIndex(isBlock);
  const out = [
    ...slices.slice(0, first),
    ...growBlocks(slices.filter(isBlock), growthPlan(layers, numLayers)),
    ...slices.slice(first).filter((s) => !isBlock(s)),
  ];
  const weightsBin = new Uint8Array(Buffer.concat(out.map((w) => w.bytes)));
  json.modelTopology.config.numLayers = numLayers;
  groups[0].weights = out.map((w) => w.spec);
  const manifest = JSON.parse(files.manifestJson) as Record<string, unknown> & {
    model: { numLayers: number };
    extra?: Record<string, unknown>;
  };
  manifest.model = { ...manifest.model, numLayers };
  manifest.parameters = weightsBin.byteLength / 4;
  manifest.weightBytes = weightsBin.byteLength;
  manifest.extra = { ...manifest.extra, grownFromLayers: layers };
  return {
    manifestJson: JSON.stringify(manifest, null, 2),
    modelJson: JSON.stringify(json),
    weightsBin,
  };
}

/** Block `i`'s weights, then `copies[i]` copies of them with zeroed residual outputs, renumbered. */
function growBlocks(blocks: readonly WeightSlice[], copies: readonly number[]): WeightSlice[] {
  const out: WeightSlice[] = [];
  let next = 0;
  copies.forEach((n, i) => {
    const own = blocks.filter((s) => BLOCK.exec(s.spec.name)?.[1] === `${i}`);
    for (let c = 0; c <= n; c++, next++) {
      for (const w of own) {
        const suffix = (BLOCK.exec(w.spec.name) as RegExpExecArray)[2];
        const zero = c > 0 && RESIDUAL_OUTPUTS.some((p) => suffix.startsWith(p));
        out.push({
          bytes: zero ? new Uint8Array(w.bytes.byteLength) : w.bytes,
          spec: { ...w.spec, name: `blocks.${next}.${suffix}` },
        });
      }
    }
  });
  return out;
}

function sliceWeights(specs: readonly WeightSpec[], bin: Uint8Array): WeightSlice[] {
  let offset = 0;
  const slices = specs.map((spec) => {
    if (spec.dtype !== 'float32') {
      throw new ValidationError(
        `cannot grow weight ${spec.name}: dtype ${spec.dtype}, not float32`,
      );
    }
    const size = 4 * spec.shape.reduce((a, b) => a * b, 1);
    const bytes = bin.subarray(offset, offset + size);
    offset += size;
    return { bytes, spec };
  });
  if (offset !== bin.byteLength) {
    throw new ValidationError(
      `weights.bin holds ${bin.byteLength} bytes, its manifest describes ${offset}`,
    );
  }
  return slices;
}
