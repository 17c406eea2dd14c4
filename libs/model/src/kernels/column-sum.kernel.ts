import * as tf from '@tensorflow/tfjs';
import {
  heapOffset,
  kernelStateFor,
  type WasmKernelArgs,
  simdKernelsAvailable,
} from './wasm-kernels';

/** Column sums of a 2-D float32 tensor (bias and layer-norm gain gradients). */
export const COLUMN_SUM = 'FleetFMColumnSum';

function kernelFunc({ inputs, backend }: WasmKernelArgs): tf.TensorInfo {
  const state = kernelStateFor(backend);
  const x = inputs.x;
  if (!state || !x) throw new Error(`${COLUMN_SUM}: kernel unavailable`);
  const [rows, cols] = x.shape;
  const out = state.backend.makeOutput([cols], 'float32');
  state.kernels.colsum(heapOffset(state, x), heapOffset(state, out), rows, cols);
  return out;
}

tf.registerKernel({ backendName: 'wasm', kernelFunc, kernelName: COLUMN_SUM });

/**
 * Σ over rows of x [rows, cols] -> [cols], summed in row order. On wasm a SIMD kernel when
 * cols % 4 == 0 (`tf.sum(x, 0)` is slow there and `ones·x` re-packs x); elsewhere `ones·x`.
 * Not differentiable: for use inside gradient functions.
 */
export function columnSum(x: tf.Tensor2D): tf.Tensor1D {
  const [rows, cols] = x.shape;
  if (x.dtype === 'float32' && cols % 4 === 0 && rows > 0 && simdKernelsAvailable()) {
    return tf.engine().runKernel(COLUMN_SUM, { x }, {}) as tf.Tensor1D;
  }
  return tf.tidy(() => tf.reshape(tf.matMul(tf.ones([1, rows]), x), [cols]));
}
