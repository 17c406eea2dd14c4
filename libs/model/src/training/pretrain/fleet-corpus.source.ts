import { ValidationError } from '@fleetfm/domain';
import { simulatedTripSeries, type CorpusSeriesInput } from '@fleetfm/datasets';
import {
  Prng,
  VEHICLE_PRESET_NAMES,
  loadTraceLibrary,
  proceduralRoute,
  sampleDriverStyle,
  sampleVehicle,
  simulateTrip,
  tripStyle,
  type SpeedTrace,
} from '@fleetfm/simulator';

/** Share of the simulated corpus fleet's trips that follow a real GPS route. */
export const DEFAULT_REAL_ROUTE_SHARE = 0.4;

export interface FleetCorpusOptions {
  /** Simulated driving time to generate, hours. Default 40. */
  readonly hours?: number;
  /** Distinct vehicles (sampled from the presets with unit-to-unit variation). Default 48. */
  readonly vehicles?: number;
  /** Distinct drivers. Default 64. */
  readonly drivers?: number;
  /** Sample rates to draw a trip's rate from, Hz. Default [1, 1, 2, 10] (mostly 1 Hz). */
  readonly ratesHz?: readonly number[];
  /** Share of trips following a real GPS trace rather than a standard cycle. Default 0.4. */
  readonly gpsShare?: number;
  /** Holds `drive-cycles/` and `cmap-gps/`. Default: the shared data folder. */
  readonly dataDir?: string;
  /**
   * Which real GPS traces trips may follow, by the trace's CMAP vehicle folder. Default all.
   * `buildPretrainCorpus` keeps the train-split vehicles only, so that simulated trips never
   * replay the speed profile of a validation or test vehicle.
   */
  readonly gpsVehicleFilter?: (vehicleId: string) => boolean;
  /** Drive cycles (by name) that trips never follow. Default none. */
  readonly heldOutCycles?: readonly string[];
  /**
   * Share of trips on a procedurally generated route (`proceduralRoute`: a random street network
   * with limits, stop signs, lights, turns and congestion), each route new; the other trips
   * split between GPS routes and cycles by `gpsShare`. Default 0: the fleet as before, draw for draw.
   */
  readonly proceduralShare?: number;
}

/** The CMAP vehicle folder of a GPS speed trace named `gps:<vehicle>/<date>#<trip>`. */
export function gpsTraceVehicle(traceName: string): string {
  const name = traceName.startsWith('gps:') ? traceName.slice(4) : traceName;
  const slash = name.indexOf('/');
  return slash < 0 ? name : name.slice(0, slash);
}

/**
 * The simulated part of the pretraining corpus, as a `buildCorpus` simulator source: trips of
 * many driver × vehicle pairs over the standard cycles and real GPS speed traces, simulated
 * whole with `simulateTrip` (no per-sample objects), every signal a series. Stops once the
 * requested driving time is reached. Deterministic in the seed.
 */
export function fleetCorpusSource(
  options: FleetCorpusOptions = {},
): (seed: number) => Iterable<CorpusSeriesInput> {
  return (seed) => fleetSeries(seed, options);
}

function* fleetSeries(seed: number, o: FleetCorpusOptions): Generator<CorpusSeriesInput> {
  const root = new Prng(seed);
  const library = loadTraceLibrary(o.dataDir);
  const heldOut = new Set(o.heldOutCycles ?? []);
  const cycles = library.cycles.filter((c) => c.scenario !== 'accel' && !heldOut.has(c.name));
  const keep = o.gpsVehicleFilter;
  const gps = keep
    ? library.gpsTrips.filter((t) => keep(gpsTraceVehicle(t.name)))
    : library.gpsTrips;
  const vehicles = Array.from({ length: o.vehicles ?? 48 }, (_, i) => ({
    id: `sim-veh-${i}`,
    params: sampleVehicle(
      VEHICLE_PRESET_NAMES[i % VEHICLE_PRESET_NAMES.length],
      root.fork('vehicle', i),
    ),
  }));
  const drivers = Array.from({ length: o.drivers ?? 64 }, (_, j) => ({
    id: `sim-drv-${j}`,
    style: sampleDriverStyle(root.fork('driver', j)),
  }));
  const rates = o.ratesHz ?? [1, 1, 2, 10];
  const gpsShare =
    gps.length === 0 ? 0 : cycles.length === 0 ? 1 : (o.gpsShare ?? DEFAULT_REAL_ROUTE_SHARE);
  const proceduralShare = o.proceduralShare ?? 0;
  if (!(proceduralShare >= 0 && proceduralShare <= 1)) {
    throw new ValidationError(
      `the procedural route share must be in [0, 1], got ${proceduralShare}`,
    );
  }
  const budgetS = (o.hours ?? 40) * 3600;
  if (budgetS > 0 && proceduralShare < 1 && gps.length === 0 && cycles.length === 0) {
    throw new ValidationError('no drive cycle or GPS route left for the simulated fleet to drive');
  }
  let drivenS = 0;
  for (let trip = 0; drivenS < budgetS; trip++) {
    const rng = root.fork('trip', trip);
    const vehicle = rng.pick(vehicles);
    const driver = rng.pick(drivers);
    // Its own stream, so that a share of 0 leaves every other draw of the fleet as it was.
    const procedural = proceduralShare > 0 && rng.fork('route-kind').chance(proceduralShare);
    const trace: SpeedTrace = procedural
      ? proceduralRoute(rng.fork('route'), `procedural:${seed}#${trip}`)
      : rng.chance(gpsShare)
        ? rng.pick(gps)
        : rng.pick(cycles);
    const rateHz = rng.pick(rates);
    const columns = simulateTrip({
      cycle: trace,
      driver: tripStyle(driver.style, rng.fork('style')),
      rateHz,
      vehicle: vehicle.params,
    });
    drivenS += columns.length / rateHz;
    yield* simulatedTripSeries(columns, {
      driverId: driver.id,
      scenario: trace.scenario,
      trip: `${vehicle.id}/${driver.id}/${trace.name}#${trip}@${rateHz}Hz`,
      vehicleId: vehicle.id,
    });
  }
}
