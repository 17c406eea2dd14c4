import { SIGNAL_NAMES } from '@fleetfm/domain';

/**
 * The model's signal id of a column: 1 + its index in `SIGNAL_NAMES` when it is named like a
 * telemetry signal (the convention the pretraining corpus uses), else 0 (unknown).
 */
export function signalIdOf(name: string): number {
  return (SIGNAL_NAMES as readonly string[]).indexOf(name) + 1;
}
