import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend';
import { layerNormGradKernel } from './layer-norm-grad.kernel';
import { layerNormKernel } from './layer-norm.kernel';
import { setSimdKernelsEnabled } from './wasm-kernels';

beforeAll(async () => {
  await selectBackend({ prefer: ['wasm'] });
});

afterEach(() => setSimdKernelsEnabled(true));

describe('layerNormGradKernel', () => {
  it('equals the closed form for rows [1, 2, 3, 4] (twice), dy = e₀, gamma = 1', () => {
    const x = tf.tensor2d([
      [1, 2, 3, 4],
      [1, 2, 3, 4],
    ]);
    const gamma = tf.ones([4]) as tf.Tensor1D;
    const parts = layerNormKernel(x, gamma, tf.zeros([4]) as tf.Tensor1D, 0);
    const dy = tf.tensor2d([
      [1, 0, 0, 0],
      [1, 0, 0, 0],
    ]);
    const g = layerNormGradKernel(
      dy,
      parts?.xhat as tf.Tensor2D,
      parts?.rstd as tf.Tensor2D,
      gamma,
    );
    expect(g).not.toBeNull();
    // xhat = (x - 2.5)/√1.25, a = 1/4, b = xhat₀/4; dx = rstd·(dy - a - xhat·b) = [.3, -.4, -.1, .2]/√1.25
    const dx = [0.3, -0.4, -0.1, 0.2].map((v) => v / Math.sqrt(1.25));
    Array.from(g?.dx.dataSync() ?? []).forEach((v, i) => expect(v).toBeCloseTo(dx[i % 4], 5));
    // Column sums over the two rows: dgamma = 2·dy·xhat, dbeta = 2·dy.
    const dGamma = [2 * (-1.5 / Math.sqrt(1.25)), 0, 0, 0];
    Array.from(g?.dGamma.dataSync() ?? []).forEach((v, i) => expect(v).toBeCloseTo(dGamma[i], 5));
    expect(Array.from(g?.dBeta.dataSync() ?? [])).toEqual([2, 0, 0, 0]);
  });

  it('declines odd widths and other backends (the caller falls back to stock ops)', () => {
    const t = (r: number, c: number): tf.Tensor2D => tf.ones([r, c]) as tf.Tensor2D;
    expect(layerNormGradKernel(t(2, 6), t(2, 6), t(2, 1), tf.ones([6]) as tf.Tensor1D)).toBeNull();
    setSimdKernelsEnabled(false);
    expect(layerNormGradKernel(t(2, 8), t(2, 8), t(2, 1), tf.ones([8]) as tf.Tensor1D)).toBeNull();
  });

  it('allocates only its three outputs', () => {
    const t = (r: number, c: number): tf.Tensor2D => tf.ones([r, c]) as tf.Tensor2D;
    const inputs = [t(8, 16), t(8, 16), t(8, 1)];
    const gamma = tf.ones([16]) as tf.Tensor1D;
    const before = tf.memory().numTensors;
    const g = layerNormGradKernel(inputs[0], inputs[1], inputs[2], gamma);
    expect(tf.memory().numTensors).toBe(before + 3);
    tf.dispose([g?.dx, g?.dGamma, g?.dBeta, ...inputs, gamma].filter((x) => x !== undefined));
  });
});
