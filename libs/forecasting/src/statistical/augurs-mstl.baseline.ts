import {
  AugursEtsBaseline,
  type StatisticalForecast,
  type StatisticalForecaster,
} from './augurs-ets.baseline';
import {
  forwardFilled,
  loadAugurs,
  quantilesFromIntervals,
  type AugursForecast,
} from './augurs-wasm.loader';

interface AugursMstlModule {
  MSTL: {
    ets(periods: number[]): {
      fit(y: Float64Array): void;
      predict(horizon: number, level?: number | null): AugursForecast;
      free(): void;
    };
  };
}

/**
 * Full seasons of history MSTL needs: augurs drops every period longer than half the series
 * (and STL refuses a series of fewer than two periods), leaving nothing to decompose.
 */
export const MSTL_MIN_SEASONS = 2;

/** How many forecasts each method made (`mstlFailed`: MSTL threw or gave non-finite values). */
export interface SeasonalBaselineFits {
  readonly mstl: number;
  readonly ets: number;
  readonly mstlFailed: number;
}

/**
 * The seasonal statistical baseline, chosen per series: MSTL from augurs (STL decomposition for
 * the series' season, AutoETS `ZZN` on the deseasonalised series, the last season's seasonal
 * component repeated over the horizon) when the series has a season (> 1) and at least
 * `MSTL_MIN_SEASONS` of them in its history; otherwise, or if MSTL fails on the series, the
 * non-seasonal AutoETS. Quantiles from the prediction intervals exactly as AutoETS's.
 */
export class AugursSeasonalBaseline implements StatisticalForecaster {
  readonly name = 'MSTL+AutoETS (augurs) where seasonal, AutoETS otherwise';
  private readonly mod: AugursMstlModule;
  private readonly counts = { ets: 0, mstl: 0, mstlFailed: 0 };

  constructor(private readonly fallback: StatisticalForecaster = new AugursEtsBaseline()) {
    this.mod = loadAugurs<AugursMstlModule>('mstl');
  }

  forecast(
    history: ArrayLike<number>,
    horizon: number,
    levels: readonly number[],
    season = 1,
  ): StatisticalForecast {
    if (usesMstl(history.length, season)) {
      const out = this.mstl(history, horizon, levels, season);
      if (out) {
        this.counts.mstl++;
        return { ...out, method: 'mstl' };
      }
      this.counts.mstlFailed++;
    }
    this.counts.ets++;
    return { ...this.fallback.forecast(history, horizon, levels, 1), method: 'ets' };
  }

  /** Forecasts made so far by each method. */
  fits(): SeasonalBaselineFits {
    return { ...this.counts };
  }

  private mstl(
    history: ArrayLike<number>,
    horizon: number,
    levels: readonly number[],
    season: number,
  ): { mean: Float64Array; quantiles: Float64Array[] } | undefined {
    let model: ReturnType<AugursMstlModule['MSTL']['ets']> | undefined;
    try {
      model = this.mod.MSTL.ets([season]);
      const fitted = model;
      fitted.fit(forwardFilled(history));
      const out = quantilesFromIntervals((h, level) => fitted.predict(h, level), horizon, levels);
      const finite = [out.mean, ...out.quantiles].every((row) => row.every(Number.isFinite));
      return finite && out.mean.length === horizon ? out : undefined;
    } catch {
      // An error from the WASM model (a degenerate series): the caller falls back and counts it.
      return undefined;
    } finally {
      model?.free();
    }
  }
}

/** Whether a history of `length` steps with seasonal period `season` gets MSTL. */
export function usesMstl(length: number, season: number): boolean {
  return Number.isInteger(season) && season > 1 && length >= MSTL_MIN_SEASONS * season;
}
