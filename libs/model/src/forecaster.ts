import * as tf from '@tensorflow/tfjs';
import { ValidationError } from '@fleetfm/domain';
import { PatchTokenizer, type PatchTokenizerArgs, type TokenizedBatch } from '@fleetfm/tokenizer';
import { LeanPredictor } from './inference/lean-predictor';
import { blendFor, blendRow, recentMedian, type LevelBlendState } from './level-blend';
import type { PatchModel } from './patch-model';

export interface ForecastOptions {
  /** Steps to forecast. Default the model's horizon; longer horizons roll forward. */
  readonly horizon?: number;
  /** Quantile levels wanted, within the model's [lowest, highest] level. Default the model's. */
  readonly quantiles?: readonly number[];
  /** Signal id per series (0 = unknown). Default all 0. */
  readonly signalIds?: readonly number[];
  /**
   * Per series, the values it can take (e.g. a speed is never negative): every quantile is
   * clamped into them before the median, the mean and any roll-forward are taken. Default none.
   */
  readonly bounds?: readonly (ValueBounds | undefined)[];
}

/** Inclusive range of the values a series can take. */
export interface ValueBounds {
  readonly min: number;
  readonly max: number;
}

/** One series' forecast in its own units. */
export interface SeriesForecast {
  /** Mean over the model's (evenly spaced) quantile levels: an estimate of the mean. */
  readonly mean: Float32Array;
  /** Median (level 0.5, interpolated if the model has no 0.5 level). */
  readonly median: Float32Array;
  readonly levels: readonly number[];
  /** quantiles[k] is the forecast at levels[k], one value per step. */
  readonly quantiles: Float32Array[];
}

/** How the Forecaster runs the model. */
export interface ForecasterRuntimeOptions {
  /**
   * 'lean' (default): the tfjs-free SIMD inference engine (libs/model/src/inference) when the
   * model's shape allows it, else tfjs; 'tfjs': always `PatchModel.predictQuantiles`.
   */
  readonly inference?: 'lean' | 'tfjs';
  /**
   * Lean inference only: threads for large batches (this one plus worker threads, each with
   * its own copy of the weights). Default min(2, available cores).
   */
  readonly threads?: number;
  /**
   * Per signal id, the shift of each step's quantiles toward the recent median (see
   * `LevelBlendState`). Default none: the network's quantiles as they are.
   */
  readonly levelBlend?: LevelBlendState;
}

/** Up to this many model horizons may be chained by rolling forward. */
export const MAX_ROLLS = 16;

/**
 * Raw series in (any scale, NaN gaps), forecasts out: tokenizes each series with instance
 * normalisation, runs the quantile head, sorts the quantiles per step (the head does not enforce
 * monotonicity), maps them back to the input scale, and rolls forward on the median for horizons
 * beyond the model's.
 */
export class Forecaster {
  readonly tokenizer: PatchTokenizer;
  readonly levelBlend?: LevelBlendState;
  private readonly lean?: LeanPredictor;

  constructor(
    readonly model: PatchModel,
    tokenizerArgs: Omit<PatchTokenizerArgs, 'contextLength' | 'patchLength'> = {},
    runtime: ForecasterRuntimeOptions = {},
  ) {
    const c = model.config;
    if ((runtime.inference ?? 'lean') === 'lean' && LeanPredictor.supports(c)) {
      this.lean = new LeanPredictor(model, { threads: runtime.threads });
    }
    this.levelBlend = runtime.levelBlend;
    this.tokenizer = new PatchTokenizer({
      ...tokenizerArgs,
      contextLength: c.contextLength,
      patchLength: c.patchLength,
    });
  }

  async forecast(
    series: readonly Float32Array[],
    options: ForecastOptions = {},
  ): Promise<SeriesForecast[]> {
    const c = this.model.config;
    const horizon = options.horizon ?? c.horizon;
    const levels = options.quantiles ?? c.quantiles;
    this.validate(series, horizon, levels, options.signalIds);
    const ids = Int32Array.from(options.signalIds ?? series.map(() => 0));
    const q = c.quantiles.length;
    // Per series: model-level quantiles, [q][horizon], in input units.
    const raw = series.map(() => Array.from({ length: q }, () => new Float32Array(horizon)));
    let contexts = series.map((s) => s);
    for (let done = 0; done < horizon; done += c.horizon) {
      const tok = this.tokenizer.encodeBatch(contexts);
      const data = await this.predict(tok, ids);
      const steps = Math.min(c.horizon, horizon - done);
      const medians: Float32Array[] = [];
      for (let b = 0; b < series.length; b++) {
        const { loc, scale } = tok.scales[b];
        const lo = options.bounds?.[b]?.min ?? -Infinity;
        const hi = options.bounds?.[b]?.max ?? Infinity;
        const l = c.contextLength;
        const blend =
          this.levelBlend &&
          blendFor(this.levelBlend, ids[b], tok.values, tok.mask, b * l, (b + 1) * l);
        const level = blend
          ? recentMedian(tok.values, blend.window, tok.mask, b * l, (b + 1) * l)
          : Number.NaN;
        const median = new Float32Array(steps);
        const row = new Float32Array(q);
        for (let t = 0; t < steps; t++) {
          // Sorted in the model's units, shifted toward the level, then mapped and clamped.
          for (let k = 0; k < q; k++) row[k] = data[(b * c.horizon + t) * q + k];
          row.sort();
          if (blend)
            blendRow(row, interpolateQuantile(c.quantiles, row, 0.5), level, blend.weights[t]);
          for (let k = 0; k < q; k++) row[k] = Math.min(hi, Math.max(lo, loc + scale * row[k]));
          for (let k = 0; k < q; k++) raw[b][k][done + t] = row[k];
          median[t] = interpolateQuantile(c.quantiles, row, 0.5);
        }
        medians.push(median);
      }
      if (done + c.horizon < horizon) {
        contexts = contexts.map((s, b) => concatTail(s, medians[b], c.contextLength));
      }
    }
    return raw.map((perLevel) => summarise(perLevel, c.quantiles, levels, horizon));
  }

