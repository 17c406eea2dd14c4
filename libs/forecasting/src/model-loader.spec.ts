import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NotFoundError, ValidationError } from '@fleetfm/domain';
import { LEVEL_BLEND_FILE, selectBackend } from '@fleetfm/model';
import { loadModelDir } from './model-loader';
import { PatchForecastAdapter } from './patch-forecast.adapter';
import { writeTinyCheckpoint } from './tiny-checkpoint';

let dir: string;

beforeAll(async () => {
  await selectBackend({ prefer: ['wasm', 'cpu'] });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetfm-loader-'));
  await writeTinyCheckpoint(dir);
});

afterAll(() => fs.rmSync(dir, { force: true, recursive: true }));

const blendFile = (): string => path.join(dir, LEVEL_BLEND_FILE);

describe('loadModelDir', () => {
  afterEach(() => fs.rmSync(blendFile(), { force: true }));

  it('loads a checkpoint without a level blend', async () => {
    const loaded = await loadModelDir(dir);
    expect(loaded.levelBlend).toBeUndefined();
    expect(new PatchForecastAdapter(loaded.model, loaded.manifest.tokenizer).blended).toBe(false);
    loaded.model.dispose();
  });

  it('reads the level blend beside it, and the adapter forecasts with it', async () => {
    const blend = {
      roughnessBounds: [0.5],
      signals: { '1': [null, { weights: new Array(8).fill(1), window: 4 }] },
      version: 1,
    };
    fs.writeFileSync(blendFile(), JSON.stringify(blend));
    const loaded = await loadModelDir(dir);
    expect(loaded.levelBlend?.signals['1'][1]?.window).toBe(4);
    const adapter = new PatchForecastAdapter(
      loaded.model,
      loaded.manifest.tokenizer,
      loaded.levelBlend,
    );
    expect(adapter.blended).toBe(true);
    // Weight 1 everywhere: the median is the last 4 values' median (of 90, 11, 10, 11) throughout.
    const context = Float32Array.from({ length: 40 }, (_, t) => (t % 4 === 0 ? 90 : 10 + (t % 2)));
    const [f] = await adapter.forecast([context], { horizon: 8, quantiles: [0.5], signalIds: [1] });
    f.median.forEach((v) => expect(v).toBeCloseTo(11, 3));
    loaded.model.dispose();
  });

  it('names a level blend that does not parse, instead of ignoring it', async () => {
    fs.writeFileSync(
      blendFile(),
      JSON.stringify({
        roughnessBounds: [0.5],
        signals: { '1': [null, { weights: [1], window: 4 }] },
        version: 1,
      }),
    );
    await expect(loadModelDir(dir)).rejects.toThrow(ValidationError);
    await expect(loadModelDir(dir)).rejects.toThrow(
      /forecast-blend\.json: .*re-run `fleetfm calibrate-forecast`/,
    );
  });

  it('says how to get a model when the folder has none', async () => {
    await expect(loadModelDir(path.join(dir, 'nothing'))).rejects.toThrow(NotFoundError);
  });
});
