import { ForecastModelPort, type ModelForecastOptions } from '@fleetfm/forecasting';
import type { SeriesForecast } from '@fleetfm/model';
import { AnomalyDetectionService } from './anomaly-detection.service';

/** Always forecasts 0 with the 10/50/90% quantiles at -1, 0, 1. */
class ZeroModel extends ForecastModelPort {
  readonly contextLength = 8;
  readonly horizon = 4;
  readonly quantiles = [0.1, 0.5, 0.9];
  readonly batches: number[] = [];

  async forecast(
    contexts: readonly Float32Array[],
    o: ModelForecastOptions,
  ): Promise<SeriesForecast[]> {
    this.batches.push(contexts.length);
    return contexts.map(() => {
      const at = (v: number): Float32Array => new Float32Array(o.horizon).fill(v);
      return { levels: o.quantiles, mean: at(0), median: at(0), quantiles: [at(-1), at(0), at(1)] };
    });
  }
}

describe('AnomalyDetectionService', () => {
  const values = new Float32Array(30);
  values[20] = 10;
  values[25] = Number.NaN;

  it('scores forecast surprise, calibrated on the input, and leaves early rows unscored', async () => {
    const sut = new AnomalyDetectionService(new ZeroModel());
    const result = await sut.detect([{ name: 'v', values }], {
      components: ['surprise'],
      minContext: 16,
      threshold: 0.9,
    });
    const s = result.series[0];
    expect(result.calibration).toBe('input');
    expect(Array.from(s.raw.subarray(0, 16)).every(Number.isNaN)).toBe(true);
    // y = 0: (0.1·1 + 0 + 0.1·1) / 3 / width 2 = 1/30; y = 10: (1.1 + 5 + 8.1) / 3 / 2 = 71/30.
    expect(s.raw[16]).toBeCloseTo(1 / 30, 6);
    expect(s.raw[20]).toBeCloseTo(71 / 30, 5);
    expect(Number.isNaN(s.raw[25])).toBe(true);
    // Rows 16-29 less the gap: 12 at 1/30 and one at 71/30. Mid-rank CDF: 6/13 for 1/30; the
    // top 1 of 13 is the exponential tail above u = 1/30 with mean excess β = 7/3:
    // 1 - (1/13)·exp(-(71/30 - 1/30)/β) = 1 - e^-1/13.
    expect(s.scores[20]).toBeCloseTo(1 - Math.exp(-1) / 13, 6);
    expect(s.scores[16]).toBeCloseTo(6 / 13, 6);
    expect(Array.from(s.flags).reduce((a, b) => a + b, 0)).toBe(1);
    expect(s.flags[20]).toBe(1);
  });

  it('uses the checkpoint calibrator and scores `stride` rows per forecast', async () => {
    const model = new ZeroModel();
    const sut = new AnomalyDetectionService(model, { reference: [0, 1, 2, 3], threshold: 0.99 });
    const result = await sut.detect([{ name: 'v', values }], {
      batchSize: 2,
      components: ['surprise'],
      minContext: 16,
      stride: 4,
    });
    // Origins 16, 20, 24, 28 -> 4 forecasts in batches of 2.
    expect(model.batches).toEqual([2, 2]);
    const s = result.series[0];
    expect(result.calibration).toBe('checkpoint');
    // 71/30 is in the tail above u = 2 (top 1 of 4, mean excess β = 1): 1 - e^-(71/30-2) / 4.
    expect(s.scores[20]).toBeCloseTo(1 - Math.exp(-(71 / 30 - 2)) / 4, 6);
    expect(s.flags[20]).toBe(0);
  });

  it('lets a saturated forecast surprise only corroborate the other detectors (ceiling 0.999)', async () => {
    const spiky = new Float32Array(30);
    spiky[20] = 1e6;
    const sut = new AnomalyDetectionService(new ZeroModel(), {
      reference: [0, 1, 2, 3],
      threshold: 0.99,
    });
    const result = await sut.detect([{ name: 'v', values: spiky }], {
      components: ['surprise', 'stuck'],
      minContext: 16,
    });
    const s = result.series[0];
    // Surprise at row 20 is far beyond the checkpoint reference: 1 in float64, capped at 0.999
    // in the combination: p = 1e-3 (the Šidák max² gave 1). Stuck is 0 on
    // every row (0 is the resting value), mid-rank 0.5. One pair: x = 5e-4.
    expect(s.components.surprise?.[20]).toBe(1);
    expect(s.components.stuck?.[20]).toBe(0.5);
    expect(s.scores[20]).toBeCloseTo(1 - 5e-4 * (1 - Math.log(5e-4)), 9);
  });

  it('counts the braking that ends in a stop on the stopping row, not the speed left there', async () => {
    // 10 m/s, then a harsh braking (brake 90 %, −7 m/s² for one row, stopped within the next),
    // later an ordinary stop (−1 m/s², brake 30 %). Both stopping rows show the same −3 m/s² and
    // 3 m/s drop: all that was left of the speed, not how hard the vehicle braked.
    const n = 80;
    const speed = new Float32Array(n).fill(10);
    const accel = new Float32Array(n);
    const brake = new Float32Array(n);
    const at = (t: number, v: number, a: number, b: number): void => {
      [speed[t], accel[t], brake[t]] = [v, a, b];
    };
    at(30, 3, -7, 90);
    at(31, 0, -3, 90);
    for (let t = 32; t < 40; t++) at(t, 0, 0, 90);
    for (let t = 40; t < 60; t++) at(t, 10, 0, 0);
    for (let t = 60; t < 67; t++) at(t, 10 - (t - 59), -1, 30);
    at(67, 0, -3, 30);
    for (let t = 68; t < n; t++) at(t, 0, 0, 30);
    // Normal evidence spread evenly (decelerations 0-10, brake 0-100 %): nothing saturates.
    const even = (top: number): { reference: number[]; threshold: number } => ({
      reference: Array.from({ length: 41 }, (_, k) => (k * top) / 40),
      threshold: 0.99,
    });
    const sut = new AnomalyDetectionService(new ZeroModel(), undefined, {
      components: {
        braking: { accel_mps2: even(10), brake_pct: even(100), speed_mps: even(10) },
      },
      threshold: 0.99,
      version: 1,
    });
    const result = await sut.detect(
      [
        { group: 'a', name: 'speed_mps', values: speed },
        { group: 'a', name: 'accel_mps2', values: accel },
        { group: 'a', name: 'brake_pct', values: brake },
      ],
      { components: ['braking'] },
    );
    const [v, a] = result.series.map((s) => s.components.braking as Float64Array);
    // The harsh stop keeps the harsh row's evidence (the brake's and the row before's, both
    // high); the ordinary stop keeps what its own row shows (its row before is gentler still).
    expect(a[31]).toBeCloseTo(a[30], 12);
    expect(a[31]).toBeGreaterThan(a[67] + 0.3);
    expect(v[31]).toBe(a[31]);
  });
});
