import type { ForecastModelPort } from '@fleetfm/forecasting';

/** Injection token of the model the API serves (absent when no checkpoint was found). */
export const SERVING_MODEL = Symbol('SERVING_MODEL');

export interface ServingModel {
  /** The loaded model, or undefined with `reason` saying why there is none. */
  readonly port?: ForecastModelPort;
  readonly reason?: string;
}
