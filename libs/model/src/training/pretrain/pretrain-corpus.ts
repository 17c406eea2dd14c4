import {
  SplitAssigner,
  buildCorpus,
  type CorpusManifest,
  type CorpusSource,
} from '@fleetfm/datasets';
import { fleetCorpusSource, type FleetCorpusOptions } from './fleet-corpus.source';

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
 * speed profiles would otherwise leak into training through the simulator).
 */
export function buildPretrainCorpus(options: PretrainCorpusOptions): Promise<CorpusManifest> {
  const seed = options.seed ?? 42;
  // The corpus writer splits by the same seed: only train-split GPS vehicles may be replayed.
  const splits = new SplitAssigner(seed);
  const gpsVehicleFilter =
    options.gpsVehicleFilter ??
    ((vehicleId: string): boolean => splits.entitySplit(`vehicle:cmap:${vehicleId}`) === 'train');
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
    simulator: fleetCorpusSource({ ...options, gpsVehicleFilter }),
    synthetic:
      (options.syntheticCount ?? 400) > 0
        ? { count: options.syntheticCount ?? 400, length: options.syntheticLength ?? 640 }
        : undefined,
  });
}
