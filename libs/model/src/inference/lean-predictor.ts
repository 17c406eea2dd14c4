import * as os from 'node:os';
import type { PatchModel } from '../patch-model';
import type { PatchModelConfig } from '../patch-model.config';
import { InferenceEngine, inferenceSupported, type EngineInputs } from './inference-engine';
import {
  readInferenceWeights,
  sameVersion,
  weightsVersion,
  type InferenceWeights,
} from './inference-weights';
import { InferenceWorker } from './inference-worker';

export interface LeanPredictorOptions {
  /** Series per engine pass (activation memory); larger batches run in chunks. Default 64. */
  readonly maxBatch?: number;
  /**
   * Threads for large batches: this one plus threads - 1 worker threads, each with its own
   * engine and copy of the weights. Default min(2, available cores).
   */
  readonly threads?: number;
  /** Batches smaller than this stay on this thread. Default 8. */
  readonly minParallelBatch?: number;
  /** Compiled worker script. Default: `inferenceWorkerScript()`. */
  readonly workerScript?: string;
}

interface Helper {
  readonly worker: InferenceWorker;
  version: readonly object[];
}

/** Rows [from, to) of tokenized inputs (copies, so a worker is sent only its own rows). */
function rows(inputs: EngineInputs, from: number, to: number, length: number): EngineInputs {
  return {
    batch: to - from,
    mask: inputs.mask.slice(from * length, to * length),
    signalIds: Array.from(inputs.signalIds).slice(from, to),
    values: inputs.values.slice(from * length, to * length),
  };
}

/**
 * The quantile forecast of a live PatchModel on the lean engine. The weights are read on the
 * first call and again only after they change (a training step or checkpoint load assigns new
 * tensors to the variables, which the data-id check notices). Large batches are split between
 * this thread and worker threads started on first use; if a worker cannot start or fails, the
 * batch runs here.
 */
export class LeanPredictor {
  private engine?: InferenceEngine;
  private weights?: InferenceWeights;
  private version: readonly object[] = [];
  private helpers?: Helper[];
  private readonly maxBatch: number;
  private readonly threads: number;
  private readonly minParallelBatch: number;
  private readonly workerScript?: string;

  constructor(
    readonly model: PatchModel,
    options: LeanPredictorOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 64;
    this.threads = Math.max(1, options.threads ?? Math.min(2, os.availableParallelism()));
    this.minParallelBatch = Math.max(2, options.minParallelBatch ?? 8);
    this.workerScript = options.workerScript;
  }

  static supports(config: PatchModelConfig): boolean {
    return inferenceSupported(config);
  }

  /** Quantiles in normalised units, [B, horizon, Q], on this thread. */
  predict(inputs: EngineInputs): Float32Array {
    return this.current().forward(inputs);
  }

  /** As `predict`, with large batches shared out to the worker threads. */
  async predictAsync(inputs: EngineInputs): Promise<Float32Array> {
    const engine = this.current();
    if (this.threads < 2 || inputs.batch < this.minParallelBatch) return engine.forward(inputs);
    const helpers = await this.readyHelpers();
    if (helpers.length === 0) return engine.forward(inputs);
    const l = this.model.config.contextLength;
    const parts = helpers.length + 1;
    const bounds = Array.from({ length: parts + 1 }, (_, i) =>
      Math.round((i * inputs.batch) / parts),
    );
    const remote = helpers.map((h, i) =>
      h.worker.forward(rows(inputs, bounds[i], bounds[i + 1], l)),
    );
    // This thread's share runs while the workers run theirs.
    const local = engine.forward(rows(inputs, bounds[parts - 1], bounds[parts], l));
    const out = new Float32Array(
      inputs.batch * (local.length / (bounds[parts] - bounds[parts - 1])),
    );
    const width = out.length / inputs.batch;
    out.set(local, bounds[parts - 1] * width);
    for (let i = 0; i < helpers.length; i++) {
      let part: Float32Array;
      try {
        part = await remote[i];
      } catch {
        part = engine.forward(rows(inputs, bounds[i], bounds[i + 1], l));
      }
      out.set(part, bounds[i] * width);
    }
    return out;
  }

  /** Worker threads currently sharing large batches. */
  get workers(): number {
    return (this.helpers ?? []).filter((h) => !h.worker.failed).length;
  }

  /** The engine for the model's current weights. */
  current(): InferenceEngine {
    const version = weightsVersion(this.model);
    if (!this.engine || !sameVersion(version, this.version)) {
      this.weights = readInferenceWeights(this.model);
      this.engine = new InferenceEngine(this.weights, this.maxBatch);
      this.version = version;
    }
    return this.engine;
  }

  /** Stops the worker threads (they do not keep the process alive in any case). */
  async close(): Promise<void> {
    const helpers = this.helpers ?? [];
    this.helpers = undefined;
    await Promise.all(helpers.map((h) => h.worker.terminate()));
  }

  /** Live workers holding the current weights (started on first use). */
  private async readyHelpers(): Promise<Helper[]> {
    this.helpers ??= Array.from({ length: this.threads - 1 }, () =>
      InferenceWorker.start(this.workerScript),
    )
      .filter((w): w is InferenceWorker => w !== undefined)
      .map((worker) => ({ version: [], worker }));
    const live = this.helpers.filter((h) => !h.worker.failed);
    const weights = this.weights as InferenceWeights;
    await Promise.all(
      live.map(async (h) => {
        if (sameVersion(h.version, this.version)) return;
        await h.worker.load(weights, this.maxBatch);
        h.version = this.version;
      }),
    ).catch(() => undefined);
    return live.filter((h) => !h.worker.failed && sameVersion(h.version, this.version));
  }
}
