import { DriverStyleModelPort, type NamedColumn } from './driver-style-model.port';
import type { EmbeddingModelPort } from './embedding-model.port';
import { EmbeddingService, meanEmbedding } from './embedding.service';

/**
 * `DriverStyleModelPort` from a per-window model, for checkpoints without a segment style head:
 * per column, the mean of its window embeddings (windows of `window` rows, no overlap), then the
 * columns' means concatenated in the order given.
 */
export class WindowMeanStyleAdapter extends DriverStyleModelPort {
  private readonly service: EmbeddingService;

  constructor(
    model: EmbeddingModelPort,
    private readonly window: number,
    readonly description: string,
  ) {
    super();
    this.service = new EmbeddingService(model);
  }

  async embedSegment(columns: readonly NamedColumn[]): Promise<Float32Array> {
    const n = columns[0]?.values.length ?? 0;
    const window = Math.min(this.window, n);
    const rows = await this.service.embed({ series: columns }, { stride: window, window });
    const parts = columns.map((c) =>
      meanEmbedding(rows.filter((r) => r.series === c.name).map((r) => r.embedding)),
    );
    const dim = parts[0]?.length ?? 0;
    const joined = new Float32Array(dim * parts.length);
    parts.forEach((p, i) => joined.set(p, i * dim));
    return joined;
  }
}
