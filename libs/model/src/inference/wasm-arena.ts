import { INFERENCE_KERNELS_WASM_BASE64 } from '../kernels/inference-kernels.wasm';
import { SIMD_KERNELS_WASM_BASE64 } from '../kernels/simd-kernels.wasm';
import type { GemmFn } from '../kernels/gemm.kernel';
import type { LayerNormFn } from '../kernels/wasm-kernels';

/** The SIMD kernels the inference engine calls; pointers are byte offsets in the arena. */
export interface ArenaKernels {
  gemm: GemmFn;
  gemv(x: number, w: number, y: number, bias: number, n: number, k: number, ldw: number): void;
  layernorm: LayerNormFn;
  /** In place, forward only. */
  gelu(x: number, n: number, c1: number, c2: number): void;
  /** dst[j·ldd + i] = src[i·lds + j] for i < rows, j < cols. */
  transpose(src: number, dst: number, rows: number, cols: number, lds: number, ldd: number): void;
  /** In place: each row of t becomes softmax(row + bias). */
  softmax(x: number, bias: number, rows: number, t: number): void;
}

/** gemm flag: relu on the result. */
export const GEMM_RELU = 1;
/** gemm flag: add the result to C instead of overwriting it. */
export const GEMM_ACCUMULATE = 2;

const PAGE = 65536;

let modules: { inference: WebAssembly.Module; shared: WebAssembly.Module } | undefined;

function compiled(): { inference: WebAssembly.Module; shared: WebAssembly.Module } {
  modules ??= {
    inference: new WebAssembly.Module(Buffer.from(INFERENCE_KERNELS_WASM_BASE64, 'base64')),
    shared: new WebAssembly.Module(Buffer.from(SIMD_KERNELS_WASM_BASE64, 'base64')),
  };
  return modules;
}

/**
 * A WebAssembly memory owned by one inference engine (not the tfjs backend's), with a bump
 * allocator and the SIMD kernels instantiated on it: our inference kernels (gemm, gemv, softmax,
 * GELU, transpose) and the shared training module's layer norm. Allocate everything first, then call `seal()`:
 * the memory never grows afterwards, so `f32` (a view of the whole memory) stays valid.
 */
export class WasmArena {
  private readonly memory: WebAssembly.Memory;
  private top = 16;
  private sealedView?: Float32Array;
  readonly kernels: ArenaKernels;

  constructor() {
    this.memory = new WebAssembly.Memory({ initial: 16 });
    const env = { env: { memory: this.memory } };
    const mods = compiled();
    const inference = new WebAssembly.Instance(mods.inference, env).exports;
    const shared = new WebAssembly.Instance(mods.shared, env).exports;
    this.kernels = {
      gelu: inference.gelu as ArenaKernels['gelu'],
      gemm: inference.gemm as ArenaKernels['gemm'],
      gemv: inference.gemv as ArenaKernels['gemv'],
      layernorm: shared.layernorm as ArenaKernels['layernorm'],
      softmax: inference.softmax as ArenaKernels['softmax'],
      transpose: inference.transpose as ArenaKernels['transpose'],
    };
  }

  /** Reserves `floats` zero-initialised floats, 16-byte aligned; returns the byte offset. */
  alloc(floats: number): number {
    if (this.sealedView) throw new Error('WasmArena: alloc after seal');
    const offset = this.top;
    this.top += Math.ceil((floats * 4) / 16) * 16 + 16;
    const needed = Math.ceil(this.top / PAGE);
    const have = this.memory.buffer.byteLength / PAGE;
    if (needed > have) this.memory.grow(needed - have);
    return offset;
  }

  /** Allocates and fills a copy of `data`. */
  store(data: ArrayLike<number>): number {
    const offset = this.alloc(data.length);
    new Float32Array(this.memory.buffer, offset, data.length).set(data);
    return offset;
  }

  /** Ends allocation; returns the float view of the whole memory. */
  seal(): Float32Array {
    this.sealedView ??= new Float32Array(this.memory.buffer);
    return this.sealedView;
  }

  get bytes(): number {
    return this.memory.buffer.byteLength;
  }
}
