import { AugursEtsBaseline } from './augurs-ets.baseline';

describe('AugursEtsBaseline', () => {
  it('loads the ES/WASM module from CommonJS and extends a linear trend', () => {
    const sut = new AugursEtsBaseline();
    const history = Array.from({ length: 40 }, (_, i) => 10 + 2 * i);
    const { mean, quantiles } = sut.forecast(history, 3, [0.1, 0.5, 0.9]);
    // A noiseless line: ETS with an additive trend continues it exactly.
    expect(Array.from(mean).map((v) => Math.round(v * 1000) / 1000)).toEqual([90, 92, 94]);
    expect(Array.from(quantiles[1])).toEqual(Array.from(mean));
    for (let h = 0; h < 3; h++) expect(quantiles[0][h]).toBeLessThanOrEqual(quantiles[2][h]);
  });
});
