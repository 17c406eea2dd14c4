import * as tf from '@tensorflow/tfjs';
import { heapOffset, kernelStateFor, simdKernelsAvailable } from './wasm-kernels';

/**
 * Σ t² over all elements of a list of float32 tensors, read in place by one SIMD pass each (the
 * global-norm clipping of ~60 gradients: 120 tfjs kernels otherwise): f32 squares summed in
 * blocks of 256, blocks and tensors added in f64, so it is more accurate than a float32 sum.
 * Null when the kernels do not run (not wasm, a non-float32 tensor).
 */
export function sumOfSquares(list: readonly tf.Tensor[]): number | null {
  if (!simdKernelsAvailable() || list.some((t) => t.dtype !== 'float32')) return null;
  const state = kernelStateFor(tf.backend());
  if (!state) return null;
  let total = 0;
  for (const t of list)
    total = Math.fround(total + state.kernels.sumsq(heapOffset(state, t), t.size));
  return total;
}
