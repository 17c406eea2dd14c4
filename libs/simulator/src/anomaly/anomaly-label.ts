import type { SignalName } from '@fleetfm/domain';

export type AnomalyKind = 'spike' | 'stuck' | 'dropout' | 'drift' | 'harsh_braking';

export const ANOMALY_KINDS: readonly AnomalyKind[] = [
  'spike',
  'stuck',
  'dropout',
  'drift',
  'harsh_braking',
];

/** Ground truth of one injected anomaly; timestamps of the first and last affected sample. */
export interface AnomalyLabel {
  readonly vehicleId: string;
  readonly driverId?: string;
  readonly tripId?: string;
  readonly kind: AnomalyKind;
  /** The corrupted signal (sensor faults); absent for manoeuvres (harsh braking). */
  readonly signal?: SignalName;
  readonly startTs: number;
  readonly endTs: number;
}

/** Ground truth of one trip: who drove, what scenario, how far, how much energy. */
export interface TripLog {
  readonly tripId: string;
  readonly vehicleId: string;
  readonly driverId: string;
  readonly vehiclePreset: string;
  /** Cycle name (`udds`, `us06`, ...) or `real` for GPS traces. */
  readonly scenario: string;
  /** The exact trace, e.g. `udds` or `gps:4033363_3/2007-08-20#2`. */
  readonly traceName: string;
  readonly startTs: number;
  readonly endTs: number;
  readonly distanceM: number;
  /** Energy at the battery terminals, Wh. */
  readonly batteryWh: number;
  readonly startSocPct: number;
  readonly endSocPct: number;
  /** False when the simulation stopped before the trip ended. */
  readonly complete: boolean;
}
