import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { PatchTokenizer } from '@fleetfm/tokenizer';
import { selectBackend } from '../backend';
import { importCheckpoint, readCheckpointDir } from '../checkpoint';
import { Forecaster } from '../forecaster';
import { assembleKernel } from '../kernels/assemble-kernel';
import {
  INFERENCE_GENERATED_FILE,
  INFERENCE_WAT_FILE,
  renderInferenceModule,
} from '../kernels/assemble-inference-kernels';
import { INFERENCE_KERNELS_WASM_BASE64 } from '../kernels/inference-kernels.wasm';
import { setSimdKernelsEnabled } from '../kernels/wasm-kernels';
import { PatchModel } from '../patch-model';
import { TINY_MODEL_ARGS, type PatchModelArgs } from '../patch-model.config';
import { makeForecastBatch } from '../training/forecast-batch';
import { Trainer } from '../training/trainer';
import { InferenceEngine, inferenceSupported, type EngineInputs } from './inference-engine';
import { readInferenceWeights } from './inference-weights';
import { LeanPredictor } from './lean-predictor';
import { GEMM_ACCUMULATE, GEMM_RELU, WasmArena } from './wasm-arena';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

/** Small enough to be fast, shaped so every kernel path runs (8 tokens, head width 8). */
const SMALL: PatchModelArgs = { ...TINY_MODEL_ARGS, contextLength: 64, seed: 3 };

beforeAll(async () => {
  await selectBackend({ prefer: ['wasm'] });
});

afterEach(() => setSimdKernelsEnabled(true));

