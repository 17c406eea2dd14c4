import type { BackendName } from '../../backend';
import type { CheckpointInfo } from '../../checkpoint';
import type { ForecastBatch } from '../forecast-batch';
import type { ReplicaInit } from './replica';

/** `workerData` of a training worker. */
export interface WorkerBoot {
  readonly index: number;
  readonly workers: number;
  readonly init: ReplicaInit;
  /** tfjs backends to try, in order. Default: `selectBackend`'s order. */
  readonly backends?: readonly BackendName[];
}

export type WorkerRequest =
  | { readonly kind: 'attach'; readonly buffer: SharedArrayBuffer }
  | {
      readonly kind: 'step';
      readonly step: number;
      readonly shard: ForecastBatch;
      readonly weight: number;
      readonly learningRate: number;
    }
  | { readonly kind: 'evaluate'; readonly batches: readonly ForecastBatch[] }
  | { readonly kind: 'checksum' }
  | { readonly kind: 'export'; readonly info: CheckpointInfo }
  | { readonly kind: 'optimizer' };

export type WorkerMessage =
  | { readonly kind: 'ready'; readonly size: number; readonly backend: string }
  | { readonly kind: 'reply'; readonly id: number; readonly result: unknown }
  | { readonly kind: 'failed'; readonly id: number; readonly error: string };

export interface Envelope {
  readonly id: number;
  readonly request: WorkerRequest;
}
