import { InvalidRequestError } from '@fleetfm/domain';

export interface OriginPlan {
  /** Rows the series has. */
  readonly length: number;
  readonly context: number;
  readonly horizon: number;
  /** Origins every `stride` rows through the history; absent = one origin after the last row. */
  readonly rolling?: { readonly stride: number };
  /** What the rows are, for errors: default `the data`; e.g. `column "m3" (file rows 2–61)`. */
  readonly subject?: string;
}

/**
 * Forecast origins as row indices: origin o conditions on rows [o - context, o) and forecasts
 * rows [o, o + horizon). Rolling: o = context, context + stride, … up to length - horizon (the
 * last origin whose horizon is still inside the data), i.e.
 * floor((length - horizon - context) / stride) + 1 origins. Otherwise one origin at `length`
 * (forecast past the end). Throws InvalidRequestError when the data is too short.
 */
export function planOrigins(plan: OriginPlan): number[] {
  const { length, context, horizon } = plan;
  const subject = plan.subject ?? 'the data';
  for (const [name, v] of [
    ['context', context],
    ['horizon', horizon],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new InvalidRequestError(`${name} must be a positive integer, got ${v}`);
    }
  }
  if (!plan.rolling) {
    if (length < context) {
      throw new InvalidRequestError(
        `${subject} has ${length} rows; --context ${context} needs at least ${context} (use --context ${length} or less)`,
        { context, length },
      );
    }
    return [length];
  }
  const { stride } = plan.rolling;
  if (!Number.isInteger(stride) || stride < 1) {
    throw new InvalidRequestError(`stride must be a positive integer, got ${stride}`);
  }
  if (length < context + horizon) {
    throw new InvalidRequestError(
      `${subject} has ${length} rows; rolling forecasts need at least context + horizon = ${context + horizon}` +
        (length > horizon
          ? ` (use --context ${length - horizon} or less)`
          : ` (use a --horizon below ${length})`),
      { context, horizon, length },
    );
  }
  const origins: number[] = [];
  for (let o = context; o + horizon <= length; o += stride) origins.push(o);
  return origins;
}
