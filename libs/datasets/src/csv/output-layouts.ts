import { formatFloat32, type CsvCell, type CsvLayout } from './csv.writer';

/** One forecast step of one series from one forecast origin. */
export interface ForecastRow {
  /** The last observed time the forecast conditions on (already formatted, or a number). */
  readonly origin: CsvCell;
  readonly series: string;
  /** 1-based step ahead. */
  readonly step: number;
  readonly time: CsvCell;
  readonly mean: number;
  /** One value per quantile level of the layout, in the same order. */
  readonly quantiles: ArrayLike<number>;
}

/** The quantile column name of a level: 0.1 → `q0.1`. */
export function quantileColumn(level: number): string {
  return `q${level}`;
}

/** `origin, series, step, time, mean, q0.1 … q0.9` for the given quantile levels. */
export function forecastCsvLayout(levels: readonly number[]): CsvLayout<ForecastRow> {
  return {
    header: ['origin', 'series', 'step', 'time', 'mean', ...levels.map(quantileColumn)],
    toRow: (r) => {
      if (r.quantiles.length !== levels.length) {
        throw new RangeError(
          `forecast row has ${r.quantiles.length} quantiles, the layout ${levels.length}`,
        );
      }
      return [r.origin, r.series, r.step, r.time, r.mean, ...Array.from(r.quantiles)];
    },
  };
}

/** One scored point of anomaly detection. */
export interface DetectRow {
  readonly time: CsvCell;
  readonly series: string;
  readonly value: number;
  readonly score: number;
  readonly flag: boolean;
}

/** `time, series, value, score, flag` (flag is 0/1 so spreadsheets can sum it). */
export const DETECT_CSV_LAYOUT: CsvLayout<DetectRow> = {
  header: ['time', 'series', 'value', 'score', 'flag'],
  toRow: (r) => [r.time, r.series, r.value, r.score, r.flag ? 1 : 0],
};

/** The embedding of one window of one series. */
export interface EmbeddingRow {
  readonly series: string;
  /** Window bounds on the input's time axis (epoch ms for instants; see `TimeAxis`). */
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly embedding: Float32Array;
}

/** `series, window_start, window_end, e0 … e{dim-1}`. */
export function embeddingCsvLayout(
  dim: number,
  formatTime: (t: number) => CsvCell = (t) => t,
): CsvLayout<EmbeddingRow> {
  return {
    header: [
      'series',
      'window_start',
      'window_end',
      ...Array.from({ length: dim }, (_, i) => `e${i}`),
    ],
    toRow: (r) => {
      if (r.embedding.length !== dim) {
        throw new RangeError(
          `embedding of ${r.series} has ${r.embedding.length} dimensions, expected ${dim}`,
        );
      }
      return [
        r.series,
        formatTime(r.windowStart),
        formatTime(r.windowEnd),
        ...Array.from(r.embedding, formatFloat32),
      ];
    },
  };
}
