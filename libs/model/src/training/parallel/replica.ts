import * as tf from '@tensorflow/tfjs';
import {
  exportCheckpoint,
  importCheckpoint,
  type CheckpointFiles,
  type CheckpointInfo,
} from '../../checkpoint';
import { heapView } from '../../kernels/heap-view';
import { PatchModel } from '../../patch-model';
import type { PatchModelArgs } from '../../patch-model.config';
import type { ForecastBatch } from '../forecast-batch';
import { Trainer, type EvalSums, type NamedGradients, type TrainerArgs } from '../trainer';
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

export type { EvalSums };

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
   * This shard's gradient and `weight` into the exchange, barrier, this worker's share of the
   * weighted sum, barrier, then the whole sum is applied at `learningRate` (one worker: its
   * gradient directly). Returns this shard's loss.
   */
  step(
    exchange: GradientExchange,
    worker: number,
    step: number,
    shard: ForecastBatch,
    weight: number,
    learningRate: number,
  ): number {
    // Each worker's shard gets its own dropout masks, the same on a rerun of the step.
    const { loss, grads } = this.trainer.computeGradients(shard, [step, worker]);
    let value = Number.NaN;
    if (exchange.workers === 1 && weight === 1) {
      // Nothing to exchange: apply this replica's gradient as it is.
      value = loss.dataSync()[0];
      loss.dispose();
      setLearningRate(this.trainer.optimizer, learningRate);
      this.trainer.applyGradients(grads);
      return value;
    }
    // The gradient tensors stay alive: the step's weighted sum is written back into their wasm
    // memory (no new tensors to allocate and zero, which cost ~6 ms and an occasional 60 ms).
    let applied = false;
    try {
      const slot = exchange.slot(step, worker);
      for (const [path, g] of grads) {
        slot.set(heapView(g) ?? (g.dataSync() as Float32Array), this.slotOf(path).offset);
      }
      value = loss.dataSync()[0];
      loss.dispose();
      exchange.setWeight(step, worker, weight);
      exchange.barrier.arriveAndWait();
      exchange.reduceShare(step, worker);
      exchange.barrier.arriveAndWait();
      const mean = this.sumInto(grads, exchange.sum(step));
      setLearningRate(this.trainer.optimizer, learningRate);
      applied = true;
      this.trainer.applyGradients(mean); // disposes them
    } finally {
      if (!loss.isDisposed) loss.dispose();
      if (!applied) for (const g of grads.values()) g.dispose();
    }
    return value;
  }

  /**
   * The gradients holding `sum` (their slices of it): written in place when every one of them
   * has its own wasm memory, as fresh tensors (and the originals disposed) otherwise.
   */
  private sumInto(grads: NamedGradients, sum: Float32Array): NamedGradients {
    const views = ownHeapViews(
      [...grads.values()],
      this.model.namedWeights().map((w) => w.variable),
    );
    const out: NamedGradients = new Map();
    let i = 0;
    for (const [path, g] of grads) {
      const s = this.slotOf(path);
      const part = sum.subarray(s.offset, s.offset + s.size);
      const view = views?.[i++];
      if (view) {
        view.set(part);
        out.set(path, g);
      } else {
        g.dispose();
        out.set(path, tensorOf(part, s.shape));
      }
    }
    return out;
  }

  evaluate(batch: ForecastBatch): EvalSums {
    return this.trainer.validationSums(batch);
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
 * Views of the tensors' wasm memory if each tensor's memory is its own: the tensors' ranges are
 * pairwise disjoint and disjoint from `others` (e.g. the weights). Tensors may share memory
 * (reshape and the sharing Identity do), and writing into a shared one would change another.
 * Null without heap views (another backend). Valid until the next tfjs allocation.
 */
export function ownHeapViews(
  tensors: readonly tf.Tensor[],
  others: readonly tf.Tensor[] = [],
): Float32Array[] | null {
  const views: Float32Array[] = [];
  for (const t of tensors) {
    const v = heapView(t);
    if (!v) return null;
    views.push(v);
  }
  const ranges: Array<[number, number]> = views.map((v) => [
    v.byteOffset,
    v.byteOffset + v.byteLength,
  ]);
  for (const t of others) {
    const v = heapView(t);
    if (!v) return null;
    ranges.push([v.byteOffset, v.byteOffset + v.byteLength]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  for (let k = 1; k < ranges.length; k++) if (ranges[k][0] < ranges[k - 1][1]) return null;
  return views;
}

/** A new tensor holding `data`, copied straight into its wasm memory when it can be. */
function tensorOf(data: Float32Array, shape: readonly number[]): tf.Tensor {
  const out = tf.zeros([...shape]);
  const view = heapView(out);
  if (view) {
    view.set(data);
    return out;
  }
  out.dispose();
  return tf.tensor(data.slice(), [...shape]);
}
