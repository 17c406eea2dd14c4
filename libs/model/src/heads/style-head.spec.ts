import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { PatchTokenizer } from '@fleetfm/tokenizer';
import { selectBackend } from '../backend';
import { PatchModel } from '../patch-model';
import { TINY_MODEL_ARGS } from '../patch-model.config';
import { rawStyleFeatures, STYLE_FEATURE_DIM, STYLE_FEATURE_NAMES } from './style-features';
import { pooledEncoderStates, StyleHead } from './style-head';
import {
  deserialiseStyleHead,
  readStyleHead,
  serialiseStyleHead,
  STYLE_HEAD_JSON,
  writeStyleHead,
} from './style-head-file';

const feature = (f: Float64Array, name: string): number => f[STYLE_FEATURE_NAMES.indexOf(name)];

beforeAll(async () => {
  await selectBackend({ prefer: ['wasm', 'cpu'] });
});

describe('styleFeatures', () => {
  it('has one name per feature', () => {
    expect(new Set(STYLE_FEATURE_NAMES).size).toBe(STYLE_FEATURE_DIM);
    expect(rawStyleFeatures([1, 2, 3]).length).toBe(STYLE_FEATURE_DIM);
  });

  it('computes levels, steps, plateaus and quantisation of a hand-made window', () => {
    // Steps 0, 2, 0, 0, 2; the value 2 is held for two steps (a plateau), 0 once (not one).
    const f = rawStyleFeatures([0, 0, 2, 2, 2, 4]);
    expect(feature(f, 'mean')).toBeCloseTo(10 / 6, 10);
    expect(feature(f, 'std')).toBeCloseTo(Math.sqrt(102 / 9 / 6), 10);
    expect(feature(f, 'level_q0.5')).toBeCloseTo(2, 10);
    expect(feature(f, 'step_q0.5')).toBe(0);
    expect(feature(f, 'step_q0.98')).toBeCloseTo(2, 10);
    expect(feature(f, 'step_mean_abs')).toBeCloseTo(4 / 5, 10);
    // |Δ² | = 2, 2, 0, 2.
    expect(feature(f, 'curve_mean_abs')).toBeCloseTo(1.5, 10);
    expect(feature(f, 'zero_share')).toBeCloseTo(2 / 6, 10);
    expect(feature(f, 'still_share')).toBeCloseTo(3 / 5, 10);
    expect(feature(f, 'plateau_q0.5')).toBe(2);
    expect(feature(f, 'plateau_share')).toBeCloseTo(2 / 5, 10);
    expect(feature(f, 'longest_run_level')).toBe(2);
    expect(feature(f, 'longest_run_share')).toBeCloseTo(2 / 6, 10);
    expect(feature(f, 'on_grid_2')).toBe(1);
    expect(feature(f, 'on_grid_5')).toBe(0);
    expect(feature(f, 'moving_step_q0.5')).toBe(2);
    expect(feature(f, 'positive_q0.5')).toBe(2);
    expect(feature(f, 'negative_q0.5')).toBe(0);
  });

  it('breaks differences at gaps and gives zeros for an all-gap window', () => {
    const f = rawStyleFeatures([3, Number.NaN, 3, Number.NaN]);
    expect(feature(f, 'mean')).toBe(3);
    expect(feature(f, 'still_share')).toBe(0);
    expect(feature(f, 'plateau_share')).toBe(0);
    expect(Array.from(rawStyleFeatures([Number.NaN, Number.NaN]))).toEqual(
      new Array(STYLE_FEATURE_DIM).fill(0),
    );
  });
});

