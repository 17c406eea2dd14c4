import { InvalidRequestError } from './errors';
import { TS_MAX, TS_MIN, type EpochMs } from './telemetry';

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * Parses a duration such as `500ms`, `10s`, `1m`, `2h`, `1d`, or a bare number of milliseconds.
 * Throws InvalidRequestError naming the parameter.
 */
export function parseDuration(raw: string, name: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(raw.trim());
  if (!match) {
    throw new InvalidRequestError(
      `${name} must be a duration like 500ms, 10s, 1m, 1h or a number of milliseconds (got "${raw}")`,
    );
  }
  const ms = Number(match[1]) * UNIT_MS[match[2] ?? 'ms'];
  if (!Number.isFinite(ms) || ms < 1) {
    throw new InvalidRequestError(`${name} must be at least 1 ms (got "${raw}")`);
  }
  return Math.round(ms);
}

/** Parses an instant: epoch milliseconds or an ISO-8601 timestamp. */
export function parseInstant(raw: string, name: string): EpochMs {
  const trimmed = raw.trim();
  const ms = /^-?\d+$/.test(trimmed) ? Number(trimmed) : Date.parse(trimmed);
  if (!Number.isFinite(ms)) {
    throw new InvalidRequestError(
      `${name} must be epoch milliseconds or an ISO-8601 timestamp (got "${raw}")`,
    );
  }
  if (ms < TS_MIN || ms > TS_MAX) {
    throw new InvalidRequestError(`${name} is outside 2000-01-01 .. 2100-01-01 (got "${raw}")`);
  }
  return ms;
}