  /** True if forecasts run on the lean SIMD engine rather than tfjs. */
  get usesLeanInference(): boolean {
    return this.lean !== undefined;
  }

  /** Stops inference worker threads, if any were started (idle ones never block exit). */
  async close(): Promise<void> {
    await this.lean?.close();
  }

  /** Normalised quantiles [B, horizon, Q] for a tokenized batch. */
  private async predict(tok: TokenizedBatch, ids: Int32Array): Promise<Float32Array> {
    const c = this.model.config;
    if (this.lean) {
      return this.lean.predictAsync({
        batch: tok.batch,
        mask: tok.mask,
        signalIds: ids,
        values: tok.values,
      });
    }
    const out = tf.tidy(() =>
      this.model.predictQuantiles({
        mask: tf.tensor2d(tok.mask, [tok.batch, c.contextLength]),
        signalIds: ids,
        values: tf.tensor2d(tok.values, [tok.batch, c.contextLength]),
      }),
    );
    try {
      return (await out.data()) as Float32Array;
    } finally {
      out.dispose();
    }
  }

  private validate(
    series: readonly Float32Array[],
    horizon: number,
    levels: readonly number[],
    signalIds?: readonly number[],
  ): void {
    const c = this.model.config;
    if (series.length === 0) throw new ValidationError('At least one series is required');
    if (!Number.isInteger(horizon) || horizon < 1 || horizon > MAX_ROLLS * c.horizon) {
      throw new ValidationError(
        `horizon must be an integer in [1, ${MAX_ROLLS * c.horizon}], got ${horizon}`,
      );
    }
    const lo = c.quantiles[0];
    const hi = c.quantiles[c.quantiles.length - 1];
    for (const l of levels) {
      if (!(l >= lo && l <= hi)) {
        throw new ValidationError(
          `quantile level ${l} is outside the model's range [${lo}, ${hi}]`,
        );
      }
    }
    if (signalIds && signalIds.length !== series.length) {
      throw new ValidationError(`${series.length} series but ${signalIds.length} signal ids`);
    }
    for (const id of signalIds ?? []) {
      if (!Number.isInteger(id) || id < 0 || id >= c.numSignals) {
        throw new ValidationError(`signal id ${id} outside [0, ${c.numSignals})`);
      }
    }
  }
}

/**
 * Linear interpolation of the quantile function at `level` between the model's levels (the
 * ends held beyond them).
 */
export function interpolateQuantile(
  modelLevels: readonly number[],
  values: ArrayLike<number>,
  level: number,
): number {
  const n = modelLevels.length;
  if (level <= modelLevels[0]) return values[0];
  if (level >= modelLevels[n - 1]) return values[n - 1];
  let k = 1;
  while (modelLevels[k] < level) k++;
  const w = (level - modelLevels[k - 1]) / (modelLevels[k] - modelLevels[k - 1]);
  return values[k - 1] + w * (values[k] - values[k - 1]);
}

function summarise(
  perLevel: Float32Array[],
  modelLevels: readonly number[],
  levels: readonly number[],
  horizon: number,
): SeriesForecast {
  const q = modelLevels.length;
  const mean = new Float32Array(horizon);
  const median = new Float32Array(horizon);
  const quantiles = levels.map(() => new Float32Array(horizon));
  const row = new Float32Array(q);
  for (let t = 0; t < horizon; t++) {
    let sum = 0;
    for (let k = 0; k < q; k++) {
      row[k] = perLevel[k][t];
      sum += row[k];
    }
    mean[t] = sum / q;
    median[t] = interpolateQuantile(modelLevels, row, 0.5);
    levels.forEach((l, j) => (quantiles[j][t] = interpolateQuantile(modelLevels, row, l)));
  }
  return { levels: [...levels], mean, median, quantiles };
}

function concatTail(context: Float32Array, next: Float32Array, keep: number): Float32Array {
  const joined = new Float32Array(context.length + next.length);
  joined.set(context);
  joined.set(next, context.length);
  return joined.length > keep ? joined.slice(joined.length - keep) : joined;
}
