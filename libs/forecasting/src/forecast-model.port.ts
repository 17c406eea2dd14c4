import type { SeriesForecast } from '@fleetfm/model';

export interface ModelForecastOptions {
  /** Steps to forecast (may exceed the model's native horizon: the model rolls forward). */
  readonly horizon: number;
  /** Quantile levels wanted, within the model's range. */
  readonly quantiles: readonly number[];
  /** Signal id per context (see `signalIdOf`); default 0 = unknown. */
  readonly signalIds?: readonly number[];
  /**
   * Seasonal period in steps per context (see `seasonalPeriod`); default 1 = none. The patch
   * model ignores it; statistical methods (and `AutoMethodForecaster`) use it.
   */
  readonly seasons?: readonly number[];
}

/** Which method made a forecast: the patch model, MSTL+AutoETS, or the non-seasonal AutoETS. */
export type ForecastMethod = 'model' | 'mstl' | 'ets';

/** Why `AutoMethodForecaster` chose a method: both methods' errors on the held-out tail. */
export interface MethodSelection {
  /** Last values of the context held out and forecast from the rest (0: too short, no test). */
  readonly holdout: number;
  /**
   * (MAE of the median + mean quantile loss × 2) / 2 on the held-out values, divided by the
   * in-sample (seasonal) naive MAE of the rest; NaN when there was no backtest.
   */
  readonly modelScore: number;
  readonly statisticalScore: number;
}

/** A forecast, with the method that made it when the port chooses between methods. */
export interface MethodForecast extends SeriesForecast {
  readonly method?: ForecastMethod;
  readonly selection?: MethodSelection;
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
  /** The longest horizon `forecast` accepts (rolling forward). Default: no limit. */
  get maxHorizon(): number {
    return Number.POSITIVE_INFINITY;
  }
  abstract forecast(
    contexts: readonly Float32Array[],
    options: ModelForecastOptions,
  ): Promise<MethodForecast[]>;
}