describe('StyleHead', () => {
  const MODEL = { ...TINY_MODEL_ARGS, numSignals: 12 };
  const ARGS = { embeddingDim: 6, hiddenDim: 16, numSignals: 12, pooledDim: MODEL.dModel, seed: 3 };
  const L = 32;
  const tok = new PatchTokenizer({
    contextLength: L,
    minScale: 1e-5,
    patchLength: 8,
    scaling: 'mean-std',
  });
  /** A braking trace: a ramp up and a hold. */
  const brake = Float32Array.from({ length: L }, (_, t) => (t < 16 ? t : 16));
  const shifted = Float32Array.from(brake, (v) => v + 5);

  function embedWith(head: StyleHead, model: PatchModel, windows: Float32Array[]): Float32Array {
    const t = tok.encodeBatch(windows);
    const feats = new Float32Array(windows.length * STYLE_FEATURE_DIM);
    windows.forEach((w, i) =>
      feats.set(Float32Array.from(rawStyleFeatures(w), Math.asinh), i * STYLE_FEATURE_DIM),
    );
    const ids = new Int32Array(windows.length).fill(5);
    return tf.tidy(() => {
      const pooled = pooledEncoderStates(model, {
        mask: tf.tensor2d(t.mask, [t.batch, L]),
        signalIds: ids,
        values: tf.tensor2d(t.values, [t.batch, L]),
      });
      return head.call(tf.tensor2d(feats, [t.batch, STYLE_FEATURE_DIM]), pooled, ids).dataSync();
    }) as Float32Array;
  }

  it('sees levels: windows identical up to a brake offset embed differently (the encoder cannot)', () => {
    const model = new PatchModel(MODEL);
    const head = new StyleHead(ARGS);
    // The tokenizer removes the offset: the model's own embedding is identical for both.
    const t = tok.encodeBatch([brake, shifted]);
    expect(Array.from(t.values.subarray(0, L))).toEqual(Array.from(t.values.subarray(L)));
    const z = embedWith(head, model, [brake, shifted]);
    const d = ARGS.embeddingDim;
    let cos = 0;
    for (let j = 0; j < d; j++) cos += z[j] * z[d + j];
    expect(Math.hypot(...z.subarray(0, d))).toBeCloseTo(1, 5);
    expect(cos).toBeLessThan(0.999);
    head.dispose();
    model.dispose();
  });

  it('leaks no tensors in call, a training step, or (de)serialisation', () => {
    const model = new PatchModel(MODEL);
    const head = new StyleHead(ARGS);
    head.build();
    model.build();
    const optimizer = tf.train.adam(1e-2);
    const feats = tf.randomNormal([4, STYLE_FEATURE_DIM], 0, 1, 'float32', 1) as tf.Tensor2D;
    const pooled = tf.randomNormal([4, MODEL.dModel], 0, 1, 'float32', 2) as tf.Tensor2D;
    const ids = [1, 2, 3, 40];
    const step = (): void =>
      optimizer
        .minimize(
          () => tf.mean(tf.square(tf.sub(head.call(feats, pooled, ids), 0.5))) as tf.Scalar,
          false,
          head.trainableWeights(),
        )
        ?.dispose();
    step(); // creates Adam's slots
    const before = tf.memory().numTensors;
    tf.dispose(head.call(feats, pooled, ids));
    step();
    deserialiseStyleHead(serialiseStyleHead(head, new Uint8Array([1]))).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([feats, pooled]);
    optimizer.dispose();
    head.dispose();
    model.dispose();
  });

  it('round-trips through getConfig and its file, bound to the encoder weights', async () => {
    const model = new PatchModel(MODEL);
    const head = new StyleHead(ARGS);
    const mean = Float32Array.from({ length: 12 * STYLE_FEATURE_DIM }, (_, i) => i % 7);
    const std = Float32Array.from({ length: 12 * STYLE_FEATURE_DIM }, (_, i) => 1 + (i % 3));
    head.setStandardisation(mean, std);
    expect(new StyleHead(head.getConfig() as unknown as typeof ARGS).getConfig()).toEqual(
      head.getConfig(),
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetfm-style-head-'));
    try {
      const weights = new Uint8Array([1, 2, 3]);
      fs.writeFileSync(path.join(dir, 'weights.bin'), weights);
      await writeStyleHead(dir, serialiseStyleHead(head, weights, { note: 'test' }));
      const loaded = readStyleHead(dir);
      if (!loaded.head) throw new Error(loaded.reason);
      expect(loaded.file.extra).toEqual({ note: 'test' });
      expect(Array.from(embedWith(loaded.head, model, [brake]))).toEqual(
        Array.from(embedWith(head, model, [brake])),
      );
      loaded.head.dispose();
      // Other encoder weights: the head is refused, with the reason.
      fs.writeFileSync(path.join(dir, 'weights.bin'), new Uint8Array([9]));
      expect(readStyleHead(dir)).toEqual({
        reason: expect.stringMatching(/other encoder weights/),
      });
      fs.rmSync(path.join(dir, STYLE_HEAD_JSON));
      expect(readStyleHead(dir).head).toBeUndefined();
    } finally {
      fs.rmSync(dir, { force: true, recursive: true });
      head.dispose();
      model.dispose();
    }
  });
});
