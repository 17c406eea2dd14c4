import * as fs from 'node:fs';
import * as path from 'node:path';
import { NotFoundError } from '@fleetfm/domain';
import { splitGpsTrips, type GpsSplitOptions } from '@fleetfm/simulator';

/** One trip of one CMAP GPS vehicle at 1 Hz. */
export interface GpsTrip {
  /** The folder name `<household>_<vehicle>`: one folder is one vehicle. */
  readonly vehicleId: string;
  readonly household: string;
  /** The log's date, `YYYY-MM-DD` (the file name). */
  readonly date: string;
  /** Index of the trip within that day's log. */
  readonly tripIndex: number;
  /** `<vehicle>/<date>#<trip>`. */
  readonly name: string;
  readonly freqS: number;
  readonly speedMps: Float32Array;
}

/** Folder of the CMAP GPS logs under a data root. */
export function cmapGpsDir(dataRoot: string): string {
  return path.join(dataRoot, 'cmap-gps');
}

/**
 * Every trip of every vehicle in `<dataRoot>/cmap-gps/<household>_<vehicle>/<date>.csv`, in
 * sorted folder/file order. Trip splitting, mph → m/s and the 1 Hz grid are the simulator's
 * (`splitGpsTrips`: a timestamp jump over `maxGapS` ends a trip, shorter dropouts are
 * interpolated, parked jitter and very short trips are dropped), so that the simulator's driver
 * targets and the corpus see the same trips; this adds the vehicle, date and trip labels.
 */
export function loadCmapGpsTrips(dataRoot: string, options: GpsSplitOptions = {}): GpsTrip[] {
  const dir = cmapGpsDir(dataRoot);
  if (!fs.existsSync(dir)) throw new NotFoundError(`no CMAP GPS logs at ${dir}`, { dir });
  const trips: GpsTrip[] = [];
  for (const vehicleId of fs.readdirSync(dir).sort()) {
    const vehicleDir = path.join(dir, vehicleId);
    if (!fs.statSync(vehicleDir).isDirectory()) continue;
    for (const file of fs.readdirSync(vehicleDir).sort()) {
      if (!file.endsWith('.csv')) continue;
      const date = path.basename(file, '.csv');
      const text = fs.readFileSync(path.join(vehicleDir, file), 'utf8');
      splitGpsTrips(`${vehicleId}/${date}`, text, options).forEach((trace, tripIndex) => {
        trips.push({
          date,
          freqS: 1,
          household: vehicleId.split('_')[0],
          name: `${vehicleId}/${date}#${tripIndex}`,
          speedMps: Float32Array.from(trace.speedMps),
          tripIndex,
          vehicleId,
        });
      });
    }
  }
  return trips;
}

/** Acceleration by central differences (one-sided at the ends), m/s² for a step of `freqS` s. */
export function accelerationOf(speed: Float32Array, freqS: number): Float32Array {
  const n = speed.length;
  const accel = new Float32Array(n);
  if (n < 2) return accel;
  accel[0] = (speed[1] - speed[0]) / freqS;
  accel[n - 1] = (speed[n - 1] - speed[n - 2]) / freqS;
  for (let i = 1; i < n - 1; i++) accel[i] = (speed[i + 1] - speed[i - 1]) / (2 * freqS);
  return accel;
}
