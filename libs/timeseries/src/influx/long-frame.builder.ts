import { SIGNAL_NAMES, isSignalName, type SignalName, type TelemetrySample } from '@fleetfm/domain';
import type { DownsampledFrame, SignalAggregates, TelemetryFrame } from '../time-series-store.port';
import { parseFluxTime } from './flux-csv.reader';
import {
  DRIVER_BIT,
  DRIVER_FIELD,
  LEGACY_PRESENT_FIELD,
  PRESENT_FIELD,
} from './line-protocol.encoder';

const SIGNAL_BIT = new Map<string, number>(SIGNAL_NAMES.map((name, i) => [name, 1 << i]));
/** Presence of a point without presence field (written by another tool): everything. */
const ALL_PRESENT = ((1 << SIGNAL_NAMES.length) - 1) | DRIVER_BIT;
const maskCache = new Map<string, number>();

/**
 * Bit mask (bit i = SIGNAL_NAMES[i], plus DRIVER_BIT: such points always carried the driver
 * field) of a legacy presence field value "soc_pct,speed_mps".
 */
export function legacyPresenceMask(list: string): number {
  let mask = maskCache.get(list);
  if (mask === undefined) {
    mask = DRIVER_BIT;
    for (const name of list.split(',')) mask |= SIGNAL_BIT.get(name) ?? 0;
    if (maskCache.size > 4096) maskCache.clear();
    maskCache.set(list, mask);
  }
  return mask;
}

interface FieldSeries {
  times: number[];
  values: number[];
}

/**
 * Collects long-format Flux rows (time, value, field) of one vehicle and pivots them into
 * columns. A signal value (or driver) counts only where the point's presence mask has its bit:
 * InfluxDB merges the fields of a rewritten point, this undoes that for fields the rewrite
 * dropped. The integer PRESENT_FIELD wins over the LEGACY_PRESENT_FIELD list of older writes.
 */
export class LongFrameBuilder {
  private readonly series = new Map<string, FieldSeries>();
  private readonly presentTimes: number[] = [];
  private readonly presentMasks: number[] = [];
  private readonly legacyTimes: number[] = [];
  private readonly legacyMasks: number[] = [];
  private readonly driverAt = new Map<number, string>();

  /** Rows outside [from, to) are ignored, whatever the server's range semantics. */
  constructor(
    private readonly from = -Infinity,
    private readonly to = Infinity,
  ) {}

  /** A row handler for `FluxCsvReader`. */
  readonly add = (time: string, value: string, field: string): void => {
    const t = parseFluxTime(time);
    if (t < this.from || t >= this.to) return;
    if (field === PRESENT_FIELD) {
      this.presentTimes.push(t);
      this.presentMasks.push(Number(value) | 0);
    } else if (field === LEGACY_PRESENT_FIELD) {
      this.legacyTimes.push(t);
      this.legacyMasks.push(legacyPresenceMask(value));
    } else if (field === DRIVER_FIELD) {
      this.driverAt.set(t, value);
    } else if (isSignalName(field)) {
      let s = this.series.get(field);
      if (s === undefined) {
        s = { times: [], values: [] };
        this.series.set(field, s);
      }
      s.times.push(t);
      s.values.push(Number(value));
    }
  };

  toFrame(vehicleId: string, signals: readonly SignalName[]): TelemetryFrame {
    const ts = this.unionTimes();
    const n = ts.length;
    const masks = new Int32Array(n).fill(ALL_PRESENT);
    this.scatter(ts, this.legacyTimes, (i, k) => (masks[i] = this.legacyMasks[k]));
    this.scatter(ts, this.presentTimes, (i, k) => (masks[i] = this.presentMasks[k]));
    const columns: Partial<Record<SignalName, Float64Array>> = {};
    for (const name of signals) {
      const column = new Float64Array(n).fill(Number.NaN);
      const bit = SIGNAL_BIT.get(name) ?? 0;
      const s = this.series.get(name);
      if (s !== undefined) {
        this.scatter(ts, s.times, (i, k) => {
          if ((masks[i] & bit) !== 0) column[i] = s.values[k];
        });
      }
      columns[name] = column;
    }
    return { vehicleId, ts, columns };
  }

