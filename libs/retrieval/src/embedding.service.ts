import { InvalidRequestError } from '@fleetfm/domain';
import type { EmbeddingRow } from '@fleetfm/datasets';
import { SIGNAL_NAMES } from '@fleetfm/domain';
import { EmbeddingModelPort } from './embedding-model.port';

export interface EmbedOptions {
  /** Rows per window. */
  readonly window: number;
  /** Rows between window starts. Default `window` (no overlap). */
  readonly stride?: number;
  /** Average the columns' embeddings of a window into one (re-normalised). Default false. */
  readonly combine?: boolean;
  /** Windows per model call. Default 64. */
  readonly batchSize?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface EmbedInput {
  readonly series: ReadonlyArray<{ readonly name: string; readonly values: ArrayLike<number> }>;
  /** Time of each row (same length as the series); default the row index. */
  readonly time?: ArrayLike<number>;
}

/**
 * One embedding per window of each series (or per window, columns averaged, with `combine`):
 * windows start at 0, stride, 2·stride, … while a whole window fits. Windows with no observed
 * value are skipped. `windowStart`/`windowEnd` are the times of the window's first and last row.
 */
export class EmbeddingService {
  constructor(private readonly model: EmbeddingModelPort) {}

  async embed(input: EmbedInput, options: EmbedOptions): Promise<EmbeddingRow[]> {
    const { window } = options;
    const stride = options.stride ?? window;
    for (const [name, v] of Object.entries({ stride, window })) {
      if (!Number.isInteger(v) || v < 1) {
        throw new InvalidRequestError(`${name} must be a positive integer, got ${v}`);
      }
    }
    const n = input.series[0]?.values.length ?? 0;
    if (input.series.length === 0) throw new InvalidRequestError('no series to embed');
    if (n < window) {
      throw new InvalidRequestError(
        `the data has ${n} rows; --window ${window} needs at least ${window}`,
      );
    }
    const time = input.time ?? Float64Array.from({ length: n }, (_, i) => i);
    const jobs: Array<{ series: number; start: number }> = [];
    for (let start = 0; start + window <= n; start += stride) {
      input.series.forEach((s, series) => {
        if (observed(s.values, start, start + window)) jobs.push({ series, start });
      });
    }
    const vectors: Float32Array[] = [];
    const batchSize = options.batchSize ?? 64;
    for (let i = 0; i < jobs.length; i += batchSize) {
      const batch = jobs.slice(i, i + batchSize);
      const windows = batch.map((j) =>
        Float32Array.from(
          Array.prototype.slice.call(input.series[j.series].values, j.start, j.start + window),
        ),
      );
      vectors.push(
        ...(await this.model.embed(
          windows,
          batch.map((j) => signalIdOf(input.series[j.series].name)),
        )),
      );
      options.onProgress?.(i + batch.length, jobs.length);
    }
    const rows = jobs.map((j, k) => ({
      embedding: vectors[k],
      series: input.series[j.series].name,
      windowEnd: time[j.start + window - 1],
      windowStart: time[j.start],
    }));
    return options.combine ? combineColumns(rows, input.series.map((s) => s.name).join('+')) : rows;
  }
}

/** Mean of unit vectors, re-normalised: the embedding of a set (segment, trip, driver). */
export function meanEmbedding(vectors: readonly ArrayLike<number>[]): Float32Array {
  if (vectors.length === 0) throw new InvalidRequestError('no embeddings to average');
  const dim = vectors[0].length;
  const sum = new Float64Array(dim);
  for (const v of vectors) for (let j = 0; j < dim; j++) sum[j] += v[j];
  let norm = 0;
  for (let j = 0; j < dim; j++) norm += sum[j] * sum[j];
  const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  return Float32Array.from(sum, (x) => x * inv);
}

function combineColumns(rows: EmbeddingRow[], name: string): EmbeddingRow[] {
  const byStart = new Map<number, EmbeddingRow[]>();
  for (const r of rows) {
    const list = byStart.get(r.windowStart) ?? [];
    list.push(r);
    byStart.set(r.windowStart, list);
  }
  return [...byStart.values()].map((list) => ({
    embedding: meanEmbedding(list.map((r) => r.embedding)),
    series: name,
    windowEnd: list[0].windowEnd,
    windowStart: list[0].windowStart,
  }));
}

function observed(values: ArrayLike<number>, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!Number.isNaN(values[i])) return true;
  return false;
}

/** 1 + index in SIGNAL_NAMES for telemetry columns, else 0 (the pretraining convention). */
function signalIdOf(name: string): number {
  return (SIGNAL_NAMES as readonly string[]).indexOf(name) + 1;
}
