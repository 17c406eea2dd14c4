import { SIGNAL_NAMES } from '@fleetfm/domain';

/**
 * Signal id of a channel for the model's signal embedding: 1 + the index in `SIGNAL_NAMES`
 * (sorted, so ids are stable), 0 for anything else (synthetic `value`, user CSV columns).
 */
export function signalIdOf(channel: string): number {
  const i = (SIGNAL_NAMES as readonly string[]).indexOf(channel);
  return i < 0 ? 0 : i + 1;
}

/** Ids 0 … SIGNAL_NAMES.length are used; a model needs at least this many signal slots. */
export const SIGNAL_ID_COUNT = SIGNAL_NAMES.length + 1;
