import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  PatchModel,
  selectBackend,
  serialiseStyleHead,
  StyleHead,
  TINY_MODEL_ARGS,
  writeStyleHead,
} from '@fleetfm/model';
import { PatchEmbeddingAdapter } from './patch-embedding.adapter';

describe('PatchEmbeddingAdapter.forCheckpoint', () => {
  let dir: string;
  let model: PatchModel;
  const weights = new Uint8Array([7, 7, 7]);
  const ramp = Float32Array.from({ length: 40 }, (_, t) => Math.min(t, 20));
  const raised = Float32Array.from(ramp, (v) => v + 8);

  beforeAll(async () => {
    await selectBackend({ prefer: ['wasm', 'cpu'] });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetfm-adapter-'));
    model = new PatchModel({ ...TINY_MODEL_ARGS, numSignals: 12 });
  });
  afterAll(() => {
    model.dispose();
    fs.rmSync(dir, { force: true, recursive: true });
  });

  it("uses the model's own head without a style head: levels are normalised away", async () => {
    const { adapter, note, styleHead } = PatchEmbeddingAdapter.forCheckpoint(model, {}, dir);
    expect(styleHead).toBeUndefined();
    expect(note).toMatch(/pooled head/);
    expect(adapter.embeddingDim).toBe(model.config.embeddingDim);
    const [a, b] = await adapter.embed([ramp, raised], [5, 5]);
    Array.from(a).forEach((v, i) => expect(v).toBeCloseTo(b[i], 5));
  });

  it("uses the folder's style head (bound to its weights.bin): levels change the embedding", async () => {
    fs.writeFileSync(path.join(dir, 'weights.bin'), weights);
    const head = new StyleHead({
      embeddingDim: 5,
      hiddenDim: 8,
      numSignals: 12,
      pooledDim: model.config.dModel,
      seed: 1,
    });
    await writeStyleHead(dir, serialiseStyleHead(head, weights));
    head.dispose();
    const before = tf.memory().numTensors;
    const { adapter, note, styleHead } = PatchEmbeddingAdapter.forCheckpoint(model, {}, dir);
    expect(note).toMatch(/style head/);
    expect(adapter.embeddingDim).toBe(5);
    const [a, b] = await adapter.embed([ramp, raised], [5, 5]);
    expect(a.length).toBe(5);
    expect(Math.hypot(...a)).toBeCloseTo(1, 5);
    let cos = 0;
    for (let j = 0; j < 5; j++) cos += a[j] * b[j];
    expect(cos).toBeLessThan(0.999);
    styleHead?.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
