import { StringDecoder } from 'node:string_decoder';

/** Receives the cells of interest of one data row of a Flux result. */
export type FluxRowHandler = (time: string, value: string, field: string, tag: string) => void;

/** Column names the reader extracts; `tag` is the one tag column a query cares about. */
export interface FluxColumns {
  readonly time: string;
  readonly value: string;
  readonly field: string;
  readonly tag: string;
}

const DEFAULT_COLUMNS: FluxColumns = {
  time: '_time',
  value: '_value',
  field: '_field',
  tag: 'vehicle_id',
};

/** Splits one CSV record; handles quoted cells (doubled quotes inside) without a regex. */
export function splitCsvLine(line: string): string[] {
  if (line.indexOf('"') < 0) return line.split(',');
  const cells: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line.charCodeAt(i) === 34 /* " */) {
      let cell = '';
      let j = i + 1;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q < 0) throw new Error(`unterminated quoted CSV cell: ${line.slice(0, 200)}`);
        cell += line.slice(j, q);
        if (line.charCodeAt(q + 1) === 34) {
          cell += '"';
          j = q + 2;
        } else {
          j = q + 1;
          break;
        }
      }
      cells.push(cell);
      i = j + 1; // skip the comma
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      cells.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return cells;
}

/**
 * Streaming reader of Flux annotated CSV (`#datatype`/`#group`/`#default` annotations, a header
 * row per table schema, blank lines between result sets). Calls the handler once per data row
 * with the raw time, value, field and tag cells; "" where a column is absent. A Flux error
 * table (header `error,reference`) becomes a thrown Error.
 */
export class FluxCsvReader {
  private readonly decoder = new StringDecoder('utf8');
  private rest = '';
  private expectHeader = true;
  private timeAt = -1;
  private valueAt = -1;
  private fieldAt = -1;
  private tagAt = -1;
  private errorAt = -1;
  private rows = 0;

  constructor(
    private readonly onRow: FluxRowHandler,
    private readonly columns: FluxColumns = DEFAULT_COLUMNS,
  ) {}

  /** Data rows seen so far. */
  get rowCount(): number {
    return this.rows;
  }

  push(chunk: Uint8Array | string): void {
    const text = this.rest + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      this.line(text.slice(start, end));
      start = nl + 1;
    }
    this.rest = text.slice(start);
  }

  end(): void {
    const tail = this.rest + this.decoder.end();
    this.rest = '';
    if (tail.length > 0) this.line(tail.endsWith('\r') ? tail.slice(0, -1) : tail);
  }

  private line(line: string): void {
    if (line.length === 0) {
      this.expectHeader = true;
      return;
    }
    if (line.charCodeAt(0) === 35 /* # */) {
      this.expectHeader = true;
      return;
    }
    const cells = splitCsvLine(line);
    if (this.expectHeader) {
      this.header(cells);
      return;
    }
    if (this.errorAt >= 0) {
      throw new Error(`Flux query error: ${cells[this.errorAt] ?? line}`);
    }
    this.rows++;
    this.onRow(
      this.timeAt < 0 ? '' : cells[this.timeAt],
      this.valueAt < 0 ? '' : cells[this.valueAt],
      this.fieldAt < 0 ? '' : cells[this.fieldAt],
      this.tagAt < 0 ? '' : cells[this.tagAt],
    );
  }

  private header(cells: string[]): void {
    this.expectHeader = false;
    this.timeAt = cells.indexOf(this.columns.time);
    this.valueAt = cells.indexOf(this.columns.value);
    this.fieldAt = cells.indexOf(this.columns.field);
    this.tagAt = cells.indexOf(this.columns.tag);
    this.errorAt = this.timeAt < 0 && this.valueAt < 0 ? cells.indexOf('error') : -1;
  }
}

const minuteCache = new Map<string, number>();

/**
 * Epoch ms of an RFC 3339 UTC timestamp as Flux prints it (`2026-01-01T00:00:01.5Z`, 0-9
 * fraction digits). Sub-millisecond digits are truncated. The minute prefix is cached, so a
 * result of consecutive timestamps costs one Date.parse per minute.
 */
export function parseFluxTime(text: string): number {
  if (text.length < 20 || text.charCodeAt(text.length - 1) !== 90 /* Z */) {
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) throw new Error(`unparseable Flux time "${text}"`);
    return ms;
  }
  const minute = text.slice(0, 16);
  let base = minuteCache.get(minute);
  if (base === undefined) {
    base = Date.parse(`${minute}:00Z`);
    if (Number.isNaN(base)) throw new Error(`unparseable Flux time "${text}"`);
    if (minuteCache.size > 10_000) minuteCache.clear();
    minuteCache.set(minute, base);
  }
  const seconds = (text.charCodeAt(17) - 48) * 10 + (text.charCodeAt(18) - 48);
  let ms = 0;
  if (text.charCodeAt(19) === 46 /* . */) {
    // Up to three fraction digits are milliseconds; pad the missing ones with zeros.
    let scale = 100;
    for (let i = 20; i < text.length - 1 && scale >= 1; i++, scale /= 10) {
      ms += (text.charCodeAt(i) - 48) * scale;
    }
  }
  return base + seconds * 1000 + ms;
}
