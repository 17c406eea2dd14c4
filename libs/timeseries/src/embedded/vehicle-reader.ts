import { SIGNAL_NAMES, type SignalName, type TelemetrySample } from '@fleetfm/domain';
import type { VehicleSummary } from '../time-series-store.port';
import type { SourceSlice } from './frame-merge';
import type { SegmentCache } from './segment-cache';
import type { LoadedSegment, SegmentInfo } from './segment-file';
import { lowerBound, type SeriesSource } from './series-source';
import type { VehicleState } from './vehicle-state';

/**
 * Slices of every source of a vehicle overlapping [from, to), oldest first. Segments load
 * asynchronously; the final picture (segment list + head) is taken synchronously after the
 * loads, repeating if a flush added a segment meanwhile, so no row is missed or doubled.
 */
export async function collectSlices(
  v: VehicleState,
  cache: SegmentCache,
  from: number,
  to: number,
): Promise<SourceSlice[]> {
  if (!(from < to)) return [];
  const loaded = new Map<string, LoadedSegment>();
  for (;;) {
    const count = v.segments.length;
    const wanted = v.segments.filter((s) => s.minTs < to && s.maxTs >= from);
    for (const s of wanted) {
      if (!loaded.has(s.file)) loaded.set(s.file, await cache.get(s.file));
    }
    if (v.segments.length !== count) continue;
    const slices: SourceSlice[] = [];
    for (const s of wanted) slices.push(slice(loaded.get(s.file) as LoadedSegment, from, to));
    if (v.head.length > 0) slices.push(slice(v.head, from, to));
    return slices.filter((s) => s.hi > s.lo);
  }
}

/** The newest row of a vehicle: the head wins over segments, a newer segment over an older. */
export async function latestSample(
  v: VehicleState,
  cache: SegmentCache,
): Promise<TelemetrySample | undefined> {
  const head = v.head;
  for (;;) {
    const count = v.segments.length;
    let newest: SegmentInfo | undefined;
    for (const s of v.segments) if (!newest || s.maxTs >= newest.maxTs) newest = s;
    const headWins = (): boolean =>
      head.length > 0 && (!newest || head.ts[head.length - 1] >= newest.maxTs);
    if (headWins()) return sampleAt(v.vehicleId, head, head.length - 1);
    if (!newest) return undefined;
    const segment = await cache.get(newest.file);
    // Writes or a flush may have happened while the segment loaded: look again.
    if (v.segments.length !== count) continue;
    if (headWins()) return sampleAt(v.vehicleId, head, head.length - 1);
    return sampleAt(v.vehicleId, segment, segment.length - 1);
  }
}

/** First and last timestamp of a vehicle, from the catalogue and head only (no I/O). */
export function summarize(v: VehicleState): VehicleSummary | undefined {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const s of v.segments) {
    first = Math.min(first, s.minTs);
    last = Math.max(last, s.maxTs);
  }
  if (v.head.length > 0) {
    first = Math.min(first, v.head.ts[0]);
    last = Math.max(last, v.head.ts[v.head.length - 1]);
  }
  return first <= last ? { vehicleId: v.vehicleId, firstTs: first, lastTs: last } : undefined;
}

/** The earliest timestamp >= t that may hold data of the vehicle (Infinity when none). */
export function nextDataTs(v: VehicleState, t: number): number {
  let next = Number.POSITIVE_INFINITY;
  for (const s of v.segments) if (s.maxTs >= t) next = Math.min(next, Math.max(s.minTs, t));
  const head = v.head;
  const i = lowerBound(head.ts, head.length, t);
  if (i < head.length) next = Math.min(next, head.ts[i]);
  return next;
}

function sampleAt(vehicleId: string, source: SeriesSource, row: number): TelemetrySample {
  const signals: Partial<Record<SignalName, number>> = {};
  SIGNAL_NAMES.forEach((name, k) => {
    const value = source.column(k)?.[row];
    if (value !== undefined && !Number.isNaN(value)) signals[name] = value;
  });
  const driverId = source.driverAt(row);
  const ts = source.ts[row];
  return driverId === undefined ? { vehicleId, ts, signals } : { vehicleId, driverId, ts, signals };
}

function slice(source: SeriesSource, from: number, to: number): SourceSlice {
  return {
    source,
    lo: lowerBound(source.ts, source.length, from),
    hi: lowerBound(source.ts, source.length, to),
  };
}
