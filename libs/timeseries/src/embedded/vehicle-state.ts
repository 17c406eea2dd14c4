import * as fs from 'node:fs';
import * as path from 'node:path';
import { SeriesHead } from './series-head';
import {
  parseSegmentFileName,
  vehicleDirName,
  vehicleIdOfDir,
  type SegmentInfo,
} from './segment-file';

/** Everything the store holds about one vehicle: its head and the catalogue of its segments. */
export interface VehicleState {
  readonly vehicleId: string;
  readonly dir: string;
  readonly head: SeriesHead;
  /** Oldest first (ascending lastLsn); later segments win on equal ts. */
  readonly segments: SegmentInfo[];
  /** Highest lastLsn of its segments: its WAL rows up to this LSN are already in segments. */
  flushedLsn: number;
}

export function newVehicleState(segmentRoot: string, vehicleId: string): VehicleState {
  return {
    vehicleId,
    dir: path.join(segmentRoot, vehicleDirName(vehicleId)),
    head: new SeriesHead(),
    segments: [],
    flushedLsn: 0,
  };
}

/**
 * Builds the segment catalogue from file names alone (one readdir per vehicle) and removes
 * temp files of flushes that a crash interrupted (their data is still in the WAL).
 */
export async function scanSegments(segmentRoot: string): Promise<Map<string, VehicleState>> {
  const vehicles = new Map<string, VehicleState>();
  for (const dirName of await fs.promises.readdir(segmentRoot)) {
    const vehicleId = vehicleIdOfDir(dirName);
    if (vehicleId === undefined) continue;
    const state = newVehicleState(segmentRoot, vehicleId);
    for (const name of await fs.promises.readdir(state.dir)) {
      if (name.endsWith('.tmp')) {
        await fs.promises.rm(path.join(state.dir, name), { force: true });
        continue;
      }
      const info = parseSegmentFileName(vehicleId, state.dir, name);
      if (info) state.segments.push(info);
    }
    state.segments.sort((a, b) => a.lastLsn - b.lastLsn);
    state.flushedLsn = state.segments.reduce((max, s) => Math.max(max, s.lastLsn), 0);
    vehicles.set(vehicleId, state);
  }
  return vehicles;
}