/** The stock-tfjs reference: predictQuantiles with our SIMD tfjs kernels switched off. */
function stockQuantiles(model: PatchModel, inputs: EngineInputs): Float32Array {
  const l = model.config.contextLength;
  setSimdKernelsEnabled(false);
  try {
    return tf
      .tidy(() =>
        model.predictQuantiles({
          mask: tf.tensor2d(inputs.mask, [inputs.batch, l]),
          signalIds: Int32Array.from(inputs.signalIds),
          values: tf.tensor2d(inputs.values, [inputs.batch, l]),
        }),
      )
      .dataSync() as Float32Array;
  } finally {
    setSimdKernelsEnabled(true);
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** B series of waves; series 1 has its first half missing, series 2 is all missing. */
function gappyInputs(batch: number, l: number, numSignals: number): EngineInputs {
  const values = Float32Array.from({ length: batch * l }, (_, i) => Math.sin(i / 7) + (i % 5) / 10);
  const mask = new Float32Array(batch * l).fill(1);
  const hide = (from: number, to: number): void => {
    values.fill(0, from, to);
    mask.fill(0, from, to);
  };
  if (batch > 1) hide(l, l + l / 2);
  if (batch > 2) hide(2 * l, 3 * l);
  const signalIds = Int32Array.from({ length: batch }, (_, i) => i % numSignals);
  return { batch, mask, signalIds, values };
}

describe('inference kernels (gemm, gemv)', () => {
  it('the committed module is the assembled .wat', async () => {
    const wat = fs.readFileSync(path.join(__dirname, '..', 'kernels', INFERENCE_WAT_FILE), 'utf8');
    const bytes = await assembleKernel(wat);
    expect(Buffer.from(bytes).toString('base64')).toBe(INFERENCE_KERNELS_WASM_BASE64);
    const generated = fs.readFileSync(
      path.join(__dirname, '..', 'kernels', INFERENCE_GENERATED_FILE),
      'utf8',
    );
    expect(generated).toBe(renderInferenceModule(bytes));
  });

  it('gemm: identity times a counting matrix, with bias, relu, accumulation and strides', () => {
    const arena = new WasmArena();
    // A = [I_8 | junk] with lda 10, B = counting [8, 16] minus 60, bias = 0.5 per column.
    const a = new Float32Array(8 * 10);
    for (let i = 0; i < 8; i++) {
      a[i * 10 + i] = 1;
      a[i * 10 + 8] = 99;
    }
    const pa = arena.store(a);
    const pb = arena.store(Float32Array.from({ length: 128 }, (_, i) => i - 60));
    const bias = arena.store(new Float32Array(16).fill(0.5));
    const pc = arena.alloc(8 * 16);
    const f32 = arena.seal();
    const c = (): number[] => Array.from(f32.subarray(pc / 4, pc / 4 + 128));
    arena.kernels.gemm(pa, pb, pc, bias, 8, 16, 8, 10, 16, 16, 0);
    expect(c()).toEqual(Array.from({ length: 128 }, (_, i) => i - 59.5));
    arena.kernels.gemm(pa, pb, pc, bias, 8, 16, 8, 10, 16, 16, GEMM_RELU);
    expect(c()).toEqual(Array.from({ length: 128 }, (_, i) => Math.max(0, i - 59.5)));
    arena.kernels.gemm(pa, pb, pc, bias, 8, 16, 8, 10, 16, 16, GEMM_ACCUMULATE);
    expect(c()).toEqual(Array.from({ length: 128 }, (_, i) => Math.max(0, i - 59.5) + i - 59.5));
  });

  it('gemm and gemv: a 4 × 4 · 4 × 8 product by hand, and rows of it', () => {
    const arena = new WasmArena();
    // A[i][k] = i + k, B[k][j] = k - j  =>  C[i][j] = Σ_k (i + k)(k - j) = 4ij' closed form below.
    const pa = arena.store(Array.from({ length: 16 }, (_, n) => (n >> 2) + (n & 3)));
    const pb = arena.store(Array.from({ length: 32 }, (_, n) => (n >> 3) - (n & 7)));
    const zero = arena.alloc(8);
    const pc = arena.alloc(32);
    const py = arena.alloc(8);
    const f32 = arena.seal();
    // Σ_{k<4} (i + k)(k - j) = 6i - 4ij + 14 - 6j
    const want = (i: number, j: number): number => 6 * i - 4 * i * j + 14 - 6 * j;
    arena.kernels.gemm(pa, pb, pc, zero, 4, 8, 4, 4, 8, 8, 0);
    expect(Array.from(f32.subarray(pc / 4, pc / 4 + 32))).toEqual(
      Array.from({ length: 32 }, (_, n) => want(n >> 3, n & 7)),
    );
    for (let i = 0; i < 4; i++) {
      arena.kernels.gemv(pa + 16 * i, pb, py, zero, 8, 4, 8);
      expect(Array.from(f32.subarray(py / 4, py / 4 + 8))).toEqual(
        Array.from({ length: 8 }, (_, j) => want(i, j)),
      );
    }
    // k = 3 (not a multiple of 4): the gemv tail loop.
    arena.kernels.gemv(pa, pb, py, zero, 8, 3, 8);
    expect(Array.from(f32.subarray(py / 4, py / 4 + 8))).toEqual(
      Array.from({ length: 8 }, (_, j) => [0, 1, 2].reduce((s, k) => s + k * (k - j), 0)),
    );
  });
  it('transpose: a strided 3 × 5 block into a 5 × 4 matrix', () => {
    const arena = new WasmArena();
    const src = arena.store(Array.from({ length: 21 }, (_, n) => n)); // [3, 7], lds 7
    const dst = arena.alloc(20);
    const f32 = arena.seal();
    arena.kernels.transpose(src + 4, dst, 3, 5, 7, 4); // columns 1..5 of the 3 rows
    const got = Array.from(f32.subarray(dst / 4, dst / 4 + 20));
    // dst[j][i] = src[i][1 + j]; column 3 of dst untouched (0).
    expect(got).toEqual(
      Array.from({ length: 20 }, (_, n) => ((n & 3) === 3 ? 0 : (n & 3) * 7 + 1 + (n >> 2))),
    );
  });
});

describe('InferenceEngine', () => {
  it('knows which shapes it supports', () => {
    expect(inferenceSupported(new PatchModel(SMALL).config)).toBe(true);
    expect(inferenceSupported(new PatchModel(TINY_MODEL_ARGS).config)).toBe(false); // 4 tokens
    expect(new Forecaster(new PatchModel(TINY_MODEL_ARGS)).usesLeanInference).toBe(false);
  });

  it('equals stock tfjs predictQuantiles on a small model (gaps, padding, ids, chunks)', () => {
    const model = new PatchModel(SMALL);
    const inputs = gappyInputs(7, 64, 4);
    const want = stockQuantiles(model, inputs);
    // maxBatch 4: a chunk of 4 (gemm head) and one of 3 (gemv head).
    const got = new InferenceEngine(readInferenceWeights(model), 4).forward(inputs);
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-4);
    expect(Math.max(...want.map(Math.abs))).toBeGreaterThan(0.1);
    model.dispose();
  });

  it('rejects inputs that do not match the batch or the signal vocabulary', () => {
    const model = new PatchModel(SMALL);
    const engine = new InferenceEngine(readInferenceWeights(model));
    const inputs = gappyInputs(2, 64, 4);
    expect(() => engine.forward({ ...inputs, batch: 3 })).toThrow(/batch 3/);
    expect(() => engine.forward({ ...inputs, signalIds: [0, 4] })).toThrow(/signal id 4/);
    model.dispose();
  });

  it('re-reads the weights after a training step', () => {
    const model = new PatchModel(SMALL);
    const lean = new LeanPredictor(model);
    const inputs = gappyInputs(2, 64, 4);
    const before = lean.predict(inputs);
    const tokenizer = new PatchTokenizer({ contextLength: 64, patchLength: 8 });
    const windows = [0, 1, 2, 3].map((k) => ({
      series: Float32Array.from({ length: 72 }, (_, t) => Math.sin(t / (3 + k))),
    }));
    const trainer = new Trainer(model, { learningRate: 1e-2 });
    trainer.trainStep(makeForecastBatch(windows, tokenizer, 8));
    trainer.dispose();
    const after = lean.predict(inputs);
    expect(maxAbsDiff(after, before)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(after, stockQuantiles(model, inputs))).toBeLessThan(1e-4);
    model.dispose();
  });

  it('models/default on real drive cycles equals stock tfjs, and the Forecaster uses it', async () => {
    const { model } = await importCheckpoint(
      await readCheckpointDir(path.join(ROOT, 'models', 'default')),
    );
    const c = model.config;
    expect(inferenceSupported(c)).toBe(true);
    const csv = (name: string): Float32Array => {
      const rows = fs
        .readFileSync(path.join(ROOT, '..', 'shared', 'data', 'drive-cycles', name), 'utf8')
        .trim()
        .split('\n')
        .slice(1);
      return Float32Array.from(rows.map((r) => Number(r.split(',')[1])));
    };
    const udds = csv('udds.csv');
    const series = [udds.slice(0, c.contextLength), udds.slice(700, 700 + c.contextLength)];
    series.push(csv('us06.csv').slice(0, 300)); // shorter than the context: padded
    const tok = new PatchTokenizer({
      contextLength: c.contextLength,
      patchLength: c.patchLength,
    }).encodeBatch(series);
    const inputs: EngineInputs = {
      batch: tok.batch,
      mask: tok.mask,
      signalIds: [0, 1, 2],
      values: tok.values,
    };
    const want = stockQuantiles(model, inputs);
    expect(maxAbsDiff(new LeanPredictor(model).predict(inputs), want)).toBeLessThan(1e-4);

    const lean = new Forecaster(model);
    const stock = new Forecaster(model, {}, { inference: 'tfjs' });
    expect(lean.usesLeanInference).toBe(true);
    expect(stock.usesLeanInference).toBe(false);
    const a = await lean.forecast(series, { horizon: 100 }); // rolls forward once
    const b = await stock.forecast(series, { horizon: 100 });
    a.forEach((f, s) => {
      const scale = 1 + Math.max(...series[s].map(Math.abs));
      f.quantiles.forEach((q, k) =>
        expect(maxAbsDiff(q, b[s].quantiles[k]) / scale).toBeLessThan(1e-4),
      );
    });
    model.dispose();
  });

  it('splits large batches with a worker thread and gets the same numbers (needs npm run build)', async () => {
    const model = new PatchModel(SMALL);
    const inputs = gappyInputs(11, 64, 4);
    const parallel = new LeanPredictor(model, { minParallelBatch: 4, threads: 2 });
    const alone = new LeanPredictor(model, { threads: 1 });
    const want = alone.predict(inputs);
    expect(maxAbsDiff(await parallel.predictAsync(inputs), want)).toBeLessThan(1e-6);
    expect(parallel.workers).toBe(1);
    // New weights reach the worker too.
    const tokenizer = new PatchTokenizer({ contextLength: 64, patchLength: 8 });
    const windows = [0, 1].map((k) => ({
      series: Float32Array.from({ length: 72 }, (_, t) => Math.cos(t / (2 + k))),
    }));
    const trainer = new Trainer(model, { learningRate: 1e-2 });
    trainer.trainStep(makeForecastBatch(windows, tokenizer, 8));
    trainer.dispose();
    const after = await parallel.predictAsync(inputs);
    expect(maxAbsDiff(after, want)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(after, stockQuantiles(model, inputs))).toBeLessThan(1e-4);
    await parallel.close();
    model.dispose();
  });

  it('runs the whole batch here when the worker thread fails', async () => {
    const model = new PatchModel(SMALL);
    const inputs = gappyInputs(9, 64, 4);
    const want = new LeanPredictor(model, { threads: 1 }).predict(inputs);
    const broken = path.join(os.tmpdir(), `fleetfm-broken-worker-${process.pid}.js`);
    fs.writeFileSync(broken, "throw new Error('no engine here');\n");
    const lean = new LeanPredictor(model, {
      minParallelBatch: 2,
      threads: 2,
      workerScript: broken,
    });
    try {
      expect(maxAbsDiff(await lean.predictAsync(inputs), want)).toBe(0);
      expect(lean.workers).toBe(0);
      expect(maxAbsDiff(await lean.predictAsync(inputs), want)).toBe(0);
    } finally {
      await lean.close();
      fs.rmSync(broken, { force: true });
      model.dispose();
    }
  });
});
