import * as tf from '@tensorflow/tfjs';
import {
  heapOffset,
  kernelStateFor,
  type WasmKernelArgs,
  simdKernelsAvailable,
} from './wasm-kernels';

/**
 * A batched matMul for many small matrices (attention scores and context, [B·H, T, d]) as a
 * WebAssembly SIMD kernel on the tfjs wasm backend, where the stock batched matMul runs at
 * ~1 GFLOP/s. See wasm-kernels.ts for how it shares the backend's memory and falls back.
 */
export const SMALL_BATCH_MATMUL = 'FleetFMSmallBatchMatMul';

interface Dims {
  readonly batch: number;
  readonly m: number;
  readonly depth: number;
  readonly cols: number;
}

function dimsOf(
  a: readonly number[],
  b: readonly number[],
  transposeA: boolean,
  transposeB: boolean,
): Dims {
  return {
    batch: a[0],
    cols: transposeB ? b[1] : b[2],
    depth: transposeA ? a[1] : a[2],
    m: transposeA ? a[2] : a[1],
  };
}

function kernelFunc({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const state = kernelStateFor(backend);
  if (!state) throw new Error(`${SMALL_BATCH_MATMUL}: kernel unavailable`);
  const { a, b } = inputs;
  if (!a || !b) throw new Error(`${SMALL_BATCH_MATMUL}: inputs a and b are required`);
  const transposeA = Boolean(attrs?.transposeA);
  const transposeB = Boolean(attrs?.transposeB);
  const d = dimsOf(a.shape, b.shape, transposeA, transposeB);
  const out = state.backend.makeOutput([d.batch, d.m, d.cols], 'float32');
  if (transposeB && state.scratchBytes < d.depth * d.cols * 4) {
    if (state.scratch) state.backend.wasm._free(state.scratch);
    state.scratchBytes = d.depth * d.cols * 4;
    state.scratch = state.backend.wasm._malloc(state.scratchBytes) >>> 0;
  }
  // Byte strides of A's element (i, k): A is [m, depth] or, transposed, [depth, m] in memory.
  const aRow = transposeA ? 4 : d.depth * 4;
  const aCol = transposeA ? d.m * 4 : 4;
  state.kernels.bmm(
    heapOffset(state, a),
    heapOffset(state, b),
    heapOffset(state, out),
    d.batch,
    d.m,
    d.depth,
    d.cols,
    d.m * d.depth * 4,
    aRow,
    aCol,
    transposeB ? 1 : 0,
    state.scratch,
  );
  return out;
}

tf.registerKernel({ backendName: 'wasm', kernelFunc, kernelName: SMALL_BATCH_MATMUL });

function fits(a: tf.Tensor3D, b: tf.Tensor3D, transposeA: boolean, transposeB: boolean): boolean {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape[0] !== b.shape[0]) return false;
  const d = dimsOf(a.shape, b.shape, transposeA, transposeB);
  const inner = transposeB ? b.shape[2] : b.shape[1];
  return (
    inner === d.depth && d.depth > 0 && d.m % 4 === 0 && d.cols % 8 === 0 && simdKernelsAvailable()
  );
}

/**
 * Batched matMul of rank-3 tensors with equal batch sizes, like `tf.matMul(a, b, tA, tB)`:
 * [n, m, k] × [n, k, c] -> [n, m, c]. Runs the SIMD kernel on wasm when m % 4 == 0 and
 * c % 8 == 0, `tf.matMul` otherwise. Differentiable (the gradients use the same kernel).
 */
export function smallBatchMatMul(
  a: tf.Tensor3D,
  b: tf.Tensor3D,
  transposeA = false,
  transposeB = false,
): tf.Tensor3D {
  if (!fits(a, b, transposeA, transposeB)) return tf.matMul(a, b, transposeA, transposeB);
  return tf
    .engine()
    .runKernel(SMALL_BATCH_MATMUL, { a, b }, { transposeA, transposeB }) as tf.Tensor3D;
}

tf.registerGradient({
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const [a, b] = saved as tf.Tensor3D[];
    const g = dy as tf.Tensor3D;
    const tA = Boolean(attrs.transposeA);
    const tB = Boolean(attrs.transposeB);
    // C = op(A)·op(B); the four cases of tfjs's own BatchMatMul gradient.
    if (!tA && !tB) {
      return {
        a: () => smallBatchMatMul(g, b, false, true),
        b: () => smallBatchMatMul(a, g, true),
      };
    }
    if (!tA && tB) {
      return { a: () => smallBatchMatMul(g, b), b: () => smallBatchMatMul(g, a, true) };
    }
    if (tA && !tB) {
      return { a: () => smallBatchMatMul(b, g, false, true), b: () => smallBatchMatMul(a, g) };
    }
    return {
      a: () => smallBatchMatMul(b, g, true, true),
      b: () => smallBatchMatMul(g, a, true, true),
    };
  },
  inputsToSave: ['a', 'b'],
  kernelName: SMALL_BATCH_MATMUL,
});
