import type * as fs from 'node:fs';
import * as nodeModule from 'node:module';
import * as path from 'node:path';

/** The `@bsull/augurs` sub-packages the baselines use (each an ES module plus its own WASM). */
export type AugursPackage = 'ets' | 'mstl';

interface WasmBindgenModule {
  initSync(args: { module: unknown }): unknown;
}

const loaded = new Map<AugursPackage, WasmBindgenModule>();

/**
 * Loads `@bsull/augurs/<name>` (an ES module with a wasm-bindgen WASM binary `<name>_bg.wasm`)
 * from CommonJS, once per process: Node 20 can `require` an ES module without top-level await,
 * and `initSync` instantiates the binary from disk synchronously. Throws with the reason when that
 * is not possible. `T` is the sub-package's typed surface, as the caller uses it.
 */
export function loadAugurs<T>(name: AugursPackage): T {
  const cached = loaded.get(name);
  if (cached) return cached as T;
  // Node's own require, which can load ES modules: test runners replace `require` and even
  // `module.createRequire` with loaders that cannot, so reach the builtin through the process.
  const builtin =
    (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule?.('node:module') ??
    nodeModule;
  const nodeRequire = (builtin as typeof nodeModule).createRequire(__filename);
  const entry = nodeRequire.resolve(`@bsull/augurs/${name}`);
  const mod = nodeRequire(entry) as WasmBindgenModule;
  // Everything handed to the glue code is made in its own realm: a test sandbox has its own
  // globals, and the glue checks `instanceof WebAssembly.Module` and `Object.prototype`.
  const vm = nodeRequire('node:vm') as typeof import('node:vm');
  const realFs = nodeRequire('node:fs') as typeof fs;
  const bytes = realFs.readFileSync(path.join(path.dirname(entry), `${name}_bg.wasm`));
  const wrap = vm.runInThisContext('(b) => ({ module: new WebAssembly.Module(b) })') as (
    b: Buffer,
  ) => { module: unknown };
  mod.initSync(wrap(bytes));
  loaded.set(name, mod);
  return mod as T;
}

/** A forecast as augurs returns it: points, and intervals when a level was asked for. */
export interface AugursForecast {
  point: number[];
  intervals?: { lower: number[]; upper: number[] };
}

/**
 * Quantile rows from a fitted augurs model's prediction intervals: level q < 0.5 is the lower
 * bound of the central 1 - 2q interval, q > 0.5 the upper bound, 0.5 the point forecast; a level
 * whose interval the model does not give falls back to the point forecast.
 */
export function quantilesFromIntervals(
  predict: (horizon: number, level: number | null) => AugursForecast,
  horizon: number,
  levels: readonly number[],
): { mean: Float64Array; quantiles: Float64Array[] } {
  const mean = Float64Array.from(predict(horizon, null).point);
  const quantiles = levels.map((q) => {
    if (Math.abs(q - 0.5) < 1e-9) return mean.slice();
    const f = predict(horizon, Math.abs(1 - 2 * q));
    const bound = q < 0.5 ? f.intervals?.lower : f.intervals?.upper;
    return bound ? Float64Array.from(bound) : mean.slice();
  });
  return { mean, quantiles };
}

/** The augurs models need a gap-free series: carry the last observation forward (and the first backward). */
export function forwardFilled(history: ArrayLike<number>): Float64Array {
  const y = Float64Array.from(history);
  let last = Number.NaN;
  for (let i = 0; i < y.length; i++) {
    if (Number.isFinite(y[i])) last = y[i];
    else y[i] = last;
  }
  const first = y.find((v) => Number.isFinite(v)) ?? 0;
  for (let i = 0; i < y.length && !Number.isFinite(y[i]); i++) y[i] = first;
  return y;
}
