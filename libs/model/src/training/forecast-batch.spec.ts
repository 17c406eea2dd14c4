import { PatchTokenizer } from '@fleetfm/tokenizer';
import { lastObservedLevels, makeForecastBatch } from './forecast-batch';

describe('lastObservedLevels', () => {
  const series = (context: number[]): Float32Array => Float32Array.from([...context, 0, 0]);

  it("is each window's last observed context value in scaled units, gaps skipped", () => {
    const tok = new PatchTokenizer({ contextLength: 8, patchLength: 4, scaling: 'mean-std' });
    const ramp = [1, 2, 3, 4, 5, 6, 7, 8];
    const gapped = [1, 2, 3, 4, 5, 6, 9, NaN];
    const batch = makeForecastBatch(
      [{ series: series(ramp) }, { series: series(gapped) }, { series: series([1, 2, 3]) }],
      tok,
      2,
    );
    const levels = lastObservedLevels(batch);
    const scaled = (xs: number[], v: number): number => {
      const obs = xs.filter(Number.isFinite);
      const mean = obs.reduce((a, b) => a + b, 0) / obs.length;
      const sd = Math.sqrt(obs.reduce((a, b) => a + (b - mean) ** 2, 0) / obs.length);
      return (v - mean) / sd;
    };
    expect(levels[0]).toBeCloseTo(scaled(ramp, 8), 5);
    expect(levels[1]).toBeCloseTo(scaled(gapped, 9), 5);
    // A short series is left-padded: its last value is still the context's last step.
    expect(levels[2]).toBeCloseTo(scaled([1, 2, 3], 3), 5);
  });

  it('is 0 for every window under last-std scaling (persistence is an output of 0)', () => {
    const tok = new PatchTokenizer({ contextLength: 8, patchLength: 4, scaling: 'last-std' });
    const batch = makeForecastBatch([{ series: series([3, 1, 4, 1, 5, 9, 2, 6]) }], tok, 2);
    expect(Array.from(lastObservedLevels(batch))).toEqual([0]);
  });
});
