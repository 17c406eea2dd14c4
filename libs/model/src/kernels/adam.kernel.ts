import * as tf from '@tensorflow/tfjs';
import {
  heapOffset,
  kernelStateFor,
  type WasmKernelArgs,
  simdKernelsAvailable,
} from './wasm-kernels';

/**
 * One Adam step per weight in a single SIMD pass (tfjs's AdamOptimizer runs ~13 kernels per
 * weight: ~10 passes over the 2.4M-parameter quantile head each step). Same f32 operations in
 * the same order as `tf.AdamOptimizer.applyGradients`, on the optimizer's own state, so
 * snapshots, resume and replica checksums are unchanged.
 */
export const FUSED_ADAM = 'FleetFMFusedAdam';

function kernelFunc({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo[] {
  const state = kernelStateFor(backend);
  const { p, g, m, v } = inputs;
  if (!state || !p || !g || !m || !v || !attrs) throw new Error(`${FUSED_ADAM}: unavailable`);
  const n = p.shape.reduce((a, b) => a * b, 1);
  const outs = [0, 1, 2].map(() => state.backend.makeOutput([...p.shape], 'float32'));
  const num = (k: string): number => attrs[k] as number;
  state.kernels.adam(
    heapOffset(state, p),
    heapOffset(state, g),
    heapOffset(state, m),
    heapOffset(state, v),
    heapOffset(state, outs[0]),
    heapOffset(state, outs[1]),
    heapOffset(state, outs[2]),
    n,
    num('scale'),
    num('beta1'),
    1 - num('beta1'),
    num('beta2'),
    1 - num('beta2'),
    num('c1'),
    num('c2'),
    num('epsilon'),
    -num('learningRate'),
  );
  return outs;
}

tf.registerKernel({ backendName: 'wasm', kernelFunc, kernelName: FUSED_ADAM });

/** AdamOptimizer's state, protected in its typings. */
interface AdamInternals {
  accumulatedFirstMoment?: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  accumulatedSecondMoment?: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  accBeta1?: tf.Variable;
  accBeta2?: tf.Variable;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  learningRate?: number;
  incrementIterations?: () => void;
}

/**
 * `optimizer.applyGradients(grads × scale)` with the fused kernel. Returns false (and does
 * nothing) when the kernel or the optimizer's internals are not available; the caller then uses
 * the stock path.
 */
export function fusedAdamApply(
  optimizer: tf.AdamOptimizer,
  grads: ReadonlyArray<{ readonly name: string; readonly tensor: tf.Tensor }>,
  scale: number,
): boolean {
  const o = optimizer as unknown as AdamInternals;
  if (
    !simdKernelsAvailable() ||
    !Array.isArray(o.accumulatedFirstMoment) ||
    !Array.isArray(o.accumulatedSecondMoment) ||
    !o.accBeta1 ||
    !o.accBeta2 ||
    typeof o.beta1 !== 'number' ||
    typeof o.beta2 !== 'number' ||
    typeof o.epsilon !== 'number' ||
    typeof o.learningRate !== 'number' ||
    typeof o.incrementIterations !== 'function'
  ) {
    return false;
  }
  const first = o.accumulatedFirstMoment;
  const second = o.accumulatedSecondMoment;
  const attrs = {
    beta1: o.beta1,
    beta2: o.beta2,
    // 1 - β^t in f32, as tfjs computes it on the device.
    c1: tf.tidy(() => tf.sub(1, o.accBeta1 as tf.Variable).dataSync()[0]),
    c2: tf.tidy(() => tf.sub(1, o.accBeta2 as tf.Variable).dataSync()[0]),
    epsilon: o.epsilon,
    learningRate: o.learningRate,
    scale,
  };
  tf.tidy(() => {
    grads.forEach(({ name, tensor }, i) => {
      const value = tf.engine().registeredVariables[name];
      first[i] ??= {
        originalName: `${name}/m`,
        variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
      };
      second[i] ??= {
        originalName: `${name}/v`,
        variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
      };
      const m = (first[i] as { variable: tf.Variable }).variable;
      const v = (second[i] as { variable: tf.Variable }).variable;
      if (value.size % 4 !== 0 || tensor.dtype !== 'float32') {
        stockUpdate(value, tensor, m, v, attrs);
        return;
      }
      const [p2, m2, v2] = tf
        .engine()
        .runKernel(FUSED_ADAM, { g: tensor, m, p: value, v }, attrs) as tf.Tensor[];
      m.assign(m2);
      v.assign(v2);
      value.assign(p2);
    });
    (o.accBeta1 as tf.Variable).assign(tf.mul(o.accBeta1 as tf.Variable, attrs.beta1));
    (o.accBeta2 as tf.Variable).assign(tf.mul(o.accBeta2 as tf.Variable, attrs.beta2));
  });
  o.incrementIterations();
  return true;
}

/** tfjs's own formula, for weights whose size is not a multiple of 4. */
function stockUpdate(
  value: tf.Variable,
  grad: tf.Tensor,
  m: tf.Variable,
  v: tf.Variable,
  a: {
    beta1: number;
    beta2: number;
    c1: number;
    c2: number;
    epsilon: number;
    learningRate: number;
    scale: number;
  },
): void {
  const g = tf.mul(grad, a.scale);
  const m2 = tf.add(tf.mul(m, a.beta1), tf.mul(g, 1 - a.beta1));
  const v2 = tf.add(tf.mul(v, a.beta2), tf.mul(tf.square(g), 1 - a.beta2));
  const mHat = tf.div(m2, a.c1);
  const vHat = tf.div(v2, a.c2);
  m.assign(m2);
  v.assign(v2);
  value.assign(
    tf.add(tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), a.epsilon)), -a.learningRate), value),
  );
}
