import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DomainError, InvalidRequestError, NotFoundError, ValidationError } from '@fleetfm/domain';
import type { CsvReadOptions } from './csv-series';
import { parseCsvSeries, readCsvSeries, readCsvSeriesFile } from './csv-series.reader';
import { requireLength } from './series-length';

const T = { timeColumn: 'date' } as const;

describe('parseCsvSeries errors (golden table: input → message)', () => {
  const cases: [string, string, CsvReadOptions, string, typeof DomainError][] = [
    ['empty file', '', {}, 'the CSV is empty (no header row)', ValidationError],
    ['header only', 'date,speed\n', T, 'the CSV has a header but no data rows', ValidationError],
    [
      'missing column',
      'date,speed,rpm\n2024-01-01,1,2\n',
      { ...T, columns: ['spd'] },
      'column "spd" not found; available columns: date, speed, rpm',
      InvalidRequestError,
    ],
    [
      'missing time column',
      'date,speed\n2024-01-01,1\n',
      { timeColumn: 'ts' },
      'time column "ts" not found; available columns: date, speed',
      InvalidRequestError,
    ],
    [
      'non-numeric cell (line number counts the header and blank lines)',
      'date,speed\n2024-01-01,1\n\n2024-01-02,abc\n',
      T,
      'row 4, column "speed": "abc" is not a number',
      ValidationError,
    ],
    [
      'hex is not a number',
      'a\n0x10\n',
      {},
      'row 2, column "a": "0x10" is not a number',
      ValidationError,
    ],
    [
      'unparsable time after ISO rows',
      'date,speed\n2024-01-01T00:00:00Z,1\n2024-13-01T00:00:00Z,2\n',
      T,
      'row 3, column "date": "2024-13-01T00:00:00Z" is not a valid time (expected an ISO 8601 date/time, as in row 2)',
      ValidationError,
    ],
    [
      'impossible date',
      'date,speed\n2024-02-30,1\n',
      T,
      'row 2, column "date": "2024-02-30" is not a time (expected an ISO 8601 date/time, epoch seconds or milliseconds, or a number)',
      ValidationError,
    ],
    [
      'text time in an epoch column',
      'date,speed\n1700000000,1\nlater,2\n',
      T,
      'row 3, column "date": "later" is not a valid time (expected epoch seconds, as in row 2)',
      ValidationError,
    ],
    [
      'empty time',
      'date,speed\n1,1\n,2\n',
      T,
      'row 3, column "date": time is empty',
      ValidationError,
    ],
    [
      'non-increasing time',
      'date,speed\n2024-01-02,1\n2024-01-01,2\n',
      T,
      'row 3, column "date": time "2024-01-01" is not after "2024-01-02" in row 2 (time must increase)',
      ValidationError,
    ],
    [
      'repeated time',
      'date,speed\n5,1\n5,2\n',
      T,
      'row 3, column "date": time "5" is not after "5" in row 2 (time must increase)',
      ValidationError,
    ],
    [
      'short row',
      'date,speed\n1,1\n2\n',
      T,
      'row 3: 1 field, but the header has 2',
      ValidationError,
    ],
    [
      'long row',
      'date,speed\n1,1,9\n',
      T,
      'row 2: 3 fields, but the header has 2',
      ValidationError,
    ],
    [
      'unterminated quote',
      'a,b\n1,"2\n3\n',
      {},
      'row 2: unterminated quoted field',
      ValidationError,
    ],
    [
      'bare quote',
      'a,b\n1,2"\n',
      {},
      `row 2, field 2: unexpected '"' inside an unquoted field`,
      ValidationError,
    ],
    [
      'text after closing quote',
      'a,b\n"1"x,2\n',
      {},
      `row 2, field 1: unexpected 'x' after a closing quote`,
      ValidationError,
    ],
    [
      'duplicate header',
      'a,a\n1,2\n',
      { columns: ['a'] },
      'column "a" appears more than once in the header',
      ValidationError,
    ],
  ];

  it.each(cases)('%s', (_name, input, options, message, errorClass) => {
    let caught: unknown;
    try {
      parseCsvSeries(input, options);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(errorClass);
    expect((caught as Error).message).toBe(message);
  });

  it('puts the line and column in the error details', () => {
    expect(() => parseCsvSeries('date,speed\n1,1\n2,x\n', T)).toThrow(
      expect.objectContaining({ details: { column: 'speed', line: 3 } }),
    );
  });

  it('counts lines inside quoted fields so later rows keep their file line', () => {
    expect(() => parseCsvSeries('note,v\n"two\nlines",1\n"x",y\n', { columns: ['v'] })).toThrow(
      'row 4, column "v": "y" is not a number',
    );
  });
});

describe('parseCsvSeries', () => {
  it('reads columns, ISO times, gaps, BOM and CRLF', () => {
    const text =
      '\uFEFFdate,speed,rpm\r\n2024-01-01T00:00:00Z,1.5,100\r\n2024-01-01T00:00:10Z,,200\r\n2024-01-01T00:00:20Z,-2e1,NaN\r\n';
    const table = parseCsvSeries(text, { columns: ['speed', 'rpm'], timeColumn: 'date' });
    expect(table.header).toEqual(['date', 'speed', 'rpm']);
    expect(table.time.kind).toBe('iso');
    expect(Array.from(table.time.values)).toEqual([1704067200000, 1704067210000, 1704067220000]);
    expect(table.series.map((s) => s.name)).toEqual(['speed', 'rpm']);
    expect(table.series[0].values).toBeInstanceOf(Float32Array);
    expect(Array.from(table.series[0].values)).toEqual([1.5, NaN, -20]);
    expect(table.series[0].gaps).toBe(1);
    expect(table.series[1].gaps).toBe(1);
    expect(Array.from(table.lines)).toEqual([2, 3, 4]);
    expect(table.frequency).toMatchObject({ regular: true, step: 10000, stepSeconds: 10 });
  });

  it('handles RFC 4180 quoting: delimiters, doubled quotes and newlines inside quotes', () => {
    const table = parseCsvSeries('"na,me","v ""x"""\n"a\nb","1"\n"",2\n', { columns: ['v "x"'] });
    expect(table.header).toEqual(['na,me', 'v "x"']);
    expect(Array.from(table.series[0].values)).toEqual([1, 2]);
    expect(Array.from(table.lines)).toEqual([2, 4]);
  });

  it.each([
    ['semicolon', 't;a;b\n1;2;3\n', ';'],
    ['tab', 't\ta\tb\n1\t2\t3\n', '\t'],
    ['comma with a quoted semicolon', '"t;x",a,b\n1,2,3\n', ','],
  ])('detects the %s delimiter', (_name, text, delimiter) => {
    const table = parseCsvSeries(text, { columns: ['a', 'b'] });
    expect(table.delimiter).toBe(delimiter);
    expect(Array.from(table.series[1].values)).toEqual([3]);
  });

  it.each([
    ['epoch seconds', '1700000000', 'epoch-s', 1700000000000],
    ['epoch ms', '1700000000000', 'epoch-ms', 1700000000000],
    ['plain number', '3.5', 'number', 3.5],
    ['date with offset', '2024-01-01T02:00:00+02:00', 'iso', 1704067200000],
    ['space-separated date-time', '2024-01-01 00:00:01.5', 'iso', 1704067201500],
  ])('parses %s times', (_name, cell, kind, value) => {
    const table = parseCsvSeries(`t,v\n${cell},1\n`, { timeColumn: 't' });
    expect(table.time.kind).toBe(kind);
    expect(table.time.values[0]).toBe(value);
  });

  it('reads a last line without a newline and a trailing empty field as a gap', () => {
    const table = parseCsvSeries('a,b\n1,2\n3,', { dtype: 'float64' });
    expect(Array.from(table.series[1].values)).toEqual([2, NaN]);
    expect(Array.from(table.series[0].values)).toEqual([1, 3]);
  });

  it('uses the row index without a time column and float64 on request', () => {
    const table = parseCsvSeries('a\n1\n2\n3\n', { dtype: 'float64' });
    expect(table.time).toEqual({
      column: null,
      kind: 'index',
      values: new Float64Array([0, 1, 2]),
    });
    expect(table.series[0].values).toBeInstanceOf(Float64Array);
  });

  it('reports the median step and the irregular steps with their lines', () => {
    const table = parseCsvSeries('t,v\n0,1\n1,1\n2,1\n5,1\n6,1\n6.5,1\n', { timeColumn: 't' });
    expect(table.frequency).toEqual({
      irregular: [
        { index: 3, line: 5, step: 3 },
        { index: 5, line: 7, step: 0.5 },
      ],
      irregularCount: 2,
      months: null,
      regular: false,
      step: 1,
      stepSeconds: null,
    });
  });
});

describe('parseCsvSeries with sortByTime', () => {
  const S = { sortByTime: true, timeColumn: 'date' } as const;

  it('sorts a newest-first file by time, lines and columns alike, and says so', () => {
    const table = parseCsvSeries('date,v,w\n2024-01-03,3,30\n2024-01-01,1,\n2024-01-02,2,20\n', S);
    expect(Array.from(table.series[0].values)).toEqual([1, 2, 3]);
    expect(Array.from(table.series[1].values)).toEqual([NaN, 20, 30]);
    expect(Array.from(table.lines)).toEqual([3, 4, 2]);
    expect(table.reordered).toEqual({ firstLine: 3, rows: 1 });
    expect(table.frequency.regular).toBe(true);
  });

  it('still rejects a time that appears twice, naming both rows', () => {
    expect(() => parseCsvSeries('date,v\n3,1\n1,1\n2,1\n3,2\n', S)).toThrow(
      'rows 2 and 5, column "date": the same time "3" appears twice',
    );
    expect(() => parseCsvSeries('date,v\n1,1\n1,2\n', S)).toThrow(
      'row 3, column "date": time "1" is not after "1" in row 2 (time must increase)',
    );
  });

  it('leaves sorted files alone', () => {
    expect(parseCsvSeries('date,v\n1,1\n2,1\n', S).reordered).toBeUndefined();
  });
});

describe('readCsvSeries (streaming)', () => {
  const text = 'date;speed\r\n"2024-01-01";"1,5"\r\n2024-01-02;2\r\n';

  it('gives the same result whatever the chunking, down to one character per chunk', async () => {
    const whole = parseCsvSeries('date;speed\r\n2024-01-01;3\r\n2024-01-02;2\r\n', T);
    const chunks = 'date;speed\r\n2024-01-01;3\r\n2024-01-02;2\r\n'.split('');
    const streamed = await readCsvSeries(chunks, T);
    expect(streamed).toEqual(whole);
  });

  it('reads decimal commas in a semicolon file, across chunk boundaries', async () => {
    // Spreadsheets in decimal-comma locales (and the UCI electricity file) write 2,53 in ';' files.
    const table = await readCsvSeries(text.split(''), T);
    expect(Array.from(table.series[0].values)).toEqual([1.5, 2]);
    const tab = parseCsvSeries('t\tv\n0\t-0,25\n1\t,5\n', { timeColumn: 't' });
    expect(Array.from(tab.series[0].values)).toEqual([-0.25, 0.5]);
  });

  it('still reports a comma in a comma file, and thousands separators, as not a number', async () => {
    await expect(readCsvSeries(['date,speed\n2024-01-01,"1,5"\n'], T)).rejects.toThrow(
      'row 2, column "speed": "1,5" is not a number',
    );
    expect(() => parseCsvSeries('date;speed\n2024-01-01;1.234,5\n', T)).toThrow(
      'row 2, column "speed": "1.234,5" is not a number',
    );
  });

  it('decodes UTF-8 split inside a multi-byte character', async () => {
    const bytes = Buffer.from('temp°C\n1\n', 'utf8');
    const chunks = Array.from(bytes, (b) => Uint8Array.of(b));
    const table = await readCsvSeries(chunks);
    expect(table.series[0].name).toBe('temp°C');
  });

  it('reads a file and rejects a missing one', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetfm-csv-'));
    try {
      const file = path.join(dir, 'data.csv');
      const rows = ['date,speed'];
      for (let i = 0; i < 50_000; i++) rows.push(`${1_700_000_000 + i},${i % 7}`);
      fs.writeFileSync(file, rows.join('\n'));
      const table = await readCsvSeriesFile(file, { columns: ['speed'], timeColumn: 'date' });
      expect(table.rowCount).toBe(50_000);
      expect(table.series[0].values[49_999]).toBe(49_999 % 7);
      expect(table.frequency.stepSeconds).toBe(1);
      await expect(readCsvSeriesFile(path.join(dir, 'nope.csv'))).rejects.toBeInstanceOf(
        NotFoundError,
      );
    } finally {
      fs.rmSync(dir, { force: true, recursive: true });
    }
  });
});

describe('requireLength', () => {
  const series = { name: 'speed', values: new Float32Array([NaN, NaN, 1, 2, NaN, NaN]) };

  it('accepts a long enough series', () => {
    expect(() => requireLength(series, 4, 2)).not.toThrow();
  });

  it.each([
    [5, 2, 'series "speed" has 6 rows; at least 7 are needed (context 5 + horizon 2)'],
    [7, 0, 'series "speed" has 6 rows; at least 7 are needed (context 7)'],
    [2, 0, 'series "speed" has no observed values in its 2-row context'],
  ])('context %i horizon %i → %s', (context, horizon, message) => {
    expect(() => requireLength(series, context, horizon)).toThrow(new InvalidRequestError(message));
  });
});
