import {
  Forecaster,
  MAX_ROLLS,
  type LevelBlendState,
  type PatchModel,
  type SeriesForecast,
} from '@fleetfm/model';
import type { PatchTokenizerConfig } from '@fleetfm/tokenizer';
import { ForecastModelPort, type ModelForecastOptions } from './forecast-model.port';
import { contextBounds, signalBounds } from './signal-range';

/**
 * `ForecastModelPort` over a FleetFM patch model (tokenizer from the checkpoint manifest, level
 * blend from its sidecar when it has one). Runs the Forecaster's lean SIMD inference engine when
 * the model's shape allows it (large batches shared with a worker thread), tfjs otherwise.
 */
export class PatchForecastAdapter extends ForecastModelPort {
  private readonly forecaster: Forecaster;

  constructor(
    model: PatchModel,
    tokenizer?: Partial<PatchTokenizerConfig>,
    levelBlend?: LevelBlendState,
  ) {
    super();
    const { scaling, minScale } = tokenizer ?? {};
    this.forecaster = new Forecaster(model, { minScale, scaling }, { levelBlend });
  }

  /** True when forecasts include the checkpoint's level blend. */
  get blended(): boolean {
    return this.forecaster.levelBlend !== undefined;
  }

  get contextLength(): number {
    return this.forecaster.model.config.contextLength;
  }

  get horizon(): number {
    return this.forecaster.model.config.horizon;
  }

  override get maxHorizon(): number {
    return MAX_ROLLS * this.horizon;
  }

  /** 'lean' (the tfjs-free SIMD engine) or 'tfjs', for logs and /health. */
  get inference(): 'lean' | 'tfjs' {
    return this.forecaster.usesLeanInference ? 'lean' : 'tfjs';
  }

  get quantiles(): readonly number[] {
    return this.forecaster.model.config.quantiles;
  }

  /**
   * Forecasts of known telemetry signals are held inside their physical range; those of other
   * series at ≥ 0 when their history shows a non-negative quantity (see `contextBounds`).
   */
  forecast(
    contexts: readonly Float32Array[],
    options: ModelForecastOptions,
  ): Promise<SeriesForecast[]> {
    const n = this.forecaster.model.config.numSignals;
    const signalIds = options.signalIds?.map((id) => (id < n ? id : 0));
    // The range is the signal's, whether or not the model has a slot for its id.
    const bounds = contexts.map((c, i) => signalBounds(options.signalIds?.[i]) ?? contextBounds(c));
    return this.forecaster.forecast(contexts, { ...options, bounds, signalIds });
  }

  /** Stops the inference worker thread, if one was started (an idle one never blocks exit). */
  close(): Promise<void> {
    return this.forecaster.close();
  }
}
