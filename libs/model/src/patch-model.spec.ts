import * as tf from '@tensorflow/tfjs';
import { ValidationError } from '@fleetfm/domain';
import { PatchTokenizer } from '@fleetfm/tokenizer';
import { selectBackend } from './backend';
import { PatchModel } from './patch-model';
import {
  DEFAULT_MODEL_ARGS,
  TINY_MODEL_ARGS,
  forwardFlopsPerSeries,
  resolveModelConfig,
} from './patch-model.config';
import { makeForecastBatch, toModelInputs, type TrainingWindow } from './training/forecast-batch';
import { Trainer } from './training/trainer';

beforeAll(async () => {
  await selectBackend({ prefer: ['wasm', 'cpu'] });
});

const tiny = TINY_MODEL_ARGS; // context 32, patch 8 -> 4 tokens; horizon 8; 3 quantiles

function sineWindows(n: number, length: number, phase0 = 0): TrainingWindow[] {
  return Array.from({ length: n }, (_, i) => ({
    series: Float32Array.from(
      { length },
      (_, t) => 10 + 3 * Math.sin(((t + phase0 + i * 3) * 2 * Math.PI) / 16),
    ),
    signalId: i % tiny.numSignals,
  }));
}

describe('PatchModel', () => {
  it('has ≈3M parameters and 45.6 MFLOP/series at the default size', () => {
    const model = new PatchModel(DEFAULT_MODEL_ARGS);
    // 2,359,872 in the flattened quantile head, 594,816 in 3 blocks, 24,960 patch MLP, 6,144
    // signal + position tables, 8,256 embedding head, 256 final norm.
    expect(model.countParams()).toBe(2_994_304);
    // 2·32·(32·128 + 128·128 + 32·128) embed + 3·(2·32·(4·128² + 2·128·512) + 4·32²·128) blocks
    // + 2·4096·576 head + 2·128·64 pool
    expect(forwardFlopsPerSeries(model.config)).toBe(45_629_440);
    model.dispose();
  });

  it('produces static and dynamic output shapes', () => {
    const model = new PatchModel(tiny);
    for (const b of [1, 5]) {
      tf.tidy(() => {
        const inputs = {
          mask: tf.ones([b, 32]) as tf.Tensor2D,
          signalIds: new Int32Array(b),
          values: tf.randomNormal([b, 32]) as tf.Tensor2D,
        };
        const enc = model.encode(inputs);
        expect(enc.hidden.shape).toEqual([b, 4, 16]);
        expect(enc.tokenMask.shape).toEqual([b, 4]);
        expect(model.predictQuantiles(inputs).shape).toEqual([b, 8, 3]);
        const z = model.embed(inputs);
        expect(z.shape).toEqual([b, 8]);
        // L2-normalised rows
        tf.sum(tf.square(z), -1)
          .dataSync()
          .forEach((v) => expect(v).toBeCloseTo(1, 4));
      });
    }
    model.dispose();
  });

  it('adds the signal-id embedding (one-hot rows are real 1s on wasm)', () => {
    const model = new PatchModel(tiny);
    const diff = tf.tidy(() => {
      const values = tf.randomNormal([1, 32], 0, 1, 'float32', 3) as tf.Tensor2D;
      const mask = tf.ones([1, 32]) as tf.Tensor2D;
      const a = model.encode({ mask, signalIds: Int32Array.of(0), values }).hidden;
      const b = model.encode({ mask, signalIds: Int32Array.of(1), values }).hidden;
      return tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
    });
    // The two ids' table rows differ by ~0.02 at initialisation; a broken one-hot (denormal
    // 1.4e-45 "ones") leaves the encodings identical.
    expect(diff).toBeGreaterThan(1e-3);
    model.dispose();
  });

  it('leaks no tensors in one forward pass', () => {
    const model = new PatchModel(tiny);
    const inputs = {
      mask: tf.ones([2, 32]) as tf.Tensor2D,
      signalIds: Int32Array.from([0, 1]),
      values: tf.randomNormal([2, 32]) as tf.Tensor2D,
    };
    model.predictQuantiles(inputs).dispose(); // builds weights
    const before = tf.memory().numTensors;
    model.predictQuantiles(inputs).dispose();
    model.embed(inputs).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([inputs.mask, inputs.values]);
    model.dispose();
  });

  it('drops activations only when asked, with the same masks for the same seed', () => {
    const model = new PatchModel(tiny);
    const inputs = {
      mask: tf.ones([3, 32]) as tf.Tensor2D,
      signalIds: Int32Array.from([0, 1, 2]),
      values: tf.randomNormal([3, 32], 0, 1, 'float32', 4) as tf.Tensor2D,
    };
    const run = (d?: { rate: number; seed: number }): number[] => {
      const y = model.predictQuantiles(inputs, d);
      const v = Array.from(y.dataSync());
      y.dispose();
      return v;
    };
    const plain = run();
    expect(run({ rate: 0, seed: 1 })).toEqual(plain);
    const before = tf.memory().numTensors;
    const a = run({ rate: 0.2, seed: 1 });
    expect(tf.memory().numTensors).toBe(before);
    expect(run({ rate: 0.2, seed: 1 })).toEqual(a);
    expect(run({ rate: 0.2, seed: 2 })).not.toEqual(a);
    expect(a).not.toEqual(plain);
    expect(run()).toEqual(plain);
    tf.dispose([inputs.mask, inputs.values]);
    model.dispose();
  });

  it('ignores fully padded tokens: left padding does not change the forecast', () => {
    const model = new PatchModel(tiny);
    const tok = new PatchTokenizer({ contextLength: 32, patchLength: 8 });
    const series = Float32Array.from({ length: 24 }, (_, t) => Math.sin(t / 3));
    const a = makeForecastBatch(
      [{ series: new Float32Array([...series, ...new Array(8).fill(0)]) }],
      tok,
      8,
    );
    const inputs = toModelInputs(a);
    const out1 = model.predictQuantiles(inputs);
    // Same content, but garbage where the mask says "padding" must not matter beyond the mask.
    const tampered = toModelInputs({ ...a, values: a.values.map((v, i) => (i < 8 ? 0 : v)) });
    const out2 = model.predictQuantiles(tampered);
    expect(Array.from(out2.dataSync())).toEqual(Array.from(out1.dataSync()));
    tf.dispose([out1, out2, inputs.values, inputs.mask, tampered.values, tampered.mask]);
    model.dispose();
  });

  it('round-trips getConfig and rebuilds identical weights from the seed', () => {
    const model = new PatchModel(tiny);
    const config = model.getConfig();
    const again = new PatchModel(config as unknown as typeof tiny);
    expect(again.getConfig()).toEqual(config);
    const [w1, w2] = [model, again].map((m) => m.namedWeights()[0].variable.dataSync());
    expect(Array.from(w2)).toEqual(Array.from(w1));
    expect(again.namedWeights().map((w) => w.name)).toEqual(
      model.namedWeights().map((w) => w.name),
    );
    model.dispose();
    again.dispose();
  });

  it('validates its configuration', () => {
    expect(() => resolveModelConfig({ contextLength: 100, patchLength: 16 })).toThrow(
      ValidationError,
    );
    expect(() => resolveModelConfig({ quantiles: [0.5, 0.1] })).toThrow(/ascending/);
    expect(() => resolveModelConfig({ dModel: 30, numHeads: 4 })).toThrow(/divisible/);
    const model = new PatchModel(tiny);
    expect(() =>
      model.encode({
        mask: tf.ones([1, 32]) as tf.Tensor2D,
        signalIds: Int32Array.from([9]),
        values: tf.ones([1, 32]) as tf.Tensor2D,
      }),
    ).toThrow(/signal id 9/);
    model.dispose();
  });
});

