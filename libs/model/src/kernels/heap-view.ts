import * as tf from '@tensorflow/tfjs';
import { heapOffset, kernelStateFor, simdKernelsAvailable } from './wasm-kernels';

interface HeapBackend {
  readonly wasm?: { readonly HEAPU8?: Uint8Array };
}

/**
 * A Float32Array over a float32 tensor's data in the wasm backend's heap (no copy), or null when
 * that is not available (another backend, SIMD kernels off, unexpected internals). The view is
 * valid only until the next tfjs allocation (the heap can grow and move). Writing through it is
 * for tensors the caller has just created and nothing else references.
 */
export function heapView(t: tf.Tensor): Float32Array | null {
  if (t.dtype !== 'float32' || !simdKernelsAvailable()) return null;
  const backend = tf.backend();
  const state = kernelStateFor(backend);
  const heap = (backend as HeapBackend).wasm?.HEAPU8;
  if (!state || !(heap instanceof Uint8Array)) return null;
  return new Float32Array(heap.buffer, heapOffset(state, t), t.size);
}
