/**
 * What the embedding service needs from a model: raw windows (any scale, NaN gaps) in, one
 * L2-normalised embedding per window out. An abstract class so that it doubles as a Nest token.
 */
export abstract class EmbeddingModelPort {
  /** Steps the model reads; longer windows are cut to their last steps, shorter ones padded. */
  abstract readonly contextLength: number;
  abstract readonly embeddingDim: number;
  /** `signalIds`: one per window (0 = unknown, the default). */
  abstract embed(
    windows: readonly Float32Array[],
    signalIds?: readonly number[],
  ): Promise<Float32Array[]>;
}
