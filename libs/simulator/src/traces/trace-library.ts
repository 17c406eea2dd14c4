import * as fs from 'node:fs';
import * as path from 'node:path';
import { NotFoundError } from '@fleetfm/domain';
import { loadDriveCycles } from './drive-cycle.loader';
import { loadGpsTrips } from './gps-trip.loader';
import type { SpeedTrace } from './speed-trace';

/** All speed targets available to the simulator. */
export interface TraceLibrary {
  readonly cycles: readonly SpeedTrace[];
  readonly gpsTrips: readonly SpeedTrace[];
}

/**
 * `../shared/data` next to the repository root, found by walking up from this file to the first
 * folder holding both `package.json` and `libs/` (works from the sources and from dist/).
 */
export function defaultSharedDataDir(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'libs'))) {
      return path.resolve(dir, '..', 'shared', 'data');
    }
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(process.cwd(), '..', 'shared', 'data');
    dir = parent;
  }
}

const cache = new Map<string, TraceLibrary>();

/**
 * Loads `drive-cycles/` and `cmap-gps/` under `dataDir` (default: the shared data folder).
 * Synchronous and cached per folder: it is read once at start-up (~0.2 s for the GPS logs) and
 * the simulator constructor stays synchronous.
 */
export function loadTraceLibrary(dataDir: string = defaultSharedDataDir()): TraceLibrary {
  const key = path.resolve(dataDir);
  const hit = cache.get(key);
  if (hit) return hit;
  const cyclesDir = path.join(key, 'drive-cycles');
  if (!fs.existsSync(cyclesDir)) {
    throw new NotFoundError(`No drive cycles at ${cyclesDir}; set the shared data directory`);
  }
  const gpsDir = path.join(key, 'cmap-gps');
  const library: TraceLibrary = {
    cycles: loadDriveCycles(cyclesDir),
    gpsTrips: fs.existsSync(gpsDir) ? loadGpsTrips(gpsDir) : [],
  };
  cache.set(key, library);
  return library;
}

/** A trace by name (`udds`, `gps:...`); throws NotFoundError listing what exists. */
export function findTrace(library: TraceLibrary, name: string): SpeedTrace {
  const trace = [...library.cycles, ...library.gpsTrips].find((t) => t.name === name);
  if (!trace) {
    throw new NotFoundError(`Unknown trace ${name}`, {
      cycles: library.cycles.map((c) => c.name),
    });
  }
  return trace;
}
