import { parseCsvSeries, type ForecastRow } from '@fleetfm/datasets';
import type { SeriesForecast } from '@fleetfm/model';
import { AutoMethodForecaster } from './auto-method.forecaster';
import { ForecastModelPort, type ModelForecastOptions } from './forecast-model.port';
import {
  ForecastingService,
  type ForecastSummary,
  type MethodForecastRow,
} from './forecasting.service';
import { AugursSeasonalBaseline } from './statistical/augurs-mstl.baseline';

/** Forecasts the last observed value, with quantiles last ± (level - 0.5). */
class LastValueModel extends ForecastModelPort {
  readonly contextLength = 16;
  readonly horizon = 4;
  readonly quantiles = [0.1, 0.5, 0.9];
  readonly calls: number[] = [];

  async forecast(
    contexts: readonly Float32Array[],
    o: ModelForecastOptions,
  ): Promise<SeriesForecast[]> {
    this.calls.push(contexts.length);
    return contexts.map((c) => {
      let last = Number.NaN;
      for (const v of c) if (!Number.isNaN(v)) last = v;
      const flat = new Float32Array(o.horizon).fill(last);
      return {
        levels: o.quantiles,
        mean: flat,
        median: flat,
        quantiles: o.quantiles.map((l) => new Float32Array(o.horizon).fill(last + l - 0.5)),
      };
    });
  }
}

async function collect<R extends ForecastRow>(gen: AsyncIterable<R>): Promise<R[]> {
  const rows: R[] = [];
  for await (const r of gen) rows.push(r);
  return rows;
}

const csv = [
  'date,a,b',
  '2024-01-01,1,10',
  '2024-01-02,2,',
  '2024-01-03,3,30',
  '2024-01-04,4,40',
  '2024-01-05,5,',
  '2024-01-07,6,60',
].join('\n');

