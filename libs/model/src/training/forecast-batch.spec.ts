import { PatchTokenizer } from '@fleetfm/tokenizer';
import { lastObservedLevels, makeForecastBatch, naiveErrors } from './forecast-batch';

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

describe('naiveErrors', () => {
  // last-std: values are (x − last) / std, so persistence forecasts 0 in scaled units.
  const tok = new PatchTokenizer({ contextLength: 8, patchLength: 4, scaling: 'last-std' });
  const std = (xs: number[]): number => {
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    return Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  };

  it("is persistence's mean absolute error over the observed target steps", () => {
    const context = [1, 2, 3, 4, 5, 6, 7, 8];
    // Targets 10 and 6 around the last value 8: |2| and |−2| → 2 raw, 2 / std scaled.
    const batch = makeForecastBatch([{ series: Float32Array.from([...context, 10, 6]) }], tok, 2);
    expect(naiveErrors(batch)[0]).toBeCloseTo(2 / std(context), 5);
    expect(naiveErrors(batch, [4])[0]).toBeCloseTo(2 / std(context), 5); // the ramp repeats worse
  });

  it('takes a seasonal naive where it does better, only over fully observed seasons', () => {
    const season = [0, 4, 0, 4, 0, 4, 0, 4];
    const batch = makeForecastBatch(
      [
        { series: Float32Array.from([...season, 0, 4]) },
        { series: Float32Array.from([0, 4, 0, 4, 0, 4, NaN, 4, 0, 4]) },
        { series: Float32Array.from([...season, NaN, NaN]) },
      ],
      tok,
      2,
    );
    // |0 − 4| and |4 − 4| over 2 steps, over each context's std (the gap leaves it out).
    const persistence = [2 / std(season), 2 / std([0, 4, 0, 4, 0, 4, 4])];
    expect(Array.from(naiveErrors(batch)).slice(0, 2)).toEqual([
      expect.closeTo(persistence[0], 5),
      expect.closeTo(persistence[1], 5),
    ]);
    const seasonal = naiveErrors(batch, [3, 2]);
    expect(seasonal[0]).toBe(0); // period 2 repeats the pattern exactly
    expect(seasonal[1]).toBeCloseTo(persistence[1], 5); // a gap in the last 2: period 2 skipped
    expect(seasonal[2]).toBe(0); // no observed target step
  });
});
