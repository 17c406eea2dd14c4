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
});
