import type { SignalName } from './signals';

/** Epoch milliseconds (UTC). */
export type EpochMs = number;

/** One validated sample. Signals absent from `signals` were not measured (dropout, optional). */
export interface TelemetrySample {
  readonly vehicleId: string;
  readonly driverId?: string;
  readonly ts: EpochMs;
  readonly signals: Readonly<Partial<Record<SignalName, number>>>;
}

/** Why one item of a batch was refused. `index` is the item's position in the input batch. */
export interface TelemetryItemError {
  readonly index: number;
  readonly field: string;
  readonly value: unknown;
  readonly reason: string;
}

export interface ParsedBatch {
  readonly valid: TelemetrySample[];
  /** Position of each valid sample in the input batch (same order as `valid`). */
  readonly validIndex: number[];
  readonly errors: TelemetryItemError[];
}

/** Earliest and latest timestamp accepted: anything outside is a clock or encoding fault. */
export const TS_MIN: EpochMs = Date.UTC(2000, 0, 1);
export const TS_MAX: EpochMs = Date.UTC(2100, 0, 1);

export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
