import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend';
import { MultiHeadAttention } from './attention.layer';
import { LayerNorm } from './layer-norm.layer';
import { Linear } from './linear.layer';
import { gelu, transpose2d } from './ops';
import { PatchEmbedding } from './patch-embedding.layer';
import { TransformerBlock } from './transformer-block.layer';

beforeAll(async () => {
  await selectBackend({ prefer: ['wasm', 'cpu'] });
});

function expectClose(actual: tf.Tensor, expected: number[], digits = 4): void {
  const a = Array.from(actual.dataSync());
  expect(a.length).toBe(expected.length);
  a.forEach((v, i) => expect(v).toBeCloseTo(expected[i], digits));
}

describe('custom-gradient ops', () => {
  it('gelu matches the tanh form and its derivative (closed form values)', () => {
    const x = tf.tensor1d([-2, -0.5, 0, 1, 3]);
    // 0.5·x·(1 + tanh(u)), u = √(2/π)(x + 0.044715x³), and its derivative, from the tanh form
    expectClose(gelu(x), [-0.04540231, -0.15428599, 0, 0.84119199, 2.99636261]);
    expectClose(
      tf.grad((t: tf.Tensor) => tf.sum(gelu(t)))(x),
      [-0.08609926, 0.1326301, 0.5, 1.08296408, 1.01158417],
    );
  });

  it('linear gradients equal autodiff of plain matMul', () => {
    const x = tf.randomNormal([5, 3], 0, 1, 'float32', 1) as tf.Tensor2D;
    const lin = new Linear({ inputDim: 3, seed: 2, units: 4 });
    const [w, b] = lin.namedWeights().map((n) => n.variable);
    const f = (): tf.Scalar => tf.sum(tf.square(lin.call(x)));
    const g = (): tf.Scalar => tf.sum(tf.square(tf.add(tf.matMul(x, w as tf.Tensor2D), b)));
    const custom = tf.variableGrads(f, [w, b]).grads;
    const plain = tf.variableGrads(g, [w, b]).grads;
    expectClose(custom[w.name], Array.from(plain[w.name].dataSync()));
    expectClose(custom[b.name], Array.from(plain[b.name].dataSync()));
  });

  it('a linear layer on data input gives the weights the gradients of plain matMul', () => {
    const x = tf.randomNormal([6, 4], 0, 1, 'float32', 3) as tf.Tensor2D;
    const lin = new Linear({ inputDim: 4, seed: 5, units: 8 });
    const [w, b] = lin.namedWeights().map((n) => n.variable);
    const f = (): tf.Scalar => tf.sum(tf.square(lin.call(x, true)));
    const g = (): tf.Scalar => tf.sum(tf.square(tf.add(tf.matMul(x, w as tf.Tensor2D), b)));
    const custom = tf.variableGrads(f, [w, b]);
    const plain = tf.variableGrads(g, [w, b]);
    expect(custom.value.dataSync()[0]).toBeCloseTo(plain.value.dataSync()[0], 4);
    expectClose(custom.grads[w.name], Array.from(plain.grads[w.name].dataSync()));
    expectClose(custom.grads[b.name], Array.from(plain.grads[b.name].dataSync()));
  });

  it('layer norm normalises rows and its gradient matches finite differences', () => {
    const ln = new LayerNorm({ dim: 4 });
    const x = tf.tensor2d([
      [1, 2, 3, 4],
      [-1, 0, 0, 5],
    ]);
    // (x - mean) / sqrt(var + 1e-5) for row 1: mean 2.5, var 1.25
    expectClose(ln.call(x).slice([0, 0], [1, 4]), [-1.3416355, -0.4472118, 0.4472118, 1.3416355]);
    const w = tf.tensor2d([[0.3, -1, 2, 0.5]]);
    const loss = (t: tf.Tensor): tf.Scalar => tf.sum(tf.mul(ln.call(t), w));
    const analytic = tf.grad(loss)(x).dataSync();
    const base = x.arraySync();
    const eps = 1e-2;
    for (const [r, c] of [
      [0, 1],
      [1, 3],
    ]) {
      const plus = base.map((row) => [...row]);
      const minus = base.map((row) => [...row]);
      plus[r][c] += eps;
      minus[r][c] -= eps;
      const numeric =
        (loss(tf.tensor2d(plus)).dataSync()[0] - loss(tf.tensor2d(minus)).dataSync()[0]) /
        (2 * eps);
      expect(analytic[r * 4 + c]).toBeCloseTo(numeric, 2);
    }
  });

  it('transpose2d handles tall matrices', () => {
    const x = tf.tensor2d(
      Float32Array.from({ length: 2048 * 3 }, (_, i) => i),
      [2048, 3],
    );
    const t = transpose2d(x);
    expect(t.shape).toEqual([3, 2048]);
    expect(Array.from(t.slice([1, 1000], [1, 2]).dataSync())).toEqual([3001, 3004]);
  });
});

