import * as tf from '@tensorflow/tfjs';
import {
  exportCheckpoint,
  importCheckpoint,
  type CheckpointFiles,
  type CheckpointInfo,
} from '../../checkpoint';
import { pinballLoss } from '../../heads/pinball-loss';
import { heapView } from '../../kernels/heap-view';
import { PatchModel } from '../../patch-model';
import type { PatchModelArgs } from '../../patch-model.config';
import { toModelInputs, type ForecastBatch } from '../forecast-batch';
import { Trainer, type NamedGradients, type TrainerArgs } from '../trainer';
import type { GradientExchange } from './gradient-exchange';
import {
  restoreOptimizer,
  setLearningRate,
  snapshotOptimizer,
  type OptimizerSnapshot,
} from './optimizer-state';
import { weightLayout, type WeightLayout } from './weight-layout';

export interface ReplicaInit {
  readonly model: PatchModelArgs;
  readonly trainer?: TrainerArgs;
  /** Start from these weights instead of the seeded initialisation. */
  readonly checkpoint?: CheckpointFiles;
  readonly optimizer?: OptimizerSnapshot;
}

/** Sum of the masked pinball loss over observed target steps, and how many there were. */
export interface EvalSums {
  readonly sum: number;
  readonly count: number;
}

/**
 * One copy of the model and its optimizer. Every worker holds one; a step computes this
 * replica's gradient on its shard, exchanges it through shared memory, and applies the sum of
 * all shards' weighted gradients, so replicas that start equal stay equal.
 */
export class Replica {
  readonly layout: WeightLayout;
  private readonly pathOf: Map<string, string>;

  private constructor(
    readonly model: PatchModel,
    readonly trainer: Trainer,
  ) {
    this.layout = weightLayout(model);
    this.pathOf = new Map(model.namedWeights().map((w) => [w.variable.name, w.name]));
  }

  static async create(init: ReplicaInit): Promise<Replica> {
    const model = init.checkpoint
      ? (await importCheckpoint(init.checkpoint)).model
      : new PatchModel(init.model);
    const replica = new Replica(model, new Trainer(model, init.trainer));
    if (init.optimizer) await restoreOptimizer(replica.trainer.optimizer, init.optimizer);
    return replica;
  }

  /**
   * Gradient of this shard × `weight` into the exchange, barrier, then the sum of all slots is
   * applied at `learningRate`. Returns this shard's loss.
   */
  step(
    exchange: GradientExchange,
    worker: number,
    step: number,
    shard: ForecastBatch,
    weight: number,
    learningRate: number,
  ): number {
    const { loss, grads } = this.trainer.computeGradients(shard);
    const slot = exchange.slot(step, worker);
    let value: number;
    try {
      for (const [path, g] of grads) writeWeighted(slot, this.slotOf(path).offset, g, weight);
      value = loss.dataSync()[0];
    } finally {
      loss.dispose();
      for (const g of grads.values()) g.dispose();
    }
    exchange.barrier.arriveAndWait();
    const mean: NamedGradients = new Map();
    for (const path of grads.keys()) {
      const s = this.slotOf(path);
      mean.set(path, summedTensor(exchange, step, s.offset, s.shape));
    }
    setLearningRate(this.trainer.optimizer, learningRate);
    this.trainer.applyGradients(mean);
    return value;
  }

  evaluate(batch: ForecastBatch): EvalSums {
    const c = this.model.config;
    const inputs = toModelInputs(batch);
    try {
      const loss = tf.tidy(() =>
        pinballLoss(
          this.model.predictQuantiles(inputs),
          tf.tensor2d(batch.target, [batch.batch, c.horizon]),
          tf.tensor2d(batch.targetMask, [batch.batch, c.horizon]),
          c.quantiles,
        ),
      );
      const mean = loss.dataSync()[0];
      loss.dispose();
      let count = 0;
      for (const m of batch.targetMask) count += m;
      return { count, sum: mean * count };
    } finally {
      inputs.values.dispose();
      inputs.mask.dispose();
    }
  }

  /** FNV-1a over the bits of every weight, in layout order: equal iff replicas are identical. */
  checksum(): string {
    let h = 0x811c9dc5;
    for (const { variable } of this.model.namedWeights()) {
      const f = variable.dataSync() as Float32Array;
      const bits = new Uint32Array(f.buffer, f.byteOffset, f.length);
      for (let i = 0; i < bits.length; i++) h = Math.imul(h ^ bits[i], 0x01000193);
    }
    return (h >>> 0).toString(16).padStart(8, '0');
  }

  exportCheckpoint(info: CheckpointInfo): Promise<CheckpointFiles> {
    return exportCheckpoint(this.model, info);
  }

  optimizerState(): Promise<OptimizerSnapshot> {
    return snapshotOptimizer(this.trainer.optimizer, this.pathOf);
  }

  dispose(): void {
    this.trainer.dispose();
    this.model.dispose();
  }

  private slotOf(path: string): { offset: number; size: number; shape: readonly number[] } {
    const s = this.layout.byPath.get(path);
    if (!s) throw new Error(`Replica: gradient for unknown weight ${path}`);
    return s;
  }
}

/**
 * slot[offset + i] = g[i]·weight, read straight from the wasm heap when it can be (one pass
 * instead of a dataSync copy and a second pass); the same f32 values either way.
 */
function writeWeighted(slot: Float32Array, offset: number, g: tf.Tensor, weight: number): void {
  const data = heapView(g) ?? (g.dataSync() as Float32Array);
  if (weight === 1) slot.set(data, offset);
  else for (let i = 0; i < data.length; i++) slot[offset + i] = data[i] * weight;
}

/**
 * The sum of all workers' slots for one weight as a new tensor, summed straight into the
 * tensor's wasm memory when it can be (no intermediate array and upload copy).
 */
function summedTensor(
  exchange: GradientExchange,
  step: number,
  offset: number,
  shape: readonly number[],
): tf.Tensor {
  const out = tf.zeros([...shape]);
  const view = heapView(out);
  if (view) {
    exchange.sumInto(step, offset, view.length, view);
    return out;
  }
  out.dispose();
  const sum = new Float32Array(out.size);
  exchange.sumInto(step, offset, sum.length, sum);
  return tf.tensor(sum, [...shape]);
}
