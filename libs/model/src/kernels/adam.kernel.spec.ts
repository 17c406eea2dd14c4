import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend';
import { fusedAdamApply } from './adam.kernel';
import { setSimdKernelsEnabled } from './wasm-kernels';

beforeAll(async () => {
  await selectBackend({ prefer: ['wasm'] });
});

afterEach(() => setSimdKernelsEnabled(true));

const SHAPES: number[][] = [[64, 36], [128], [3]];

function makeVars(tag: string): tf.Variable[] {
  return SHAPES.map((shape, i) =>
    tf.variable(tf.randomNormal(shape, 0, 1, 'float32', 100 + i), true, `${tag}${i}`),
  );
}

function gradsFor(step: number): tf.Tensor[] {
  return SHAPES.map((shape, i) => tf.randomNormal(shape, 0, 2, 'float32', 1000 * step + i));
}

describe('fusedAdamApply (SIMD wasm kernel)', () => {
  it('gives the same weights and moments as tf.AdamOptimizer over several clipped steps', async () => {
    const fused = makeVars('fusedAdamW');
    const stock = makeVars('stockAdamW');
    const optF = tf.train.adam(0.01, 0.9, 0.999);
    const optS = tf.train.adam(0.01, 0.9, 0.999);
    for (let step = 0; step < 4; step++) {
      const grads = gradsFor(step);
      const scale = [1, 0.37, 0.5, 1][step];
      expect(
        fusedAdamApply(
          optF,
          grads.map((g, i) => ({ name: fused[i].name, tensor: g })),
          scale,
        ),
      ).toBe(true);
      tf.tidy(() =>
        optS.applyGradients(
          grads.map((g, i) => ({ name: stock[i].name, tensor: tf.mul(g, scale) })),
        ),
      );
      tf.dispose(grads);
    }
    fused.forEach((v, i) => {
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(v, stock[i]))).dataSync()[0]);
      expect(diff).toBeLessThan(1e-6);
    });
    const wf = await optF.getWeights();
    const ws = await optS.getWeights();
    expect(wf.map((w) => w.tensor.shape)).toEqual(ws.map((w) => w.tensor.shape));
    wf.forEach((w, i) => {
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(w.tensor, ws[i].tensor))).dataSync()[0]);
      expect(diff).toBeLessThan(1e-6);
    });
    expect(optF.iterations).toBe(4);
    tf.dispose([...fused, ...stock]);
    optF.dispose();
    optS.dispose();
  });

  it('moves a weight by -lr·sign(g) on the first step (closed form of bias-corrected Adam)', () => {
    const w = tf.variable(tf.tensor1d([1, 2, 3, 4]), true, 'fusedAdamClosedForm');
    const opt = tf.train.adam(0.1);
    const g = tf.tensor1d([0.5, -2, 3, -0.25]);
    fusedAdamApply(opt, [{ name: w.name, tensor: g }], 1);
    // m̂ = g, v̂ = g², so the step is lr·g/(|g| + ε) ≈ lr·sign(g).
    Array.from(w.dataSync()).forEach((v, i) => expect(v).toBeCloseTo([0.9, 2.1, 2.9, 4.1][i], 5));
    tf.dispose([w, g]);
    opt.dispose();
  });

  it('declines when the kernels are off, and leaks no tensors', () => {
    const w = tf.variable(tf.zeros([8]), true, 'fusedAdamLeak');
    const opt = tf.train.adam(0.1);
    const g = tf.ones([8]);
    fusedAdamApply(opt, [{ name: w.name, tensor: g }], 1);
    const before = tf.memory().numTensors;
    fusedAdamApply(opt, [{ name: w.name, tensor: g }], 0.5);
    expect(tf.memory().numTensors).toBe(before);
    setSimdKernelsEnabled(false);
    expect(fusedAdamApply(opt, [{ name: w.name, tensor: g }], 1)).toBe(false);
    tf.dispose([w, g]);
    opt.dispose();
  });
});
