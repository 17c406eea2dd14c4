import * as tf from '@tensorflow/tfjs';
import {
  pooledEncoderStates,
  STYLE_FEATURE_DIM,
  styleFeatures,
  type PatchModel,
  type StyleHead,
} from '@fleetfm/model';
import { PatchTokenizer, type PatchTokenizerConfig } from '@fleetfm/tokenizer';
import { EmbeddingModelPort } from './embedding-model.port';

/**
 * `EmbeddingModelPort` over the patch model: the model's own pooled embedding head (the scenario
 * embedding), or with a `StyleHead` (a checkpoint's `style-head.json`) the per-window scale-aware
 * style embedding of raw-window statistics and the pooled encoder state. `embeddersForCheckpoint`
 * picks the right one per task.
 */
export class PatchEmbeddingAdapter extends EmbeddingModelPort {
  private readonly tokenizer: PatchTokenizer;

  constructor(
    private readonly model: PatchModel,
    tokenizer?: Partial<PatchTokenizerConfig>,
    private readonly styleHead?: StyleHead,
  ) {
    super();
    const c = model.config;
    this.tokenizer = new PatchTokenizer({
      contextLength: c.contextLength,
      minScale: tokenizer?.minScale,
      patchLength: c.patchLength,
      scaling: tokenizer?.scaling,
    });
  }

  get contextLength(): number {
    return this.model.config.contextLength;
  }

  get embeddingDim(): number {
    return this.styleHead?.config.embeddingDim ?? this.model.config.embeddingDim;
  }

  async embed(
    windows: readonly Float32Array[],
    signalIds?: readonly number[],
  ): Promise<Float32Array[]> {
    if (windows.length === 0) return [];
    const c = this.model.config;
    const tok = this.tokenizer.encodeBatch(windows);
    const ids = Int32Array.from(windows, (_, b) => {
      const id = signalIds?.[b] ?? 0;
      return id < c.numSignals ? id : 0;
    });
    const head = this.styleHead;
    // The head's statistics are of the window the model reads (its last contextLength rows).
    const features = head ? this.features(windows) : undefined;
    const out = tf.tidy(() => {
      const inputs = {
        mask: tf.tensor2d(tok.mask, [tok.batch, c.contextLength]),
        signalIds: ids,
        values: tf.tensor2d(tok.values, [tok.batch, c.contextLength]),
      };
      if (!head || !features) return this.model.embed(inputs);
      const pooled = pooledEncoderStates(this.model, inputs);
      return head.call(tf.tensor2d(features, [tok.batch, STYLE_FEATURE_DIM]), pooled, ids);
    });
    // Read back outside tidy (faster on wasm), then free.
    const data = await out.data<'float32'>();
    out.dispose();
    const d = this.embeddingDim;
    return windows.map((_, b) => data.slice(b * d, (b + 1) * d));
  }

  private features(windows: readonly Float32Array[]): Float32Array {
    const l = this.model.config.contextLength;
    const out = new Float32Array(windows.length * STYLE_FEATURE_DIM);
    windows.forEach((w, b) => {
      const last = w.length > l ? w.subarray(w.length - l) : w;
      out.set(styleFeatures(last), b * STYLE_FEATURE_DIM);
    });
    return out;
  }
}
