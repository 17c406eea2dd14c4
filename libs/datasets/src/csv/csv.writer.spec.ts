import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatCsv, formatCsvCell, formatFloat32, writeCsv } from './csv.writer';
import { parseCsvSeries } from './csv-series.reader';
import { DETECT_CSV_LAYOUT, embeddingCsvLayout, forecastCsvLayout } from './output-layouts';

describe('CSV writer', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    [' padded', '" padded"'],
    [1.5, '1.5'],
    [NaN, ''],
    [null, ''],
    [true, 'true'],
  ])('formats %j as %j', (cell, text) => {
    expect(formatCsvCell(cell)).toBe(text);
  });

  it.each([
    [0.1, '0.1'],
    [1 / 3, '0.33333334'],
    [-2, '-2'],
    [1e-8, '1e-8'],
  ])('writes float32 %d as the shortest round-trip %s', (value, text) => {
    expect(formatFloat32(value)).toBe(text);
    expect(Math.fround(Number(text))).toBe(Math.fround(value));
  });

  it('writes forecast rows as origin, series, step, time, mean, q…', () => {
    const text = formatCsv(forecastCsvLayout([0.1, 0.5, 0.9]), [
      {
        mean: 10,
        origin: '2024-01-01T00:00:00.000Z',
        quantiles: [8, 10, 12.5],
        series: 'speed',
        step: 1,
        time: '2024-01-01T00:00:01.000Z',
      },
    ]);
    expect(text).toBe(
      'origin,series,step,time,mean,q0.1,q0.5,q0.9\n2024-01-01T00:00:00.000Z,speed,1,2024-01-01T00:00:01.000Z,10,8,10,12.5\n',
    );
    expect(() =>
      formatCsv(forecastCsvLayout([0.5]), [
        { mean: 1, origin: 0, quantiles: [], series: 's', step: 1, time: 1 },
      ]),
    ).toThrow(RangeError);
  });

  it('writes detect rows as time, series, value, score, flag', () => {
    const text = formatCsv(DETECT_CSV_LAYOUT, [
      { flag: false, score: 0.25, series: 'a', time: 3, value: NaN },
      { flag: true, score: 7, series: 'a', time: 4, value: 2 },
    ]);
    expect(text).toBe('time,series,value,score,flag\n3,a,,0.25,0\n4,a,2,7,1\n');
  });

  it('writes embeddings one dimension per column, and our reader reads them back', () => {
    const layout = embeddingCsvLayout(3, (t) => new Date(t).toISOString());
    const text = formatCsv(layout, [
      {
        embedding: new Float32Array([0.1, -1, 2.5]),
        series: 'v1',
        windowEnd: 60_000,
        windowStart: 0,
      },
    ]);
    expect(text).toBe(
      'series,window_start,window_end,e0,e1,e2\nv1,1970-01-01T00:00:00.000Z,1970-01-01T00:01:00.000Z,0.1,-1,2.5\n',
    );
    const back = parseCsvSeries(text, { columns: ['e0', 'e1', 'e2'], timeColumn: 'window_start' });
    expect(Array.from(back.series, (s) => s.values[0])).toEqual([Math.fround(0.1), -1, 2.5]);
  });

  it('streams to a file and counts the rows', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetfm-csvw-'));
    try {
      const file = path.join(dir, 'out.csv');
      async function* rows(): AsyncGenerator<{
        flag: boolean;
        score: number;
        series: string;
        time: number;
        value: number;
      }> {
        for (let i = 0; i < 20_000; i++)
          yield { flag: i % 2 === 0, score: i, series: 's', time: i, value: i };
      }
      expect(await writeCsv(file, DETECT_CSV_LAYOUT, rows())).toBe(20_000);
      const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
      expect(lines).toHaveLength(20_001);
      expect(lines[20_000]).toBe('19999,s,19999,19999,0');
    } finally {
      fs.rmSync(dir, { force: true, recursive: true });
    }
  });
});
