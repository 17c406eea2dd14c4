import * as path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** What `selectBackend` chose, for /health and logs. */
export interface BackendInfo {
  /** tfjs backend name: 'tensorflow' for tfjs-node(-gpu), 'wasm' or 'cpu'. */
  readonly backend: string;
  /** Package that provided it. */
  readonly package: string;
  readonly simd?: boolean;
  readonly multithread?: boolean;
  /** Time to load and initialise the chosen backend. */
  readonly initMs: number;
  /** Candidates tried before it, with why they were skipped. */
  readonly skipped: ReadonlyArray<{ readonly package: string; readonly reason: string }>;
}

export interface SelectBackendOptions {
  /** Candidates in order of preference. Default tfjs-node-gpu, tfjs-node, wasm, cpu. */
  readonly prefer?: readonly BackendName[];
}

const PACKAGES: Record<BackendName, string> = {
  cpu: '@tensorflow/tfjs-backend-cpu',
  tensorflow: '@tensorflow/tfjs-node',
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  wasm: '@tensorflow/tfjs-backend-wasm',
};

let selected: Promise<BackendInfo> | undefined;

/** Directory holding the .wasm binaries (Node needs a file path, not a URL). */
export function wasmDirectory(): string {
  return `${path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'))}${path.sep}dist${path.sep}`;
}

async function tryNative(pkg: string): Promise<void> {
  // Optional native bindings: present only where libtensorflow could be installed. Requiring
  // the package registers the 'tensorflow' backend.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(pkg);
  if (!(await tf.setBackend('tensorflow'))) throw new Error('setBackend(tensorflow) failed');
}

let optimizedWasm = false;

/**
 * Compile WebAssembly with the optimising compiler (TurboFan) from the first call instead of
 * V8's Liftoff baseline, which runs tfjs's matMul ~3× slower until a function has been hot for a
 * while (seconds of a short CLI run or benchmark). Process-wide, so it also covers worker
 * threads started later. Only affects modules compiled after the call.
 */
export function optimizeWasmCompilation(): void {
  if (optimizedWasm) return;
  setFlagsFromString('--no-liftoff');
  optimizedWasm = true;
}

async function tryWasm(): Promise<void> {
  optimizeWasmCompilation();
  setWasmPaths(wasmDirectory());
  if (!(await tf.setBackend('wasm'))) throw new Error('setBackend(wasm) failed');
}

/**
 * Picks the fastest available tfjs backend, once per process: tfjs-node-gpu, tfjs-node, wasm
 * (SIMD), then the JS cpu backend. Later calls return the same answer.
 */
export function selectBackend(options: SelectBackendOptions = {}): Promise<BackendInfo> {
  selected ??= choose(options.prefer ?? ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
  return selected;
}

async function choose(prefer: readonly BackendName[]): Promise<BackendInfo> {
  const skipped: Array<{ package: string; reason: string }> = [];
  for (const name of prefer) {
    const start = performance.now();
    try {
      if (name === 'wasm') await tryWasm();
      else if (name === 'cpu') {
        if (!(await tf.setBackend('cpu'))) throw new Error('setBackend(cpu) failed');
      } else await tryNative(PACKAGES[name]);
      await tf.ready();
      return {
        backend: tf.getBackend(),
        initMs: performance.now() - start,
        multithread: name === 'wasm' ? tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') : undefined,
        package: PACKAGES[name],
        simd: name === 'wasm' ? tf.env().getBool('WASM_HAS_SIMD_SUPPORT') : undefined,
        skipped,
      };
    } catch (err) {
      skipped.push({ package: PACKAGES[name], reason: (err as Error).message.split('\n')[0] });
    }
  }
  throw new Error(`No TensorFlow.js backend could be initialised: ${JSON.stringify(skipped)}`);
}
