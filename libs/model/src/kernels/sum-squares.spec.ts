import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend';
import { sumOfSquares } from './sum-squares';
import { setSimdKernelsEnabled } from './wasm-kernels';

beforeAll(async () => {
  await selectBackend({ prefer: ['wasm'] });
});

afterEach(() => setSimdKernelsEnabled(true));

describe('sumOfSquares', () => {
  it('equals closed forms, with and without a tail of n % 4 elements', () => {
    const a = tf.tensor1d([1, 2, 3, 4, 5]); // 55
    const b = tf.tensor2d([
      [-1, 1],
      [2, -2],
    ]); // 10
    expect(sumOfSquares([a])).toBe(55);
    expect(sumOfSquares([a, b])).toBe(65);
    expect(sumOfSquares([])).toBe(0);
  });

  it('agrees with a float64 sum on a large random tensor to 1e-6', () => {
    const x = tf.randomNormal([1000, 333], 0, 1, 'float32', 9);
    let want = 0;
    for (const v of x.dataSync()) want += v * v;
    expect(Math.abs((sumOfSquares([x]) as number) - want) / want).toBeLessThan(1e-6);
  });

  it('declines when the kernels are off or a tensor is not float32', () => {
    expect(sumOfSquares([tf.tensor1d([1, 2], 'int32')])).toBeNull();
    setSimdKernelsEnabled(false);
    expect(sumOfSquares([tf.tensor1d([1, 2])])).toBeNull();
  });
});
