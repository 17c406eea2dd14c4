import * as tf from '@tensorflow/tfjs';
import { SIMD_KERNELS_WASM_BASE64 } from './simd-kernels.wasm';

/**
 * Our SIMD kernels (simd-kernels.wat) instantiated on the tfjs wasm backend's own
 * WebAssembly.Memory, so they read and write tensors in place. This relies on
 * @tensorflow/tfjs-backend-wasm 4.x internals (module memory, `dataIdMap`, `makeOutput`,
 * `_malloc`); when they are not as expected it logs one warning and the callers fall back to
 * stock tfjs ops.
 */
/** Layer norm over rows of `cols` floats (pointers are byte offsets into the kernel's memory). */
export type LayerNormFn = (
  x: number,
  gamma: number,
  beta: number,
  y: number,
  xhat: number,
  rstd: number,
  rows: number,
  cols: number,
  eps: number,
) => void;

export interface SimdKernels {
  bmm(
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
  ): void;
  colsum(src: number, dst: number, rows: number, cols: number): void;
  layernorm: LayerNormFn;
  gelu(x: number, y: number, d: number, n: number, c1: number, c2: number): void;
  sumsq(x: number, n: number): number;
  layernormbwd(
    dy: number,
    xhat: number,
    rstd: number,
    gamma: number,
    dx: number,
    dgamma: number,
    dbeta: number,
    rows: number,
    cols: number,
  ): void;
  adam(
    p: number,
    g: number,
    m: number,
    v: number,
    pOut: number,
    mOut: number,
    vOut: number,
    n: number,
    scale: number,
    beta1: number,
    oneMinusBeta1: number,
    beta2: number,
    oneMinusBeta2: number,
    c1: number,
    c2: number,
    epsilon: number,
    negLearningRate: number,
  ): void;
}

/** The parts of tfjs-backend-wasm's BackendWasm the kernels use, as checked. */
export interface WasmBackendInternals {
  readonly wasm: {
    readonly _malloc: (bytes: number) => number;
    readonly _free: (offset: number) => void;
  };
  readonly dataIdMap: { get(dataId: object): { memoryOffset?: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
}

/** What tfjs passes to a registered kernel function. */
export interface WasmKernelArgs {
  readonly inputs: tf.NamedTensorInfoMap;
  readonly backend: object;
  readonly attrs?: tf.NamedAttrMap;
}

export interface KernelState {
  readonly kernels: SimdKernels;
  readonly backend: WasmBackendInternals;
  /** Scratch buffer in the backend's heap (bytes), grown on demand. */
  scratch: number;
  scratchBytes: number;
}

interface UncheckedBackend {
  readonly wasm?: {
    readonly asm?: { readonly memory?: unknown };
    readonly _malloc?: unknown;
    readonly _free?: unknown;
  };
  readonly dataIdMap?: { readonly get?: unknown };
  readonly makeOutput?: unknown;
}

const states = new WeakMap<object, KernelState | null>();
let warned = false;
let enabled = true;

/** Turns the SIMD kernels on or off (off: stock tfjs ops), e.g. to compare the two. */
export function setSimdKernelsEnabled(on: boolean): void {
  enabled = on;
}

function instantiate(backend: object): KernelState {
  const be = backend as UncheckedBackend;
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
  const bytes = Buffer.from(SIMD_KERNELS_WASM_BASE64, 'base64');
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  return {
    backend: backend as WasmBackendInternals,
    kernels: instance.exports as unknown as SimdKernels,
    scratch: 0,
    scratchBytes: 0,
  };
}

/** The kernels bound to this backend instance, or null (and one warning) if they cannot run. */
export function kernelStateFor(backend: object): KernelState | null {
  let state = states.get(backend);
  if (state !== undefined) return state;
  try {
    state = instantiate(backend);
  } catch (err) {
    state = null;
    if (!warned) {
      warned = true;
      console.warn(
        `FleetFM: SIMD wasm kernels unavailable (${(err as Error).message}); using stock tfjs ops`,
      );
    }
  }
  states.set(backend, state);
  return state;
}

/** True if the SIMD kernels run on the current backend. */
export function simdKernelsAvailable(): boolean {
  return enabled && tf.getBackend() === 'wasm' && kernelStateFor(tf.backend()) !== null;
}

/** Byte offset of a tensor's data in the wasm heap. */
export function heapOffset(state: KernelState, t: tf.TensorInfo): number {
  const offset = state.backend.dataIdMap.get(t.dataId)?.memoryOffset;
  if (typeof offset !== 'number') throw new Error('FleetFM SIMD kernel: tensor has no wasm memory');
  return offset;
}
