import * as tf from '@tensorflow/tfjs';
import {
  heapOffset,
  kernelStateFor,
  type WasmKernelArgs,
  simdKernelsAvailable,
} from './wasm-kernels';

/** tanh-GELU x·σ(x·(C1 + C2·x²)) and its derivative in one SIMD pass. */
export const GELU = 'FleetFMGelu';

function kernelFunc({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo[] {
  const state = kernelStateFor(backend);
  const x = inputs.x;
  if (!state || !x) throw new Error(`${GELU}: unavailable`);
  const y = state.backend.makeOutput([...x.shape], 'float32');
  const d = state.backend.makeOutput([...x.shape], 'float32');
  const n = x.shape.reduce((a, b) => a * b, 1);
  const off = (t: tf.TensorInfo): number => heapOffset(state, t);
  state.kernels.gelu(off(x), off(y), off(d), n, Number(attrs?.c1), Number(attrs?.c2));
  return [y, d];
}

tf.registerKernel({ backendName: 'wasm', kernelFunc, kernelName: GELU });

/**
 * [value, derivative] of x·σ(x·(c1 + c2·x²)) with the SIMD kernel (σ to < 2e-7 relative), or null
 * when it does not apply (not wasm, size % 4 != 0). Not differentiable by itself.
 */
export function geluKernel(
  x: tf.Tensor,
  c1: number,
  c2: number,
): { value: tf.Tensor; derivative: tf.Tensor } | null {
  if (x.dtype !== 'float32' || x.size % 4 !== 0 || x.size === 0 || !simdKernelsAvailable()) {
    return null;
  }
  const [value, derivative] = tf.engine().runKernel(GELU, { x }, { c1, c2 }) as tf.Tensor[];
  return { derivative, value };
}
