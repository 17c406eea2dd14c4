import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  loadCmapGpsTrips,
  SplitAssigner,
  type CorpusManifest,
  type GpsTrip,
} from '@fleetfm/datasets';

export interface HeldOutGps {
  readonly trips: readonly GpsTrip[];
  readonly vehicles: readonly string[];
  /** How the held-out vehicles were chosen, for the report. */
  readonly source: string;
}

/**
 * Real GPS trips of vehicles the model did not train on: those in the test split of the
 * training corpus. The split is read from the corpus manifest when the checkpoint names its
 * corpus folder and it is still there; otherwise it is recomputed with the corpus' split seed
 * (`SplitAssigner` is a pure function of seed and entity key, so both give the same answer).
 */
export function heldOutGpsTrips(
  dataRoot: string,
  corpus: { readonly dir?: string; readonly seed?: number },
): HeldOutGps {
  const trips = loadCmapGpsTrips(dataRoot);
  const key = (vehicleId: string): string => `vehicle:cmap:${vehicleId}`;
  let isTest: (vehicleId: string) => boolean;
  let source: string;
  const manifestFile = corpus.dir ? path.join(corpus.dir, 'manifest.json') : undefined;
  if (manifestFile && fs.existsSync(manifestFile)) {
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as CorpusManifest;
    const assigner = new SplitAssigner(manifest.split.seed, manifest.split.fractions);
    isTest = (v) => (manifest.split.entities[key(v)] ?? assigner.entitySplit(key(v))) === 'test';
    source = `test split of the corpus manifest ${manifestFile}`;
  } else {
    const seed = corpus.seed ?? 42;
    const assigner = new SplitAssigner(seed);
    isTest = (v) => assigner.entitySplit(key(v)) === 'test';
    source = `test split recomputed with corpus seed ${seed} (default fractions)`;
  }
  const held = trips.filter((t) => isTest(t.vehicleId));
  return { source, trips: held, vehicles: [...new Set(held.map((t) => t.vehicleId))] };
}
