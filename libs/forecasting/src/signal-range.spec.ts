import { signalIdOf } from './signal-id';
import { contextBounds, signalBounds } from './signal-range';

describe('signalBounds', () => {
  it("gives a known signal's physical range, nothing for unknown ids", () => {
    expect(signalBounds(signalIdOf('speed_mps'))).toEqual({ max: 90, min: 0 });
    expect(signalBounds(signalIdOf('pedal_pct'))).toEqual({ max: 100, min: 0 });
    expect(signalBounds(signalIdOf('accel_mps2'))).toEqual({ max: 15, min: -15 });
    expect(signalBounds(0)).toBeUndefined();
    expect(signalBounds(undefined)).toBeUndefined();
    expect(signalBounds(99)).toBeUndefined();
  });
});

describe('contextBounds', () => {
  it('holds a history that touches zero and never goes below it at >= 0, gaps aside', () => {
    expect(contextBounds(Float32Array.from([0, 3, 0, 0, 7]))).toEqual({ max: Infinity, min: 0 });
    expect(contextBounds([NaN, 2, 0, NaN])).toEqual({ max: Infinity, min: 0 });
  });

  it('gives no bound to a history that stays above zero or goes below it', () => {
    expect(contextBounds([4, 3, 5])).toBeUndefined();
    expect(contextBounds([0, -1, 2])).toBeUndefined();
    expect(contextBounds([NaN, NaN])).toBeUndefined();
  });
});