  /** The newest point as a sample (rows from `latestQuery`), or undefined without data. */
  toLatest(vehicleId: string): TelemetrySample | undefined {
    let ts = -Infinity;
    for (const t of this.presentTimes) ts = Math.max(ts, t);
    for (const t of this.legacyTimes) ts = Math.max(ts, t);
    if (ts === -Infinity) {
      for (const s of this.series.values()) for (const t of s.times) ts = Math.max(ts, t);
    }
    if (ts === -Infinity) return undefined;
    const k = this.presentTimes.indexOf(ts);
    const j = this.legacyTimes.indexOf(ts);
    const mask = k >= 0 ? this.presentMasks[k] : j >= 0 ? this.legacyMasks[j] : ALL_PRESENT;
    const signals: Partial<Record<SignalName, number>> = {};
    for (const name of SIGNAL_NAMES) {
      const s = this.series.get(name);
      const at = s === undefined ? -1 : s.times.lastIndexOf(ts);
      if (s !== undefined && at >= 0 && (mask & (SIGNAL_BIT.get(name) ?? 0)) !== 0) {
        signals[name] = s.values[at];
      }
    }
    const driverId = (mask & DRIVER_BIT) === 0 ? undefined : this.driverAt.get(ts);
    return driverId === undefined || driverId === ''
      ? { vehicleId, ts, signals }
      : { vehicleId, driverId, ts, signals };
  }

  private unionTimes(): Float64Array {
    let total = this.presentTimes.length + this.legacyTimes.length;
    for (const s of this.series.values()) total += s.times.length;
    const all = new Float64Array(total);
    let o = 0;
    for (const t of this.presentTimes) all[o++] = t;
    for (const t of this.legacyTimes) all[o++] = t;
    for (const s of this.series.values()) for (const t of s.times) all[o++] = t;
    all.sort();
    let n = 0;
    for (let i = 0; i < all.length; i++) if (n === 0 || all[i] !== all[n - 1]) all[n++] = all[i];
    return all.slice(0, n);
  }

  /** Calls `set(indexInTs, k)` for each times[k]; times are usually sorted, so a moving hint. */
  private scatter(ts: Float64Array, times: number[], set: (i: number, k: number) => void): void {
    let hint = 0;
    for (let k = 0; k < times.length; k++) {
      const t = times[k];
      let i = hint < ts.length && ts[hint] === t ? hint : lowerBound(ts, t);
      if (ts[i] !== t) continue;
      set(i, k);
      hint = ++i;
    }
  }
}

function lowerBound(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Mean, min and max per bucket of `every` ms aligned to multiples of `every` since the epoch,
 * NaN-aware; only non-empty buckets (a bucket with a sample but no value of a signal is NaN).
 */
export function downsampleFrame(frame: TelemetryFrame, every: number): DownsampledFrame {
  const { ts } = frame;
  const starts: number[] = [];
  const rowBucket = new Int32Array(ts.length);
  for (let i = 0; i < ts.length; i++) {
    const start = Math.floor(ts[i] / every) * every;
    if (starts.length === 0 || starts[starts.length - 1] !== start) starts.push(start);
    rowBucket[i] = starts.length - 1;
  }
  const m = starts.length;
  const columns: Partial<Record<SignalName, SignalAggregates>> = {};
  for (const [name, values] of Object.entries(frame.columns) as [SignalName, Float64Array][]) {
    const sum = new Float64Array(m);
    const count = new Float64Array(m);
    const min = new Float64Array(m).fill(Number.NaN);
    const max = new Float64Array(m).fill(Number.NaN);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (Number.isNaN(v)) continue;
      const b = rowBucket[i];
      sum[b] += v;
      count[b] += 1;
      if (!(v >= min[b])) min[b] = v;
      if (!(v <= max[b])) max[b] = v;
    }
    const mean = new Float64Array(m);
    for (let b = 0; b < m; b++) mean[b] = count[b] === 0 ? Number.NaN : sum[b] / count[b];
    columns[name] = { mean, min, max };
  }
  return { vehicleId: frame.vehicleId, every, bucketStart: Float64Array.from(starts), columns };
}
