import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { simdKernelsAvailable, type WasmKernelArgs } from './wasm-kernels';

/**
 * `Identity` (tf.clone) on the wasm backend without copying. tfjs saves every tensor a gradient
 * needs as `keep(clone(t))`, and the stock wasm Identity copies the data (~25 MB per training
 * step of the default model). Tensors are immutable, so the clone can share the data with a
 * reference count, exactly as the wasm `Reshape` kernel (and the cpu backend's Identity) do.
 * With the SIMD kernels disabled or unavailable (see wasm-kernels.ts), and for strings, the
 * stock copying kernel runs.
 */
type KernelFunc = (args: WasmKernelArgs) => tf.TensorInfo | tf.TensorInfo[];

let installed = false;
let enabled = true;

/** Turns the sharing Identity on or off (off: the stock copy), e.g. to compare the two. */
export function setSharedIdentityEnabled(on: boolean): void {
  enabled = on;
}

/** Replaces the wasm Identity kernel once; true if the sharing kernel is registered. */
export function installSharedIdentity(): boolean {
  if (installed) return true;
  const identity = tf.getKernel(tf.Identity, 'wasm');
  const reshape = tf.getKernel(tf.Reshape, 'wasm');
  if (!identity || !reshape) return false;
  const stock = identity.kernelFunc as unknown as KernelFunc;
  const share = reshape.kernelFunc as unknown as KernelFunc;
  tf.unregisterKernel(tf.Identity, 'wasm');
  tf.registerKernel({
    backendName: 'wasm',
    kernelFunc: ((args: WasmKernelArgs) => {
      const x = args.inputs.x;
      if (!x || x.dtype === 'string' || !enabled || !simdKernelsAvailable()) return stock(args);
      return share({ ...args, attrs: { shape: [...x.shape] } });
    }) as unknown as tf.KernelFunc,
    kernelName: tf.Identity,
  });
  installed = true;
  return true;
}

installSharedIdentity();
