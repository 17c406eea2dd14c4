import { SIGNALS, type SignalSpec } from './signals';
import { TS_MAX, TS_MIN } from './telemetry';

// The validation rules and their reasons, shared by the JSON parser and the binary decoder so
// that a dead letter says the same whichever encoding the producer used.

/** Reason given for a vehicle or driver id that fails ID_PATTERN. */
export const ID_REASON = 'must be 1-64 characters of [A-Za-z0-9._:-]';

/** Signal specs by name, for one hash lookup per signal on the hot path. */
export const SPEC_BY_NAME: ReadonlyMap<string, SignalSpec> = new Map(Object.entries(SIGNALS));

/** Required signals in schema order. */
export const REQUIRED_SIGNALS: readonly string[] = Object.entries(SIGNALS)
  .filter(([, spec]) => spec.required)
  .map(([name]) => name);

/** Why a numeric timestamp (epoch ms) is invalid, or undefined when it is valid. */
export function epochMsReason(ts: number): string | undefined {
  if (!Number.isFinite(ts)) return 'must be a finite number of epoch milliseconds';
  if (!Number.isInteger(ts)) return 'must be whole epoch milliseconds';
  if (ts < TS_MIN || ts >= TS_MAX) return 'is outside 2000-01-01 .. 2100-01-01';
  return undefined;
}

/** Why a signal value is invalid (spec undefined = unknown signal), or undefined when valid. */
export function signalValueReason(
  spec: SignalSpec | undefined,
  value: unknown,
): string | undefined {
  if (spec === undefined) return 'unknown signal';
  if (typeof value !== 'number') return 'must be a number';
  if (!Number.isFinite(value)) return 'must be finite';
  if (value < spec.min || value > spec.max) {
    return `out of range [${spec.min}, ${spec.max}] ${spec.unit}`;
  }
  return undefined;
}
