import { NotFoundError, SIGNAL_NAMES, ValidationError } from '@fleetfm/domain';
import type { CorpusManifest } from '@fleetfm/datasets';
import {
  Prng,
  VEHICLE_PRESET_NAMES,
  loadTraceLibrary,
  sampleDriverStyle,
  sampleVehicle,
  simulateTrip,
  tripStyle,
  traceDurationS,
} from '@fleetfm/simulator';
import { gpsTraceVehicle } from './fleet-corpus.source';
import { signalIdOf } from './signal-ids';

/** A forecast window: the context, the horizon that followed, the series' signal id. */
export interface ForecastWindow {
  readonly signalId: number;
  readonly context: Float32Array;
  readonly actual: Float32Array;
}

export interface HeldOutRouteWindowOptions {
  /** CMAP GPS vehicles (folder names, e.g. `4109114_1`) whose routes are driven. */
  readonly vehicles: readonly string[];
  readonly contextLength: number;
  readonly horizon: number;
  /** Holds `cmap-gps/` (and `drive-cycles/`). Default: the shared data folder. */
  readonly dataDir?: string;
  /** Simulated drivers. Default 96. */
  readonly drivers?: number;
  /** Trips per driver, each on a route drawn from the vehicles'. Default 4. */
  readonly tripsPerDriver?: number;
  /** Simulated vehicles (the presets in turn, with unit-to-unit variation). Default 16. */
  readonly simVehicles?: number;
  /** Forecast origins per series, spread from the first full context to the last. Default 10. */
  readonly origins?: number;
  /** Sample rate of the simulated trips, Hz. Default 1 (as `fleetfm eval`). */
  readonly rateHz?: number;
  readonly seed?: number;
}

export interface HeldOutRouteWindows {
  readonly windows: ForecastWindow[];
  /** Routes (GPS trips of the vehicles) long enough for one window, each trip drives one. */
  readonly routes: number;
  readonly simulatedTrips: number;
  /** Recorded GPS speed series of the vehicles, long enough for one window. */
  readonly recordedTrips: number;
}

/**
 * Forecast windows on roads a checkpoint never trained on, to fit its level blend where its
 * route memory cannot help (see `fitCheckpointLevelBlend`): a simulated fleet (every signal of
 * each trip) drives the real GPS routes of the given vehicles — a corpus' pinned validation
 * vehicles, whose routes `corpus build --validation-vehicles` keeps out of the training fleet —
 * plus those vehicles' recorded speed. Each series gives `origins` windows evenly spread from the
 * first full context to the last full horizon. Deterministic in the seed.
 */
export function heldOutRouteWindows(o: HeldOutRouteWindowOptions): HeldOutRouteWindows {
  if (o.vehicles.length === 0) throw new ValidationError('no held-out route vehicle given');
  const drivers = positive('drivers', o.drivers ?? 96);
  const tripsPerDriver = positive('tripsPerDriver', o.tripsPerDriver ?? 4);
  const simVehicles = positive('simVehicles', o.simVehicles ?? 16);
  const origins = positive('origins', o.origins ?? 10);
  const rateHz = o.rateHz ?? 1;
  if (!(rateHz > 0)) throw new ValidationError(`rateHz must be > 0, got ${rateHz}`);
  const minLength = o.contextLength + o.horizon;
  const wanted = new Set(o.vehicles);
  const theirs = loadTraceLibrary(o.dataDir).gpsTrips.filter((t) =>
    wanted.has(gpsTraceVehicle(t.name)),
  );
  const routes = theirs.filter((t) => traceDurationS(t) * rateHz >= minLength);
  // The recorded speed at its own 1 Hz, as `fleetfm eval` reads it (float32).
  const recorded = theirs
    .filter((t) => t.speedMps.length >= minLength)
    .map((t) => Float32Array.from(t.speedMps));
  if (routes.length === 0) {
    throw new NotFoundError(
      `no GPS route of ${o.vehicles.join(', ')} lasts the ${minLength} steps of one window at ${rateHz} Hz`,
      { vehicles: [...o.vehicles] },
    );
  }
  const root = new Prng(o.seed ?? 0);
  const fleet = Array.from({ length: simVehicles }, (_, i) =>
    sampleVehicle(VEHICLE_PRESET_NAMES[i % VEHICLE_PRESET_NAMES.length], root.fork('vehicle', i)),
  );
  const windows: ForecastWindow[] = [];
  for (let j = 0; j < drivers; j++) {
    const style = sampleDriverStyle(root.fork('driver', j));
    for (let k = 0; k < tripsPerDriver; k++) {
      const rng = root.fork('trip', j, k);
      const trip = simulateTrip({
        cycle: rng.pick(routes),
        driver: tripStyle(style, rng.fork('style')),
        rateHz,
        vehicle: rng.pick(fleet),
      });
      for (const name of SIGNAL_NAMES) {
        cut(trip.signals[name], signalIdOf(name), o, origins, windows);
      }
    }
  }
  for (const speed of recorded) cut(speed, signalIdOf('speed_mps'), o, origins, windows);
  return {
    recordedTrips: recorded.length,
    routes: routes.length,
    simulatedTrips: drivers * tripsPerDriver,
    windows,
  };
}

/**
 * The CMAP GPS vehicles a corpus pins to its validation split (`corpus build
 * --validation-vehicles`): its simulated fleet never drove their routes.
 */
export function pinnedValidationVehicles(manifest: CorpusManifest): string[] {
  const prefix = 'vehicle:cmap:';
  return Object.entries(manifest.split.pinned ?? {})
    .filter(([key, split]) => key.startsWith(prefix) && split === 'validation')
    .map(([key]) => key.slice(prefix.length))
    .sort();
}

/**
 * `count` forecast origins spread evenly from `first` to `last` (both included, rounded), fewer
 * when the range holds fewer steps; none when `last < first`. `fleetfm eval` places its windows
 * the same way.
 */
export function spreadOrigins(first: number, last: number, count: number): number[] {
  if (last < first) return [];
  const k = Math.min(count, last - first + 1);
  return Array.from({ length: k }, (_, i) =>
    k === 1 ? last : first + Math.round((i * (last - first)) / (k - 1)),
  );
}

function cut(
  values: Float32Array,
  signalId: number,
  o: HeldOutRouteWindowOptions,
  origins: number,
  out: ForecastWindow[],
): void {
  for (const origin of spreadOrigins(o.contextLength, values.length - o.horizon, origins)) {
    out.push({
      actual: values.slice(origin, origin + o.horizon),
      context: values.slice(origin - o.contextLength, origin),
      signalId,
    });
  }
}

function positive(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) {
    throw new ValidationError(`${name} must be a positive integer, got ${v}`);
  }
  return v;
}
