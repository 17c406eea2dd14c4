import type { MethodCounts } from '@fleetfm/forecasting';
import type { ChannelScores, MethodScores } from './forecast.task';

/** `auto`'s scores on one evaluation: the same windows and ratios as the model's. */
export interface AutoMethodScores extends MethodScores {
  /** Forecasts (windows) made with each method. */
  readonly choices: MethodCounts;
  /** Relative MASE / WQL by channel (driving) or family (zero-shot guard). */
  readonly byGroup: Readonly<
    Record<string, Pick<ChannelScores, 'relativeMase' | 'relativeWql' | 'windows'>>
  >;
}

/**
 * The per-series method choice (`AutoMethodForecaster`) scored beside the model: not one of the
 * issue's targets, which stay judged on the model alone.
 */
export interface AutoMethodReport {
  readonly description: string;
  /** The statistical forecaster `auto` chooses against. */
  readonly statistical: string;
  readonly forecasting: AutoMethodScores;
  readonly zeroShot?: AutoMethodScores;
  readonly elapsedS: number;
}

/** `auto`'s scores from a task result (model slot = `auto`) and its choice counts. */
export function autoScores(
  result: { readonly fleetfm: MethodScores },
  groups: Readonly<Record<string, ChannelScores>>,
  choices: MethodCounts,
): AutoMethodScores {
  const byGroup: Record<
    string,
    Pick<ChannelScores, 'relativeMase' | 'relativeWql' | 'windows'>
  > = {};
  for (const [g, s] of Object.entries(groups)) {
    byGroup[g] = { relativeMase: s.relativeMase, relativeWql: s.relativeWql, windows: s.windows };
  }
  return { ...result.fleetfm, byGroup, choices };
}
