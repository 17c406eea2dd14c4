import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend';
import { importCheckpoint, readCheckpointDir } from '../checkpoint';
import { Forecaster } from '../forecaster';
import { gelu, layerNormOp } from '../layers/ops';
import { MultiHeadAttention } from '../layers/attention.layer';
import { assembleKernel, GENERATED_FILE, renderGeneratedModule, WAT_FILE } from './assemble-kernel';
import { smallBatchMatMul } from './batched-matmul.kernel';
import { columnSum } from './column-sum.kernel';
import { geluKernel } from './gelu.kernel';
import { layerNormKernel } from './layer-norm.kernel';
import { SIMD_KERNELS_WASM_BASE64 } from './simd-kernels.wasm';
import { setSimdKernelsEnabled, simdKernelsAvailable } from './wasm-kernels';

beforeAll(async () => {
  await selectBackend({ prefer: ['wasm'] });
});

afterEach(() => setSimdKernelsEnabled(true));

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** Reference product of one batch entry in plain JS (float64 sums). */
function naive(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
}

const CASES: Array<[boolean, boolean]> = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
];

describe('SIMD wasm kernels: smallBatchMatMul', () => {
  it('runs on the wasm backend', () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(simdKernelsAvailable()).toBe(true);
  });

  it('the committed module is the assembled .wat', async () => {
    const wat = fs.readFileSync(path.join(__dirname, WAT_FILE), 'utf8');
    const bytes = await assembleKernel(wat);
    expect(Buffer.from(bytes).toString('base64')).toBe(SIMD_KERNELS_WASM_BASE64);
    const generated = fs.readFileSync(path.join(__dirname, GENERATED_FILE), 'utf8');
    expect(generated).toBe(renderGeneratedModule(bytes));
  });

  it('equals a closed-form product: A = I (identity), B = counting matrix', () => {
    const eye = tf.tile(tf.expandDims(tf.eye(8), 0), [2, 1, 1]) as tf.Tensor3D;
    const count = tf.reshape(tf.range(0, 2 * 8 * 8), [2, 8, 8]) as tf.Tensor3D;
    expect(Array.from(smallBatchMatMul(eye, count).dataSync())).toEqual(
      Array.from({ length: 128 }, (_, i) => i),
    );
    // Aᵀ with A = 2·I and Bᵀ: 2·countᵀ.
    const twice = smallBatchMatMul(tf.mul(eye, 2) as tf.Tensor3D, count, true, true);
    const expected = tf.mul(tf.transpose(count, [0, 2, 1]), 2);
    expect(maxAbsDiff(twice, expected)).toBe(0);
  });

  it.each(CASES)('matches a plain-JS product (transposeA %s, transposeB %s)', (tA, tB) => {
    const a = tf.randomUniform([3, 12, 4], -1, 1, 'float32', 11) as tf.Tensor3D;
    const b = tf.randomUniform([3, 12, 16], -1, 1, 'float32', 12) as tf.Tensor3D;
    // Shapes chosen so that op(A) is [m=4·k, depth] and op(B) is [depth, 16].
    const aa = (tA ? a : tf.transpose(a, [0, 2, 1])) as tf.Tensor3D; // op(A) = [3, 4, 12]
    const bb = (tB ? tf.transpose(b, [0, 2, 1]) : b) as tf.Tensor3D; // op(B) = [3, 12, 16]
    const got = smallBatchMatMul(aa, bb, tA, tB).arraySync();
    const opA = tf.transpose(a, [0, 2, 1]).arraySync() as number[][][];
    const opB = b.arraySync() as number[][][];
    got.forEach((m, n) => {
      const want = naive(opA[n], opB[n]);
      m.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(want[i][j], 4)));
    });
  });

  it.each(CASES)('forward and gradients equal tf.matMul (tA %s, tB %s)', (tA, tB) => {
    const a = tf.randomNormal([6, 32, 32], 0, 1, 'float32', 3) as tf.Tensor3D;
    const b = tf.randomNormal([6, 32, 32], 0, 1, 'float32', 4) as tf.Tensor3D;
    const w = tf.randomNormal([6, 32, 32], 0, 1, 'float32', 5);
    const loss =
      (mm: typeof smallBatchMatMul) =>
      (x: tf.Tensor, y: tf.Tensor): tf.Scalar =>
        tf.sum(tf.mul(tf.square(mm(x as tf.Tensor3D, y as tf.Tensor3D, tA, tB)), w));
    const ours = tf.grads(loss(smallBatchMatMul))([a, b]);
    const ref = tf.grads(loss((x, y, p, q) => tf.matMul(x, y, p, q)))([a, b]);
    expect(maxAbsDiff(smallBatchMatMul(a, b, tA, tB), tf.matMul(a, b, tA, tB))).toBeLessThan(1e-4);
    expect(maxAbsDiff(ours[0], ref[0])).toBeLessThan(1e-3);
    expect(maxAbsDiff(ours[1], ref[1])).toBeLessThan(1e-3);
  });

  it('falls back to tf.matMul for shapes the kernel does not take', () => {
    const a = tf.randomNormal([2, 3, 5], 0, 1, 'float32', 6) as tf.Tensor3D;
    const b = tf.randomNormal([2, 5, 6], 0, 1, 'float32', 7) as tf.Tensor3D;
    expect(maxAbsDiff(smallBatchMatMul(a, b), tf.matMul(a, b))).toBe(0);
  });

  it.each([false, true])(
    'attention forward and weight gradients are unchanged (key-padding bias: %s)',
    (padded) => {
      const attention = new MultiHeadAttention({ dModel: 64, numHeads: 2, seed: 3 });
      const x = tf.randomNormal([3, 32, 64], 0, 1, 'float32', 8) as tf.Tensor3D;
      const bias = padded
        ? (tf.tensor4d(
            Array.from({ length: 3 * 32 }, (_, i) => (i % 32 >= 28 - (i >> 5) * 4 ? -1e9 : 0)),
            [3, 1, 1, 32],
          ) as tf.Tensor4D)
        : undefined;
      const vars = attention.namedWeights().map((n) => n.variable);
      const run = (): { y: tf.Tensor; grads: tf.Tensor[] } => {
        const y = attention.call(x, bias);
        const { grads } = tf.variableGrads(() => tf.sum(tf.square(attention.call(x, bias))), vars);
        return { grads: vars.map((v) => grads[v.name]), y };
      };
      const fast = run();
      setSimdKernelsEnabled(false);
      const stock = run();
      expect(maxAbsDiff(fast.y, stock.y)).toBeLessThan(1e-4);
      fast.grads.forEach((g, i) => {
        const scale = tf.tidy(() => tf.max(tf.abs(stock.grads[i])).dataSync()[0]);
        expect(maxAbsDiff(g, stock.grads[i])).toBeLessThan(1e-4 * Math.max(1, scale));
      });
      tf.dispose([fast.y, stock.y, ...fast.grads, ...stock.grads, x]);
      if (bias) bias.dispose();
      attention.dispose();
    },
  );

  it('leaks no tensors (forward + backward)', () => {
    const a = tf.randomNormal([4, 8, 16]) as tf.Tensor3D;
    const b = tf.randomNormal([4, 16, 8]) as tf.Tensor3D;
    const bT = tf.transpose(b, [0, 2, 1]);
    smallBatchMatMul(a, b).dispose();
    const before = tf.memory().numTensors;
    const lossOf = (x: tf.Tensor, y: tf.Tensor): tf.Scalar =>
      tf.sum(smallBatchMatMul(x as tf.Tensor3D, y as tf.Tensor3D, false, true));
    for (let i = 0; i < 3; i++) tf.dispose(tf.grads(lossOf)([a, bT]));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, b, bT]);
  });
});

