import { SIGNAL_NAMES } from '@fleetfm/domain';
import { FleetSimulator, type TraceLibrary } from '@fleetfm/simulator';
import type { GroupedSeries } from './detector-components';

/** Seed of the calibration fleet: its own, neither the evaluation's nor the training corpus'. */
export const NORMAL_FLEET_SEED = 777;

/**
 * A simulated fleet without injected anomalies, 1 Hz, one group per vehicle: what the model-free
 * detectors are calibrated on (`fleetfm calibrate`, bench/anomaly).
 */
export function simulateNormalFleet(
  library: TraceLibrary,
  vehicles: number,
  durationS: number,
  seed: number = NORMAL_FLEET_SEED,
): GroupedSeries[] {
  const sim = new FleetSimulator({ anomalyRate: 0, library, rateHz: 1, seed, vehicles });
  const cols = sim.vehicles.map(() => SIGNAL_NAMES.map(() => new Float32Array(durationS)));
  for (let t = 0; t < durationS; t++) {
    sim.step().forEach((s, v) => {
      SIGNAL_NAMES.forEach((n, j) => (cols[v][j][t] = s.signals[n] ?? Number.NaN));
    });
  }
  void sim.close();
  return sim.vehicles.flatMap((veh, v) =>
    SIGNAL_NAMES.map((n, j) => ({ group: veh.vehicleId, name: n, values: cols[v][j] })),
  );
}
