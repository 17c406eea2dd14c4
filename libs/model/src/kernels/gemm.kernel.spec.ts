import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend';
import { gemmKernel } from './gemm.kernel';
import { setSimdKernelsEnabled } from './wasm-kernels';

beforeAll(async () => {
  await selectBackend({ prefer: ['wasm'] });
});

afterEach(() => setSimdKernelsEnabled(true));

describe('gemmKernel (the inference gemm on the tfjs heap)', () => {
  it('equals a closed form: I·W + b = W + b, and I·W without a bias = W', () => {
    const w = tf.reshape(tf.range(0, 8 * 16), [8, 16]) as tf.Tensor2D;
    const b = tf.fill([16], 0.5) as tf.Tensor1D;
    const eye = tf.eye(8) as tf.Tensor2D;
    const withBias = gemmKernel(eye, w, b) as tf.Tensor2D;
    expect(Array.from(withBias.dataSync())).toEqual(Array.from({ length: 128 }, (_, i) => i + 0.5));
    // A previous call's bias must not leak into the zero-bias scratch.
    const noBias = gemmKernel(eye, w) as tf.Tensor2D;
    expect(Array.from(noBias.dataSync())).toEqual(Array.from({ length: 128 }, (_, i) => i));
  });

  it('equals tf.matMul (+ bias) on the model shapes, with more than one 64-row tile', () => {
    for (const [m, k, n] of [
      [2048, 128, 512],
      [132, 36, 24],
      [4, 4096, 64],
    ]) {
      const x = tf.randomNormal([m, k], 0, 1, 'float32', m) as tf.Tensor2D;
      const w = tf.randomNormal([k, n], 0, 0.1, 'float32', k) as tf.Tensor2D;
      const b = tf.randomNormal([n], 0, 1, 'float32', n) as tf.Tensor1D;
      const got = gemmKernel(x, w, b) as tf.Tensor2D;
      const want = tf.add(tf.matMul(x, w), b);
      expect(got.shape).toEqual([m, n]);
      expect(tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]).toBeLessThan(1e-4);
      tf.dispose([x, w, b, got, want]);
    }
  });

  it('declines shapes and backends it does not take (the caller falls back)', () => {
    expect(gemmKernel(tf.ones([6, 4]) as tf.Tensor2D, tf.ones([4, 8]) as tf.Tensor2D)).toBeNull();
    expect(gemmKernel(tf.ones([8, 4]) as tf.Tensor2D, tf.ones([4, 12]) as tf.Tensor2D)).toBeNull();
    setSimdKernelsEnabled(false);
    expect(gemmKernel(tf.ones([8, 4]) as tf.Tensor2D, tf.ones([4, 8]) as tf.Tensor2D)).toBeNull();
  });
});
