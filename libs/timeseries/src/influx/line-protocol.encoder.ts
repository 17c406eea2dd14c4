import { SIGNAL_NAMES, ValidationError, type TelemetrySample } from '@fleetfm/domain';

/** The one measurement FleetFM writes. */
export const MEASUREMENT = 'telemetry';
/** Tag holding the vehicle id: the only tag, so a vehicle is one series per field. */
export const VEHICLE_TAG = 'vehicle_id';
/** String field with the driver id; written only when the sample has one (see DRIVER_BIT). */
export const DRIVER_FIELD = 'driver_id';
/**
 * Integer field: bit k set when the sample carried SIGNAL_NAMES[k], DRIVER_BIT when it carried
 * a driver. InfluxDB merges the fields of points with the same series and time, so a rewrite
 * with fewer signals (or no driver) would otherwise leave the old values visible; readers
 * ignore fields whose bit is clear. An integer is markedly cheaper for InfluxDB to ingest than
 * the string list it replaces (see LEGACY_PRESENT_FIELD).
 */
export const PRESENT_FIELD = 'present';
/**
 * The string field older writes used instead of PRESENT_FIELD ("soc_pct,speed_mps", driver
 * always written): still read, never written.
 */
export const LEGACY_PRESENT_FIELD = 'signals';
/** Bits 0..14 are reserved for signals, so adding a signal never reinterprets stored masks. */
export const DRIVER_BIT = 1 << 15;
if (SIGNAL_NAMES.length > 15) throw new Error('PRESENT_FIELD has room for 15 signals');

/** Bounds the prefix cache; a fleet has far fewer vehicles, a fuzzer may not. */
const MAX_CACHED_PREFIXES = 100_000;
/** `name=` for the first field of a line, `,name=` for the others, in schema order. */
const FIRST_FIELD = SIGNAL_NAMES.map((name) => `${name}=`);
const NEXT_FIELD = SIGNAL_NAMES.map((name) => `,${name}=`);
const DRIVER_NEXT = `,${DRIVER_FIELD}="`;
const PRESENT_FIRST = `${PRESENT_FIELD}=`;
const PRESENT_NEXT = `,${PRESENT_FIELD}=`;

function escapeTagValue(value: string): string {
  return /[,= \\\n]/.test(value)
    ? value.replace(/([,= \\])/g, '\\$1').replace(/\n/g, '\\n')
    : value;
}

function escapeFieldString(value: string): string {
  return /["\\]/.test(value) ? value.replace(/(["\\])/g, '\\$1') : value;
}

/**
 * Encodes samples as InfluxDB line protocol with millisecond timestamps:
 * `telemetry,vehicle_id=v1 soc_pct=80,speed_mps=12.5,driver_id="d7",present=32770i 1767225600000`.
 * Numbers are written as floats (no `i` suffix) so a field never changes type. One string is
 * built per call; field-name prefixes are precomputed and the vehicle's line prefix is cached.
 */
export class LineProtocolEncoder {
  private readonly prefixes = new Map<string, string>();
  private readonly drivers = new Map<string, string>();

  /** Lines of `samples[start..end)`, newline-terminated. */
  encode(samples: readonly TelemetrySample[], start = 0, end = samples.length): string {
    const n = SIGNAL_NAMES.length;
    let out = '';
    let lastVehicle: string | undefined;
    let prefix = '';
    for (let i = start; i < end; i++) {
      const sample = samples[i];
      const ts = sample.ts;
      if (!Number.isSafeInteger(ts)) {
        throw new ValidationError(`sample ${i} has a timestamp that is not whole ms`, {
          index: i,
          ts,
        });
      }
      const vehicleId = sample.vehicleId;
      if (vehicleId !== lastVehicle) {
        if (vehicleId === '') {
          throw new ValidationError(`sample ${i} has an empty vehicle id`, { index: i });
        }
        prefix = this.prefix(vehicleId);
        lastVehicle = vehicleId;
      }
      out += prefix;
      const signals = sample.signals;
      let mask = 0;
      for (let k = 0; k < n; k++) {
        const value = signals[SIGNAL_NAMES[k]];
        // InfluxDB refuses NaN and infinities; such a value is simply not measured.
        if (value === undefined || !Number.isFinite(value)) continue;
        out += (mask === 0 ? FIRST_FIELD[k] : NEXT_FIELD[k]) + value;
        mask |= 1 << k;
      }
      const driverId = sample.driverId;
      if (driverId !== undefined) {
        out +=
          mask === 0
            ? `${DRIVER_FIELD}="${this.driver(driverId)}"`
            : DRIVER_NEXT + this.driver(driverId) + '"';
        out += PRESENT_NEXT;
        mask |= DRIVER_BIT;
      } else {
        out += mask === 0 ? PRESENT_FIRST : PRESENT_NEXT;
      }
      out += mask + 'i ' + ts + '\n';
    }
    return out;
  }

  private prefix(vehicleId: string): string {
    let prefix = this.prefixes.get(vehicleId);
    if (prefix === undefined) {
      if (this.prefixes.size >= MAX_CACHED_PREFIXES) this.prefixes.clear();
      prefix = `${MEASUREMENT},${VEHICLE_TAG}=${escapeTagValue(vehicleId)} `;
      this.prefixes.set(vehicleId, prefix);
    }
    return prefix;
  }

  private driver(driverId: string): string {
    let escaped = this.drivers.get(driverId);
    if (escaped === undefined) {
      if (this.drivers.size >= MAX_CACHED_PREFIXES) this.drivers.clear();
      escaped = escapeFieldString(driverId);
      this.drivers.set(driverId, escaped);
    }
    return escaped;
  }
}
