import * as tf from '@tensorflow/tfjs';
import {
  heapOffset,
  kernelStateFor,
  type WasmKernelArgs,
  simdKernelsAvailable,
} from './wasm-kernels';

/** The layer-norm gradient (dx, dgamma, dbeta) in one SIMD kernel (~11 tfjs kernels otherwise). */
export const LAYER_NORM_GRAD = 'FleetFMLayerNormGrad';

function kernelFunc({ inputs, backend }: WasmKernelArgs): tf.TensorInfo[] {
  const state = kernelStateFor(backend);
  const { dy, xhat, rstd, gamma } = inputs;
  if (!state || !dy || !xhat || !rstd || !gamma) throw new Error(`${LAYER_NORM_GRAD}: unavailable`);
  const [rows, cols] = dy.shape;
  const dx = state.backend.makeOutput([rows, cols], 'float32');
  const dgamma = state.backend.makeOutput([cols], 'float32');
  const dbeta = state.backend.makeOutput([cols], 'float32');
  const off = (t: tf.TensorInfo): number => heapOffset(state, t);
  state.kernels.layernormbwd(
    off(dy),
    off(xhat),
    off(rstd),
    off(gamma),
    off(dx),
    off(dgamma),
    off(dbeta),
    rows,
    cols,
  );
  return [dx, dgamma, dbeta];
}

tf.registerKernel({ backendName: 'wasm', kernelFunc, kernelName: LAYER_NORM_GRAD });

export interface LayerNormGrads {
  readonly dx: tf.Tensor2D;
  readonly dGamma: tf.Tensor1D;
  readonly dBeta: tf.Tensor1D;
}

/**
 * Gradients of y = xhat·gamma + beta, xhat = (x - mean)·rstd, for upstream dy [rows, cols]:
 * dx = rstd·(g - mean(g) - xhat·mean(g·xhat)) with g = dy·gamma, dgamma = Σ_rows dy·xhat,
 * dbeta = Σ_rows dy. One SIMD pass per row, or null when it does not apply (not wasm,
 * cols % 4 != 0). Not differentiable: for gradient functions.
 */
export function layerNormGradKernel(
  dy: tf.Tensor2D,
  xhat: tf.Tensor2D,
  rstd: tf.Tensor2D,
  gamma: tf.Tensor1D,
): LayerNormGrads | null {
  const [rows, cols] = dy.shape;
  if (
    [dy, xhat, rstd, gamma].some((t) => t.dtype !== 'float32') ||
    cols % 4 !== 0 ||
    rows === 0 ||
    !simdKernelsAvailable()
  ) {
    return null;
  }
  const [dx, dGamma, dBeta] = tf
    .engine()
    .runKernel(LAYER_NORM_GRAD, { dy, gamma, rstd, xhat }, {}) as tf.Tensor[];
  return { dBeta: dBeta as tf.Tensor1D, dGamma: dGamma as tf.Tensor1D, dx: dx as tf.Tensor2D };
}