describe('SIMD wasm kernels: columnSum', () => {
  it('sums columns (closed form: row r of x is r + [0, 1, ..., 7])', () => {
    const x = tf.add(tf.reshape(tf.range(0, 5), [5, 1]), tf.reshape(tf.range(0, 8), [1, 8]));
    // Σ_r (r + j) = 10 + 5·j
    expect(Array.from(columnSum(x as tf.Tensor2D).dataSync())).toEqual(
      Array.from({ length: 8 }, (_, j) => 10 + 5 * j),
    );
  });

  it('equals tf.sum(x, 0) on random inputs, and the fallback for odd widths', () => {
    const x = tf.randomNormal([300, 132], 0, 1, 'float32', 9) as tf.Tensor2D;
    expect(maxAbsDiff(columnSum(x), tf.sum(x, 0))).toBeLessThan(1e-4);
    const odd = tf.randomNormal([7, 5], 0, 1, 'float32', 10) as tf.Tensor2D;
    expect(maxAbsDiff(columnSum(odd), tf.sum(odd, 0))).toBeLessThan(1e-5);
    setSimdKernelsEnabled(false);
    expect(maxAbsDiff(columnSum(x), tf.sum(x, 0))).toBeLessThan(1e-4);
  });
});

describe('SIMD wasm kernels: layer norm', () => {
  it('normalises a closed-form row: [1, 2, 3, 4] -> ±1.342, ±0.447', () => {
    const x = tf.tensor2d([[1, 2, 3, 4]]);
    const parts = layerNormKernel(x, tf.ones([4]), tf.zeros([4]), 0);
    expect(parts).not.toBeNull();
    // mean 2.5, var 1.25: (x - 2.5) / sqrt(1.25)
    const want = [-1.3416408, -0.4472136, 0.4472136, 1.3416408];
    Array.from(parts?.value.dataSync() ?? []).forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
    expect(parts?.rstd.dataSync()[0]).toBeCloseTo(1 / Math.sqrt(1.25), 6);
  });

  it('layerNormOp forward and gradients equal the stock-op path', () => {
    const x = tf.randomNormal([300, 132], 2, 3, 'float32', 21) as tf.Tensor2D;
    const gamma = tf.randomNormal([132], 1, 0.2, 'float32', 22) as tf.Tensor1D;
    const beta = tf.randomNormal([132], 0, 0.2, 'float32', 23) as tf.Tensor1D;
    const w = tf.randomNormal([300, 132], 0, 1, 'float32', 24);
    const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Scalar =>
      tf.sum(tf.mul(layerNormOp(a as tf.Tensor2D, g as tf.Tensor1D, b as tf.Tensor1D), w));
    const fast = [layerNormOp(x, gamma, beta), ...tf.grads(f)([x, gamma, beta])];
    setSimdKernelsEnabled(false);
    const stock = [layerNormOp(x, gamma, beta), ...tf.grads(f)([x, gamma, beta])];
    fast.forEach((t, i) => expect(maxAbsDiff(t, stock[i])).toBeLessThan(1e-4));
  });
});

