import * as fs from 'node:fs';
import * as path from 'node:path';
import { cellNumber, columnIndex, parseCsv } from './csv-table';
import type { SpeedTrace } from './speed-trace';

const MPH_TO_MPS = 0.44704;

export interface GpsSplitOptions {
  /** A jump in timestamp longer than this ends a trip (s). Default 60. */
  readonly maxGapS?: number;
  /** Trips shorter than this are dropped (s). Default 120. */
  readonly minDurationS?: number;
  /** Trips that never exceed this speed are dropped (m/s): GPS jitter in a car park. Default 3. */
  readonly minPeakMps?: number;
}

/** `2007-08-20 06:52:28` → seconds. Zone does not matter: only differences are used. */
function parseTimestampS(text: string): number {
  return Date.parse(`${text.trim().replace(' ', 'T')}Z`) / 1000;
}

/**
 * Splits one day of a vehicle's 1 Hz GPS log into trips. Gaps longer than `maxGapS` are trip
 * boundaries; shorter gaps are GPS dropouts inside a trip and are bridged by linear
 * interpolation so that the trace stays on a 1 Hz grid.
 */
export function splitGpsTrips(
  baseName: string,
  text: string,
  options: GpsSplitOptions = {},
): SpeedTrace[] {
  const maxGapS = options.maxGapS ?? 60;
  const minDurationS = options.minDurationS ?? 120;
  const minPeakMps = options.minPeakMps ?? 3;
  const table = parseCsv(text);
  const tsCol = columnIndex(table, 'timestamp');
  const vCol = columnIndex(table, 'speed_mph');
  if (tsCol < 0 || vCol < 0) return [];
  const trips: SpeedTrace[] = [];
  let times: number[] = [];
  let speeds: number[] = [];
  const flush = (): void => {
    if (times.length >= 2) {
      const trace = resample1Hz(`${baseName}#${trips.length}`, times, speeds);
      const peak = trace.speedMps.reduce((m, v) => Math.max(m, v), 0);
      if (trace.speedMps.length - 1 >= minDurationS && peak >= minPeakMps) trips.push(trace);
    }
    times = [];
    speeds = [];
  };
  for (const row of table.rows) {
    const t = parseTimestampS(row[tsCol] ?? '');
    if (!Number.isFinite(t)) continue;
    const last = times[times.length - 1];
    if (last !== undefined && (t - last > maxGapS || t <= last)) flush();
    times.push(t);
    speeds.push(Math.max(0, cellNumber(row, vCol)) * MPH_TO_MPS);
  }
  flush();
  return trips;
}

function resample1Hz(name: string, times: number[], speeds: number[]): SpeedTrace {
  const n = Math.round(times[times.length - 1] - times[0]) + 1;
  const speedMps = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < n; i++) {
    const t = times[0] + i;
    while (j < times.length - 2 && times[j + 1] <= t) j++;
    const span = times[j + 1] - times[j];
    const f = span > 0 ? Math.min(1, Math.max(0, (t - times[j]) / span)) : 0;
    speedMps[i] = speeds[j] + f * (speeds[j + 1] - speeds[j]);
  }
  // GPS logs carry no elevation here: flat road, stated rather than invented.
  return {
    name: `gps:${name}`,
    scenario: 'real',
    source: 'gps',
    speedMps,
    grade: new Float64Array(n),
  };
}

/** Every trip of every vehicle folder under `dir` (`<household>_<vehicle>/<date>.csv`), sorted. */
export function loadGpsTrips(dir: string, options: GpsSplitOptions = {}): SpeedTrace[] {
  const trips: SpeedTrace[] = [];
  for (const vehicle of fs.readdirSync(dir).sort()) {
    const vehicleDir = path.join(dir, vehicle);
    if (!fs.statSync(vehicleDir).isDirectory()) continue;
    for (const file of fs.readdirSync(vehicleDir).sort()) {
      if (!file.endsWith('.csv')) continue;
      const text = fs.readFileSync(path.join(vehicleDir, file), 'utf8');
      trips.push(...splitGpsTrips(`${vehicle}/${path.basename(file, '.csv')}`, text, options));
    }
  }
  return trips;
}
