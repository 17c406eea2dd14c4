import { seasonalPeriod } from './seasonal-period';

const seconds = (stepSeconds: number): { stepSeconds: number; months: null } => ({
  months: null,
  stepSeconds,
});

describe('seasonalPeriod', () => {
  it.each([
    ['10-minute', seconds(600), 144],
    ['15-minute', seconds(900), 96],
    ['30-minute', seconds(1800), 48],
    ['hourly', seconds(3600), 24],
    ['daily', seconds(86_400), 7],
    ['weekly', seconds(604_800), 52],
    ['monthly', { months: 1, stepSeconds: 2_629_800 }, 12],
    ['quarterly', { months: 3, stepSeconds: 7_889_400 }, 4],
    ['yearly', { months: 12, stepSeconds: 31_557_600 }, 1],
    ['1-second', seconds(1), 1],
    ['5-minute', seconds(300), 1],
    ['row numbers', { months: null, stepSeconds: null }, 1],
  ])('%s data with a long history: %d', (_, step, season) => {
    expect(seasonalPeriod(step, 1000)).toBe(season);
  });

  it('needs two seasons of history (weekly data: 104 weeks)', () => {
    expect(seasonalPeriod(seconds(604_800), 103)).toBe(1);
    expect(seasonalPeriod(seconds(604_800), 104)).toBe(52);
    expect(seasonalPeriod(seconds(3600), 47)).toBe(1);
    expect(seasonalPeriod(seconds(3600), 48)).toBe(24);
  });

  it('allows a step within 1 % (a median over jittered timestamps)', () => {
    expect(seasonalPeriod(seconds(3630), 500)).toBe(24);
    expect(seasonalPeriod(seconds(3700), 500)).toBe(1);
  });
});
