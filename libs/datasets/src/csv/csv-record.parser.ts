import { ValidationError } from '@fleetfm/domain';

export type CsvDelimiter = ',' | ';' | '\t';

/** One record of a CSV file and the 1-based line of the file on which it starts. */
export interface CsvRecord {
  readonly line: number;
  readonly fields: readonly string[];
}

export interface CsvRecordParserOptions {
  /** Field separator; `'auto'` (the default) picks `,`, `;` or tab from the header line. */
  readonly delimiter?: CsvDelimiter | 'auto';
}

const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;
const BOM = 0xfeff;

enum State {
  FieldStart,
  Unquoted,
  Quoted,
  QuoteInQuoted,
}

/**
 * The delimiter of a header line: whichever of `,` `;` tab occurs most often outside quotes.
 * Ties (including a one-column file) go to the comma, the RFC 4180 default.
 */
export function detectDelimiter(headerLine: string): CsvDelimiter {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === ',' || ch === ';' || ch === '\t')) counts[ch]++;
  }
  let best: CsvDelimiter = ',';
  for (const d of [';', '\t'] as const) if (counts[d] > counts[best]) best = d;
  return best;
}

/**
 * Streaming RFC 4180 parser: feed it text chunks of any size (a chunk may end inside a field, a
 * quoted newline or a CRLF pair) and it returns the records completed so far. Quoted fields may
 * hold delimiters, doubled quotes and line breaks. A leading byte-order mark is dropped, CRLF,
 * LF and lone CR all end a record, and blank lines are skipped but still counted, so that the
 * line numbers in errors match what an editor shows.
 */
export class CsvRecordParser {
  private delimiter: number | null;
  private pendingHeader: string | null = null;
  private atStreamStart = true;
  private state = State.FieldStart;
  private partial = '';
  private fields: string[] = [];
  private line = 1;
  private recordLine = 1;
  private previousWasCr = false;

  constructor(options: CsvRecordParserOptions = {}) {
    const d = options.delimiter ?? 'auto';
    this.delimiter = d === 'auto' ? null : d.charCodeAt(0);
  }

  /** The delimiter in use, once known (after the first line when auto-detecting). */
  get detectedDelimiter(): CsvDelimiter | null {
    return this.delimiter === null ? null : (String.fromCharCode(this.delimiter) as CsvDelimiter);
  }

  push(chunk: string): CsvRecord[] {
    let text = chunk;
    if (this.atStreamStart && text.length > 0) {
      this.atStreamStart = false;
      if (text.charCodeAt(0) === BOM) text = text.slice(1);
    }
    if (this.delimiter === null) {
      // Hold text back until the header line is complete, then choose the delimiter from it.
      this.pendingHeader = (this.pendingHeader ?? '') + text;
      const eol = this.pendingHeader.search(/[\r\n]/);
      if (eol < 0) return [];
      this.delimiter = detectDelimiter(this.pendingHeader.slice(0, eol)).charCodeAt(0);
      text = this.pendingHeader;
      this.pendingHeader = null;
    }
    const out: CsvRecord[] = [];
    this.scan(text, out);
    return out;
  }

  /** Flushes the last record (a final newline is optional). Throws on an unterminated quote. */
  end(): CsvRecord[] {
    const out: CsvRecord[] = [];
    if (this.pendingHeader !== null) {
      this.delimiter = detectDelimiter(this.pendingHeader).charCodeAt(0);
      const text = this.pendingHeader;
      this.pendingHeader = null;
      this.scan(text, out);
    }
    if (this.state === State.Quoted) {
      throw new ValidationError(`row ${this.recordLine}: unterminated quoted field`, {
        line: this.recordLine,
      });
    }
    if (this.state !== State.FieldStart || this.fields.length > 0) {
      // The last line had no newline: its final field is still pending.
      this.fields.push(this.partial);
      this.partial = '';
      this.endRecord(out);
    }
    return out;
  }

  private scan(text: string, out: CsvRecord[]): void {
    const delimiter = this.delimiter as number;
    let fieldStart = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      const afterCr = this.previousWasCr;
      this.previousWasCr = c === CR;
      switch (this.state) {
        case State.FieldStart:
          if (c === LF && afterCr) continue; // second half of a CRLF
          if (this.fields.length === 0) this.recordLine = this.line;
          if (c === QUOTE) {
            this.state = State.Quoted;
            fieldStart = i + 1;
          } else if (c === delimiter) {
            this.fields.push('');
          } else if (c === CR || c === LF) {
            this.line++;
            if (this.fields.length > 0) {
              this.fields.push('');
              this.endRecord(out);
            }
          } else {
            this.state = State.Unquoted;
            fieldStart = i;
          }
          break;
        case State.Unquoted:
          if (c === delimiter || c === CR || c === LF) {
            this.fields.push(this.partial + text.slice(fieldStart, i));
            this.partial = '';
            this.state = State.FieldStart;
            if (c !== delimiter) {
              this.line++;
              this.endRecord(out);
            }
          } else if (c === QUOTE) {
            throw this.syntaxError(`unexpected '"' inside an unquoted field`);
          }
          break;
        case State.Quoted:
          if (c === QUOTE) {
            this.partial += text.slice(fieldStart, i);
            this.state = State.QuoteInQuoted;
          } else if (c === CR || (c === LF && !afterCr)) {
            this.line++;
          }
          break;
        case State.QuoteInQuoted:
          if (c === QUOTE) {
            this.partial += '"';
            fieldStart = i + 1;
            this.state = State.Quoted;
          } else if (c === delimiter || c === CR || c === LF) {
            this.fields.push(this.partial);
            this.partial = '';
            this.state = State.FieldStart;
            if (c !== delimiter) {
              this.line++;
              this.endRecord(out);
            }
          } else {
            throw this.syntaxError(`unexpected '${text[i]}' after a closing quote`);
          }
          break;
      }
    }
    if (this.state === State.Unquoted || this.state === State.Quoted) {
      this.partial += text.slice(fieldStart);
    }
  }

  private endRecord(out: CsvRecord[]): void {
    const fields = this.fields;
    this.fields = [];
    this.state = State.FieldStart;
    // A line holding only spaces is as blank as an empty one.
    if (fields.length === 1 && fields[0].trim() === '') return;
    out.push({ line: this.recordLine, fields });
  }

  private syntaxError(what: string): ValidationError {
    const field = this.fields.length + 1;
    return new ValidationError(`row ${this.recordLine}, field ${field}: ${what}`, {
      field,
      line: this.recordLine,
    });
  }
}
