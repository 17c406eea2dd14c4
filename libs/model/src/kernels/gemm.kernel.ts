import * as tf from '@tensorflow/tfjs';
import { INFERENCE_KERNELS_WASM_BASE64 } from './inference-kernels.wasm';
import {
  heapOffset,
  kernelStateFor,
  type WasmKernelArgs,
  simdKernelsAvailable,
} from './wasm-kernels';

/**
 * The lean inference path's SIMD gemm (inference-kernels.wat: 64-row tiles, 4×8 micro-kernel,
 * bias-initialised accumulators) instantiated on the tfjs wasm backend's memory, as a tfjs kernel
 * for training: y = x·W + bias without the wasm matMul's per-call re-packing of W.
 */
export const GEMM = 'FleetFMGemm';

/** C = A·B (+ bias) over byte offsets: see inference-kernels.wat for the flags. */
export type GemmFn = (
  a: number,
  b: number,
  c: number,
  bias: number,
  m: number,
  n: number,
  k: number,
  lda: number,
  ldb: number,
  ldc: number,
  flags: number,
) => void;

function zeroFill(backend: object, byteOffset: number, floats: number): void {
  const memory = (backend as MemoryBackend).wasm?.asm?.memory as WebAssembly.Memory;
  new Float32Array(memory.buffer, byteOffset, floats).fill(0);
}

interface MemoryBackend {
  readonly wasm?: { readonly asm?: { readonly memory?: unknown } };
}

const instances = new WeakMap<object, GemmFn | null>();

function gemmFor(backend: object): GemmFn | null {
  let fn = instances.get(backend);
  if (fn !== undefined) return fn;
  fn = null;
  const memory = (backend as MemoryBackend).wasm?.asm?.memory;
  if (memory instanceof WebAssembly.Memory) {
    const module = new WebAssembly.Module(Buffer.from(INFERENCE_KERNELS_WASM_BASE64, 'base64'));
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
    if (typeof exports.gemm === 'function') fn = exports.gemm as GemmFn;
  }
  instances.set(backend, fn);
  return fn;
}

function kernelFunc({ inputs, backend }: WasmKernelArgs): tf.TensorInfo {
  const state = kernelStateFor(backend);
  const gemm = gemmFor(backend);
  const { a, b, bias } = inputs;
  if (!state || !gemm || !a || !b) throw new Error(`${GEMM}: unavailable`);
  const [m, k] = a.shape;
  const n = b.shape[1];
  const out = state.backend.makeOutput([m, n], 'float32');
  const off = (t: tf.TensorInfo): number => heapOffset(state, t);
  // Without a bias the accumulators start at zeros: a zero-filled scratch row of n floats.
  let biasAt: number;
  if (bias) {
    biasAt = off(bias);
  } else {
    if (state.scratchBytes < n * 4) {
      if (state.scratch) state.backend.wasm._free(state.scratch);
      state.scratchBytes = n * 4;
      state.scratch = state.backend.wasm._malloc(state.scratchBytes) >>> 0;
    }
    biasAt = state.scratch;
    zeroFill(backend, biasAt, n);
  }
  gemm(off(a), off(b), off(out), biasAt, m, n, k, k, n, n, 0);
  return out;
}

tf.registerKernel({ backendName: 'wasm', kernelFunc, kernelName: GEMM });

/**
 * x [m, k] · w [k, n] (+ bias [n]) with the SIMD gemm, or null when it does not apply (not wasm,
 * m % 4 != 0, n % 8 != 0, non-float32). Not differentiable.
 */
export function gemmKernel(x: tf.Tensor2D, w: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor2D | null {
  const [m, k] = x.shape;
  const [wk, n] = w.shape;
  if (
    wk !== k ||
    k === 0 ||
    m === 0 ||
    m % 4 !== 0 ||
    n % 8 !== 0 ||
    (bias !== undefined && bias.shape[0] !== n) ||
    [x, w, bias ?? x].some((t) => t.dtype !== 'float32') ||
    !simdKernelsAvailable() ||
    !gemmFor(tf.backend())
  ) {
    return null;
  }
  const inputs: tf.NamedTensorMap = bias ? { a: x, b: w, bias } : { a: x, b: w };
  return tf.engine().runKernel(GEMM, inputs, {}) as tf.Tensor2D;
}
