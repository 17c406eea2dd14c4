/**
 * How a time column is written. `iso`, `epoch-s` and `epoch-ms` are instants and are held as
 * epoch milliseconds; `number` is any increasing number (hours, sample counter) held as is;
 * `index` means there was no time column and the row index stands in for it.
 */
export type TimeKind = 'iso' | 'epoch-s' | 'epoch-ms' | 'number' | 'index';

/** What a user may ask for; `auto` guesses from the first time cell (see `guessTimeKind`). */
export type TimeFormat = Exclude<TimeKind, 'index'> | 'auto';

// ISO 8601 and the year-first variants benchmark files use: `2016/7/1 0:00` (slashes, unpadded).
const ISO_PATTERN =
  /^(\d{4})([-/])(\d{1,2})\2(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
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
  if (m[2] === '-' && !isPadded(m)) return Number.NaN; // ISO proper: 2024-01-01, not 2024-1-1
  const [year, month, day, hour, minute, second] = [1, 3, 4, 5, 6, 7].map((i) => Number(m[i] ?? 0));
  const fraction = m[8] ? Number(m[8]) * 1000 : 0;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return Number.NaN;
  if (hour > 23 || minute > 59 || second > 59) return Number.NaN;
  const seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
  return seconds * 1000 + fraction - zoneOffsetMs(m[9]);
}

/** Month, day and hour written with two digits. */
function isPadded(m: RegExpExecArray): boolean {
  return m[3].length === 2 && m[4].length === 2 && (m[5] === undefined || m[5].length === 2);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm; no Date objects, it is per cell). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
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

/**
 * How an ISO time column writes its instants (taken from its first cell), so that output times
 * read like the input's and join with it as text: `2024-01-01`, `2024-01-01 10:00`,
 * `2024-01-01T10:00:00+02:00`.
 */
export interface IsoStyle {
  /** Date only, no time of day. */
  readonly dateOnly: boolean;
  /** `-` (ISO) or `/` (`2016/07/01`). */
  readonly dateSeparator: '-' | '/';
  /** Month, day and hour with two digits (ISO); false for `2016/7/1 0:00`. */
  readonly padded: boolean;
  readonly separator: 'T' | ' ';
  readonly seconds: boolean;
  /** Digits after the seconds' decimal point (0: none written). */
  readonly fractionDigits: number;
  /** The zone as written (`Z`, `+02:00`, `-0530`), or null when none was (read as UTC). */
  readonly zone: string | null;
}

/** The style of one ISO cell, or undefined if it is not ISO. */
export function isoStyleOf(cell: string): IsoStyle | undefined {
  const m = ISO_PATTERN.exec(cell);
  if (!m || Number.isNaN(parseIsoTime(cell))) return undefined;
  const sep = cell.charAt(m[1].length + m[2].length * 2 + m[3].length + m[4].length);
  return {
    dateOnly: m[5] === undefined,
    dateSeparator: m[2] === '/' ? '/' : '-',
    fractionDigits: m[8] ? m[8].length - 1 : 0,
    // Slashed dates are taken as unpadded unless the cell shows a leading zero (2016/07/01).
    padded: m[2] === '-' || [m[3], m[4], m[5]].some((p) => p?.length === 2 && p.startsWith('0')),
    seconds: m[7] !== undefined,
    separator: sep === ' ' ? ' ' : 'T',
    zone: m[9] ?? null,
  };
}

/** An instant (epoch ms) in an ISO style: the wall-clock time at the style's zone. */
export function formatIsoTime(value: number, style: IsoStyle): string {
  const wall = value + zoneOffsetMs(style.zone ?? undefined);
  const iso = new Date(wall).toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const unpad = (two: string): string => (style.padded ? two : String(Number(two)));
  const date = [iso.slice(0, 4), unpad(iso.slice(5, 7)), unpad(iso.slice(8, 10))].join(
    style.dateSeparator,
  );
  const zone = style.zone ?? '';
  const msOfDay = ((wall % 86_400_000) + 86_400_000) % 86_400_000;
  if (style.dateOnly && msOfDay === 0) return `${date}${zone}`;
  const ms = iso.slice(20, 23);
  const hm = `${unpad(iso.slice(11, 13))}${iso.slice(13, 16)}`;
  let time = style.seconds || iso.slice(17, 23) !== '00.000' ? `${hm}${iso.slice(16, 19)}` : hm;
  const needed = ms.replace(/0+$/, '').length;
  const digits = Math.max(style.fractionDigits, needed);
  if (digits > 0) time += `.${ms.padEnd(digits, '0').slice(0, digits)}`;
  return `${date}${style.dateOnly ? 'T' : style.separator}${time}${zone}`;
}

/**
 * A held time value written back the way the input wrote it: ISO instants in the input's
 * `IsoStyle` when given (else as `toISOString`), epoch seconds and ms as numbers.
 */
export function formatTime(value: number, kind: TimeKind, style?: IsoStyle): string {
  if (!Number.isFinite(value)) return '';
  switch (kind) {
    case 'iso':
      return style === undefined ? new Date(value).toISOString() : formatIsoTime(value, style);
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
