import { SIGNAL_NAMES, SIGNALS } from '@fleetfm/domain';
import type { ValueBounds } from '@fleetfm/model';

/**
 * The values a known telemetry signal can take (`SIGNALS` min/max: a speed is never negative, a
 * pedal never above 100 %), by signal id; undefined for unknown signals (id 0) and ids outside
 * the table. The forecaster clamps every quantile into them: for an actual value inside the
 * range, clamping a quantile towards it never makes its quantile loss worse.
 */
export function signalBounds(signalId: number | undefined): ValueBounds | undefined {
  const name = signalId !== undefined && signalId > 0 ? SIGNAL_NAMES[signalId - 1] : undefined;
  if (!name) return undefined;
  const { min, max } = SIGNALS[name];
  return { max, min };
}

/**
 * A series of unknown kind whose history touches zero and never goes below it (counts,
 * intermittent demand, rainfall, power that switches off) is a non-negative quantity: its
 * forecast is held at ≥ 0. A history that stays above zero proves nothing (a temperature can
 * cross it), so it gets no bound.
 */
export function contextBounds(context: ArrayLike<number>): ValueBounds | undefined {
  let min = Infinity;
  for (let i = 0; i < context.length; i++) {
    const v = context[i];
    if (Number.isFinite(v) && v < min) min = v;
  }
  return min === 0 ? { max: Infinity, min: 0 } : undefined;
}
