import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InvalidRequestError, NotFoundError } from '@fleetfm/domain';
import { writeTinyCheckpoint } from '@fleetfm/forecasting';
import { selectBackend, type SignalBlendFit } from '@fleetfm/model';
import {
  formatBlendFits,
  parseHeldOutRoutes,
  runCalibrateForecastCommand,
} from './calibrate-forecast.command';

let tmp: string;
let model: string;

beforeAll(async () => {
  await selectBackend({ prefer: ['wasm', 'cpu'] });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetfm-calfc-'));
  model = path.join(tmp, 'model');
  await writeTinyCheckpoint(model);
});

afterAll(() => fs.rmSync(tmp, { force: true, recursive: true }));

describe('fleetfm calibrate-forecast', () => {
  // No checkpoint there: --model is what each test points at.
  const ctx = { modelDir: path.join(os.tmpdir(), 'fleetfm-no-such-model') };

  it('says how to get a model when there is none', async () => {
    await expect(runCalibrateForecastCommand({}, ctx)).rejects.toThrow(NotFoundError);
  });

  it('asks for --corpus when the checkpoint records none', async () => {
    const run = runCalibrateForecastCommand({ model }, ctx);
    await expect(run).rejects.toThrow(InvalidRequestError);
    await expect(runCalibrateForecastCommand({ model }, ctx)).rejects.toThrow(/pass --corpus/);
  });

  it('names a corpus folder that does not exist', async () => {
    const corpus = path.join(tmp, 'no-corpus');
    await expect(runCalibrateForecastCommand({ corpus, model }, ctx)).rejects.toThrow(
      /corpus .*no-corpus not found/,
    );
  });

  it.each(['12', '1e3x', '-5'])('rejects --windows %s', async (windows) => {
    await expect(runCalibrateForecastCommand({ corpus: tmp, model, windows }, ctx)).rejects.toThrow(
      /--windows must be an integer ≥ 100/,
    );
  });
});

describe('formatBlendFits', () => {
  it('prints one line per signal and roughness class', () => {
    const fit = (over: Partial<SignalBlendFit>): SignalBlendFit => ({
      buckets: [
        { from: 0, to: 4, weight: 0 },
        { from: 4, to: 8, weight: 0.7 },
      ],
      qualityLossRatio: 0.9,
      relativeMae: { blended: 0.64, network: 0.72 },
      roughness: { from: 0.5, to: Infinity },
      roughnessClass: 2,
      samples: 180,
      signalId: 2,
      window: 64,
      ...over,
    });
    const text = formatBlendFits([
      fit({}),
      fit({ roughness: { from: 0, to: 0.2 }, roughnessClass: 0, signalId: 0, window: undefined }),
      fit({ signalId: 9, window: 1 }),
    ]);
    const [current, unknown, speed] = text.split('\n');
    expect(current).toMatch(/^battery_current_a, roughness 0\.5-∞ +180 windows/);
    expect(current).toContain('relative MAE 0.720 -> 0.640, quantile loss x0.900');
    expect(current).toContain('median of the last 64, weights 0-4: 0.0, 4-8: 0.7');
    expect(unknown).toMatch(/^unknown \(0\), roughness 0-0\.2 .*\(network alone\)$/);
    expect(speed).toMatch(/^speed_mps, .*\(the last value, weights 0-4: 0\.0/);
    expect(speed).not.toContain('held-out routes');
    const marked = formatBlendFits([fit({}), fit({ signalId: 9 })], ['corpus', 'held-out routes']);
    expect(marked.split('\n')[0]).not.toContain('held-out routes');
    expect(marked.split('\n')[1]).toMatch(/\[held-out routes\]$/);
  });
});

describe('parseHeldOutRoutes', () => {
  it('reads auto (the default), off or a list of CMAP vehicle folders', () => {
    expect(parseHeldOutRoutes(undefined)).toBe('auto');
    expect(parseHeldOutRoutes('auto')).toBe('auto');
    expect(parseHeldOutRoutes('off')).toBe(false);
    expect(parseHeldOutRoutes('4109114_1, 4111928_1')).toEqual(['4109114_1', '4111928_1']);
  });

  it.each(['', 'none', '4109114_1,', 'gps:4109114_1'])('rejects %p, naming the flag', (text) => {
    expect(() => parseHeldOutRoutes(text)).toThrow(InvalidRequestError);
    expect(() => parseHeldOutRoutes(text)).toThrow(/--held-out-routes must be auto, off or/);
  });
});
