import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend';
import { blockedKernelGradient, blockedWideMatMul } from './kernel-gradient';
import { setSimdKernelsEnabled } from './wasm-kernels';

beforeAll(async () => {
  await selectBackend({ prefer: ['wasm'] });
});

afterEach(() => setSimdKernelsEnabled(true));

describe('blockedKernelGradient (xᵀ·dy)', () => {
  it('equals a closed form: x = [I; I] stacked, dy = counting rows -> sum of the two halves', () => {
    // rows 0..7 and 8..15 of x are both I₈, so (xᵀ·dy)[i, j] = dy[i, j] + dy[8 + i, j].
    const eye = tf.eye(8);
    const x = tf.concat([eye, eye], 0) as tf.Tensor2D;
    const dy = tf.reshape(tf.range(0, 16 * 8), [16, 8]) as tf.Tensor2D;
    const got = blockedKernelGradient(x, dy);
    expect(got).not.toBeNull();
    const expected = Array.from({ length: 64 }, (_, k) => {
      const [i, j] = [Math.floor(k / 8), k % 8];
      return i * 8 + j + (8 + i) * 8 + j;
    });
    expect(Array.from((got as tf.Tensor).dataSync())).toEqual(expected);
  });

  it('equals tf.matMul(x, dy, true) over many row blocks and in one block', () => {
    for (const [rows, inDim, outDim] of [
      [2048, 128, 512],
      [512, 36, 16],
      [96, 4, 8],
      [320, 12, 24],
    ]) {
      const x = tf.randomNormal([rows, inDim], 0, 1, 'float32', rows) as tf.Tensor2D;
      const dy = tf.randomNormal([rows, outDim], 0, 1, 'float32', inDim) as tf.Tensor2D;
      const got = blockedKernelGradient(x, dy) as tf.Tensor2D;
      expect(got.shape).toEqual([inDim, outDim]);
      const want = tf.matMul(x, dy, true, false);
      const diff = tf.max(tf.abs(tf.sub(got, want))).dataSync()[0];
      expect(diff).toBeLessThan(1e-3 * Math.sqrt(rows));
      tf.dispose([x, dy, got, want]);
    }
  });

  it('declines shapes and backends it does not take (the caller falls back)', () => {
    const x = tf.ones([300, 8]) as tf.Tensor2D; // 300 rows: no block size divides it
    expect(blockedKernelGradient(x, tf.ones([300, 8]) as tf.Tensor2D)).toBeNull();
    expect(
      blockedKernelGradient(tf.ones([64, 6]) as tf.Tensor2D, tf.ones([64, 8]) as tf.Tensor2D),
    ).toBeNull();
    expect(
      blockedKernelGradient(tf.ones([64, 8]) as tf.Tensor2D, tf.ones([64, 12]) as tf.Tensor2D),
    ).toBeNull();
    setSimdKernelsEnabled(false);
    expect(
      blockedKernelGradient(tf.ones([64, 8]) as tf.Tensor2D, tf.ones([64, 8]) as tf.Tensor2D),
    ).toBeNull();
  });

  it('leaks no tensors', () => {
    const x = tf.randomNormal([512, 16]) as tf.Tensor2D;
    const dy = tf.randomNormal([512, 8]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const g = blockedKernelGradient(x, dy) as tf.Tensor;
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([g, x, dy]);
  });
});

describe('blockedWideMatMul (x·W, large W)', () => {
  it('equals tf.matMul for a quantile-head-sized product', () => {
    const x = tf.randomNormal([64, 4096], 0, 1, 'float32', 3) as tf.Tensor2D;
    const w = tf.randomNormal([4096, 576], 0, 0.02, 'float32', 4) as tf.Tensor2D;
    const got = blockedWideMatMul(x, w) as tf.Tensor2D;
    expect(got.shape).toEqual([64, 576]);
    const want = tf.matMul(x, w);
    // |y| ~ 1.3; float32 sums of 4096 terms in another order differ by ~1e-6.
    expect(tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]).toBeLessThan(1e-4);
    tf.dispose([x, w, got, want]);
  });

  it('equals a closed form: ones·W sums the columns of W = [0, 1, 2, ...] rows', () => {
    const depth = 2048;
    const cols = 512;
    const w = tf.tile(tf.reshape(tf.range(0, depth), [depth, 1]), [1, cols]) as tf.Tensor2D;
    const got = blockedWideMatMul(tf.ones([4, depth]) as tf.Tensor2D, w) as tf.Tensor2D;
    // Σ_k k = depth·(depth-1)/2 = 2,096,128, exact in float32 (partial sums are integers < 2^24).
    expect(new Set(got.dataSync()).size).toBe(1);
    expect(got.dataSync()[0]).toBe((depth * (depth - 1)) / 2);
  });

  it('declines small weights, odd shapes and other backends', () => {
    const x = tf.ones([64, 128]) as tf.Tensor2D;
    expect(blockedWideMatMul(x, tf.ones([128, 128]) as tf.Tensor2D)).toBeNull();
    const big = tf.ones([4096, 576]) as tf.Tensor2D;
    expect(blockedWideMatMul(tf.ones([1, 4096]) as tf.Tensor2D, big)).toBeNull();
    expect(blockedWideMatMul(tf.ones([1024, 4096]) as tf.Tensor2D, big)).toBeNull();
    setSimdKernelsEnabled(false);
    expect(blockedWideMatMul(tf.ones([64, 4096]) as tf.Tensor2D, big)).toBeNull();
    tf.dispose([x, big]);
  });
});
