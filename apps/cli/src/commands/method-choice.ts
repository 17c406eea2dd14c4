import { InvalidRequestError } from '@fleetfm/domain';
import type { CsvLayout, ForecastRow } from '@fleetfm/datasets';
import {
  AugursSeasonalBaseline,
  AutoMethodForecaster,
  type ForecastModelPort,
  type ForecastSummary,
  type MethodForecastRow,
} from '@fleetfm/forecasting';

/** `forecast --method`: `auto` (default; per seasonal series and origin the better of the model and MSTL by backtest, else the model) or `model` alone. */
export const FORECAST_METHOD_CHOICES = ['model', 'auto'] as const;
export type ForecastMethodChoice = (typeof FORECAST_METHOD_CHOICES)[number];

export function parseMethodOption(text: string | undefined): ForecastMethodChoice {
  const method = text ?? 'auto';
  if (!(FORECAST_METHOD_CHOICES as readonly string[]).includes(method)) {
    throw new InvalidRequestError(
      `--method must be ${FORECAST_METHOD_CHOICES.join(' or ')}, got "${method}"`,
    );
  }
  return method as ForecastMethodChoice;
}

/** The model, or `auto` over it. */
export function forecasterFor(
  method: ForecastMethodChoice,
  model: ForecastModelPort,
): ForecastModelPort {
  return method === 'auto' ? new AutoMethodForecaster(model, new AugursSeasonalBaseline()) : model;
}

/** With `auto`, the forecast layout plus a last `method` column (model, mstl or ets). */
export function withMethodColumn(
  layout: CsvLayout<ForecastRow>,
  method: ForecastMethodChoice,
): CsvLayout<MethodForecastRow> {
  if (method !== 'auto') return layout;
  return {
    header: [...layout.header, 'method'],
    toRow: (r) => [...layout.toRow(r), r.method ?? 'model'],
  };
}

const METHOD_NAMES = { ets: 'AutoETS', model: 'model', mstl: 'MSTL+AutoETS' } as const;

/** `methods (auto): model 3, MSTL+AutoETS 5, AutoETS 1 — see the method column`, or undefined. */
export function methodsNote(summary: ForecastSummary): string | undefined {
  const m = summary.methods;
  if (!m) return undefined;
  const parts = (['model', 'mstl', 'ets'] as const)
    .filter((k) => (m[k] ?? 0) > 0)
    .map((k) => `${METHOD_NAMES[k]} ${m[k]}`);
  return `methods (auto, each series' better on its own last min(horizon, context/4) values): ${parts.join(', ')}; the method column says which made each row`;
}
