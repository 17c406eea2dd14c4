import { formatTime, guessTimeKind, isoStyleOf, parseIsoTime } from './time-format';

describe('parseIsoTime', () => {
  it.each([
    ['1970-01-01', 0],
    ['2000-02-29T12:00:00Z', 951825600000],
    ['2024-12-31T23:59:59.999Z', 1735689599999],
    ['1969-12-31T23:59:59Z', -1000],
    ['2024-01-01T01:00:00+01:00', 1704067200000],
    ['2024-01-01T00:00:00-0530', 1704087000000],
    ['2024-03-10 02:30', 1710037800000],
    ['2024/03/10 02:30', 1710037800000], // year first with slashes
    ['2024/3/10 2:30', 1710037800000], // unpadded, as exchange_rate-style benchmark files write
  ])('%s → %d (Date.parse agrees)', (text, ms) => {
    expect(parseIsoTime(text)).toBe(ms);
  });

  it.each([
    '1900-02-29',
    '2023-02-29',
    '2024-04-31',
    '2024-00-10',
    '2024-01-01T24:00:00Z',
    '01/02/2024',
    '2024-1-1',
    '2024-01-01 2:30',
    '2024/02/30',
    '2024/1-1',
    '',
  ])('rejects %j', (text) => {
    expect(parseIsoTime(text)).toBeNaN();
  });

  it('agrees with Date.parse over many days', () => {
    for (let day = -40_000; day < 80_000; day += 37) {
      const iso = new Date(day * 86_400_000 + 45_296_789).toISOString();
      expect(parseIsoTime(iso)).toBe(Date.parse(iso));
    }
  });
});

describe('guessTimeKind / formatTime', () => {
  it.each([
    ['2024-01-01', 'iso'],
    ['1700000000', 'epoch-s'],
    ['1700000000.25', 'epoch-s'],
    ['1700000000000', 'epoch-ms'],
    ['42', 'number'],
    ['abc', null],
  ])('%s → %s', (cell, kind) => {
    expect(guessTimeKind(cell)).toBe(kind);
  });

  it('writes times back the way they came', () => {
    expect(formatTime(1704067200000, 'iso')).toBe('2024-01-01T00:00:00.000Z');
    expect(formatTime(1700000000500, 'epoch-s')).toBe('1700000000.5');
    expect(formatTime(7, 'number')).toBe('7');
    expect(formatTime(NaN, 'iso')).toBe('');
  });
});

describe('isoStyleOf / formatTime with the input style', () => {
  // Each cell is written back exactly as it came; and one hour later in the same layout.
  it.each([
    ['2024-01-01', '2024-01-02', 86_400_000],
    ['2024-01-01 10:00', '2024-01-01 11:00', 3_600_000],
    ['2024-01-01 10:00:00', '2024-01-01 11:00:00', 3_600_000],
    ['2024-01-01T10:00:00', '2024-01-01T11:00:00', 3_600_000],
    ['2024-01-01T10:00:00Z', '2024-01-01T11:00:00Z', 3_600_000],
    ['2024-01-01T23:30:00+02:00', '2024-01-02T00:30:00+02:00', 3_600_000],
    ['2024-03-01T00:00:00-0530', '2024-03-01T00:00:00.5-0530', 500],
    ['2024-01-01T10:00:00.250Z', '2024-01-01T10:00:00.750Z', 500],
    ['2024-01-01', '2024-01-01T12:00', 43_200_000], // a time of day appears only when needed
    ['1990/1/1 0:00', '1990/1/2 0:00', 86_400_000],
    ['1990/12/31 23:00', '1991/1/1 0:00', 3_600_000],
    ['2016/07/01 09:00:00', '2016/07/01 10:00:00', 3_600_000],
  ])('%s, then %s (+%d ms)', (cell, later, dt) => {
    const style = isoStyleOf(cell);
    const t = parseIsoTime(cell);
    expect(formatTime(t, 'iso', style)).toBe(cell);
    expect(formatTime(t + dt, 'iso', style)).toBe(later);
  });
});
