import { InvalidRequestError } from './errors';
import { parseDuration, parseInstant } from './time';

describe('parseDuration', () => {
  it.each([
    ['250', 250],
    ['500ms', 500],
    ['10s', 10_000],
    ['1.5s', 1500],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
  ])('%s is %d ms', (raw, ms) => {
    expect(parseDuration(raw, 'every')).toBe(ms);
  });

  it.each(['', 'abc', '10x', '-1s', '0'])('rejects "%s" naming the parameter', (raw) => {
    expect(() => parseDuration(raw, 'every')).toThrow(InvalidRequestError);
    expect(() => parseDuration(raw, 'every')).toThrow(/every/);
  });
});

describe('parseInstant', () => {
  it('accepts epoch ms and ISO-8601', () => {
    expect(parseInstant('1767225600000', 'from')).toBe(Date.UTC(2026, 0, 1));
    expect(parseInstant('2026-01-01T00:00:00Z', 'from')).toBe(Date.UTC(2026, 0, 1));
  });

  it.each(['yesterday', '12', '2200-01-01T00:00:00Z'])('rejects "%s"', (raw) => {
    expect(() => parseInstant(raw, 'to')).toThrow(InvalidRequestError);
  });
});
