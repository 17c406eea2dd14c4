import type { SpeedTrace, TraceLibrary } from '@fleetfm/simulator';

/** The routes of the trace library split by whether a checkpoint's weights trained on them. */
export interface RouteSplit {
  /** Never trained on: held-out cycles and the real GPS routes of held-out vehicles. */
  readonly heldOut: TraceLibrary;
  /** Standard cycles the simulated training fleet drove (reported apart, not the target). */
  readonly seen: TraceLibrary;
  readonly heldOutCycles: readonly string[];
  readonly heldOutGpsRoutes: number;
}

/**
 * The drive cycles a checkpoint never trained on, as its manifest records them
 * (`extra.heldOutCycles`, written by `fleetfm train` from the corpus and any checkpoint it
 * started from). A checkpoint that does not record them held out none.
 */
export function checkpointHeldOutCycles(
  extra: Readonly<Record<string, unknown>> | undefined,
): string[] {
  const v = extra?.heldOutCycles;
  return Array.isArray(v) ? v.filter((c): c is string => typeof c === 'string') : [];
}

/** `gps:<vehicle>/<date>#<trip>` → `<vehicle>`. */
function gpsRouteVehicle(trace: SpeedTrace): string {
  const name = trace.name.startsWith('gps:') ? trace.name.slice(4) : trace.name;
  const slash = name.indexOf('/');
  return slash < 0 ? name : name.slice(0, slash);
}

/**
 * Splits the routes for the forecasting evaluation. The simulated training fleet drives the
 * standard cycles except the held-out ones, and the GPS speed traces of train-split vehicles only
 * (see `buildPretrainCorpus`), so the routes no weight has seen are the held-out cycles and the
 * traces of the held-out (test-split) GPS vehicles.
 */
export function splitRoutes(
  library: TraceLibrary,
  heldOutCycles: readonly string[],
  heldOutGpsVehicles: readonly string[],
): RouteSplit {
  const cycles = new Set(heldOutCycles);
  const vehicles = new Set(heldOutGpsVehicles);
  const gpsTrips = library.gpsTrips.filter((t) => vehicles.has(gpsRouteVehicle(t)));
  return {
    heldOut: { cycles: library.cycles.filter((c) => cycles.has(c.name)), gpsTrips },
    heldOutCycles: library.cycles.filter((c) => cycles.has(c.name)).map((c) => c.name),
    heldOutGpsRoutes: gpsTrips.length,
    seen: { cycles: library.cycles.filter((c) => !cycles.has(c.name)), gpsTrips: [] },
  };
}
