import type { AnomalyLabelSink } from '../anomaly/label.sink';
import type { VehiclePresetName } from '../physics/vehicle-params';
import type { TraceLibrary } from '../traces/trace-library';

export interface FleetOptions {
  /** Number of vehicles, ids `veh-001`, `veh-002`, ... */
  readonly vehicles: number;
  /** Number of drivers, ids `drv-001`, ...; more than vehicles rotate between trips. Default: vehicles. */
  readonly drivers?: number;
  /** Samples per second per vehicle. Default 10. */
  readonly rateHz?: number;
  /** Simulated seconds per wall second for `streamFleet`; `'max'` = as fast as possible. Default 1. */
  readonly timeScale?: number | 'max';
  /** Everything random derives from it. Default 42. */
  readonly seed?: number;
  /** Mean anomalies per vehicle per second (e.g. 0.002 = one per ~8 min). Default 0. */
  readonly anomalyRate?: number;
  /** Timestamp of the first tick, epoch ms. Default 2025-01-01T00:00:00Z (reproducible). */
  readonly startTs?: number;
  /** Shared data folder with `drive-cycles/` and `cmap-gps/`. Default `../shared/data`. */
  readonly dataDir?: string;
  /** A preloaded library (tests, many simulators); overrides `dataDir`. */
  readonly library?: TraceLibrary;
  /** Receives anomaly labels and trip logs. Default: none kept. */
  readonly labelSink?: AnomalyLabelSink;
  /** Physics steps per sample. Default 1. */
  readonly substeps?: number;
  /** Cycle scenarios to drive. Default every cycle except `accel` (a full-throttle test). */
  readonly cycles?: readonly string[];
  /** Share of trips that follow a real GPS trace instead of a cycle, 0..1. Default 0.5. */
  readonly gpsShare?: number;
  /** Presets assigned round-robin to vehicles. Default compact, midsize, suv, van. */
  readonly presets?: readonly VehiclePresetName[];
}

export const DEFAULT_START_TS = Date.UTC(2025, 0, 1);
