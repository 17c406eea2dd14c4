import { SIGNAL_NAMES } from '@fleetfm/domain';
import {
  BENCHMARK_FAMILIES,
  heldOutBenchmarkSeries,
  type BenchmarkFamily,
  type BenchmarkSeries,
} from './held-out-benchmark';

/** Sample autocorrelation of xs at `lag`. */
function acf(xs: ArrayLike<number>, lag: number): number {
  const n = xs.length;
  let mean = 0;
  for (let t = 0; t < n; t++) mean += xs[t];
  mean /= n;
  let num = 0;
  let den = 0;
  for (let t = 0; t < n; t++) {
    den += (xs[t] - mean) ** 2;
    if (t >= lag) num += (xs[t] - mean) * (xs[t - lag] - mean);
  }
  return num / den;
}

const diff = (xs: ArrayLike<number>): number[] =>
  Array.from({ length: xs.length - 1 }, (_, t) => xs[t + 1] - xs[t]);

describe('heldOutBenchmarkSeries', () => {
  const all = heldOutBenchmarkSeries();
  const of = (family: BenchmarkFamily): BenchmarkSeries[] => all.filter((s) => s.family === family);

  it('is deterministic for a seed and differs for another seed', () => {
    const again = heldOutBenchmarkSeries();
    expect(again.map((s) => s.id)).toEqual(all.map((s) => s.id));
    for (const i of [0, 37, 101, all.length - 1]) {
      expect(Array.from(again[i].values)).toEqual(Array.from(all[i].values));
    }
    const other = heldOutBenchmarkSeries({ seed: 7 });
    expect(Array.from(other[0].values)).not.toEqual(Array.from(all[0].values));
    // A series does not depend on how many others are drawn.
    const few = heldOutBenchmarkSeries({ seriesPerFamily: 3 });
    expect(Array.from(few[4].values)).toEqual(Array.from(of(few[4].family)[1].values));
  });

  it('has 20 series per family with contexts 128/256/512, horizons ≤ 64, finite values', () => {
    expect(all).toHaveLength(20 * BENCHMARK_FAMILIES.length);
    for (const family of BENCHMARK_FAMILIES) {
      const series = of(family);
      expect(series).toHaveLength(20);
      const contexts = [...new Set(series.map((s) => s.context))].sort((a, b) => a - b);
      expect(contexts).toEqual(family === 'monthly-yearly' ? [128, 256] : [128, 256, 512]);
    }
    for (const s of all) {
      expect(s.horizon).toBeLessThanOrEqual(64);
      expect(s.values.length).toBe(s.context + s.windows * s.horizon);
      expect(s.values.every((v) => Number.isFinite(v))).toBe(true);
      // Not a telemetry signal name: the model sees them with signal id 0 (unknown).
      expect((SIGNAL_NAMES as readonly string[]).includes(s.family)).toBe(false);
    }
    expect(of('hourly-additive').map((s) => s.horizon)).toContain(48);
    expect(of('monthly-yearly').map((s) => s.horizon)).toContain(18);
    expect(of('daily-weekly').every((s) => s.horizon === 14)).toBe(true);
  });

  it('gives the seasonal families their stated period (autocorrelation of the differences)', () => {
    for (const [family, period] of [
      ['hourly-additive', 24],
      ['hourly-multiplicative', 24],
      ['daily-weekly', 7],
      ['monthly-yearly', 12],
    ] as const) {
      for (const s of of(family)) {
        expect(s.season).toBe(period);
        const d = diff(s.values);
        const atPeriod = acf(d, period);
        expect(atPeriod).toBeGreaterThan(0.3);
        // Every shorter lag correlates less than the period (lag 1 is left out: a smooth daily
        // load curve changes little from one hour to the next, so its differences correlate).
        for (let lag = 2; lag < period; lag++) expect(acf(d, lag)).toBeLessThan(atPeriod);
      }
    }
    for (const family of [
      'random-walk',
      'autoregressive',
      'intermittent',
      'level-shift',
    ] as const) {
      expect(of(family).every((s) => s.season === 1)).toBe(true);
    }
  });

  it('draws random walks with uncorrelated increments around the stated drift', () => {
    for (const s of of('random-walk')) {
      const d = diff(s.values);
      expect(Math.abs(acf(d, 1))).toBeLessThan(0.25);
      expect(acf(s.values, 1)).toBeGreaterThan(0.8);
      const mean = d.reduce((a, b) => a + b, 0) / d.length;
      const { drift, sigma } = s.params as { drift: number; sigma: number };
      // Heavy-tailed unit-scale steps have sd √2 (t with 4 dof); 5 standard errors.
      expect(Math.abs(mean - drift)).toBeLessThan((5 * sigma * Math.SQRT2) / Math.sqrt(d.length));
    }
  });

  it('draws AR(1)/AR(2) series with the lag-1 autocorrelation of their coefficients', () => {
    const orders = new Set<number>();
    for (const s of of('autoregressive')) {
      const phi = s.params.phi as readonly number[];
      orders.add(phi.length);
      // ρ1 = φ1 / (1 − φ2) (Yule-Walker; φ2 = 0 for AR(1)).
      const rho1 = phi[0] / (1 - (phi[1] ?? 0));
      expect(Math.abs(acf(s.values, 1) - rho1)).toBeLessThan(0.2);
    }
    expect([...orders].sort()).toEqual([1, 2]);
  });

  it('draws intermittent demand as mostly zeros and positive integer counts', () => {
    for (const s of of('intermittent')) {
      const zeros = s.values.filter((v) => v === 0).length;
      expect(zeros / s.values.length).toBeGreaterThan(0.5);
      expect(zeros).toBeLessThan(s.values.length);
      expect(s.values.every((v) => v >= 0 && Number.isInteger(v))).toBe(true);
    }
  });

  it('shifts the level of level-shift series by several noise deviations', () => {
    for (const s of of('level-shift')) {
      const shifts = s.params.shifts as readonly number[];
      const sigma = s.params.sigma as number;
      const before = s.values.subarray(0, shifts[0]);
      const after = s.values.subarray(shifts[shifts.length - 1]);
      const mean = (xs: Float32Array): number => xs.reduce((a, b) => a + b, 0) / xs.length;
      const jumps = Math.abs(mean(after) - mean(before)) / sigma;
      // At least one jump of ≥ 2σ happened; the largest change of level anywhere is what counts,
      // so look at every segment boundary.
      const bounds = [0, ...shifts, s.values.length];
      const means = bounds.slice(0, -1).map((b, k) => s.values.subarray(b, bounds[k + 1]));
      const biggest = Math.max(
        jumps,
        ...means.slice(1).map((m, k) => Math.abs(mean(m) - mean(means[k])) / sigma),
      );
      expect(shifts.length).toBeGreaterThanOrEqual(2);
      expect(biggest).toBeGreaterThan(1.5);
    }
  });
});
