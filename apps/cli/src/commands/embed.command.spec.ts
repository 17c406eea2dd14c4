import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeEmbeddingsArrow } from '@fleetfm/datasets';
import { writeTinyCheckpoint } from '@fleetfm/forecasting';
import {
  SegmentStyleHead,
  selectBackend,
  serialiseSegmentStyleHead,
  writeSegmentStyleHead,
} from '@fleetfm/model';
import { embeddingKindOf, rateHzOf, runEmbedCommand } from './embed.command';

describe('fleetfm embed (tiny checkpoint)', () => {
  let dir: string;

  beforeAll(async () => {
    await selectBackend();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetfm-embed-'));
    await writeTinyCheckpoint(path.join(dir, 'model'));
    const lines = ['t,a,b'];
    for (let i = 0; i < 100; i++) lines.push(`${i},${Math.sin(i / 3)},${i % 7}`);
    fs.writeFileSync(path.join(dir, 'data.csv'), `${lines.join('\n')}\n`);
  });
  afterAll(() => fs.rmSync(dir, { force: true, recursive: true }));

  it('writes unit-length embeddings per (window, column) to Arrow', async () => {
    const out = path.join(dir, 'emb.arrow');
    const summary = await runEmbedCommand(
      {
        input: path.join(dir, 'data.csv'),
        output: out,
        stride: '16',
        timeColumn: 't',
        window: '32',
      },
      { modelDir: path.join(dir, 'model') },
    );
    // Starts 0, 16, 32, 48, 64 (80 + 32 > 100): 5 windows × 2 columns; tiny embedding dim 8.
    expect(summary).toEqual({ dim: 8, rows: 10 });
    const { rows } = decodeEmbeddingsArrow(fs.readFileSync(out));
    expect(rows.map((r) => `${r.series}@${r.windowStart}-${r.windowEnd}`).slice(0, 3)).toEqual([
      'a@0-31',
      'b@0-31',
      'a@16-47',
    ]);
    for (const r of rows) expect(Math.hypot(...r.embedding)).toBeCloseTo(1, 4);
  });

  it('writes CSV with --combine, and refuses other extensions', async () => {
    const out = path.join(dir, 'emb.csv');
    await runEmbedCommand(
      {
        combine: true,
        input: path.join(dir, 'data.csv'),
        output: out,
        timeColumn: 't',
        window: '50',
      },
      { modelDir: path.join(dir, 'model') },
    );
    const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('series,window_start,window_end,e0,e1,e2,e3,e4,e5,e6,e7');
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 3).join(','))).toEqual([
      'a+b,0,49',
      'a+b,50,99',
    ]);
    await expect(
      runEmbedCommand(
        { input: path.join(dir, 'data.csv'), output: path.join(dir, 'e.json'), window: '5' },
        { modelDir: path.join(dir, 'model') },
      ),
    ).rejects.toThrow('--output must end in .arrow or .csv');
  });

  it('takes scenario windows on the time grid: skipped steps are gaps inside the windows', async () => {
    // 100 rows whose times skip 20 steps after t = 39: 120 steps of time.
    const lines = ['t,a'];
    for (let i = 0; i < 100; i++) lines.push(`${i < 40 ? i : i + 20},${Math.sin(i / 3)}`);
    fs.writeFileSync(path.join(dir, 'holed.csv'), `${lines.join('\n')}\n`);
    const out = path.join(dir, 'holed.csv.out.csv');
    const log: string[] = [];
    await runEmbedCommand(
      { input: path.join(dir, 'holed.csv'), output: out, timeColumn: 't', window: '40' },
      { log: (l) => log.push(l), modelDir: path.join(dir, 'model') },
    );
    const rows = fs.readFileSync(out, 'utf8').trim().split('\n').slice(1);
    expect(rows.map((l) => l.split(',').slice(0, 3).join(','))).toEqual([
      'a,0,39',
      'a,40,79',
      'a,80,119',
    ]);
    expect(log.join('\n')).toContain('20 missing time steps (1 run, the first after file row 41)');
  });

  it('--kind driver-style: one embedding per window of all columns, from the segment head', async () => {
    const model = path.join(dir, 'model-style');
    await writeTinyCheckpoint(model);
    const head = new SegmentStyleHead({ embeddingDim: 6, hiddenDim: 8, seed: 1 });
    await writeSegmentStyleHead(model, serialiseSegmentStyleHead(head));
    head.dispose();
    const lines = ['t,speed_mps,pedal_pct,brake_pct'];
    for (let i = 0; i < 200; i++) {
      const v = Math.max(0, 10 * Math.sin(i / 15));
      lines.push(`${(i / 10).toFixed(1)},${v},${v > 0 ? 20 : 0},${v > 0 ? 0 : 25}`);
    }
    fs.writeFileSync(path.join(dir, 'drive.csv'), `${lines.join('\n')}\n`);
    const out = path.join(dir, 'style.csv');
    const logs: string[] = [];
    const summary = await runEmbedCommand(
      {
        input: path.join(dir, 'drive.csv'),
        kind: 'driver-style',
        output: out,
        timeColumn: 't',
        window: '100',
      },
      { log: (l) => logs.push(l), modelDir: model },
    );
    expect(summary).toEqual({ dim: 6, rows: 2 });
    expect(logs.join('\n')).toMatch(/driver-style embedding: segment style head/);
    const rows = fs.readFileSync(out, 'utf8').trim().split('\n').slice(1);
    expect(rows.map((l) => l.split(',').slice(0, 3).join(','))).toEqual([
      'driver-style,0,9.9',
      'driver-style,10,19.9',
    ]);
    // The scenario kind of the same folder still uses the pooled head (8 per column window).
    const scenario = await runEmbedCommand(
      {
        input: path.join(dir, 'drive.csv'),
        output: path.join(dir, 's.csv'),
        timeColumn: 't',
        window: '100',
      },
      { modelDir: model },
    );
    expect(scenario).toEqual({ dim: 8, rows: 6 });
  });

  it('checks --kind and works out the sampling rate', () => {
    expect(embeddingKindOf(undefined)).toBe('scenario');
    expect(() => embeddingKindOf('driver')).toThrow(
      "--kind must be one of scenario, driver-style, got 'driver'",
    );
    expect(rateHzOf('2.5', { kind: 'index', values: [] })).toBe(2.5);
    expect(rateHzOf(undefined, { kind: 'number', values: [0, 0.1, 0.2, 0.3] })).toBeCloseTo(10, 9);
    expect(rateHzOf(undefined, { kind: 'epoch-ms', values: [0, 500, 1000] })).toBeCloseTo(2, 9);
    expect(() => rateHzOf(undefined, { kind: 'index', values: [0, 1] })).toThrow(/--rate-hz/);
    expect(() => rateHzOf('0', { kind: 'index', values: [] })).toThrow(/positive number/);
  });
});
