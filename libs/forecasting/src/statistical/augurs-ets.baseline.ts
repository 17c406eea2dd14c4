import {
  forwardFilled,
  loadAugurs,
  quantilesFromIntervals,
  type AugursForecast,
} from './augurs-wasm.loader';

/** A univariate statistical forecaster fitted per series: the baseline beside the model. */
export interface StatisticalForecaster {
  readonly name: string;
  /**
   * Point forecast and one row per level (quantiles[k][h]). `season` is the series' seasonal
   * period in steps (default 1 = none); a non-seasonal method ignores it.
   */
  forecast(
    history: ArrayLike<number>,
    horizon: number,
    levels: readonly number[],
    season?: number,
  ): StatisticalForecast;
}

/** Point forecast, one row per level, and (when the forecaster chooses) which method made it. */
export interface StatisticalForecast {
  readonly mean: Float64Array;
  readonly quantiles: Float64Array[];
  readonly method?: 'mstl' | 'ets';
}

interface AugursEtsModule {
  AutoETS: new (
    seasonLength: number,
    spec: string,
  ) => {
    fit(y: Float64Array): void;
    predict(horizon: number, level?: number | null): AugursForecast;
    free(): void;
  };
}

/**
 * AutoETS from augurs (a Rust port of statsforecast's AutoETS): model selection by AICc over
 * error/trend types (spec `ZZN`: automatic error and trend, including damped, no season). The
 * quantiles come from its prediction intervals (`quantilesFromIntervals`).
 */
export class AugursEtsBaseline implements StatisticalForecaster {
  readonly name = 'AutoETS (augurs)';
  private readonly mod: AugursEtsModule;

  constructor(private readonly seasonLength = 1) {
    this.mod = loadAugurs<AugursEtsModule>('ets');
  }

  forecast(
    history: ArrayLike<number>,
    horizon: number,
    levels: readonly number[],
  ): StatisticalForecast {
    const ets = new this.mod.AutoETS(this.seasonLength, 'ZZN');
    try {
      ets.fit(forwardFilled(history));
      const out = quantilesFromIntervals((h, level) => ets.predict(h, level), horizon, levels);
      return { ...out, method: 'ets' };
    } finally {
      ets.free();
    }
  }
}
