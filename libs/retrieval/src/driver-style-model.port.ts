/** One column of a segment: a telemetry signal name (`SIGNAL_NAMES`) and its values (NaN = gap). */
export interface NamedColumn {
  readonly name: string;
  readonly values: ArrayLike<number>;
}

/**
 * What driver identification needs from a model: ONE embedding for a whole multi-channel driving
 * segment (all its columns together, sampled at `rateHz`), L2-normalised. Separate from
 * `EmbeddingModelPort` (one embedding per single-channel window, the scenario embedding) so that
 * each task uses the embedding made for it. An abstract class so that it doubles as a Nest token.
 */
export abstract class DriverStyleModelPort {
  /** What the embedding is (logged and reported by the evaluation). */
  abstract readonly description: string;
  abstract embedSegment(columns: readonly NamedColumn[], rateHz: number): Promise<Float32Array>;
}
