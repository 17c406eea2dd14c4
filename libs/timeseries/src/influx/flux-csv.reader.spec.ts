import { FluxCsvReader, parseFluxTime, splitCsvLine } from './flux-csv.reader';

// Shape of InfluxDB 1.8's /api/v2/query answer: CRLF, one annotation block per table schema.
const CSV = [
  '#datatype,string,long,dateTime:RFC3339,double,string',
  '#group,false,false,false,false,true',
  '#default,_result,,,,',
  ',result,table,_time,_value,_field',
  ',,0,2026-01-01T00:00:00Z,10,speed_mps',
  ',,0,2026-01-01T00:00:01.5Z,10.5,speed_mps',
  '',
  '#datatype,string,long,dateTime:RFC3339,string,string',
  '#group,false,false,false,false,true',
  '#default,_result,,,,',
  ',result,table,_time,_value,_field',
  ',,1,2026-01-01T00:00:00Z,"soc_pct,speed_mps",signals',
  '',
  '',
].join('\r\n');

function readAll(csv: string, chunkSize: number): string[][] {
  const rows: string[][] = [];
  const sut = new FluxCsvReader((...cells) => rows.push(cells));
  const bytes = Buffer.from(csv);
  for (let i = 0; i < bytes.length; i += chunkSize) sut.push(bytes.subarray(i, i + chunkSize));
  sut.end();
  return rows;
}

describe('FluxCsvReader', () => {
  it.each([1, 7, 4096])('reads rows across tables in chunks of %i bytes', (chunkSize) => {
    expect(readAll(CSV, chunkSize)).toEqual([
      ['2026-01-01T00:00:00Z', '10', 'speed_mps', ''],
      ['2026-01-01T00:00:01.5Z', '10.5', 'speed_mps', ''],
      ['2026-01-01T00:00:00Z', 'soc_pct,speed_mps', 'signals', ''],
    ]);
  });

  it('reads the tag column', () => {
    const rows = readAll(
      ',result,table,_time,vehicle_id\n,_result,0,2026-01-01T00:00:00Z,v1\n',
      64,
    );
    expect(rows).toEqual([['2026-01-01T00:00:00Z', '', '', 'v1']]);
  });

  it('turns a Flux error table into an Error', () => {
    const csv =
      '#datatype,string,string\n#group,true,true\n#default,,\n,error,reference\n,bad thing,897\n';
    expect(() => readAll(csv, 1000)).toThrow('Flux query error: bad thing');
  });
});

describe('splitCsvLine', () => {
  it.each([
    ['a,b,,c', ['a', 'b', '', 'c']],
    ['"x,y",z', ['x,y', 'z']],
    ['a,"say ""hi""",', ['a', 'say "hi"', '']],
    ['""', ['']],
  ])('splits %s', (line, cells) => {
    expect(splitCsvLine(line)).toEqual(cells);
  });
});

describe('parseFluxTime', () => {
  it.each([
    ['2026-01-01T00:00:00Z', Date.UTC(2026, 0, 1)],
    ['2026-01-01T00:00:01.5Z', Date.UTC(2026, 0, 1, 0, 0, 1, 500)],
    ['2026-01-01T00:59:59.999Z', Date.UTC(2026, 0, 1, 0, 59, 59, 999)],
    ['2026-01-01T00:00:00.000000001Z', Date.UTC(2026, 0, 1)],
    ['2026-01-01T00:00:00.12Z', Date.UTC(2026, 0, 1, 0, 0, 0, 120)],
    ['2000-02-29T23:59:00.001Z', Date.UTC(2000, 1, 29, 23, 59, 0, 1)],
    ['2026-01-01T01:00:00+01:00', Date.UTC(2026, 0, 1)],
  ])('%s', (text, ms) => {
    expect(parseFluxTime(text)).toBe(ms);
  });

  it('refuses garbage', () => {
    expect(() => parseFluxTime('yesterday')).toThrow(/unparseable/);
  });
});
