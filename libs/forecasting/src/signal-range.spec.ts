import { signalIdOf } from './signal-id';
import { signalBounds } from './signal-range';

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
