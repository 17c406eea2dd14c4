import type { PatchModel } from '../patch-model';
import type { PatchModelConfig } from '../patch-model.config';
import { InferenceEngine, inferenceSupported, type EngineInputs } from './inference-engine';
import { readInferenceWeights, sameVersion, weightsVersion } from './inference-weights';

/**
 * The quantile forecast of a live PatchModel on the lean engine: the weights are read on the
 * first call and again only after they change (a training step or checkpoint load assigns new
 * tensors to the variables, which the data-id check notices).
 */
export class LeanPredictor {
  private engine?: InferenceEngine;
  private version: readonly object[] = [];

  constructor(
    readonly model: PatchModel,
    private readonly maxBatch = 64,
  ) {}

  static supports(config: PatchModelConfig): boolean {
    return inferenceSupported(config);
  }

  /** Quantiles in normalised units, [B, horizon, Q]. */
  predict(inputs: EngineInputs): Float32Array {
    return this.current().forward(inputs);
  }

  /** The engine for the model's current weights. */
  current(): InferenceEngine {
    const version = weightsVersion(this.model);
    if (!this.engine || !sameVersion(version, this.version)) {
      this.engine = new InferenceEngine(readInferenceWeights(this.model), this.maxBatch);
      this.version = version;
    }
    return this.engine;
  }
}
