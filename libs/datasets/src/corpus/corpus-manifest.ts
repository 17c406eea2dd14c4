import type { CorpusSource, Split } from './corpus-record';
import type { SplitFractions } from './split-assignment';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_VERSION = 1;

export type CountBy<K extends string> = Record<K, number>;

export interface ShardEntry {
  /** File name inside the corpus folder, e.g. `shard-00000.arrow`. */
  readonly file: string;
  readonly rows: number;
  readonly bytes: number;
  /** Hex SHA-256 of the file. */
  readonly sha256: string;
  readonly timeSteps: number;
  readonly bySource: CountBy<CorpusSource>;
  /** Lets a reader skip shards with nothing of the split it wants. */
  readonly bySplit: CountBy<Split>;
}

/** `manifest.json`: what a corpus holds and how it was split. */
export interface CorpusManifest {
  readonly version: number;
  readonly createdAt: string;
  readonly seed: number;
  readonly shards: readonly ShardEntry[];
  readonly totalSeries: number;
  readonly totalTimeSteps: number;
  /** Series per source. */
  readonly bySource: CountBy<CorpusSource>;
  /** Time steps per source. */
  readonly timeStepsBySource: CountBy<CorpusSource>;
  readonly split: {
    /** How a series' split is chosen (see `SplitAssigner`). */
    readonly method: string;
    readonly seed: number;
    readonly fractions: SplitFractions;
    /** Series per split. */
    readonly series: CountBy<Split>;
    /** `vehicle:<id>` / `driver:<id>` → its split, for every vehicle and driver in the corpus. */
    readonly entities: Readonly<Record<string, Split>>;
    /** Entities sent to a split whatever their hash (`corpus build --validation-vehicles`). */
    readonly pinned?: Readonly<Record<string, Split>>;
  };
  /** Free-form facts from the builder (sources used, options). */
  readonly meta?: Readonly<Record<string, unknown>>;
}

export function zeroCounts<K extends string>(keys: readonly K[]): CountBy<K> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as CountBy<K>;
}
