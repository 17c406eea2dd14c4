import { parseCsvSeries } from './csv-series.reader';
import { fillMissingSteps } from './missing-steps';

const values = (xs: ArrayLike<number>): (number | null)[] =>
  Array.from(xs, (v) => (Number.isNaN(v) ? null : v));

describe('fillMissingSteps', () => {
  it('puts skipped hours back as rows of gaps in every column', () => {
    const csv = 't,a,b\n0,1,10\n3600,2,20\n10800,4,40\n14400,5,\n';
    const table = parseCsvSeries(
      csv.replace(/^(\d+)/gm, (s) => String(1.7e9 + Number(s))),
      {
        timeColumn: 't',
      },
    );
    const sut = fillMissingSteps(table);
    expect(sut).toMatchObject({ firstAfterLine: 3, inserted: 1, runs: 1 });
    expect(sut.table.rowCount).toBe(5);
    expect(values(sut.table.series[0].values)).toEqual([1, 2, null, 4, 5]);
    expect(values(sut.table.series[1].values)).toEqual([10, 20, null, 40, null]);
    expect(sut.table.series[1].gaps).toBe(2);
    expect(Array.from(sut.table.time.values, (t) => t / 1000 - 1.7e9)).toEqual([
      0, 3600, 7200, 10800, 14400,
    ]);
    expect(Array.from(sut.table.lines)).toEqual([2, 3, 0, 4, 5]);
    expect(sut.table.frequency.regular).toBe(true);
  });

  it('fills a skipped month by the calendar', () => {
    const table = parseCsvSeries('d,v\n2021-01-01,1\n2021-02-01,2\n2021-04-01,4\n2021-05-01,5\n', {
      timeColumn: 'd',
    });
    const sut = fillMissingSteps(table);
    expect(sut.inserted).toBe(1);
    expect(new Date(sut.table.time.values[2]).toISOString()).toBe('2021-03-01T00:00:00.000Z');
    expect(values(sut.table.series[0].values)).toEqual([1, 2, null, 4, 5]);
  });

  it('leaves regular tables, the row index and jittered steps as they are', () => {
    const regular = parseCsvSeries('t,v\n0,1\n1,2\n2,3\n', { timeColumn: 't' });
    expect(fillMissingSteps(regular).table).toBe(regular);
    const noTime = parseCsvSeries('v\n1\n2\n');
    expect(fillMissingSteps(noTime).table).toBe(noTime);
    const jitter = parseCsvSeries('t,v\n0,1\n1,2\n2,3\n3.5,4\n4.5,5\n', { timeColumn: 't' });
    const sut = fillMissingSteps(jitter);
    expect(sut.table).toBe(jitter);
    expect(sut.notFilled).toContain('file row 5');
  });

  it('refuses to more than double the table', () => {
    const sparse = parseCsvSeries('t,v\n0,1\n1,2\n2,3\n100,4\n', { timeColumn: 't' });
    const sut = fillMissingSteps(sparse);
    expect(sut.table).toBe(sparse);
    expect(sut.notFilled).toContain('97 missing steps');
  });
});