describe('ForecastingService', () => {
  it('forecasts past the end with times extrapolated by the median step', async () => {
    const table = parseCsvSeries(csv, { timeColumn: 'date' });
    const sut = new ForecastingService(new LastValueModel());
    const rows = await collect(
      sut.forecast(table, { context: 3, horizon: 2, quantiles: [0.1, 0.9] }),
    );
    expect(rows.map((r) => [r.series, r.step, r.origin, r.time, r.mean])).toEqual([
      ['a', 1, '2024-01-07', '2024-01-08', 6],
      ['a', 2, '2024-01-07', '2024-01-09', 6],
      ['b', 1, '2024-01-07', '2024-01-08', 60],
      ['b', 2, '2024-01-07', '2024-01-09', 60],
    ]);
    expect(Array.from(rows[0].quantiles)).toEqual([5.6, 6.4]);
  });

  it('rolls through history in batches: origins × series × horizon rows', async () => {
    const table = parseCsvSeries(csv, { timeColumn: 'date' });
    const model = new LastValueModel();
    const sut = new ForecastingService(model);
    const progress: number[] = [];
    const rows = await collect(
      sut.forecast(table, {
        batchSize: 3,
        context: 2,
        horizon: 2,
        onProgress: (done) => progress.push(done),
        rolling: { stride: 1 },
      }),
    );
    // n = 6, C = 2, H = 2: origins 2, 3, 4 -> 3 origins × 2 series × 2 steps.
    expect(rows).toHaveLength(12);
    expect(model.calls).toEqual([3, 3]);
    expect(progress).toEqual([3, 6]);
    // Origin 2 of `b` conditions on rows 0-1 (10, gap): last observed 10.
    expect(rows.filter((r) => r.series === 'b' && r.step === 1).map((r) => r.mean)).toEqual([
      10, 30, 40,
    ]);
  });

  it('skips (series, origin) pairs whose context is all gaps and says how many', async () => {
    const table = parseCsvSeries('t,a,b\n0,1,9\n1,2,\n2,3,\n3,4,\n4,5,5', { timeColumn: 't' });
    let skipped = -1;
    const rows = await collect(
      new ForecastingService(new LastValueModel()).forecast(
        table,
        { context: 2, horizon: 1, rolling: { stride: 1 } },
        (s) => (skipped = s.skipped),
      ),
    );
    expect(skipped).toBe(2);
    expect(rows.map((r) => `${r.series}@${r.time}`)).toEqual(['a@2', 'b@2', 'a@3', 'a@4']);
  });

  it.each([
    ['2024-01-01 22:00:00', '2024-01-01 23:00:00', '2024-01-02 00:00:00'],
    ['2024-01-01T22:00+01:00', '2024-01-01T23:00+01:00', '2024-01-02T00:00+01:00'],
    ['1704146400', '1704150000', '1704153600'],
  ])('writes times the way the input does (%s)', async (first, origin, next) => {
    // Before, every ISO layout came back as toISOString() (2024-01-01T23:00:00.000Z): a join
    // of the forecasts with the input's own time column on the text found nothing.
    const table = parseCsvSeries(`t,v\n${first},1\n${origin},2\n`, { timeColumn: 't' });
    const [row] = await collect(
      new ForecastingService(new LastValueModel()).forecast(table, { context: 2, horizon: 1 }),
    );
    expect([row.origin, row.time]).toEqual([origin, next]);
  });

  it('steps monthly data by calendar months', async () => {
    const months = ['2020-10-01', '2020-11-01', '2020-12-01', '2021-01-01', '2021-02-01'];
    const table = parseCsvSeries(`d,v\n${months.map((d, i) => `${d},${i}`).join('\n')}`, {
      timeColumn: 'd',
    });
    const rows = await collect(
      new ForecastingService(new LastValueModel()).forecast(table, { context: 3, horizon: 3 }),
    );
    // Before: the median step (31 days) added up, 2021-03-04 and 2021-04-04 at steps 1 and 2.
    expect(rows.map((r) => r.time)).toEqual(['2021-03-01', '2021-04-01', '2021-05-01']);
  });

  describe('columns of different lengths (wide M4-style files)', () => {
    // m1 has 6 values; m2 ends after 4 (trailing empty cells); m3 starts late (leading ones).
    const ragged = [
      't,m1,m2,m3',
      '0,1,10,',
      '1,2,20,',
      '2,3,30,300',
      '3,4,40,400',
      '4,5,,500',
      '5,6,,',
    ].join('\n');

    it('forecasts each column from its own last value', async () => {
      const table = parseCsvSeries(ragged, { timeColumn: 't' });
      let summary: ForecastSummary | undefined;
      const rows = await collect(
        new ForecastingService(new LastValueModel()).forecast(
          table,
          { context: 2, horizon: 1 },
          (s) => (summary = s),
        ),
      );
      // Before, every column was forecast from row 6: m2 from two gaps (skipped), m3 at t 6.
      expect(rows.map((r) => [r.series, r.origin, r.time, r.mean])).toEqual([
        ['m2', '3', '4', 40],
        ['m3', '4', '5', 500],
        ['m1', '5', '6', 6],
      ]);
      expect(summary?.endEarly).toEqual(['m2', 'm3']);
      expect(summary?.skipped).toBe(0);
    });

    it('names the shortest column, its file rows and the context that fits', () => {
      const table = parseCsvSeries(ragged, { timeColumn: 't' });
      expect(() =>
        new ForecastingService(new LastValueModel()).check(table, { context: 4, horizon: 1 }),
      ).toThrow(
        'column "m3" (file rows 4–6) has 3 rows; --context 4 needs at least 4 (use --context 3 or less)',
      );
    });

    it('rolls each column through its own rows', async () => {
      const table = parseCsvSeries(ragged, { timeColumn: 't' });
      const rows = await collect(
        new ForecastingService(new LastValueModel()).forecast(table, {
          context: 2,
          horizon: 1,
          rolling: { stride: 1 },
        }),
      );
      expect(rows.map((r) => `${r.series}@${r.time}`)).toEqual([
        'm1@2',
        'm2@2',
        'm1@3',
        'm2@3',
        'm1@4',
        'm3@4',
        'm1@5',
      ]);
    });

    it('leaves out a column without values and says so', async () => {
      const table = parseCsvSeries('t,a,e\n0,1,\n1,2,NA\n2,3,', { timeColumn: 't' });
      let summary: ForecastSummary | undefined;
      const rows = await collect(
        new ForecastingService(new LastValueModel()).forecast(
          table,
          { context: 2, horizon: 1 },
          (s) => (summary = s),
        ),
      );
      expect(rows.map((r) => r.series)).toEqual(['a']);
      expect(summary?.empty).toEqual(['e']);
      const onlyEmpty = parseCsvSeries('t,e\n0,\n1,', { timeColumn: 't' });
      expect(() =>
        new ForecastingService(new LastValueModel()).check(onlyEmpty, { context: 1, horizon: 1 }),
      ).toThrow('every column is empty: e');
    });
  });

  it('gives each context the season of the step; rows and summary say which method made them', async () => {
    const start = Date.parse('2024-01-01T00:00:00Z');
    const lines = Array.from({ length: 24 * 8 }, (_, t) => {
      const time = new Date(start + t * 3_600_000).toISOString();
      return `${time},${100 + [0, 5, -3, 8, 2, -6][t % 6] * (t % 24 < 12 ? 1 : -1)},${t % 5}`;
    });
    const table = parseCsvSeries(['time,load,flat', ...lines].join('\n'), {
      timeColumn: 'time',
    });
    const model = new LastValueModel();
    const spy = jest.spyOn(model, 'forecast');
    const sut = new ForecastingService(
      new AutoMethodForecaster(model, new AugursSeasonalBaseline()),
    );
    let summary: ForecastSummary | undefined;
    const rows: MethodForecastRow[] = await collect(
      sut.forecast(table, { context: 24 * 8, horizon: 6 }, (s) => (summary = s)),
    );
    // Hourly data, 8 days of context: a daily season of 24 for both columns.
    expect(spy.mock.calls[0][1].seasons).toEqual([24, 24]);
    expect(rows.find((r) => r.series === 'load')?.method).toBe('mstl');
    expect(rows.every((r) => r.method !== undefined)).toBe(true);
    const methods = summary?.methods ?? {};
    expect(Object.values(methods).reduce((a, b) => a + (b ?? 0), 0)).toBe(2);
  });

  it('rows of a single-method model carry no method', async () => {
    const table = parseCsvSeries(csv, { timeColumn: 'date' });
    let summary: ForecastSummary | undefined;
    const rows: MethodForecastRow[] = await collect(
      new ForecastingService(new LastValueModel()).forecast(
        table,
        { context: 3, horizon: 1 },
        (s) => (summary = s),
      ),
    );
    expect(rows.map((r) => r.method)).toEqual([undefined, undefined]);
    expect(summary?.methods).toBeUndefined();
  });

  it('rejects quantiles outside the model range', () => {
    const table = parseCsvSeries(csv, { timeColumn: 'date' });
    expect(() =>
      new ForecastingService(new LastValueModel()).check(table, {
        context: 2,
        horizon: 1,
        quantiles: [0.05],
      }),
    ).toThrow("quantile 0.05 is outside the model's range [0.1, 0.9]");
  });
});
