import { SIGNAL_NAMES, ValidationError, type TelemetrySample } from '@fleetfm/domain';

/** The one measurement FleetFM writes. */
export const MEASUREMENT = 'telemetry';
/** Tag holding the vehicle id: the only tag, so a vehicle is one series per field. */
export const VEHICLE_TAG = 'vehicle_id';
/** String field with the driver id ("" when the sample had none). */
export const DRIVER_FIELD = 'driver_id';
/**
 * String field listing the signals the sample carried ("soc_pct,speed_mps"). InfluxDB merges
 * the fields of points with the same series and time, so a rewrite with fewer signals would
 * otherwise leave the old values of the others visible; readers ignore fields not listed here.
 */
export const PRESENT_FIELD = 'signals';

/** Bounds the prefix cache; a fleet has far fewer vehicles, a fuzzer may not. */
const MAX_CACHED_PREFIXES = 100_000;

function escapeTagValue(value: string): string {
  return /[,= \\\n]/.test(value)
    ? value.replace(/([,= \\])/g, '\\$1').replace(/\n/g, '\\n')
    : value;
}

function quoteFieldString(value: string): string {
  return /["\\]/.test(value) ? `"${value.replace(/(["\\])/g, '\\$1')}"` : `"${value}"`;
}

/**
 * Encodes samples as InfluxDB line protocol with millisecond timestamps:
 * `telemetry,vehicle_id=v1 soc_pct=80,speed_mps=12.5,driver_id="d7",signals="soc_pct,speed_mps" 1767225600000`.
 * Numbers are written as floats (no `i` suffix) so a field never changes type.
 */
export class LineProtocolEncoder {
  private readonly prefixes = new Map<string, string>();

  /** Lines of `samples[start..end)`, newline-terminated. */
  encode(samples: readonly TelemetrySample[], start = 0, end = samples.length): string {
    let out = '';
    for (let i = start; i < end; i++) {
      const sample = samples[i];
      if (!Number.isSafeInteger(sample.ts)) {
        throw new ValidationError(`sample ${i} has a timestamp that is not whole ms`, {
          index: i,
          ts: sample.ts,
        });
      }
      if (sample.vehicleId === '') {
        throw new ValidationError(`sample ${i} has an empty vehicle id`, { index: i });
      }
      const signals = sample.signals;
      let fields = '';
      let names = '';
      for (let k = 0; k < SIGNAL_NAMES.length; k++) {
        const name = SIGNAL_NAMES[k];
        const value = signals[name];
        // InfluxDB refuses NaN and infinities; such a value is simply not measured.
        if (value === undefined || !Number.isFinite(value)) continue;
        if (names === '') {
          fields = name + '=' + value;
          names = name;
        } else {
          fields += ',' + name + '=' + value;
          names += ',' + name;
        }
      }
      const driver = sample.driverId === undefined ? '""' : quoteFieldString(sample.driverId);
      out +=
        this.prefix(sample.vehicleId) +
        fields +
        (fields === '' ? '' : ',') +
        DRIVER_FIELD +
        '=' +
        driver +
        ',' +
        PRESENT_FIELD +
        '="' +
        names +
        '" ' +
        sample.ts +
        '\n';
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
}
