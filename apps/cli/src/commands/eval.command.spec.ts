import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_QUANTILES, selectBackend } from '@fleetfm/model';
import { writeTinyCheckpoint } from '@fleetfm/forecasting';
import type { EvalReport } from '@fleetfm/evaluation';
import { runEvalCommand } from './eval.command';

describe('fleetfm eval (tiny checkpoint, small sizes)', () => {
  let dir: string;

  beforeAll(async () => {
    await selectBackend();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetfm-eval-'));
    await writeTinyCheckpoint(path.join(dir, 'model'), { quantiles: DEFAULT_QUANTILES });
  });
  afterAll(() => fs.rmSync(dir, { force: true, recursive: true }));

  it('runs all four evaluations and writes a JSON report with finite metrics', async () => {
    const out = path.join(dir, 'eval.json');
    const lines: string[] = [];
    await runEvalCommand(
      { output: out },
      { log: (l) => lines.push(l), modelDir: path.join(dir, 'model') },
      {
        anomaly: { anomalyRate: 0.02, durationS: 300, rateHz: 1, stride: 8, vehicles: 1 },
        embedding: {
          channels: ['speed_mps', 'pedal_pct'],
          drivers: 3,
          galleryTrips: 1,
          rateHz: 1,
          segmentS: 120,
          tripsPerDriver: 2,
        },
        forecast: {
          channels: ['speed_mps'],
          drivers: 2,
          maxGpsTrips: 2,
          originsPerSeries: 1,
          rateHz: 1,
          tripsPerDriver: 1,
        },
        zeroShot: { seriesPerFamily: 2, windowsPerSeries: 1 },
      },
    );
    const json = JSON.parse(fs.readFileSync(out, 'utf8')) as EvalReport;
    expect(json.forecasting.windows).toBeGreaterThan(0);
    // The targets' fleet drives routes the checkpoint never trained on; the tiny checkpoint
    // records no held-out cycle, so those are the held-out GPS vehicles' routes only, and the
    // standard cycles are scored apart.
    expect(json.heldOut.routes).toContain('no held-out standard cycle');
    expect(json.forecastingSeenCycles?.windows).toBeGreaterThan(0);
    expect(json.forecastingSeenCycles?.fleetfm.relativeMase).toBeGreaterThan(0);
    expect(json.forecasting.fleetfm.relativeMase).toBeGreaterThan(0);
    expect(json.forecasting.baseline?.relativeMase).toBeGreaterThan(0);
    expect(json.anomaly.positives).toBeGreaterThan(0);
    expect(json.anomaly.aucPr).toBeGreaterThanOrEqual(0);
    expect(json.embeddings.drivers).toBe(3);
    expect(json.embeddings.driverTop1).toBeGreaterThanOrEqual(0);
    expect(lines.join('\n')).toContain('relative MASE');
    // The zero-shot guard: its own section of the JSON and its own lines, apart from the targets.
    expect(json.zeroShot?.series).toBe(16);
    expect(Object.keys(json.zeroShot?.byGroup ?? {})).toHaveLength(8);
    expect(json.zeroShot?.byGroup['hourly-additive'].season).toBe(24);
    expect(json.zeroShot?.fleetfm.relativeMase).toBeGreaterThan(0);
    expect(json.zeroShot?.baseline?.relativeMase).toBeGreaterThan(0);
    // The guard's baseline is the seasonal one: MSTL on the seasonal families, AutoETS elsewhere.
    expect(json.forecasting.baseline?.name).toBe('AutoETS (augurs)');
    expect(json.zeroShot?.baseline?.name).toBe(
      'MSTL+AutoETS (augurs) where seasonal, AutoETS otherwise',
    );
    expect(json.zeroShot?.baselineFits).toEqual({ ets: 8, mstl: 8, mstlFailed: 0 });
    expect(json.targets).toEqual({
      anomalyAucPr: 0.8,
      driverTop1: 0.9,
      relativeMase: 0.8,
      relativeWql: 0.65,
    });
    const table = lines.join('\n');
    expect(table).toContain('standard cycles the model trained on');
    expect(table).toContain('by route (relative MASE / WQL, windows): ');
    expect(Object.keys(json.forecasting.byRoute ?? {})).toContain('real routes, recorded speed');
    expect(table).toContain('zero-shot guard (NOT an issue target)');
    expect(table).toContain('by context length');
    expect(table).toContain(
      'baseline: MSTL+AutoETS (augurs) where seasonal, AutoETS otherwise (MSTL on 8 windows, AutoETS on 8)',
    );
    expect(table).toMatch(/\n\s+monthly-yearly\s+12\s/);
    // auto: the same windows, its choices counted, apart from the targets.
    const auto = json.auto;
    expect(auto?.forecasting.relativeMase).toBeGreaterThan(0);
    const counted = (c: Record<string, number> | undefined): number =>
      Object.values(c ?? {}).reduce((x, y) => x + y, 0);
    expect(counted(auto?.forecasting.choices)).toBe(
      json.forecasting.windows + json.forecasting.skippedWindows,
    );
    expect(counted(auto?.zeroShot?.choices)).toBe(
      (json.zeroShot?.windows ?? 0) + (json.zeroShot?.skippedWindows ?? 0),
    );
    expect(Object.keys(auto?.zeroShot?.byGroup ?? {})).toHaveLength(8);
    expect(table).toContain('* auto, NOT judged by the targets');
    expect(table).toMatch(/metric\s+FleetFM\s+auto\*\s+AutoETS/);
    expect(table.indexOf('zero-shot guard')).toBeGreaterThan(
      table.indexOf('scenario precision@10'),
    );
  }, 30_000);
});
