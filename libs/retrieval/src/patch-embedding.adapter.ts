import * as tf from '@tensorflow/tfjs';
import type { PatchModel } from '@fleetfm/model';
import { PatchTokenizer, type PatchTokenizerConfig } from '@fleetfm/tokenizer';
import { EmbeddingModelPort } from './embedding-model.port';

/** `EmbeddingModelPort` over the patch model's pooled embedding head. */
export class PatchEmbeddingAdapter extends EmbeddingModelPort {
  private readonly tokenizer: PatchTokenizer;

  constructor(
    private readonly model: PatchModel,
    tokenizer?: Partial<PatchTokenizerConfig>,
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
    return this.model.config.embeddingDim;
  }

  async embed(
    windows: readonly Float32Array[],
    signalIds?: readonly number[],
  ): Promise<Float32Array[]> {
    if (windows.length === 0) return [];
    const c = this.model.config;
    const tok = this.tokenizer.encodeBatch(windows);
    const out = tf.tidy(() =>
      this.model.embed({
        mask: tf.tensor2d(tok.mask, [tok.batch, c.contextLength]),
        signalIds: Int32Array.from(windows, (_, b) => {
          const id = signalIds?.[b] ?? 0;
          return id < c.numSignals ? id : 0;
        }),
        values: tf.tensor2d(tok.values, [tok.batch, c.contextLength]),
      }),
    );
    // Read back outside tidy (faster on wasm), then free.
    const data = await out.data<'float32'>();
    out.dispose();
    const d = c.embeddingDim;
    return windows.map((_, b) => data.slice(b * d, (b + 1) * d));
  }
}
