import { ValidationError } from '@fleetfm/domain';
import {
  DEFAULT_HELD_OUT_CYCLES,
  DEFAULT_SPLIT_FRACTIONS,
  SplitAssigner,
  buildCorpus,
  type CorpusManifest,
  type CorpusSource,
} from '@fleetfm/datasets';
import { loadTraceLibrary } from '@fleetfm/simulator';
import {
  DEFAULT_REAL_ROUTE_SHARE,
  fleetCorpusSource,
  gpsTraceVehicle,
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
  /**
   * CMAP vehicle folders (e.g. `4033363_3`) whose recorded trips go to the validation split
   * whatever their hash says, so that validation scores real roads the training fleet never
   * drives (simulated trips replay train-split vehicles' routes only). A vehicle the hash puts in
   * the test split (held out for `fleetfm eval`) cannot be pinned. Default none.
   */
  readonly validationVehicles?: readonly string[];
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
  const pinned = validationPins(options.validationVehicles ?? [], seed, options.dataDir);
  // The corpus writer splits by the same seed and pins: only train-split GPS vehicles may be
  // replayed.
  const splits = new SplitAssigner(seed, DEFAULT_SPLIT_FRACTIONS, pinned);
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
    writer: { pinnedSplits: pinned },
  });
}

/** `vehicle:cmap:<id>` → 'validation' per named CMAP vehicle; ValidationError for a bad one. */
function validationPins(
  vehicles: readonly string[],
  seed: number,
  dataDir: string | undefined,
): Record<string, 'validation'> {
  if (vehicles.length === 0) return {};
  const known = [
    ...new Set(loadTraceLibrary(dataDir).gpsTrips.map((t) => gpsTraceVehicle(t.name))),
  ];
  const hashed = new SplitAssigner(seed);
  const pins: Record<string, 'validation'> = {};
  for (const id of vehicles) {
    if (!known.includes(id)) {
      throw new ValidationError(
        `no GPS vehicle '${id}' to put in validation (the vehicles are ${known.sort().join(', ')})`,
      );
    }
    const key = `vehicle:cmap:${id}`;
    if (hashed.entitySplit(key) === 'test') {
      throw new ValidationError(
        `GPS vehicle '${id}' is in the test split (held out for \`fleetfm eval\`); pin a train-split vehicle`,
      );
    }
    pins[key] = 'validation';
  }
  return pins;
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
