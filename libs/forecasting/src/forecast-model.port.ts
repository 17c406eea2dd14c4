import type { SeriesForecast } from '@fleetfm/model';

export interface ModelForecastOptions {
  /** Steps to forecast (may exceed the model's native horizon: the model rolls forward). */
  readonly horizon: number;
  /** Quantile levels wanted, within the model's range. */
  readonly quantiles: readonly number[];
  /** Signal id per context (see `signalIdOf`); default 0 = unknown. */
  readonly signalIds?: readonly number[];
}

/**
 * What the forecasting service needs from a model: a batch of raw contexts (any scale, NaN gaps)
 * in, forecasts in the same units out. An abstract class so that it doubles as a Nest token; the
 * patch-model adapter implements it, and tests use closed-form fakes.
 */
export abstract class ForecastModelPort {
  /** Steps of context the model looks at; longer contexts are cut to their last steps. */
  abstract readonly contextLength: number;
  /** Steps forecast in one forward pass. */
  abstract readonly horizon: number;
  /** Quantile levels of the model's head, ascending. */
  abstract readonly quantiles: readonly number[];
  abstract forecast(
    contexts: readonly Float32Array[],
    options: ModelForecastOptions,
  ): Promise<SeriesForecast[]>;
}
