import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { PatchTokenizer } from '@fleetfm/tokenizer';
import { selectBackend } from './backend';
import {
  exportCheckpoint,
  importCheckpoint,
  readCheckpointDir,
  writeCheckpointDir,
} from './checkpoint';
import { PatchModel } from './patch-model';
import { TINY_MODEL_ARGS } from './patch-model.config';
import { makeForecastBatch, toModelInputs } from './training/forecast-batch';
import { Trainer } from './training/trainer';

beforeAll(async () => {
  await selectBackend({ prefer: ['wasm', 'cpu'] });
});

describe('checkpoints', () => {
  const tok = new PatchTokenizer({ contextLength: 32, patchLength: 8 });
  const batch = makeForecastBatch(
    [0, 1, 2].map((i) => ({
      series: Float32Array.from({ length: 40 }, (_, t) => Math.sin(t / 3 + i)),
    })),
    tok,
    8,
  );

  it('round-trips weights and outputs exactly through a directory', async () => {
    const model = new PatchModel(TINY_MODEL_ARGS);
    const trainer = new Trainer(model);
    trainer.trainStep(batch); // move the weights away from their seeded initial values
    const files = await exportCheckpoint(model, {
      createdAt: new Date('2026-01-02T03:04:05Z'),
      metrics: { loss: 0.25 },
      tokenizer: tok.config,
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetfm-ckpt-'));
    await writeCheckpointDir(dir, files);
    expect(fs.readdirSync(dir).sort()).toEqual(['manifest.json', 'model.json', 'weights.bin']);
    const modelJson = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
    expect(modelJson.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(modelJson.modelTopology.class_name).toBe('FleetFM>PatchModel');

    const { model: loaded, manifest } = await importCheckpoint(await readCheckpointDir(dir));
    expect(manifest).toMatchObject({
      createdAt: '2026-01-02T03:04:05.000Z',
      metrics: { loss: 0.25 },
      parameters: model.countParams(),
      seed: 7,
      tokenizer: { contextLength: 32, patchLength: 8, scaling: 'mean-std' },
      weightBytes: 4 * model.countParams(),
    });
    expect(loaded.getConfig()).toEqual(model.getConfig());
    const a = model.namedWeights();
    const b = loaded.namedWeights();
    expect(b.map((w) => w.name)).toEqual(a.map((w) => w.name));
    a.forEach((w, i) => expect(b[i].variable.dataSync()).toEqual(w.variable.dataSync()));
    const inputs = toModelInputs(batch);
    const [y1, y2] = [model, loaded].map((m) => m.predictQuantiles(inputs));
    expect(Array.from(y2.dataSync())).toEqual(Array.from(y1.dataSync()));
    tf.dispose([y1, y2, inputs.values, inputs.mask]);
    fs.rmSync(dir, { force: true, recursive: true });
    trainer.dispose();
    model.dispose();
    loaded.dispose();
  });

  it('rejects a checkpoint with a missing weight or the wrong format', async () => {
    const model = new PatchModel(TINY_MODEL_ARGS);
    const files = await exportCheckpoint(model, { tokenizer: tok.config });
    const json = JSON.parse(files.modelJson);
    json.weightsManifest[0].weights = json.weightsManifest[0].weights.slice(0, -1);
    await expect(importCheckpoint({ ...files, modelJson: JSON.stringify(json) })).rejects.toThrow(
      /missing weight embeddingHead.bias/,
    );
    await expect(
      importCheckpoint({ ...files, modelJson: JSON.stringify({ format: 'layers-model' }) }),
    ).rejects.toThrow(/Not a fleetfm-patch-model/);
    model.dispose();
  });
});
