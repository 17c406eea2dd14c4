import * as tf from '@tensorflow/tfjs';
import { ValidationError } from '@fleetfm/domain';
import { PatchTokenizer } from '@fleetfm/tokenizer';
import { selectBackend } from '../../backend';
import { exportCheckpoint, importCheckpoint, type CheckpointFiles } from '../../checkpoint';
import { PatchModel } from '../../patch-model';
import { TINY_MODEL_ARGS } from '../../patch-model.config';
import { makeForecastBatch, toModelInputs } from '../forecast-batch';
import { Trainer } from '../trainer';
import { growCheckpointDepth, growthPlan } from './grow-depth';

beforeAll(async () => {
  await selectBackend({ prefer: ['wasm', 'cpu'] });
});

describe('growthPlan', () => {
  it.each([
    [3, 3, [0, 0, 0]],
    [3, 5, [0, 1, 1]],
    [2, 3, [0, 1]],
    [2, 7, [2, 3]],
  ])('%i blocks grown to %i: copies after each block %j', (layers, target, copies) => {
    expect(growthPlan(layers, target)).toEqual(copies);
  });
});

describe('growCheckpointDepth', () => {
  const tok = new PatchTokenizer({ contextLength: 32, patchLength: 8 });
  const batch = makeForecastBatch(
    [0, 1, 2].map((i) => ({
      series: Float32Array.from({ length: 40 }, (_, t) => Math.sin(t / 3 + i) + 0.1 * t),
    })),
    tok,
    8,
  );
  let files: CheckpointFiles;
  let model: PatchModel;

  beforeAll(async () => {
    model = new PatchModel(TINY_MODEL_ARGS); // 2 blocks
    const trainer = new Trainer(model);
    trainer.trainStep(batch); // non-trivial weights, so a copied block is not a fresh one
    trainer.dispose();
    files = await exportCheckpoint(model, { metrics: { loss: 1 }, tokenizer: tok.config });
  });
  afterAll(() => model.dispose());

  it('keeps the forecasts while adding blocks, and the manifest follows', async () => {
    const grown = growCheckpointDepth(files, 5);
    const { model: deep, manifest } = await importCheckpoint(grown);
    expect(deep.getConfig()).toMatchObject({ numLayers: 5 });
    expect(manifest.model.numLayers).toBe(5);
    expect(manifest.parameters).toBe(deep.countParams());
    expect(manifest.weightBytes).toBe(4 * deep.countParams());
    expect(manifest.extra).toMatchObject({ grownFromLayers: 2 });
    expect(deep.countParams()).toBeGreaterThan(model.countParams());

    const inputs = toModelInputs(batch);
    const [shallowOut, deepOut] = [model, deep].map((m) => m.predictQuantiles(inputs));
    const a = shallowOut.dataSync();
    const b = deepOut.dataSync();
    expect(b.length).toBe(a.length);
    // The new blocks add exact zeros; compared to 5 decimals in case a backend fuses differently.
    a.forEach((v, i) => expect(b[i]).toBeCloseTo(v, 5));
    tf.dispose([shallowOut, deepOut, inputs.values, inputs.mask]);
    deep.dispose();
  });

  it('copies the block before each new one and zeroes only its residual outputs', async () => {
    const { model: deep } = await importCheckpoint(growCheckpointDepth(files, 3));
    const byName = new Map(deep.namedWeights().map((w) => [w.name, w.variable.dataSync()]));
    const original = new Map(model.namedWeights().map((w) => [w.name, w.variable.dataSync()]));
    // 2 → 3: blocks 0, 1 kept; block 2 copies block 1.
    for (const [name, values] of original) {
      if (!name.startsWith('blocks.')) expect(byName.get(name)).toEqual(values);
    }
    expect(byName.get('blocks.1.ffnIn.kernel')).toEqual(original.get('blocks.1.ffnIn.kernel'));
    expect(byName.get('blocks.2.ffnIn.kernel')).toEqual(original.get('blocks.1.ffnIn.kernel'));
    expect(byName.get('blocks.2.attention.query.kernel')).toEqual(
      original.get('blocks.1.attention.query.kernel'),
    );
    for (const zeroed of [
      'blocks.2.attention.output.kernel',
      'blocks.2.attention.output.bias',
      'blocks.2.ffnOut.kernel',
      'blocks.2.ffnOut.bias',
    ]) {
      expect(Array.from(byName.get(zeroed) as Float32Array).every((v) => v === 0)).toBe(true);
    }
    expect(
      Array.from(byName.get('blocks.1.ffnOut.kernel') as Float32Array).some((v) => v !== 0),
    ).toBe(true);
    deep.dispose();
  });

  it('leaves a checkpoint at its own depth unchanged', () => {
    const same = growCheckpointDepth(files, 2);
    expect(Buffer.from(same.weightsBin).equals(Buffer.from(files.weightsBin))).toBe(true);
  });

  it('rejects fewer blocks and a weights file that does not match its manifest', () => {
    expect(() => growCheckpointDepth(files, 1)).toThrow(
      new ValidationError("growing needs at least the checkpoint's 2 blocks, got 1"),
    );
    expect(() =>
      growCheckpointDepth({ ...files, weightsBin: files.weightsBin.subarray(4) }, 3),
    ).toThrow(/weights.bin holds \d+ bytes, its manifest describes \d+/);
  });
});