describe('SIMD wasm kernels: gelu', () => {
  it('matches the tanh form and its derivative (closed-form values)', () => {
    const x = tf.tensor1d([-2, -0.5, 0, 1, 3, -10, 10, 0.25]);
    expect(geluKernel(x, 1.5957691216057308, 0.07135481627159869)).not.toBeNull();
    const want = [-0.04540231, -0.15428599, 0, 0.84119199, 2.99636261, 0, 10, 0.14967535];
    const slope = [-0.08609926, 0.1326301, 0.5, 1.08296408, 1.01158417, 0, 1, 0.6953541];
    Array.from(gelu(x).dataSync()).forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
    const g = tf.grad((t: tf.Tensor) => tf.sum(gelu(t)))(x);
    Array.from(g.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(slope[i], 5));
  });

  it('equals the stock-op gelu and gradient on a wide range of inputs', () => {
    const x = tf.randomUniform([64, 96], -30, 30, 'float32', 31);
    const w = tf.randomNormal([64, 96], 0, 1, 'float32', 32);
    const f = (t: tf.Tensor): tf.Scalar => tf.sum(tf.mul(gelu(t), w));
    const fast = [gelu(x), tf.grad(f)(x)];
    setSimdKernelsEnabled(false);
    const stock = [gelu(x), tf.grad(f)(x)];
    fast.forEach((t, i) => expect(maxAbsDiff(t, stock[i])).toBeLessThan(2e-5));
  });
});

describe('SIMD wasm kernels: the committed checkpoint', () => {
  it('models/default forecasts as it does with stock tfjs ops', async () => {
    const root = path.resolve(__dirname, '..', '..', '..', '..');
    const { model } = await importCheckpoint(
      await readCheckpointDir(path.join(root, 'models', 'default')),
    );
    const forecaster = new Forecaster(model, {}, { inference: 'tfjs' });
    const c = model.config;
    const series = [0, 1].map((k) =>
      Float32Array.from(
        { length: c.contextLength },
        (_, t) => 40 + 20 * Math.sin((2 * Math.PI * t) / (37 + 11 * k)) + ((t * 7919) % 13) / 4,
      ),
    );
    const fast = await forecaster.forecast(series);
    setSimdKernelsEnabled(false);
    const stock = await forecaster.forecast(series);
    fast.forEach((f, s) =>
      f.quantiles.forEach((q, k) =>
        q.forEach((v, t) => expect(Math.abs(v - stock[s].quantiles[k][t])).toBeLessThan(1e-3)),
      ),
    );
    model.dispose();
  });
});
