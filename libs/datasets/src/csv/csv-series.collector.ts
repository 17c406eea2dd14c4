import { InvalidRequestError, ValidationError } from '@fleetfm/domain';
import type { CsvDelimiter, CsvRecord } from './csv-record.parser';
import type { CsvReadOptions, CsvSeriesTable } from './csv-series';
import { detectFrequency } from './frequency';
import { GrowableFloat64 } from './growable-array';
import { permute, timeOrder } from './time-order';
import {
  describeTimeKind,
  formatTime,
  guessTimeKind,
  isoStyleOf,
  parseDecimal,
  parseTimeCell,
  timeUnitSeconds,
  type IsoStyle,
  type TimeKind,
} from './time-format';

/** A number with one decimal comma and no thousands separators: `-12,5`, `0,25e-3`. */
const DECIMAL_COMMA = /^[+-]?\d*,\d+(?:[eE][+-]?\d+)?$/;

/** Cells that mean "no value" besides the empty cell. */
const GAP_WORDS = new Set(['nan', 'na', 'n/a', 'null']);

/**
 * Turns parsed records into aligned columns, checking each cell as it arrives so that a bad file
 * fails at its first bad row with the row and column named. Fed record by record; memory holds
 * only the requested columns.
 */
export class CsvSeriesCollector {
  private header: string[] | null = null;
  private timeIndex = -1;
  private columnIndices: number[] = [];
  private columnNames: string[] = [];
  private columns: GrowableFloat64[] = [];
  private gaps: number[] = [];
  private time = new GrowableFloat64();
  private lines: number[] = [];
  private timeKind: TimeKind = 'index';
  private firstTimeLine = 0;
  private previousTimeCell = '';
  private isoStyle: IsoStyle | undefined;
  private outOfOrder = 0;
  private firstOutOfOrderLine = 0;

  constructor(private readonly options: CsvReadOptions = {}) {}

  /**
   * Adds one record. `delimiter` is the file's: in a `;` or tab separated file (what spreadsheets
   * in decimal-comma locales export) a number may be written with a decimal comma, `2,5`.
   */
  add(record: CsvRecord, delimiter: CsvDelimiter | null = ','): void {
    if (this.header === null) {
      this.readHeader(record);
      return;
    }
    const { fields, line } = record;
    if (fields.length !== this.header.length) {
      throw new ValidationError(
        `row ${line}: ${fields.length} field${fields.length === 1 ? '' : 's'}, but the header has ${this.header.length}`,
        { line },
      );
    }
    this.time.push(this.readTime(fields, line));
    for (let c = 0; c < this.columnIndices.length; c++) {
      const cell = fields[this.columnIndices[c]].trim();
      let value = Number.NaN;
      if (cell === '') {
        this.gaps[c]++;
      } else {
        value = parseDecimal(cell);
        if (Number.isNaN(value) && delimiter !== ',' && DECIMAL_COMMA.test(cell)) {
          value = parseDecimal(cell.replace(',', '.'));
        }
        if (Number.isNaN(value) && GAP_WORDS.has(cell.toLowerCase())) {
          this.gaps[c]++;
        } else if (Number.isNaN(value)) {
          throw new ValidationError(
            `row ${line}, column "${this.columnNames[c]}": "${cell}" is not a number`,
            {
              column: this.columnNames[c],
              line,
            },
          );
        }
      }
      this.columns[c].push(value);
    }
    this.lines.push(line);
  }

