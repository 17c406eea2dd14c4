import {
  readSegmentStyleHead,
  readStyleHead,
  type PatchModel,
  type SegmentStyleHead,
  type StyleHead,
} from '@fleetfm/model';
import type { PatchTokenizerConfig } from '@fleetfm/tokenizer';
import type { DriverStyleModelPort } from './driver-style-model.port';
import { PatchEmbeddingAdapter } from './patch-embedding.adapter';
import { SegmentStyleAdapter } from './segment-style.adapter';
import { WindowMeanStyleAdapter } from './window-mean-style.adapter';

/** The two embeddings of a checkpoint: what `fleetfm embed --kind` and `fleetfm eval` use. */
export type EmbeddingKind = 'scenario' | 'driver-style';
export const EMBEDDING_KINDS: readonly EmbeddingKind[] = ['scenario', 'driver-style'];

export interface CheckpointEmbedders {
  /** Per single-channel window: the model's pooled (contrastive) embedding head. */
  readonly scenario: PatchEmbeddingAdapter;
  /** Per multi-channel segment: the best driver-style embedding the folder has. */
  readonly driverStyle: DriverStyleModelPort;
  /** Which embedding each kind uses (and why, for a fallback). */
  readonly notes: Readonly<Record<EmbeddingKind, string>>;
  /** Frees the sidecar heads (the caller still owns `model`). */
  dispose(): void;
}

/**
 * The embedders of a checkpoint folder. Scenario: always the model's pooled head. Driver style,
 * the first the folder has: `segment-style-head.json` (cross-channel segment statistics; any
 * encoder), else `style-head.json` trained on this `weights.bin` (per-window, averaged per
 * channel), else the pooled head averaged per channel.
 */
export function embeddersForCheckpoint(
  model: PatchModel,
  tokenizer: Partial<PatchTokenizerConfig> | undefined,
  dir: string,
): CheckpointEmbedders {
  const scenario = new PatchEmbeddingAdapter(model, tokenizer);
  const window = model.config.contextLength;
  const segment = readSegmentStyleHead(dir);
  let owned: SegmentStyleHead | StyleHead | undefined = segment.head;
  let driverStyle: DriverStyleModelPort;
  if (segment.head) {
    driverStyle = new SegmentStyleAdapter(segment.head);
  } else {
    const windowHead = readStyleHead(dir);
    owned = windowHead.head;
    driverStyle = windowHead.head
      ? new WindowMeanStyleAdapter(
          new PatchEmbeddingAdapter(model, tokenizer, windowHead.head),
          window,
          `per-window scale-aware style head, averaged per channel (${segment.reason})`,
        )
      : new WindowMeanStyleAdapter(
          scenario,
          window,
          `the pooled head averaged per channel (${segment.reason}; ${windowHead.reason})`,
        );
  }
  return {
    dispose: () => owned?.dispose(),
    driverStyle,
    notes: {
      'driver-style': `driver-style embedding: ${driverStyle.description}`,
      scenario: `scenario embedding: the model's pooled head (${scenario.embeddingDim} per window)`,
    },
    scenario,
  };
}
