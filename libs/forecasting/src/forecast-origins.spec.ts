import { InvalidRequestError } from '@fleetfm/domain';
import { planOrigins } from './forecast-origins';

describe('planOrigins', () => {
  it('rolls from the first row with a full context to the last with a full horizon', () => {
    // n = 20, C = 5, H = 3, S = 4: o = 5, 9, 13, 17 (17 + 3 = 20 ≤ 20); floor(12 / 4) + 1 = 4.
    expect(planOrigins({ context: 5, horizon: 3, length: 20, rolling: { stride: 4 } })).toEqual([
      5, 9, 13, 17,
    ]);
    expect(planOrigins({ context: 5, horizon: 3, length: 8, rolling: { stride: 1 } })).toEqual([5]);
  });

  it('puts a single origin after the last row without --rolling', () => {
    expect(planOrigins({ context: 5, horizon: 30, length: 20 })).toEqual([20]);
  });

  it('rejects data shorter than context (+ horizon when rolling), naming the numbers', () => {
    expect(() => planOrigins({ context: 50, horizon: 3, length: 20 })).toThrow(
      'the data has 20 rows; --context 50 needs at least 50',
    );
    expect(() =>
      planOrigins({ context: 18, horizon: 3, length: 20, rolling: { stride: 1 } }),
    ).toThrow(InvalidRequestError);
    expect(() =>
      planOrigins({ context: 18, horizon: 3, length: 20, rolling: { stride: 1 }, subject: 'x' }),
    ).toThrow(
      'x has 20 rows; rolling forecasts need at least context + horizon = 21 (use --context 17 or less)',
    );
    expect(() =>
      planOrigins({ context: 1, horizon: 30, length: 20, rolling: { stride: 1 } }),
    ).toThrow('(use a --horizon below 20)');
    expect(() => planOrigins({ context: 0, horizon: 3, length: 20 })).toThrow(
      'context must be a positive integer',
    );
  });
});
