import { fluxString } from '@influxdata/influxdb-client';
import { TS_MAX, TS_MIN } from '@fleetfm/domain';
import { LEGACY_PRESENT_FIELD, MEASUREMENT, PRESENT_FIELD } from './line-protocol.encoder';

/** Everything FleetFM can have stored: the domain's accepted timestamp range. */
export const ALL_TIME = { from: TS_MIN, to: TS_MAX } as const;

/** Flux datetime literal of an epoch-ms instant plus `ns` nanoseconds (0 <= ns < 1e6). */
function instant(ms: number, ns = 0): string {
  const iso = new Date(ms).toISOString();
  return ns === 0 ? iso : `${iso.slice(0, -1)}${String(ns).padStart(6, '0')}Z`;
}

/**
 * range() over [from, to) in ms. InfluxDB 1.8 treats range's stop as inclusive, 2.x as
 * exclusive; stopping 1 ns after the last wanted millisecond is right for both, because every
 * point is written with ms precision.
 */
function source(bucket: string, fromMs: number, toMs: number): string {
  return (
    `from(bucket: ${fluxString(bucket)})\n` +
    `  |> range(start: ${instant(fromMs)}, stop: ${instant(toMs - 1, 1)})\n`
  );
}

function fieldFilter(fields: readonly string[]): string {
  return fields.map((f) => `r._field == ${fluxString(f)}`).join(' or ');
}

/**
 * Long-format rows (`_time`, `_value`, `_field`) of the given fields of one vehicle in
 * [from, to). Pivoting happens in TypeScript: faster than Flux's pivot() on InfluxDB 1.8 (see
 * bench/influx-store.bench.ts) and it lets the reader apply the `present` mask.
 */
export function rangeQuery(
  bucket: string,
  vehicleId: string,
  fromMs: number,
  toMs: number,
  fields: readonly string[],
): string {
  return (
    source(bucket, fromMs, toMs) +
    `  |> filter(fn: (r) => r._measurement == ${fluxString(MEASUREMENT)} and r.vehicle_id == ${fluxString(vehicleId)})\n` +
    `  |> filter(fn: (r) => ${fieldFilter(fields)})\n` +
    `  |> keep(columns: ["_time", "_value", "_field"])`
  );
}

/** The last point of every field of one vehicle (signals, driver and presence fields). */
export function latestQuery(bucket: string, vehicleId: string): string {
  return (
    source(bucket, ALL_TIME.from, ALL_TIME.to) +
    `  |> filter(fn: (r) => r._measurement == ${fluxString(MEASUREMENT)} and r.vehicle_id == ${fluxString(vehicleId)})\n` +
    `  |> last()\n` +
    `  |> keep(columns: ["_time", "_value", "_field"])`
  );
}

/**
 * First or last point time per vehicle. Reads only the presence fields, one of which every
 * point written by FleetFM carries.
 */
export function edgeQuery(bucket: string, edge: 'first' | 'last'): string {
  return (
    source(bucket, ALL_TIME.from, ALL_TIME.to) +
    `  |> filter(fn: (r) => r._measurement == ${fluxString(MEASUREMENT)} and (r._field == ${fluxString(PRESENT_FIELD)} or r._field == ${fluxString(LEGACY_PRESENT_FIELD)}))\n` +
    `  |> ${edge}()\n` +
    `  |> keep(columns: ["_time", "vehicle_id"])`
  );
}
