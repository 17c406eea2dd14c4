import type { SignalName } from '@fleetfm/domain';
import {
  Prng,
  deriveSeed,
  sampleDriverStyle,
  sampleVehicle,
  simulateTrip,
  traceDurationS,
  tripStyle,
  VEHICLE_PRESET_NAMES,
  type SpeedTrace,
  type TraceLibrary,
} from '@fleetfm/simulator';

/**
 * Seeds the evaluation draws its held-out drivers from (`EVAL_FLEET_SEED` in
 * @fleetfm/evaluation, and +1 for its forecasting fleet). The training fleet must never use them.
 */
export const RESERVED_EVAL_SEEDS: readonly number[] = [20_250_917, 20_250_918];

/** The channels the driver-ID evaluation embeds. */
export const STYLE_CHANNELS: readonly SignalName[] = [
  'speed_mps',
  'accel_mps2',
  'pedal_pct',
  'brake_pct',
  'motor_torque_nm',
];

export interface StyleTrip {
  /** `ft-drv-3/us06#1`. */
  readonly id: string;
  readonly driver: number;
  readonly trip: number;
  /** Index into `StyleFleet.scenarios`. */
  readonly scenario: number;
  readonly signals: Readonly<Record<SignalName, Float32Array>>;
}

export interface StyleFleet {
  readonly trips: readonly StyleTrip[];
  readonly drivers: number;
  readonly scenarios: readonly string[];
  /** Root seed of the fleet (derived from the run seed, never an evaluation seed). */
  readonly seed: number;
}

export interface StyleFleetOptions {
  readonly drivers: number;
  readonly tripsPerDriver: number;
  readonly rateHz: number;
  /** Run seed; the fleet's root is `deriveSeed(seed, 'style-fleet')`. */
  readonly seed: number;
  readonly library: TraceLibrary;
  /** Routes shorter than this are not driven, s. */
  readonly minRouteS: number;
  readonly vehicles?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * A labelled training fleet for the style stage, built like the evaluation's held-out fleet
 * (each trip: a uniformly drawn scenario, a random vehicle, the driver's style perturbed per trip)
 * but from its own seed, with `ft-drv-*` ids: different people from the `eval-drv-*` drivers.
 */
export function simulateStyleFleet(o: StyleFleetOptions): StyleFleet {
  const seed = deriveSeed(o.seed, 'style-fleet');
  if (RESERVED_EVAL_SEEDS.includes(seed)) {
    throw new Error(`style fleet seed ${seed} is an evaluation seed; pick another --seed`);
  }
  const root = new Prng(seed);
  const long = (t: SpeedTrace): boolean => traceDurationS(t) >= o.minRouteS;
  const cycles = o.library.cycles.filter((c) => c.scenario !== 'accel' && long(c));
  const gps = o.library.gpsTrips.filter(long);
  const scenarios = [
    ...new Set([...cycles.map((c) => c.scenario), ...(gps.length > 0 ? ['real'] : [])]),
  ];
  const vehicles = Array.from({ length: o.vehicles ?? 8 }, (_, i) =>
    sampleVehicle(VEHICLE_PRESET_NAMES[i % VEHICLE_PRESET_NAMES.length], root.fork('vehicle', i)),
  );
  const trips: StyleTrip[] = [];
  const total = o.drivers * o.tripsPerDriver;
  for (let d = 0; d < o.drivers; d++) {
    const style = sampleDriverStyle(root.fork('driver', d));
    for (let k = 0; k < o.tripsPerDriver; k++) {
      const rng = root.fork('trip', d, k);
      const scenario = rng.pick(scenarios);
      const trace =
        scenario === 'real'
          ? rng.pick(gps)
          : rng.pick(cycles.filter((c) => c.scenario === scenario));
      const columns = simulateTrip({
        cycle: trace,
        driver: tripStyle(style, rng.fork('style')),
        rateHz: o.rateHz,
        vehicle: rng.pick(vehicles),
      });
      trips.push({
        driver: d,
        id: `ft-drv-${d}/${scenario}#${k}`,
        scenario: scenarios.indexOf(scenario),
        signals: columns.signals,
        trip: k,
      });
      o.onProgress?.(trips.length, total);
    }
  }
  return { drivers: o.drivers, scenarios, seed, trips };
}

/** What a finetune records of the fleet it trained on (manifest / sidecar `extra`). */
export function styleFleetSummary(fleet: StyleFleet): Record<string, unknown> {
  return {
    drivers: fleet.drivers,
    idPrefix: 'ft-drv-',
    scenarios: fleet.scenarios,
    seed: fleet.seed,
    trips: fleet.trips.length,
  };
}
