import type { PatchModel } from '../patch-model';
import type { PatchModelConfig } from '../patch-model.config';

/**
 * A host copy of a PatchModel's weights for the lean inference path: plain Float32Arrays by the
 * model's dotted weight names (e.g. `blocks.0.attention.query.kernel`), read once. Structured-
 * cloneable, so it can be posted to worker threads.
 */
export interface InferenceWeights {
  readonly config: PatchModelConfig;
  readonly tensors: Readonly<Record<string, Float32Array>>;
}

/** Reads every weight of the model once (one dataSync per variable). */
export function readInferenceWeights(model: PatchModel): InferenceWeights {
  const tensors: Record<string, Float32Array> = {};
  for (const { name, variable } of model.namedWeights()) {
    tensors[name] = Float32Array.from(variable.dataSync() as Float32Array);
  }
  return { config: { ...model.config, quantiles: [...model.config.quantiles] }, tensors };
}

/**
 * The identity of the model's current weight buffers: a tf.Variable's `assign` (optimizers,
 * checkpoint loading) gives it a new data id, so a changed list means the weights changed.
 */
export function weightsVersion(model: PatchModel): readonly object[] {
  return model.namedWeights().map((w) => w.variable.dataId);
}

export function sameVersion(a: readonly object[], b: readonly object[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

/** The named weight, checked against its expected size. */
export function weight(w: InferenceWeights, name: string, size: number): Float32Array {
  const t = w.tensors[name];
  if (!t) throw new Error(`InferenceWeights: missing weight ${name}`);
  if (t.length !== size) {
    throw new Error(`InferenceWeights: ${name} has ${t.length} values, expected ${size}`);
  }
  return t;
}
