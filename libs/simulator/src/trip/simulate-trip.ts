import { SIGNAL_NAMES, type SignalName } from '@fleetfm/domain';
import type { DriverStyle } from '../driver/driver-style';
import { VehicleModel } from '../physics/vehicle.model';
import type { EnergySummary } from '../physics/energy-ledger';
import type { VehicleParams } from '../physics/vehicle-params';
import { traceDurationS, type SpeedTrace } from '../traces/speed-trace';
import { TripRunner } from './trip-runner';
import { readSignals } from './read-signals';

export interface SimulateTripOptions {
  readonly vehicle: VehicleParams;
  /** The driver's style for this trip (apply `tripStyle` first for per-trip variation). */
  readonly driver: DriverStyle;
  readonly cycle: SpeedTrace;
  /** Samples per second. Default 10. */
  readonly rateHz?: number;
  /** Physics steps per sample. Default 1. */
  readonly substeps?: number;
  /** Battery state of charge at the start, 0..1. Default: the vehicle's `initialSoc`. */
  readonly initialSoc?: number;
}

/** One trip as columns: `t` (s since trip start) and one Float32Array per signal. */
export interface TripColumns {
  readonly length: number;
  readonly rateHz: number;
  readonly t: Float64Array;
  readonly signals: Readonly<Record<SignalName, Float32Array>>;
  readonly energy: EnergySummary;
  readonly finalSoc: number;
}

/**
 * Simulates a whole trip in memory into preallocated columns: the fast path for building
 * training corpora (no objects per sample). Deterministic: the result depends only on the
 * options (the driver's randomness is in their style, drawn by the caller from a seed).
 */
export function simulateTrip(options: SimulateTripOptions): TripColumns {
  const rateHz = options.rateHz ?? 10;
  const dt = 1 / rateHz;
  const vehicle = new VehicleModel(options.vehicle, options.initialSoc);
  const runner = new TripRunner(options.cycle, vehicle, options.driver, dt, options.substeps ?? 1);
  // The trace length plus the stop grace period bounds the trip; trimmed at the end.
  const capacity = Math.ceil((traceDurationS(options.cycle) + 61) * rateHz) + 1;
  const t = new Float64Array(capacity);
  const columns = Object.fromEntries(
    SIGNAL_NAMES.map((name) => [name, new Float32Array(capacity)]),
  ) as Record<SignalName, Float32Array>;
  const values = new Float64Array(SIGNAL_NAMES.length);
  const cols = SIGNAL_NAMES.map((name) => columns[name]);
  let n = 0;
  readSignals(runner, values);
  writeRow(cols, values, n, t, 0);
  n++;
  while (!runner.done && n < capacity) {
    runner.tick();
    readSignals(runner, values);
    writeRow(cols, values, n, t, runner.t);
    n++;
  }
  const trimmed = Object.fromEntries(
    SIGNAL_NAMES.map((name) => [name, columns[name].subarray(0, n)]),
  ) as Record<SignalName, Float32Array>;
  return {
    length: n,
    rateHz,
    t: t.subarray(0, n),
    signals: trimmed,
    energy: vehicle.ledger.snapshot(),
    finalSoc: vehicle.soc,
  };
}

function writeRow(
  cols: readonly Float32Array[],
  values: Float64Array,
  row: number,
  t: Float64Array,
  time: number,
): void {
  t[row] = time;
  for (let c = 0; c < cols.length; c++) cols[c][row] = values[c];
}
