import { evaluateAnomalies } from '@fleetfm/evaluation';
import { ForecastModelPort, type ModelForecastOptions } from '@fleetfm/forecasting';
import type { SeriesForecast } from '@fleetfm/model';
import { SIGNAL_NAMES } from '@fleetfm/domain';
import { FleetSimulator } from '@fleetfm/simulator';
import { AnomalyDetectionService } from './anomaly-detection.service';
import { fitModelFreeCalibration, type GroupedSeries } from './detector-components';

/** An anomaly-free simulated fleet at 1 Hz, one group per vehicle (seeded). */
function normalFleet(vehicles: number, ticks: number): GroupedSeries[] {
  const sim = new FleetSimulator({ anomalyRate: 0, rateHz: 1, seed: 12, vehicles });
  const cols = sim.vehicles.map(() => SIGNAL_NAMES.map(() => new Float32Array(ticks)));
  for (let t = 0; t < ticks; t++) {
    sim.step().forEach((s, v) => {
      SIGNAL_NAMES.forEach((n, j) => (cols[v][j][t] = s.signals[n] ?? Number.NaN));
    });
  }
  void sim.close();
  return sim.vehicles.flatMap((veh, v) =>
    SIGNAL_NAMES.map((n, j) => ({ group: veh.vehicleId, name: n, values: cols[v][j] })),
  );
}

/**
 * A persistence forecaster: the median is the last observed value, the band ± the mean absolute
 * one-row change of the context times the normal quantile. A stand-in for the trained model.
 */
class PersistenceModel extends ForecastModelPort {
  readonly contextLength = 32;
  readonly horizon = 4;
  readonly quantiles = [0.1, 0.5, 0.9];

  async forecast(
    contexts: readonly Float32Array[],
    o: ModelForecastOptions,
  ): Promise<SeriesForecast[]> {
    return contexts.map((c) => {
      const finite = Array.from(c).filter(Number.isFinite);
      const last = finite.length > 0 ? finite[finite.length - 1] : 0;
      let step = 0;
      for (let i = 1; i < finite.length; i++) step += Math.abs(finite[i] - finite[i - 1]);
      const w = Math.max(step / Math.max(finite.length - 1, 1), 1e-3) * 1.2816;
      const at = (v: number): Float32Array => new Float32Array(o.horizon).fill(v);
      return {
        levels: o.quantiles,
        mean: at(last),
        median: at(last),
        quantiles: [at(last - w), at(last), at(last + w)],
      };
    });
  }
}

describe('multi-detector anomaly score', () => {
  it('beats forecast surprise alone on a seeded simulated fleet', async () => {
    const calibration = fitModelFreeCalibration(normalFleet(4, 600));
    const service = new AnomalyDetectionService(new PersistenceModel(), undefined, calibration);
    const o = { anomalyRate: 0.03, durationS: 600, rateHz: 1, seed: 11, stride: 4, vehicles: 4 };
    const surprise = await evaluateAnomalies(service, { ...o, components: ['surprise'] });
    const all = await evaluateAnomalies(service, o);
    // Measured: surprise alone 0.124, combined 0.359 (chance 0.040).
    expect(all.positives).toBeGreaterThan(50);
    expect(all.aucPr).toBeGreaterThan(surprise.aucPr + 0.1);
    expect(all.aucPr).toBeGreaterThan(5 * all.chanceAucPr);
  }, 60_000);

  it('scores a frozen signal of a moving vehicle high, and a speed of 0 at a stop low', async () => {
    const n = 200;
    const speed = Float32Array.from({ length: n }, (_, t) =>
      t < 100 ? 0 : 10 + 3 * Math.sin(t / 7),
    );
    const pedal = Float32Array.from({ length: n }, (_, t) =>
      t < 100 ? 0 : 30 + 10 * Math.sin(t / 5) + (t % 3),
    );
    for (let t = 150; t < 180; t++) pedal[t] = pedal[149];
    const r = await new AnomalyDetectionService(new PersistenceModel()).detect(
      [
        { group: 'v', name: 'speed_mps', values: speed },
        { group: 'v', name: 'pedal_pct', values: pedal },
      ],
      { components: ['stuck'] },
    );
    const [s, p] = r.series;
    // Input calibration (mid-rank ECDF); pedal 0 at the stop is its minimum, a resting value.
    // Row 160 repeats its value for the 11th row (L = 11); 164 of the 184 scored rows have less.
    expect(p.scores[160]).toBeCloseTo(164.5 / 184, 9);
    expect(Math.min(...Array.from(p.scores.subarray(160, 180)))).toBe(p.scores[160]);
    expect(Math.max(...Array.from(s.scores.subarray(16, 100)))).toBeLessThan(0.6);
  });

  it('scores a lone series (a one-column CSV) without the cross-signal components', async () => {
    const values = Float32Array.from({ length: 120 }, (_, t) => 10 + Math.sin(t / 4));
    values[60] = 40;
    const r = await new AnomalyDetectionService(new PersistenceModel()).detect([
      { name: 'x', values },
    ]);
    const s = r.series[0];
    expect(Object.keys(s.components).sort()).toEqual(['spike', 'stuck', 'surprise']);
    const scored = Array.from(s.scores.subarray(16));
    expect(scored.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(Math.max(...scored)).toBe(s.scores[60]);
    // Self-calibrated on 104 rows, the top row of a component scores at most 1 - e^-1/104, so
    // three components give at most (1 - e^-1/104)^3 ≈ 0.9894: under the default 0.99 threshold.
    expect(s.scores[60]).toBeGreaterThan(0.98);
  });
});
