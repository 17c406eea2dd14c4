import { ValidationError } from '@fleetfm/domain';
import { parseNamedWeights } from './named-weights';

describe('parseNamedWeights', () => {
  const names = ['driver', 'views', 'scenario'] as const;

  it('reads the named weights, spaces allowed, and leaves the others out', () => {
    expect(parseNamedWeights('driver=0, scenario = 1.5', names, 'loss-weights')).toEqual({
      driver: 0,
      scenario: 1.5,
    });
  });

  it.each([
    ['speed=1', "--loss-weights: unknown loss term 'speed' (expected driver, views, scenario)"],
    ['driver=abc', "--loss-weights driver must be a number, got 'driver=abc'"],
    ['driver', "--loss-weights driver must be a number, got 'driver'"],
    ['driver=1=2', "--loss-weights driver must be a number, got 'driver=1=2'"],
    ['views=-0.5', '--loss-weights: views must be >= 0, got -0.5'],
    ['views=1,views=2', '--loss-weights: views given twice'],
  ])('rejects %s with a message naming the flag', (text, message) => {
    const call = () => parseNamedWeights(text, names, 'loss-weights', 'loss term');
    expect(call).toThrow(ValidationError);
    expect(call).toThrow(message);
  });
});
