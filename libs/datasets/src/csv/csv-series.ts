import type { CsvDelimiter } from './csv-record.parser';
import type { FrequencyReport } from './frequency';
import type { IsoStyle, TimeKind } from './time-format';

/** One numeric column of a CSV; empty cells are NaN (gaps). */
export interface CsvSeries {
  readonly name: string;
  readonly values: Float32Array | Float64Array;
  /** How many cells were empty. */
  readonly gaps: number;
}

export interface TimeAxis {
  /** The time column's name, or null when the row index stands in for time. */
  readonly column: string | null;
  readonly kind: TimeKind;
  /** Epoch ms for instants (`iso`, `epoch-s`, `epoch-ms`), otherwise the numbers as written. */
  readonly values: Float64Array;
  /** For `iso`: how the first time cell was written (outputs write times the same way). */
  readonly isoStyle?: IsoStyle;
}

/** What a CSV reader returns: aligned columns, one entry per data row. */
export interface CsvSeriesTable {
  readonly delimiter: CsvDelimiter;
  /** Every header name, in file order. */
  readonly header: readonly string[];
  readonly time: TimeAxis;
  readonly series: readonly CsvSeries[];
  readonly rowCount: number;
  /** The 1-based file line of each data row (for error messages downstream). */
  readonly lines: Int32Array;
  /** With `sortByTime`: how many rows came before their predecessor in time, and the first. */
  readonly reordered?: { readonly rows: number; readonly firstLine: number };
  readonly frequency: FrequencyReport;
}

export interface CsvReadOptions {
  /** Columns to read as series; default: every column except the time column. */
  readonly columns?: readonly string[];
  /** The time column; without it the row index is the time axis. */
  readonly timeColumn?: string;
  /** Default `auto` (`,`, `;` or tab, from the header line). */
  readonly delimiter?: CsvDelimiter | 'auto';
  /** Default `auto`: guessed from the first time cell (see `guessTimeKind`). */
  readonly timeFormat?: Exclude<TimeKind, 'index'> | 'auto';
  /**
   * Rows whose time is before the previous row's: false (default) rejects them naming the row;
   * true sorts the rows by time (newest-first exports) and reports it in `reordered`. A time that
   * appears twice is an error either way.
   */
  readonly sortByTime?: boolean;
  /** Storage of the series values. Default `float32` (what the model consumes). */
  readonly dtype?: 'float32' | 'float64';
}
