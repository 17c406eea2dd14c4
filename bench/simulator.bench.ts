import {
  FleetSimulator,
  Prng,
  VEHICLE_PRESETS,
  findTrace,
  loadTraceLibrary,
  sampleDriverStyle,
  simulateTrip,
} from '@fleetfm/simulator';
import { median, type Benchmark, type BenchResult } from './harness';

const REPEATS = 7;

/** Simulated samples per second: the columnar corpus path and the object-per-sample fleet path. */
const bench: Benchmark = {
  name: 'simulator',
  description: 'simulateTrip physics loop and FleetSimulator.step, simulated samples per second',
  async run(): Promise<BenchResult> {
    const library = loadTraceLibrary();
    const cycles = ['udds', 'hwfet', 'us06', 'wltc_3b'].map((n) => findTrace(library, n));
    const driver = sampleDriverStyle(new Prng(1));
    const trip = (): number => {
      let n = 0;
      for (const cycle of cycles) {
        n += simulateTrip({ vehicle: VEHICLE_PRESETS.midsize, driver, cycle, rateHz: 10 }).length;
      }
      return n;
    };
    trip(); // warm-up (JIT)
    const tripRates: number[] = [];
    let tripSamples = 0;
    for (let r = 0; r < REPEATS; r++) {
      const t0 = process.hrtime.bigint();
      tripSamples = trip();
      tripRates.push(tripSamples / (Number(process.hrtime.bigint() - t0) / 1e9));
    }

    const fleetTicks = 3000;
    const fleetRates: number[] = [];
    for (let r = 0; r < REPEATS; r++) {
      const sim = new FleetSimulator({ vehicles: 20, library, anomalyRate: 0.002, seed: r });
      const t0 = process.hrtime.bigint();
      let n = 0;
      for (let k = 0; k < fleetTicks; k++) n += sim.step().length;
      fleetRates.push(n / (Number(process.hrtime.bigint() - t0) / 1e9));
    }
    const tripRate = median(tripRates);
    return {
      name: 'simulator',
      metrics: [
        {
          metric: 'simulateTrip samples/s (median)',
          value: tripRate,
          unit: 'samples/s',
          target: '>= 1,000,000',
          pass: tripRate >= 1_000_000,
        },
        {
          metric: 'FleetSimulator.step samples/s (median)',
          value: median(fleetRates),
          unit: 'samples/s',
        },
      ],
      meta: {
        repeats: REPEATS,
        tripSamplesPerRepeat: tripSamples,
        fleetVehicles: 20,
        fleetTicks,
        rateHz: 10,
      },
    };
  },
};

export default bench;
