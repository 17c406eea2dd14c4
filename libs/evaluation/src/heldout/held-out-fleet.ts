import { NotFoundError, type SignalName } from '@fleetfm/domain';
import {
  loadTraceLibrary,
  Prng,
  sampleDriverStyle,
  sampleVehicle,
  simulateTrip,
  traceDurationS,
  tripStyle,
  VEHICLE_PRESET_NAMES,
  type SpeedTrace,
  type TraceLibrary,
} from '@fleetfm/simulator';

/** Seed of the evaluation fleet. Training fleets draw from the corpus seed (default 42). */
export const EVAL_FLEET_SEED = 20_250_917;

export interface HeldOutTrip {
  /** `eval-veh-3/eval-drv-7/udds#2@10Hz`. */
  readonly id: string;
  readonly driverId: string;
  readonly vehicleId: string;
  readonly scenario: string;
  readonly rateHz: number;
  readonly signals: Readonly<Record<SignalName, Float32Array>>;
}

export interface HeldOutFleetOptions {
  readonly drivers: number;
  readonly tripsPerDriver: number;
  readonly rateHz: number;
  /** Routes shorter than this are not driven (so every trip holds a whole segment), s. */
  readonly minRouteS?: number;
  readonly vehicles?: number;
  readonly seed?: number;
  readonly library?: TraceLibrary;
  readonly dataDir?: string;
}

/**
 * Trips of an evaluation fleet that shares nothing with the training fleet: its drivers and
 * vehicles are drawn from their own seed (`EVAL_FLEET_SEED`) and named `eval-drv-*` /
 * `eval-veh-*` (training uses `sim-drv-*` / `sim-veh-*` from the corpus seed), so neither their
 * styles nor their ids were ever seen in training. Each trip picks a scenario uniformly (every
 * long-enough cycle, or `real` for a GPS trace) so that scenario labels are balanced.
 */
export function simulateHeldOutFleet(options: HeldOutFleetOptions): HeldOutTrip[] {
  const root = new Prng(options.seed ?? EVAL_FLEET_SEED);
  const library = options.library ?? loadTraceLibrary(options.dataDir);
  const minRoute = options.minRouteS ?? 0;
  const long = (t: SpeedTrace): boolean => traceDurationS(t) >= minRoute;
  const cycles = library.cycles.filter((c) => c.scenario !== 'accel' && long(c));
  const gps = library.gpsTrips.filter(long);
  const scenarios = [...cycles.map((c) => c.scenario), ...(gps.length > 0 ? ['real'] : [])];
  if (scenarios.length === 0) {
    throw new NotFoundError(
      `no drive cycle or GPS route of at least ${minRoute} s to simulate the evaluation fleet on`,
    );
  }
  const vehicles = Array.from({ length: options.vehicles ?? 8 }, (_, i) => ({
    id: `eval-veh-${i}`,
    params: sampleVehicle(
      VEHICLE_PRESET_NAMES[i % VEHICLE_PRESET_NAMES.length],
      root.fork('vehicle', i),
    ),
  }));
  const trips: HeldOutTrip[] = [];
  for (let j = 0; j < options.drivers; j++) {
    const driverId = `eval-drv-${j}`;
    const style = sampleDriverStyle(root.fork('driver', j));
    for (let k = 0; k < options.tripsPerDriver; k++) {
      const rng = root.fork('trip', j, k);
      const scenario = rng.pick(scenarios);
      const trace =
        scenario === 'real' ? rng.pick(gps) : cycles.find((c) => c.scenario === scenario);
      const vehicle = rng.pick(vehicles);
      const columns = simulateTrip({
        cycle: trace as SpeedTrace,
        driver: tripStyle(style, rng.fork('style')),
        rateHz: options.rateHz,
        vehicle: vehicle.params,
      });
      trips.push({
        driverId,
        id: `${vehicle.id}/${driverId}/${scenario}#${k}@${options.rateHz}Hz`,
        rateHz: options.rateHz,
        scenario,
        signals: columns.signals,
        vehicleId: vehicle.id,
      });
    }
  }
  return trips;
}