describe('layers', () => {
  const cases: Array<
    [
      string,
      () => {
        layer: { getConfig(): object };
        run(b: number): tf.Tensor;
        out: (b: number) => number[];
      },
    ]
  > = [
    [
      'Linear',
      () => {
        const layer = new Linear({ inputDim: 6, units: 5 });
        return { layer, out: (b) => [b, 3, 5], run: (b) => layer.call(tf.ones([b, 3, 6])) };
      },
    ],
    [
      'MultiHeadAttention',
      () => {
        const layer = new MultiHeadAttention({ dModel: 8, numHeads: 2 });
        return { layer, out: (b) => [b, 4, 8], run: (b) => layer.call(tf.randomNormal([b, 4, 8])) };
      },
    ],
    [
      'TransformerBlock',
      () => {
        const layer = new TransformerBlock({ dModel: 8, ffnDim: 16, numHeads: 2 });
        return { layer, out: (b) => [b, 4, 8], run: (b) => layer.call(tf.randomNormal([b, 4, 8])) };
      },
    ],
    [
      'PatchEmbedding',
      () => {
        const layer = new PatchEmbedding({ dModel: 8, patchLength: 4 });
        return {
          layer,
          out: (b) => [b, 3, 8],
          run: (b) => layer.call(tf.ones([b, 3, 4]), tf.ones([b, 3, 4])),
        };
      },
    ],
  ];

  it.each(cases)('%s: dynamic batch shapes, no leaks, config round trip', (_, make) => {
    const { layer, run, out } = make();
    for (const b of [1, 3]) {
      tf.tidy(() => expect(run(b).shape).toEqual(out(b)));
    }
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      run(2);
    });
    expect(tf.memory().numTensors).toBe(before);
    const ctor = layer.constructor as new (args: object) => { getConfig(): object };
    expect(new ctor(layer.getConfig()).getConfig()).toEqual(layer.getConfig());
    expect(tf.serialization.SerializationMap.getMap().classNameMap).toHaveProperty(
      (layer.constructor as unknown as { className: string }).className,
    );
  });

  it('validates arguments with clear errors', () => {
    expect(() => new Linear({ inputDim: 0, units: 2 })).toThrow(
      /inputDim must be a positive integer/,
    );
    expect(() => new MultiHeadAttention({ dModel: 10, numHeads: 3 })).toThrow(/divisible/);
    expect(() => new Linear({ inputDim: 3, units: 2 }).call(tf.ones([2, 4]))).toThrow(
      /expected last axis 3/,
    );
  });

  it('one forward pass of a block leaks no tensors', () => {
    const block = new TransformerBlock({ dModel: 8, ffnDim: 16, numHeads: 2 });
    const x = tf.randomNormal([2, 4, 8]) as tf.Tensor3D;
    block.call(x).dispose(); // builds the weights
    const before = tf.memory().numTensors;
    block.call(x).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
