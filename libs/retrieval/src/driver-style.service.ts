import { InvalidRequestError } from '@fleetfm/domain';
import type { EmbeddingRow } from '@fleetfm/datasets';
import type { DriverStyleModelPort } from './driver-style-model.port';
import type { EmbedInput } from './embedding.service';

export interface DriverStyleEmbedOptions {
  /** Rows per segment (10 minutes at the data's rate is what the head was trained on). */
  readonly window: number;
  /** Rows between segment starts. Default `window`. */
  readonly stride?: number;
  /** Rows per second. */
  readonly rateHz: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/** The series name of driver-style rows (one embedding per window of all columns together). */
export const DRIVER_STYLE_SERIES = 'driver-style';

/**
 * Driver-style embeddings of a table: one per window of `window` rows (starts 0, stride, … while a
 * whole window fits), each from all the table's columns together.
 */
export class DriverStyleService {
  constructor(private readonly model: DriverStyleModelPort) {}

  async embed(input: EmbedInput, options: DriverStyleEmbedOptions): Promise<EmbeddingRow[]> {
    const { window } = options;
    const stride = options.stride ?? window;
    for (const [name, v] of Object.entries({ stride, window })) {
      if (!Number.isInteger(v) || v < 1) {
        throw new InvalidRequestError(`${name} must be a positive integer, got ${v}`);
      }
    }
    if (input.series.length === 0) throw new InvalidRequestError('no series to embed');
    const n = input.series[0].values.length;
    if (n < window) {
      throw new InvalidRequestError(
        `the data has ${n} rows; --window ${window} needs at least ${window}`,
      );
    }
    const time = input.time ?? Float64Array.from({ length: n }, (_, i) => i);
    const starts: number[] = [];
    for (let start = 0; start + window <= n; start += stride) starts.push(start);
    const rows: EmbeddingRow[] = [];
    for (const start of starts) {
      const columns = input.series.map((s) => ({
        name: s.name,
        values: Float64Array.from(
          Array.prototype.slice.call(s.values, start, start + window) as number[],
        ),
      }));
      rows.push({
        embedding: await this.model.embedSegment(columns, options.rateHz),
        series: DRIVER_STYLE_SERIES,
        windowEnd: time[start + window - 1],
        windowStart: time[start],
      });
      options.onProgress?.(rows.length, starts.length);
    }
    return rows;
  }
}
