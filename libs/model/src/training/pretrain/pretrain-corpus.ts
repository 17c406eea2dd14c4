import { ValidationError } from '@fleetfm/domain';
import {
  DEFAULT_HELD_OUT_CYCLES,
  SplitAssigner,
  buildCorpus,
  type CorpusManifest,
  type CorpusSource,
} from '@fleetfm/datasets';
import { loadTraceLibrary } from '@fleetfm/simulator';
import {
  DEFAULT_REAL_ROUTE_SHARE,
  fleetCorpusSource,
  type FleetCorpusOptions,
} from './fleet-corpus.source';

export interface PretrainCorpusOptions extends FleetCorpusOptions {
  readonly outDir: string;
  /** Default 42. */
  readonly seed?: number;
  /** KernelSynth series. Default 400. */
  readonly syntheticCount?: number;
  /**
   * More KernelSynth series with sharper seasonal profiles (periodic length scales 1, 0.5, 0.25;
   * see `BuildCorpusOptions.sharpSynthetic`). Default 0.
   */
  readonly sharpSyntheticCount?: number;
  /** Steps per KernelSynth series (Cholesky cost grows as length³). Default 640. */
  readonly syntheticLength?: number;
  /** Real GPS trips (speed and acceleration); false leaves them out. Default true. */
  readonly gps?: boolean;
  readonly onProgress?: (event: { source: CorpusSource; written: number }) => void;
}

/**
 * The default pretraining corpus: real GPS trips (speed, acceleration), KernelSynth series,
 * and a simulated fleet, written as Arrow shards with a manifest by `buildCorpus`. Simulated
 * trips follow drive cycles or the GPS traces of train-split vehicles only (held-out vehicles'
 * speed profiles would otherwise leak into training through the simulator), and never drive the
 * held-out cycles (default `DEFAULT_HELD_OUT_CYCLES`), which the manifest records.
 */
export async function buildPretrainCorpus(options: PretrainCorpusOptions): Promise<CorpusManifest> {
  const seed = options.seed ?? 42;
  // The corpus writer splits by the same seed: only train-split GPS vehicles may be replayed.
  const splits = new SplitAssigner(seed);
  const gpsVehicleFilter =
    options.gpsVehicleFilter ??
    ((vehicleId: string): boolean => splits.entitySplit(`vehicle:cmap:${vehicleId}`) === 'train');
  const heldOutCycles = [...(options.heldOutCycles ?? DEFAULT_HELD_OUT_CYCLES)];
  checkCycleNames(heldOutCycles, options.dataDir);
  return buildCorpus({
    dataRoot: options.dataDir,
    gps: options.gps === false ? false : { channels: ['speed_mps', 'accel_mps2'] },
    onProgress: options.onProgress,
    outDir: options.outDir,
    seed,
    sharpSynthetic:
      (options.sharpSyntheticCount ?? 0) > 0
        ? { count: options.sharpSyntheticCount ?? 0, length: options.syntheticLength ?? 640 }
        : undefined,
    simulator: fleetCorpusSource({ ...options, gpsVehicleFilter, heldOutCycles }),
    simulatorMeta: {
      heldOutCycles,
      realRouteShare: options.gpsShare ?? DEFAULT_REAL_ROUTE_SHARE,
      // Recorded only when used, so that the manifests of earlier corpora rebuild unchanged.
      ...((options.proceduralShare ?? 0) > 0
        ? { proceduralRouteShare: options.proceduralShare }
        : {}),
      ...(options.ratesHz ? { ratesHz: [...options.ratesHz] } : {}),
    },
    synthetic:
      (options.syntheticCount ?? 400) > 0
        ? { count: options.syntheticCount ?? 400, length: options.syntheticLength ?? 640 }
        : undefined,
  });
}

/** Held-out cycle names must name cycles of the trace library (a typo would hold out nothing). */
function checkCycleNames(names: readonly string[], dataDir: string | undefined): void {
  if (names.length === 0) return;
  const known = loadTraceLibrary(dataDir).cycles.map((c) => c.name);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    throw new ValidationError(
      `unknown drive cycle(s) to hold out: ${unknown.join(', ')} (the cycles are ${known.join(', ')})`,
    );
  }
}
