import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeEmbeddingsArrow } from '@fleetfm/datasets';
import { writeTinyCheckpoint } from '@fleetfm/forecasting';
import { selectBackend } from '@fleetfm/model';
import { runEmbedCommand } from './embed.command';

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
});
