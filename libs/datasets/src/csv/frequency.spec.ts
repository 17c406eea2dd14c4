import { advanceTime, detectFrequency } from './frequency';

const ms = (iso: string): number => Date.parse(iso);
const MS = { unitSeconds: 0.001 };

describe('detectFrequency on calendar months', () => {
  it.each([
    // dates, months per step
    [['2020-01-01', '2020-02-01', '2020-03-01', '2020-04-01', '2020-05-01'], 1],
    [['2020-01-31', '2020-02-29', '2020-03-31', '2020-04-30'], 1], // month ends
    [['2019-03-01', '2019-06-01', '2019-09-01', '2019-12-01', '2020-03-01'], 3],
    [['2001-01-01', '2002-01-01', '2003-01-01', '2004-01-01'], 12],
  ])('%j: %d month(s) per step, regular', (dates, months) => {
    const f = detectFrequency(
      dates.map((d) => ms(`${d}T00:00:00Z`)),
      MS,
    );
    // Before, 28-31 day months were steps off the median by up to 10 %: "irregular".
    expect(f).toMatchObject({ irregularCount: 0, months, regular: true });
  });

  it('counts a skipped month as one irregular step', () => {
    const f = detectFrequency(['2020-01-01', '2020-02-01', '2020-04-01', '2020-05-01'].map(ms), MS);
    expect(f).toMatchObject({ irregularCount: 1, months: 1, regular: false });
    expect(f.irregular[0].index).toBe(2);
  });

  it('is not monthly for daily data, mixed days, plain numbers or weeks', () => {
    const days = ['2020-01-01', '2020-01-02', '2020-01-03'].map(ms);
    expect(detectFrequency(days, MS).months).toBeNull();
    expect(
      detectFrequency(['2020-01-01', '2020-02-03', '2020-03-01'].map(ms), MS).months,
    ).toBeNull();
    expect(detectFrequency([1, 2, 3]).months).toBeNull();
    const weeks = ['2020-01-01', '2020-01-08', '2020-01-15'].map(ms);
    expect(detectFrequency(weeks, MS)).toMatchObject({ months: null, step: 7 * 86_400_000 });
  });
});

describe('advanceTime', () => {
  const monthly = { months: 1, step: Number.NaN };
  it.each([
    ['2020-11-01T00:00:00Z', 3, monthly, '2021-02-01T00:00:00.000Z'],
    ['2020-01-31T06:00:00Z', 1, monthly, '2020-02-29T06:00:00.000Z'], // month end stays month end
    ['2020-02-29T00:00:00Z', 1, monthly, '2020-03-31T00:00:00.000Z'],
    ['2020-01-15T00:00:00Z', 2, { months: 12, step: Number.NaN }, '2022-01-15T00:00:00.000Z'],
    ['2020-01-01T00:00:00Z', 2, { months: null, step: 3_600_000 }, '2020-01-01T02:00:00.000Z'],
  ] as const)('%s + %d steps', (from, k, f, expected) => {
    expect(new Date(advanceTime(ms(from), k, f)).toISOString()).toBe(expected);
  });
});
