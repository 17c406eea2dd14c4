import * as tf from '@tensorflow/tfjs';
import { BATCHED_MATMUL_WASM_BASE64 } from './batched-matmul.wasm';

/**
 * A batched matMul for many small matrices (attention scores and context, [B·H, T, d]) as a
 * WebAssembly SIMD kernel on the tfjs wasm backend, where the stock batched matMul runs at
 * ~1 GFLOP/s. It shares the backend's WebAssembly.Memory and reads/writes tensors in place.
 * It relies on @tensorflow/tfjs-backend-wasm 4.x internals (module memory, `dataIdMap`,
 * `makeOutput`, `_malloc`); when they are not as expected it logs one warning and every call
 * falls back to `tf.matMul`.
 */
export const SMALL_BATCH_MATMUL = 'FleetFMSmallBatchMatMul';

type Bmm = (
  a: number,
  b: number,
  c: number,
  batch: number,
  m: number,
  depth: number,
  cols: number,
  aBatch: number,
  aRow: number,
  aCol: number,
  bTransposed: number,
  scratch: number,
) => void;

/** The parts of tfjs-backend-wasm's BackendWasm this kernel uses. */
interface WasmBackendInternals {
  readonly wasm?: {
    readonly asm?: { readonly memory?: unknown };
    readonly _malloc?: (bytes: number) => number;
    readonly _free?: (offset: number) => void;
  };
  readonly dataIdMap?: { get(dataId: object): { memoryOffset?: number } | undefined };
  makeOutput?(shape: number[], dtype: 'float32'): tf.TensorInfo;
}

/** The same, checked. */
interface CheckedBackend {
  readonly wasm: {
    readonly _malloc: (bytes: number) => number;
    readonly _free: (offset: number) => void;
  };
  readonly dataIdMap: { get(dataId: object): { memoryOffset?: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
}

interface KernelState {
  readonly bmm: Bmm;
  readonly backend: CheckedBackend;
  scratch: number;
  scratchBytes: number;
}

const states = new WeakMap<object, KernelState | null>();
let warned = false;
let enabled = true;

/** Turns the SIMD kernel on or off (off: every call is `tf.matMul`), e.g. to compare the two. */
export function setSmallBatchMatMulEnabled(on: boolean): void {
  enabled = on;
}

function instantiate(backend: object): KernelState | null {
  const be = backend as WasmBackendInternals;
  const memory = be.wasm?.asm?.memory;
  if (
    !(memory instanceof WebAssembly.Memory) ||
    typeof be.wasm?._malloc !== 'function' ||
    typeof be.wasm._free !== 'function' ||
    typeof be.dataIdMap?.get !== 'function' ||
    typeof be.makeOutput !== 'function'
  ) {
    throw new Error('tfjs-backend-wasm internals (asm.memory, _malloc, dataIdMap, makeOutput)');
  }
  const bytes = Buffer.from(BATCHED_MATMUL_WASM_BASE64, 'base64');
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  return {
    backend: be as CheckedBackend,
    bmm: instance.exports.bmm as Bmm,
    scratch: 0,
    scratchBytes: 0,
  };
}

/** The kernel bound to this backend instance, or null (and one warning) if it cannot run. */
function stateFor(backend: object): KernelState | null {
  let state = states.get(backend);
  if (state !== undefined) return state;
  try {
    state = instantiate(backend);
  } catch (err) {
    state = null;
    if (!warned) {
      warned = true;
      console.warn(
        `FleetFM: SIMD batched matMul unavailable (${(err as Error).message}); using tf.matMul`,
      );
    }
  }
  states.set(backend, state);
  return state;
}

/** True if the SIMD kernel runs on the current backend. */
export function smallBatchMatMulAvailable(): boolean {
  return enabled && tf.getBackend() === 'wasm' && stateFor(tf.backend()) !== null;
}

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

function offsetOf(state: KernelState, t: tf.TensorInfo): number {
  const offset = state.backend.dataIdMap.get(t.dataId)?.memoryOffset;
  if (typeof offset !== 'number') throw new Error(`${SMALL_BATCH_MATMUL}: tensor has no memory`);
  return offset;
}

function kernelFunc({
  inputs,
  backend,
  attrs,
}: {
  inputs: tf.NamedTensorInfoMap;
  backend: object;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const state = stateFor(backend);
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
  state.bmm(
    offsetOf(state, a),
    offsetOf(state, b),
    offsetOf(state, out),
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
    inner === d.depth &&
    d.depth > 0 &&
    d.m % 4 === 0 &&
    d.cols % 8 === 0 &&
    smallBatchMatMulAvailable()
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
