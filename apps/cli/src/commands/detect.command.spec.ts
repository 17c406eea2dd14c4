import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeTinyCheckpoint } from '@fleetfm/forecasting';
import { selectBackend } from '@fleetfm/model';
import { runDetectCommand } from './detect.command';

describe('fleetfm detect (tiny checkpoint)', () => {
  let dir: string;

  beforeAll(async () => {
    await selectBackend();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetfm-detect-'));
    await writeTinyCheckpoint(path.join(dir, 'model'));
    const lines = ['t,v'];
    for (let i = 0; i < 60; i++) lines.push(`${i * 0.1},${i === 30 ? '' : Math.sin(i / 4)}`);
    fs.writeFileSync(path.join(dir, 'data.csv'), `${lines.join('\n')}\n`);
  });
  afterAll(() => fs.rmSync(dir, { force: true, recursive: true }));

  it('writes one row per input row with a score in [0, 1] or none, and a 0/1 flag', async () => {
    const out = path.join(dir, 'scores.csv');
    const summary = await runDetectCommand(
      { columns: 'v', input: path.join(dir, 'data.csv'), output: out, timeColumn: 't' },
      { modelDir: path.join(dir, 'model') },
    );
    const rows = fs.readFileSync(out, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('time,series,value,score,flag');
    expect(rows).toHaveLength(61);
    // The tiny model's patch is 8 rows: rows 0-7 and the missing row 30 have no score.
    expect(summary).toMatchObject({ calibration: 'input', rows: 60, unscored: 9 });
    const scores = rows.slice(1).map((r) => r.split(',')[3]);
    expect(scores.slice(0, 8).every((s) => s === '')).toBe(true);
    expect(scores[30]).toBe('');
    for (const s of scores.slice(8).filter((x) => x !== '')) {
      expect(Number(s)).toBeGreaterThanOrEqual(0);
      expect(Number(s)).toBeLessThanOrEqual(1);
    }
  });

  it('scores on the time grid: skipped steps are gaps, and only the input rows are written', async () => {
    const csv = (times: number[]): string =>
      `t,v\n${times.map((t, i) => `${t},${Math.sin(i / 4) + (i === 40 ? 3 : 0)}`).join('\n')}\n`;
    const steady = Array.from({ length: 60 }, (_, i) => i);
    // The same 60 values, but 6 time steps are missing after the 30th row.
    const holed = steady.map((t) => (t < 30 ? t : t + 6));
    fs.writeFileSync(path.join(dir, 'steady.csv'), csv(steady));
    fs.writeFileSync(path.join(dir, 'holed.csv'), csv(holed));
    const run = async (name: string): Promise<{ lines: string[]; log: string[] }> => {
      const out = path.join(dir, `${name}-scores.csv`);
      const log: string[] = [];
      await runDetectCommand(
        { columns: 'v', input: path.join(dir, `${name}.csv`), output: out, timeColumn: 't' },
        { log: (l) => log.push(l), modelDir: path.join(dir, 'model') },
      );
      return { lines: fs.readFileSync(out, 'utf8').trim().split('\n').slice(1), log };
    };
    const a = await run('steady');
    const b = await run('holed');
    expect(b.lines).toHaveLength(60);
    expect(b.lines.map((l) => Number(l.split(',')[0]))).toEqual(holed);
    expect(b.log.join('\n')).toContain('6 missing time steps (1 run, the first after file row 31)');
    const score = (lines: string[], i: number): string => lines[i].split(',')[3];
    // Read as consecutive rows the two files would score alike; on the grid, the contexts after
    // the hole hold its gap.
    expect(b.lines.slice(31).map((l) => score([l], 0))).not.toEqual(
      a.lines.slice(31).map((l) => score([l], 0)),
    );
  });
});
