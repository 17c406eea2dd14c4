import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NotFoundError } from '@fleetfm/domain';
import { writeTinyCheckpoint } from '@fleetfm/forecasting';
import { selectBackend } from '@fleetfm/model';
import { progressBar, runForecastCommand, type CommandContext } from './forecast.command';

/** A forecast CSV's header at levels 0.1, 0.5, 0.9; `--method auto` (the default) adds `method`. */
const HEADER = ['origin', 'series', 'step', 'time', 'mean', 'q0.1', 'q0.5', 'q0.9', 'method'];

describe('fleetfm forecast (tiny checkpoint)', () => {
  let dir: string;
  let ctx: CommandContext;

  beforeAll(async () => {
    await selectBackend();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetfm-forecast-'));
    await writeTinyCheckpoint(path.join(dir, 'model'));
    ctx = { modelDir: path.join(dir, 'model'), progress: false };
    // 100 daily rows, two series on different scales, a gap in b.
    const lines = ['date,a,b'];
    for (let i = 0; i < 100; i++) {
      const day = new Date(Date.UTC(2024, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
      lines.push(`${day},${Math.sin(i / 5)},${i === 40 ? '' : 1000 + 10 * i}`);
    }
    fs.writeFileSync(path.join(dir, 'data.csv'), `${lines.join('\n')}\n`);
    fs.writeFileSync(path.join(dir, 'bad.csv'), 'date,a\n2024-01-01,1\n2024-01-02,abc\n');
  });
  afterAll(() => fs.rmSync(dir, { force: true, recursive: true }));

  const read = (file: string): string[][] =>
    fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(','));

  it('--rolling writes (floor((n - H - C) / S) + 1) origins × series × H rows', async () => {
    const out = path.join(dir, 'rolling.csv');
    await runForecastCommand(
      {
        columns: 'a,b',
        context: '32',
        horizon: '8',
        input: path.join(dir, 'data.csv'),
        output: out,
        quantiles: '0.1,0.5,0.9',
        rolling: true,
        stride: '5',
        timeColumn: 'date',
      },
      ctx,
    );
    const rows = read(out);
    // --method auto is the default: a last column says which method made each row.
    expect(rows[0]).toEqual(HEADER);
    for (const r of rows.slice(1)) expect(['model', 'mstl']).toContain(r[8]);
    const origins = Math.floor((100 - 8 - 32) / 5) + 1;
    expect(rows.length - 1).toBe(origins * 2 * 8);
    // First origin: row 31 (2024-02-01); step 1 is the next day.
    expect(rows[1].slice(0, 4)).toEqual(['2024-02-01', 'a', '1', '2024-02-02']);
    for (const r of rows.slice(1)) {
      const [lo, mid, hi] = r.slice(5).map(Number);
      expect(lo).toBeLessThanOrEqual(mid);
      expect(mid).toBeLessThanOrEqual(hi);
    }
  });

  it('forecasts past the end by default, on each series own scale', async () => {
    const out = path.join(dir, 'end.csv');
    await runForecastCommand(
      {
        context: '64',
        horizon: '20',
        input: path.join(dir, 'data.csv'),
        output: out,
        timeColumn: 'date',
      },
      ctx,
    );
    const rows = read(out).slice(1);
    expect(rows).toHaveLength(2 * 20);
    expect(rows[0][3]).toBe('2024-04-10');
    // Instance normalisation maps the head's output back to b's scale (~1000s), not a's.
    const bMeans = rows.filter((r) => r[1] === 'b').map((r) => Number(r[4]));
    expect(Math.min(...bMeans)).toBeGreaterThan(500);
  });

  it('names the line and column of a bad cell, and checks context against the length', async () => {
    const base = {
      context: '1',
      horizon: '1',
      output: path.join(dir, 'x.csv'),
      timeColumn: 'date',
    };
    await expect(
      runForecastCommand({ ...base, input: path.join(dir, 'bad.csv') }, ctx),
    ).rejects.toThrow('row 3, column "a": "abc" is not a number');
    await expect(
      runForecastCommand({ ...base, context: '500', input: path.join(dir, 'data.csv') }, ctx),
    ).rejects.toThrow('column "a" has 100 rows; --context 500 needs at least 500');
  });

  it('sorts rows out of time order and fills skipped steps, with a note for each', async () => {
    // Newest first with one day (2024-01-03) missing: before, "row 3 ... time must increase".
    const lines = ['date,a'];
    for (let i = 39; i >= 0; i--) {
      const day = new Date(Date.UTC(2024, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
      if (i !== 2) lines.push(`${day},${i}`);
    }
    fs.writeFileSync(path.join(dir, 'newest-first.csv'), `${lines.join('\n')}\n`);
    const notes: string[] = [];
    const out = path.join(dir, 'sorted.csv');
    await runForecastCommand(
      {
        context: '16',
        horizon: '2',
        input: path.join(dir, 'newest-first.csv'),
        output: out,
        timeColumn: 'date',
      },
      { ...ctx, log: (l) => notes.push(l) },
    );
    expect(notes[0]).toBe(
      'note: 38 rows were out of time order (the first: file row 3); rows sorted by "date"',
    );
    expect(notes[1]).toContain('note: 1 missing time step (1 run, the first after file row 39)');
    expect(read(out)[1].slice(0, 4)).toEqual(['2024-02-09', 'a', '1', '2024-02-10']);
  });

  it('sorts quantile levels, notes a --stride without --rolling, leaves no file on failure', async () => {
    const notes: string[] = [];
    const out = path.join(dir, 'levels.csv');
    const base = {
      context: '16',
      input: path.join(dir, 'data.csv'),
      output: out,
      timeColumn: 'date',
    };
    await runForecastCommand(
      { ...base, columns: 'a', horizon: '2', quantiles: '0.9,0.1,0.5,0.9', stride: '5' },
      { ...ctx, log: (l) => notes.push(l) },
    );
    expect(read(out)[0]).toEqual(HEADER);
    expect(notes[0]).toBe(
      'note: --stride only applies with --rolling; forecasting once from the end',
    );
    // A horizon past what the model may roll to fails inside the model, after the header was
    // written: before, that header-only file stayed behind.
    await expect(runForecastCommand({ ...base, horizon: '100000' }, ctx)).rejects.toThrow(
      'horizon',
    );
    expect(fs.existsSync(out)).toBe(false);
  });

  it('says how to get a model when there is none', async () => {
    const missing = path.join(dir, 'nothing');
    const promise = runForecastCommand(
      {
        context: '8',
        horizon: '4',
        input: path.join(dir, 'data.csv'),
        output: path.join(dir, 'y.csv'),
        timeColumn: 'date',
      },
      { modelDir: missing },
    );
    await expect(promise).rejects.toThrow(NotFoundError);
    await expect(promise).rejects.toThrow(
      `no model at ${missing}: run \`fleetfm train\` or set FLEETFM_MODEL_DIR`,
    );
  });
});

describe('progressBar without a terminal', () => {
  it('writes a plain line at most every 15 s, none at the end or without a log', () => {
    let t = 0;
    const lines: string[] = [];
    const sut = progressBar(false, 'forecast', { log: (l) => lines.push(l), now: () => t });
    for (const [at, done] of [
      [5_000, 100],
      [16_000, 400],
      [20_000, 500],
      [40_000, 1000],
    ]) {
      t = at;
      sut.update(done, 1000);
    }
    // Before, a run whose stderr is not a terminal printed nothing until it ended.
    expect(lines).toEqual(['forecast: 400/1000 (40 %), about 24 s left']);
    expect(() => progressBar(false, 'x').update(1, 2)).not.toThrow();
  });
});
