import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend';
import { applyDropout, checkDropoutRate, dropoutAt } from './dropout';

beforeAll(async () => {
  await selectBackend({ prefer: ['wasm'] });
});

describe('applyDropout', () => {
  it('is the identity without dropout or at rate 0', () => {
    const x = tf.ones([4, 8]);
    expect(applyDropout(x, undefined)).toBe(x);
    expect(applyDropout(x, { rate: 0, seed: 3 })).toBe(x);
    x.dispose();
  });

  it('zeroes about `rate` of the values and scales the rest so the mean is kept', () => {
    const x = tf.ones([200, 500]);
    const y = applyDropout(x, { rate: 0.25, seed: 7 });
    const v = y.dataSync() as Float32Array;
    const zeros = v.filter((e) => e === 0).length / v.length;
    expect(zeros).toBeGreaterThan(0.24);
    expect(zeros).toBeLessThan(0.26);
    expect(v.every((e) => e === 0 || Math.abs(e - 1 / 0.75) < 1e-6)).toBe(true);
    expect(Math.abs(v.reduce((a, b) => a + b, 0) / v.length - 1)).toBeLessThan(0.02);
    tf.dispose([x, y]);
  });

  it('draws the same mask for the same seed and another for another seed, leaking nothing', () => {
    const x = tf.ones([64, 32]);
    const before = tf.memory().numTensors;
    const a = applyDropout(x, { rate: 0.5, seed: 1 });
    const b = applyDropout(x, { rate: 0.5, seed: 1 });
    const c = applyDropout(x, { rate: 0.5, seed: 2 });
    expect(tf.memory().numTensors).toBe(before + 3);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
    tf.dispose([x, a, b, c]);
  });

  it('passes the gradient through the kept values only', () => {
    const x = tf.variable(tf.ones([16, 16]));
    const d = { rate: 0.5, seed: 11 };
    const { grads } = tf.variableGrads(() => tf.sum(applyDropout(x, d)) as tf.Scalar, [x]);
    const mask = applyDropout(tf.onesLike(x), d);
    expect(Array.from(grads[x.name].dataSync())).toEqual(Array.from(mask.dataSync()));
    tf.dispose([x, mask, ...Object.values(grads)]);
  });

  it('rejects rates outside [0, 1)', () => {
    expect(() => checkDropoutRate(1)).toThrow('dropout must be in [0, 1), got 1');
    expect(() => checkDropoutRate(-0.1)).toThrow(/must be in \[0, 1\)/);
    expect(() => checkDropoutRate(Number.NaN)).toThrow(/must be in \[0, 1\)/);
    expect(() => checkDropoutRate(0.3)).not.toThrow();
  });

  it('gives every site its own seed, none when there is no dropout', () => {
    const d = { rate: 0.1, seed: 5 };
    const seeds = [0, 1, 2, 3].map((k) => dropoutAt(d, k)?.seed);
    expect(new Set(seeds).size).toBe(4);
    expect(dropoutAt(undefined, 0)).toBeUndefined();
    expect(dropoutAt({ rate: 0, seed: 5 }, 0)).toBeUndefined();
    expect(dropoutAt(d, 1)).toEqual(dropoutAt(d, 1));
    expect(dropoutAt(d, 1)?.seed).not.toBe(dropoutAt({ rate: 0.1, seed: 6 }, 1)?.seed);
  });
});
