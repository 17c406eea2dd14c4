import * as fs from 'node:fs';
import * as nodeModule from 'node:module';
import * as path from 'node:path';

/** A univariate statistical forecaster fitted per series: the baseline beside the model. */
export interface StatisticalForecaster {
  readonly name: string;
  /** Point forecast and one row per level (quantiles[k][h]). */
  forecast(
    history: ArrayLike<number>,
    horizon: number,
    levels: readonly number[],
  ): { mean: Float64Array; quantiles: Float64Array[] };
}

interface AugursForecast {
  point: number[];
  intervals?: { lower: number[]; upper: number[] };
}
interface AugursEtsModule {
  initSync(args: { module: Buffer }): unknown;
  AutoETS: new (
    seasonLength: number,
    spec: string,
  ) => {
    fit(y: Float64Array): void;
    predict(horizon: number, level?: number | null): AugursForecast;
    free(): void;
  };
}

let loaded: AugursEtsModule | undefined;

/**
 * Loads `@bsull/augurs/ets` (an ES module with a wasm-bindgen WASM binary) from CommonJS: Node 20
 * can `require` an ES module without top-level await, and `initSync` instantiates the binary from
 * disk synchronously. Throws with the reason when that is not possible.
 */
function loadAugursEts(): AugursEtsModule {
  if (loaded) return loaded;
  // Node's own require, which can load ES modules: test runners replace `require` and even
  // `module.createRequire` with loaders that cannot, so reach the builtin through the process.
  const builtin =
    (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule?.('node:module') ??
    nodeModule;
  const nodeRequire = (builtin as typeof nodeModule).createRequire(__filename);
  const entry = nodeRequire.resolve('@bsull/augurs/ets');
  const mod = nodeRequire(entry) as AugursEtsModule;
  // Everything handed to the glue code is made in its own realm: a test sandbox has its own
  // globals, and the glue checks `instanceof WebAssembly.Module` and `Object.prototype`.
  const vm = nodeRequire('node:vm') as typeof import('node:vm');
  const realFs = nodeRequire('node:fs') as typeof fs;
  const bytes = realFs.readFileSync(path.join(path.dirname(entry), 'ets_bg.wasm'));
  const wrap = vm.runInThisContext('(b) => ({ module: new WebAssembly.Module(b) })') as (
    b: Buffer,
  ) => { module: Buffer };
  mod.initSync(wrap(bytes));
  loaded = mod;
  return mod;
}

/**
 * AutoETS from augurs (a Rust port of statsforecast's AutoETS): model selection by AICc over
 * error/trend types (spec `ZZN`: automatic error and trend, including damped, no season). The
 * quantiles come from its prediction intervals: level q < 0.5 is the lower bound of the central
 * 1 - 2q interval, q > 0.5 the upper bound, 0.5 the point forecast.
 */
export class AugursEtsBaseline implements StatisticalForecaster {
  readonly name = 'AutoETS (augurs)';
  private readonly mod: AugursEtsModule;

  constructor(private readonly seasonLength = 1) {
    this.mod = loadAugursEts();
  }

  forecast(
    history: ArrayLike<number>,
    horizon: number,
    levels: readonly number[],
  ): { mean: Float64Array; quantiles: Float64Array[] } {
    const y = forwardFilled(history);
    const ets = new this.mod.AutoETS(this.seasonLength, 'ZZN');
    try {
      ets.fit(y);
      const mean = Float64Array.from(ets.predict(horizon, null).point);
      const quantiles = levels.map((q) => {
        if (Math.abs(q - 0.5) < 1e-9) return mean.slice();
        const f = ets.predict(horizon, Math.abs(1 - 2 * q));
        const bound = q < 0.5 ? f.intervals?.lower : f.intervals?.upper;
        return bound ? Float64Array.from(bound) : mean.slice();
      });
      return { mean, quantiles };
    } finally {
      ets.free();
    }
  }
}

/** ETS needs a gap-free series: carry the last observation forward (and the first backward). */
function forwardFilled(history: ArrayLike<number>): Float64Array {
  const y = Float64Array.from(history as ArrayLike<number>);
  let last = Number.NaN;
  for (let i = 0; i < y.length; i++) {
    if (Number.isFinite(y[i])) last = y[i];
    else y[i] = last;
  }
  const first = y.find((v) => Number.isFinite(v)) ?? 0;
  for (let i = 0; i < y.length && !Number.isFinite(y[i]); i++) y[i] = first;
  return y;
}
