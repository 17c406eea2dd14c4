import * as tf from '@tensorflow/tfjs';
import {
  heapOffset,
  kernelStateFor,
  type WasmKernelArgs,
  simdKernelsAvailable,
} from './wasm-kernels';

/** Layer normalisation over the last axis of a 2-D tensor in one SIMD pass per row. */
export const LAYER_NORM = 'FleetFMLayerNorm';

function kernelFunc({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo[] {
  const state = kernelStateFor(backend);
  const { x, gamma, beta } = inputs;
  if (!state || !x || !gamma || !beta) throw new Error(`${LAYER_NORM}: unavailable`);
  const [rows, cols] = x.shape;
  const y = state.backend.makeOutput([rows, cols], 'float32');
  const xhat = state.backend.makeOutput([rows, cols], 'float32');
  const rstd = state.backend.makeOutput([rows, 1], 'float32');
  state.kernels.layernorm(
    heapOffset(state, x),
    heapOffset(state, gamma),
    heapOffset(state, beta),
    heapOffset(state, y),
    heapOffset(state, xhat),
    heapOffset(state, rstd),
    rows,
    cols,
    Number(attrs?.epsilon),
  );
  return [y, xhat, rstd];
}

tf.registerKernel({ backendName: 'wasm', kernelFunc, kernelName: LAYER_NORM });

export interface LayerNormParts {
  /** xhat·gamma + beta. */
  readonly value: tf.Tensor2D;
  /** (x - mean)·rstd. */
  readonly xhat: tf.Tensor2D;
  /** 1/sqrt(var + eps), [rows, 1]. */
  readonly rstd: tf.Tensor2D;
}

/**
 * Layer norm of x [rows, cols] over its last axis with the SIMD kernel (9 tfjs kernels
 * otherwise), or null when it does not apply (not wasm, cols % 4 != 0). Not differentiable by
 * itself: the caller's custom gradient uses xhat and rstd.
 */
export function layerNormKernel(
  x: tf.Tensor2D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number,
): LayerNormParts | null {
  const [rows, cols] = x.shape;
  if (x.dtype !== 'float32' || cols % 4 !== 0 || rows === 0 || !simdKernelsAvailable()) {
    return null;
  }
  const [value, xhat, rstd] = tf
    .engine()
    .runKernel(LAYER_NORM, { beta, gamma, x }, { epsilon }) as tf.Tensor2D[];
  return { rstd, value, xhat };
}
