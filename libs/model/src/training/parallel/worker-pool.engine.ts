import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { BackendName } from '../../backend';
import type { CheckpointFiles, CheckpointInfo } from '../../checkpoint';
import type { ForecastBatch } from '../forecast-batch';
import { GradientExchange } from './gradient-exchange';
import type { OptimizerSnapshot } from './optimizer-state';
import type { EvalSums, ReplicaInit } from './replica';
import { shardRanges, sliceBatch, type TrainingEngine } from './training-engine';
import type { Envelope, WorkerBoot, WorkerMessage, WorkerRequest } from './worker-protocol';

export interface WorkerPoolOptions {
  /** Worker threads (one replica each). */
  readonly workers: number;
  readonly init: ReplicaInit;
  /** tfjs backends the workers try, in order. Default: `selectBackend`'s order. */
  readonly backends?: readonly BackendName[];
  /** Compiled worker script. Default: `defaultWorkerScript()`. */
  readonly workerScript?: string;
}

/**
 * The compiled worker beside this file (dist/), or — when this file runs as TypeScript under
 * Jest — the one `npm run build` put in dist/. Workers cannot load TypeScript.
 */
export function defaultWorkerScript(): string {
  const here = path.join(__dirname, 'train.worker.js');
  if (fs.existsSync(here)) return here;
  const root = path.resolve(__dirname, '..', '..', '..', '..', '..');
  const built = path.join(root, 'dist', path.relative(root, __dirname), 'train.worker.js');
  if (fs.existsSync(built)) return built;
  throw new Error(`compiled training worker not found at ${here} or ${built}: run npm run build`);
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

class WorkerHandle {
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private failure?: Error;

  constructor(readonly worker: Worker) {
    worker.on('message', (m: WorkerMessage) => {
      if (m.kind === 'ready') return;
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.kind === 'reply') p?.resolve(m.result);
      else p?.reject(new Error(`training worker failed: ${m.error}`));
    });
    const fail = (err: Error): void => {
      this.failure = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`training worker exited with code ${code}`)));
  }

  call<T>(request: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { reject, resolve: resolve as (v: unknown) => void });
      const envelope: Envelope = { id, request };
      this.worker.postMessage(envelope, transfer);
    });
  }
}

function waitReady(worker: Worker): Promise<{ size: number; backend: string }> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: WorkerMessage): void => {
      if (m.kind !== 'ready') return;
      worker.off('error', reject);
      worker.off('message', onMessage);
      resolve(m);
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
  });
}

/**
 * Data parallelism over worker threads: each worker holds its own tfjs backend and a replica of
 * the weights; a step sends each worker its rows of the batch, workers exchange gradients
 * through a SharedArrayBuffer (Atomics barrier) and apply the same averaged update.
 */
export class WorkerPoolEngine implements TrainingEngine {
  private constructor(
    private readonly handles: WorkerHandle[],
    readonly backend: string,
    readonly parameters: number,
  ) {}

  get workers(): number {
    return this.handles.length;
  }

  static async start(options: WorkerPoolOptions): Promise<WorkerPoolEngine> {
    if (!Number.isInteger(options.workers) || options.workers < 1) {
      throw new Error(`workers must be a positive integer, got ${options.workers}`);
    }
    const script = options.workerScript ?? defaultWorkerScript();
    const workers = Array.from({ length: options.workers }, (_, index) => {
      const boot: WorkerBoot = {
        backends: options.backends,
        index,
        init: options.init,
        workers: options.workers,
      };
      return new Worker(script, { workerData: boot });
    });
    try {
      const ready = await Promise.all(workers.map(waitReady));
      const size = ready[0].size;
      if (ready.some((r) => r.size !== size)) throw new Error('replicas disagree on model size');
      const handles = workers.map((w) => new WorkerHandle(w));
      const buffer = GradientExchange.allocate(options.workers, size);
      await Promise.all(handles.map((h) => h.call({ buffer, kind: 'attach' })));
      return new WorkerPoolEngine(handles, ready[0].backend, size);
    } catch (err) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw err;
    }
  }

  async step(step: number, batch: ForecastBatch, learningRate: number): Promise<number> {
    const ranges = shardRanges(batch.batch, this.workers);
    if (ranges.some(([a, b]) => b <= a)) {
      throw new Error(`batch ${batch.batch} is smaller than the ${this.workers} workers`);
    }
    const losses = await Promise.all(
      this.handles.map((h, w) => {
        const shard = sliceBatch(batch, ranges[w][0], ranges[w][1]);
        const weight = shard.batch / batch.batch;
        return h.call<number>({ kind: 'step', learningRate, shard, step, weight }, [
          shard.values.buffer as ArrayBuffer,
          shard.mask.buffer as ArrayBuffer,
          shard.target.buffer as ArrayBuffer,
          shard.targetMask.buffer as ArrayBuffer,
        ]);
      }),
    );
    return losses.reduce((s, l, w) => s + (l * (ranges[w][1] - ranges[w][0])) / batch.batch, 0);
  }

  async evaluate(batches: readonly ForecastBatch[]): Promise<number> {
    const parts = this.handles.map(() => [] as ForecastBatch[]);
    batches.forEach((b, i) => parts[i % this.workers].push(b));
    const sums = await Promise.all(
      this.handles.map((h, w) => h.call<EvalSums>({ batches: parts[w], kind: 'evaluate' })),
    );
    const sum = sums.reduce((s, e) => s + e.sum, 0);
    const count = sums.reduce((s, e) => s + e.count, 0);
    return count > 0 ? sum / count : Number.NaN;
  }

  checksums(): Promise<string[]> {
    return Promise.all(this.handles.map((h) => h.call<string>({ kind: 'checksum' })));
  }

  exportCheckpoint(info: CheckpointInfo): Promise<CheckpointFiles> {
    return this.handles[0].call<CheckpointFiles>({ info, kind: 'export' });
  }

  optimizerState(): Promise<OptimizerSnapshot> {
    return this.handles[0].call<OptimizerSnapshot>({ kind: 'optimizer' });
  }

  async dispose(): Promise<void> {
    await Promise.all(this.handles.map((h) => h.worker.terminate()));
  }
}
