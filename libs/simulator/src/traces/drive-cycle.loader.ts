import * as fs from 'node:fs';
import * as path from 'node:path';
import { ValidationError } from '@fleetfm/domain';
import { cellNumber, columnIndex, parseCsv } from './csv-table';
import type { SpeedTrace } from './speed-trace';

/**
 * Reads one drive-cycle CSV (FASTSim layout `cycSecs, cycMps, cycGrade, cycRoadType`, or the
 * `time_s, mps, grade` layout of the TSDC trip) and resamples it onto a 1 Hz grid, so that every
 * trace shares one time base.
 */
export function parseDriveCycle(name: string, text: string): SpeedTrace {
  const table = parseCsv(text);
  const tCol = columnIndex(table, 'cycSecs', 'time_s');
  const vCol = columnIndex(table, 'cycMps', 'mps');
  const gCol = columnIndex(table, 'cycGrade', 'grade');
  if (tCol < 0 || vCol < 0 || table.rows.length < 2) {
    throw new ValidationError(`Drive cycle ${name}: expected time and speed columns`, {
      header: table.header,
    });
  }
  const t = table.rows.map((r) => cellNumber(r, tCol, Number.NaN));
  const v = table.rows.map((r) => Math.max(0, cellNumber(r, vCol)));
  const g = table.rows.map((r) => cellNumber(r, gCol));
  const n = Math.floor(t[t.length - 1] - t[0]) + 1;
  const speedMps = new Float64Array(n);
  const grade = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < n; i++) {
    const ti = t[0] + i;
    while (j < t.length - 2 && t[j + 1] <= ti) j++;
    const span = t[j + 1] - t[j];
    const f = span > 0 ? Math.min(1, Math.max(0, (ti - t[j]) / span)) : 0;
    speedMps[i] = v[j] + f * (v[j + 1] - v[j]);
    grade[i] = g[j] + f * (g[j + 1] - g[j]);
  }
  return { name, scenario: name, source: 'cycle', speedMps, grade };
}

/** Scenario name of a cycle file: its base name, lower-cased (`udds.csv` → `udds`). */
export function cycleNameOf(file: string): string {
  return path.basename(file, path.extname(file)).toLowerCase();
}

/** Every `*.csv` drive cycle in `dir`, sorted by name so that seeded choices are stable. */
export function loadDriveCycles(dir: string): SpeedTrace[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.toLowerCase().endsWith('.csv'))
    .sort()
    .map((f) => parseDriveCycle(cycleNameOf(f), fs.readFileSync(path.join(dir, f), 'utf8')));
}
