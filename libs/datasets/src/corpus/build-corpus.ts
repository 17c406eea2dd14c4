import { Prng, type GpsSplitOptions } from '@fleetfm/simulator';
import { kernelSynthSeries, type KernelSynthOptions } from '../synthetic/kernel-synth';
import { accelerationOf, loadCmapGpsTrips, type GpsTrip } from '../sources/cmap-gps.source';
import { defaultDataRoot } from '../sources/data-root';
import type { CorpusManifest } from './corpus-manifest';
import type { CorpusSeriesInput, CorpusSource } from './corpus-record';
import { CorpusWriter, type CorpusWriterOptions } from './corpus.writer';

/**
 * Simulated fleet output: given the corpus seed, yields series (see `simulatedTripSeries`).
 * Passed in rather than imported so that the fleet set-up stays with whoever wires the apps.
 */
export type SimulatorCorpusSource = (
  seed: number,
) => Iterable<CorpusSeriesInput> | AsyncIterable<CorpusSeriesInput>;

export interface GpsCorpusOptions {
  /** Keep at most this many trips, drawn with the corpus seed. Default: all. */
  readonly maxTrips?: number;
  /** Default `['speed_mps']`; `accel_mps2` is derived from speed by central differences. */
  readonly channels?: readonly ('speed_mps' | 'accel_mps2')[];
  readonly split?: GpsSplitOptions;
}

export interface SyntheticCorpusOptions extends KernelSynthOptions {
  readonly count: number;
}

export interface BuildCorpusOptions {
  readonly outDir: string;
  readonly seed: number;
  /** Holds `cmap-gps/`. Default `defaultDataRoot()`. */
  readonly dataRoot?: string;
  /** Real GPS trips; `false` to leave them out. Default: all trips, speed only. */
  readonly gps?: GpsCorpusOptions | false;
  /** KernelSynth series; left out unless given. */
  readonly synthetic?: SyntheticCorpusOptions;
  /**
   * More KernelSynth series from their own seed stream, whose periodic kernels get the length
   * scales `SHARP_PERIODIC_LENGTH_SCALES` (sharper seasonal profiles); left out unless given.
   * Adding them leaves every other series of the corpus as it was.
   */
  readonly sharpSynthetic?: { readonly count: number; readonly length?: number };
  readonly simulator?: SimulatorCorpusSource;
  /** Recorded with the simulator's seed and series count in `meta.simulator` (e.g. held-out cycles). */
  readonly simulatorMeta?: Readonly<Record<string, unknown>>;
  readonly writer?: Omit<CorpusWriterOptions, 'seed'>;
  /** Called after each series is written. */
  readonly onProgress?: (event: {
    readonly source: CorpusSource;
    readonly written: number;
  }) => void;
}

/** A seeded choice of k of the items, kept in their original order. */
function sample<T>(items: readonly T[], k: number, prng: Prng): T[] {
  if (k >= items.length) return [...items];
  const index = items.map((_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + prng.int(index.length - i);
    [index[i], index[j]] = [index[j], index[i]];
  }
  return index
    .slice(0, k)
    .sort((a, b) => a - b)
    .map((i) => items[i]);
}

function* gpsSeries(
  trips: readonly GpsTrip[],
  channels: readonly ('speed_mps' | 'accel_mps2')[],
): Generator<CorpusSeriesInput> {
  for (const trip of trips) {
    for (const channel of channels) {
      yield {
        channel,
        driverId: null,
        freqS: trip.freqS,
        group: `cmap:${trip.name}`,
        id: `gps:${trip.name}:${channel}`,
        // One folder is one vehicle; the survey does not say who drove.
        scenario: 'real',
        source: 'gps',
        values: channel === 'speed_mps' ? trip.speedMps : accelerationOf(trip.speedMps, trip.freqS),
        vehicleId: `cmap:${trip.vehicleId}`,
      };
    }
  }
}

/** Periodic length scales of the sharp KernelSynth series (the bank's own is 1). */
export const SHARP_PERIODIC_LENGTH_SCALES: readonly number[] = [1, 0.5, 0.25];

function* syntheticSeries(
  seed: number,
  options: SyntheticCorpusOptions,
  prefix = 'synthetic',
): Generator<CorpusSeriesInput> {
  let i = 0;
  for (const s of kernelSynthSeries(seed, options.count, options)) {
    yield {
      channel: 'value',
      // No physical time base: the kernel periods are in steps.
      freqS: Number.NaN,
      group: `kernel-synth:${prefix === 'synthetic' ? '' : `${prefix}:`}${seed}:${i}`,
      id: `${prefix}:${seed}:${i}`,
      scenario: s.description,
      source: 'synthetic',
      values: s.values,
    };
    i++;
  }
}

/**
 * Assembles the pretraining corpus in `outDir`: real GPS trips, KernelSynth series and simulated
 * fleet output, in that order, as Arrow shards plus a manifest. The same options and seed give
 * the same shards (byte for byte, given the same clock).
 */
export async function buildCorpus(options: BuildCorpusOptions): Promise<CorpusManifest> {
  const root = new Prng(options.seed);
  const writer = await CorpusWriter.create(options.outDir, {
    ...options.writer,
    seed: options.seed,
  });
  const written: Record<CorpusSource, number> = { gps: 0, sim: 0, synthetic: 0 };
  const add = async (series: CorpusSeriesInput): Promise<void> => {
    await writer.add(series);
    written[series.source]++;
    options.onProgress?.({ source: series.source, written: written[series.source] });
  };
  const meta: Record<string, unknown> = {};
  if (options.gps !== false) {
    const gps = options.gps ?? {};
    const dataRoot = options.dataRoot ?? defaultDataRoot();
    const all = loadCmapGpsTrips(dataRoot, gps.split);
    const trips = sample(all, gps.maxTrips ?? all.length, root.fork('gps-trips'));
    const channels = gps.channels ?? ['speed_mps'];
    for (const series of gpsSeries(trips, channels)) await add(series);
    meta.gps = {
      channels,
      trips: trips.length,
      tripsAvailable: all.length,
      vehicles: new Set(trips.map((t) => t.vehicleId)).size,
    };
  }
  if (options.synthetic) {
    const seed = root.fork('synthetic').seed;
    for (const series of syntheticSeries(seed, options.synthetic)) await add(series);
    meta.synthetic = {
      count: options.synthetic.count,
      length: options.synthetic.length ?? 1024,
      seed,
    };
  }
  if (options.sharpSynthetic) {
    const seed = root.fork('synthetic-sharp').seed;
    const sharp = {
      ...options.sharpSynthetic,
      periodicLengthScales: SHARP_PERIODIC_LENGTH_SCALES,
    };
    for (const series of syntheticSeries(seed, sharp, 'synthetic-sharp')) await add(series);
    meta.sharpSynthetic = {
      count: sharp.count,
      length: sharp.length ?? 1024,
      periodicLengthScales: SHARP_PERIODIC_LENGTH_SCALES,
      seed,
    };
  }
  if (options.simulator) {
    const seed = root.fork('simulator').seed;
    for await (const series of options.simulator(seed)) await add({ ...series, source: 'sim' });
    meta.simulator = { ...options.simulatorMeta, seed, series: written.sim };
  }
  return writer.finish(meta);
}
