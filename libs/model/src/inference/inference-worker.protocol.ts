import type { EngineInputs } from './inference-engine';
import type { InferenceWeights } from './inference-weights';

/** Messages to an inference worker. */
export type InferenceRequest =
  | {
      readonly kind: 'weights';
      readonly id: number;
      readonly weights: InferenceWeights;
      readonly maxBatch: number;
    }
  | { readonly kind: 'forward'; readonly id: number; readonly inputs: EngineInputs };

/** Replies, by request id. */
export type InferenceReply =
  | { readonly kind: 'done'; readonly id: number }
  | { readonly kind: 'output'; readonly id: number; readonly output: Float32Array }
  | { readonly kind: 'failed'; readonly id: number; readonly error: string };
