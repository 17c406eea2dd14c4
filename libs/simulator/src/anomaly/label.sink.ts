import type { AnomalyLabel, TripLog } from './anomaly-label';

/**
 * Where ground truth goes: injected anomalies and trip records. An abstract class so that it
 * doubles as a Nest injection token. Writes are fire-and-forget on the simulation path (the
 * simulator must not await per tick); `close` flushes.
 */
export abstract class AnomalyLabelSink {
  abstract writeAnomaly(label: AnomalyLabel): void;
  abstract writeTrip(trip: TripLog): void;
  abstract close(): Promise<void>;
}

/** Keeps everything in arrays: for tests and in-process evaluation. */
export class InMemoryLabelSink extends AnomalyLabelSink {
  readonly anomalies: AnomalyLabel[] = [];
  readonly trips: TripLog[] = [];

  writeAnomaly(label: AnomalyLabel): void {
    this.anomalies.push(label);
  }

  writeTrip(trip: TripLog): void {
    this.trips.push(trip);
  }

  async close(): Promise<void> {}
}
