import { ValidationError } from '@fleetfm/domain';
import { parseSourceWeights } from './train.command';

describe('parseSourceWeights', () => {
  it('reads name=weight pairs, leaving unnamed sources to their defaults', () => {
    expect(parseSourceWeights(undefined)).toBeUndefined();
    expect(parseSourceWeights('sim=0.5, gps=0.35,synthetic=0.15')).toEqual({
      gps: 0.35,
      sim: 0.5,
      synthetic: 0.15,
    });
    expect(parseSourceWeights('synthetic=0')).toEqual({ synthetic: 0 });
  });

  it('names the bad part', () => {
    expect(() => parseSourceWeights('kaggle=1')).toThrow(/unknown source 'kaggle'/);
    expect(() => parseSourceWeights('sim=abc')).toThrow(ValidationError);
    expect(() => parseSourceWeights('gps=-1')).toThrow(/gps must be >= 0/);
    expect(() => parseSourceWeights('gps=-1', 'validation-source-weights')).toThrow(
      '--validation-source-weights: gps must be >= 0',
    );
  });
});