describe('Trainer', () => {
  it('takes finite, falling training steps on a sine and frees what it allocates', () => {
    const model = new PatchModel(tiny);
    const trainer = new Trainer(model, { learningRate: 3e-3 });
    const tok = new PatchTokenizer({ contextLength: 32, patchLength: 8 });
    const batch = makeForecastBatch(sineWindows(16, 40), tok, 8);
    const first = trainer.trainStep(batch); // creates Adam slots
    const before = tf.memory().numTensors;
    const losses = [first];
    for (let i = 0; i < 24; i++) losses.push(trainer.trainStep(batch));
    expect(tf.memory().numTensors).toBe(before);
    losses.forEach((l) => expect(Number.isFinite(l)).toBe(true));
    const last = losses.slice(-3).reduce((a, b) => a + b) / 3;
    expect(last).toBeLessThan(0.5 * first);
    trainer.dispose();
    model.dispose();
  });

  it('trains with dropout: masks keyed by the noise key, validation without them', () => {
    const tok = new PatchTokenizer({ contextLength: 32, patchLength: 8 });
    const batch = makeForecastBatch(sineWindows(16, 40), tok, 8);
    const model = new PatchModel(tiny);
    const plain = new Trainer(model);
    const dropped = new Trainer(model, { dropout: 0.3, dropoutSeed: 9 });
    const loss = (t: Trainer, key: number): number => {
      const { loss: l, grads } = t.computeGradients(batch, [key]);
      const v = l.dataSync()[0];
      tf.dispose([l, ...grads.values()]);
      return v;
    };
    expect(loss(plain, 1)).toBe(loss(plain, 2)); // no dropout: the key does nothing
    expect(loss(dropped, 1)).toBe(loss(dropped, 1));
    expect(loss(dropped, 1)).not.toBe(loss(dropped, 2));
    expect(loss(dropped, 1)).not.toBe(loss(plain, 1));
    expect(dropped.validationSums(batch)).toEqual(plain.validationSums(batch));
    expect(() => new Trainer(model, { dropout: 1 })).toThrow(/dropout must be in \[0, 1\)/);
    // Training with dropout still learns the sine.
    const learner = new Trainer(new PatchModel(tiny), { dropout: 0.1, learningRate: 3e-3 });
    const losses = Array.from({ length: 25 }, () => learner.trainStep(batch));
    expect(losses.slice(-3).reduce((a, b) => a + b) / 3).toBeLessThan(0.6 * losses[0]);
    learner.model.dispose();
    [plain, dropped, learner].forEach((t) => t.dispose());
    model.dispose();
  });

  it('tolerates gaps in context and target', () => {
    const model = new PatchModel(tiny);
    const trainer = new Trainer(model);
    const tok = new PatchTokenizer({ contextLength: 32, patchLength: 8 });
    const windows = sineWindows(4, 40).map((w) => {
      const s = w.series.slice();
      s.fill(Number.NaN, 5, 12);
      s[38] = Number.NaN;
      return { ...w, series: s };
    });
    windows.push({ series: new Float32Array(40).fill(Number.NaN), signalId: 0 });
    const loss = trainer.trainStep(makeForecastBatch(windows, tok, 8));
    expect(Number.isFinite(loss)).toBe(true);
    trainer.dispose();
    model.dispose();
  });
});
