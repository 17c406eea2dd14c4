import type { CheckpointFiles, CheckpointInfo } from '../../checkpoint';
import type { ForecastBatch } from '../forecast-batch';
import { GradientExchange } from './gradient-exchange';
import type { OptimizerSnapshot } from './optimizer-state';
import { Replica, type ReplicaInit } from './replica';
import type { TrainingEngine } from './training-engine';

/**
 * One replica in the calling thread, on whatever tfjs backend is active: the same step code as
 * a worker, without threads. For tests and for callers that own their thread.
 */
export class LocalEngine implements TrainingEngine {
  readonly workers = 1;

  get parameters(): number {
    return this.replica.layout.size;
  }

  private constructor(
    private readonly replica: Replica,
    private readonly exchange: GradientExchange,
  ) {}

  static async start(init: ReplicaInit): Promise<LocalEngine> {
    const replica = await Replica.create(init);
    const size = replica.layout.size;
    return new LocalEngine(
      replica,
      new GradientExchange(GradientExchange.allocate(1, size), 1, size),
    );
  }

  async step(step: number, batch: ForecastBatch, learningRate: number): Promise<number> {
    return this.replica.step(this.exchange, 0, step, batch, 1, learningRate);
  }

  async evaluate(batches: readonly ForecastBatch[]): Promise<number> {
    let sum = 0;
    let count = 0;
    for (const b of batches) {
      const r = this.replica.evaluate(b);
      sum += r.sum;
      count += r.count;
    }
    return count > 0 ? sum / count : Number.NaN;
  }

  async checksums(): Promise<string[]> {
    return [this.replica.checksum()];
  }

  exportCheckpoint(info: CheckpointInfo): Promise<CheckpointFiles> {
    return this.replica.exportCheckpoint(info);
  }

  optimizerState(): Promise<OptimizerSnapshot> {
    return this.replica.optimizerState();
  }

  /** The replica's model (shared, not a copy). */
  get model(): Replica['model'] {
    return this.replica.model;
  }

  async dispose(): Promise<void> {
    this.replica.dispose();
  }
}
