/**
 * How a time column is written. `iso`, `epoch-s` and `epoch-ms` are instants and are held as
 * epoch milliseconds; `number` is any increasing number (hours, sample counter) held as is;
 * `index` means there was no time column and the row index stands in for it.
 */
export type TimeKind = 'iso' | 'epoch-s' | 'epoch-ms' | 'number' | 'index';

/** What a user may ask for; `auto` guesses from the first time cell (see `guessTimeKind`). */
export type TimeFormat = Exclude<TimeKind, 'index'> | 'auto';

const ISO_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
const NUMBER_PATTERN = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A decimal number (no hex, no `Infinity`, no empty string) or NaN. */
export function parseDecimal(text: string): number {
  return NUMBER_PATTERN.test(text) ? Number(text) : Number.NaN;
}

/**
 * ISO 8601 date or date-time → epoch ms, or NaN. Without a zone the time is taken as UTC
 * (rather than the machine's zone, so that results do not depend on where the CLI runs). Dates
 * that do not exist (`2024-02-30`) are rejected instead of rolling over.
 */
export function parseIsoTime(text: string): number {
  const m = ISO_PATTERN.exec(text);
  if (!m) return Number.NaN;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0));
  const fraction = m[7] ? Number(m[7]) * 1000 : 0;
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return Number.NaN;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second) + fraction;
  if (new Date(ms).getUTCDate() !== day) return Number.NaN;
  return ms - zoneOffsetMs(m[8]);
}

function zoneOffsetMs(zone: string | undefined): number {
  if (!zone || zone.toUpperCase() === 'Z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
}

/**
 * The kind of a time column from its first cell: ISO text is `iso`; integers-ish numbers in
 * [1e9, 1e11) are epoch seconds (2001–5138) and in [1e12, 1e14) epoch ms; any other number is a
 * plain `number`. Ask for a format explicitly when the guess is wrong.
 */
export function guessTimeKind(cell: string): Exclude<TimeKind, 'index'> | null {
  if (!Number.isNaN(parseIsoTime(cell))) return 'iso';
  const v = parseDecimal(cell);
  if (Number.isNaN(v)) return null;
  const magnitude = Math.abs(v);
  if (magnitude >= 1e12 && magnitude < 1e14) return 'epoch-ms';
  if (magnitude >= 1e9 && magnitude < 1e11) return 'epoch-s';
  return 'number';
}

/** A time cell of a known kind → held value (epoch ms for instants), or NaN. */
export function parseTimeCell(cell: string, kind: Exclude<TimeKind, 'index'>): number {
  switch (kind) {
    case 'iso':
      return parseIsoTime(cell);
    case 'epoch-s':
      return parseDecimal(cell) * 1000;
    case 'epoch-ms':
    case 'number':
      return parseDecimal(cell);
  }
}

/** Seconds per held unit: 0.001 for instants (held in ms), null when the unit is unknown. */
export function timeUnitSeconds(kind: TimeKind): number | null {
  return kind === 'iso' || kind === 'epoch-s' || kind === 'epoch-ms' ? 0.001 : null;
}

/** A held time value written back the way the input wrote it. */
export function formatTime(value: number, kind: TimeKind): string {
  if (!Number.isFinite(value)) return '';
  switch (kind) {
    case 'iso':
      return new Date(value).toISOString();
    case 'epoch-s':
      return String(value / 1000);
    default:
      return String(value);
  }
}

/** Human words for a kind, used in error messages. */
export function describeTimeKind(kind: TimeKind): string {
  switch (kind) {
    case 'iso':
      return 'an ISO 8601 date/time';
    case 'epoch-s':
      return 'epoch seconds';
    case 'epoch-ms':
      return 'epoch milliseconds';
    case 'number':
      return 'a number';
    case 'index':
      return 'a row index';
  }
}