  finish(delimiter: CsvDelimiter): CsvSeriesTable {
    if (this.header === null) throw new ValidationError('the CSV is empty (no header row)');
    if (this.lines.length === 0) throw new ValidationError('the CSV has a header but no data rows');
    const float64 = this.options.dtype === 'float64';
    let time = this.time.toFloat64();
    let lines = Int32Array.from(this.lines);
    let values = this.columns.map((c) => (float64 ? c.toFloat64() : c.toFloat32()));
    if (this.outOfOrder > 0) {
      const column = this.options.timeColumn as string;
      const { order } = timeOrder(time, lines, column, (t) =>
        formatTime(t, this.timeKind, this.isoStyle),
      );
      time = permute(time, order);
      lines = permute(lines, order);
      values = values.map((v) => permute(v, order));
    }
    return {
      delimiter,
      header: this.header,
      time: {
        column: this.options.timeColumn ?? null,
        kind: this.timeKind,
        values: time,
        ...(this.isoStyle === undefined ? {} : { isoStyle: this.isoStyle }),
      },
      series: this.columnNames.map((name, c) => ({
        name,
        values: values[c],
        gaps: this.gaps[c],
      })),
      rowCount: lines.length,
      ...(this.outOfOrder > 0
        ? { reordered: { firstLine: this.firstOutOfOrderLine, rows: this.outOfOrder } }
        : {}),
      lines,
      frequency: detectFrequency(time, { lines, unitSeconds: timeUnitSeconds(this.timeKind) }),
    };
  }

  private readHeader(record: CsvRecord): void {
    const header = record.fields.map((h) => h.trim());
    this.header = header;
    const available = header.join(', ');
    const find = (name: string, role: string): number => {
      const index = header.indexOf(name);
      if (index < 0) {
        throw new InvalidRequestError(
          `${role} "${name}" not found; available columns: ${available}`,
          {
            available: header,
            column: name,
          },
        );
      }
      if (header.indexOf(name, index + 1) >= 0) {
        throw new ValidationError(`column "${name}" appears more than once in the header`, {
          column: name,
        });
      }
      return index;
    };
    const timeColumn = this.options.timeColumn;
    if (timeColumn !== undefined) this.timeIndex = find(timeColumn, 'time column');
    const names = this.options.columns ?? header.filter((h) => h !== timeColumn);
    if (names.length === 0) throw new InvalidRequestError('no value columns to read');
    this.columnIndices = names.map((name) => find(name, 'column'));
    this.columnNames = [...names];
    this.columns = names.map(() => new GrowableFloat64());
    this.gaps = names.map(() => 0);
  }

  private readTime(fields: readonly string[], line: number): number {
    if (this.timeIndex < 0) return this.lines.length;
    const column = this.options.timeColumn as string;
    const cell = fields[this.timeIndex].trim();
    if (cell === '') {
      throw new ValidationError(`row ${line}, column "${column}": time is empty`, { column, line });
    }
    if (this.timeKind === 'index') {
      const format = this.options.timeFormat ?? 'auto';
      const kind = format === 'auto' ? guessTimeKind(cell) : format;
      if (kind === null) {
        throw new ValidationError(
          `row ${line}, column "${column}": "${cell}" is not a time (expected an ISO 8601 date/time, epoch seconds or milliseconds, or a number)`,
          { column, line },
        );
      }
      this.timeKind = kind;
      this.firstTimeLine = line;
      if (kind === 'iso') this.isoStyle = isoStyleOf(cell);
    }
    const value = parseTimeCell(cell, this.timeKind as Exclude<TimeKind, 'index'>);
    if (Number.isNaN(value)) {
      const expected = describeTimeKind(this.timeKind);
      const where = line === this.firstTimeLine ? '' : `, as in row ${this.firstTimeLine}`;
      throw new ValidationError(
        `row ${line}, column "${column}": "${cell}" is not a valid time (expected ${expected}${where})`,
        {
          column,
          line,
        },
      );
    }
    const n = this.lines.length;
    if (n > 0 && this.options.sortByTime && value < this.time.get(n - 1)) {
      // Sorted in finish(); a repeated time is reported there, with both rows.
      if (this.outOfOrder++ === 0) this.firstOutOfOrderLine = line;
    } else if (n > 0 && !(value > this.time.get(n - 1))) {
      const previousLine = this.lines[n - 1];
      throw new ValidationError(
        `row ${line}, column "${column}": time "${cell}" is not after "${this.previousTimeCell}" in row ${previousLine} (time must increase)`,
        { column, line },
      );
    }
    this.previousTimeCell = cell;
    return value;
  }
}
