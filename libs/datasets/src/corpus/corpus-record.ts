/** Where a corpus series comes from. */
export type CorpusSource = 'sim' | 'gps' | 'synthetic';

export const CORPUS_SOURCES: readonly CorpusSource[] = ['sim', 'gps', 'synthetic'];

export type Split = 'train' | 'validation' | 'test';

export const SPLITS: readonly Split[] = ['train', 'validation', 'test'];

/** One univariate series of the pretraining corpus, as given to `CorpusWriter.add`. */
export interface CorpusSeriesInput {
  /** Unique in the corpus, e.g. `gps:4033363_3/2007-08-20#2:speed_mps`. */
  readonly id: string;
  readonly source: CorpusSource;
  /**
   * What belongs together (a trip, a vehicle, a synthetic draw). The split is drawn from the
   * vehicle and driver ids; `group` decides it only for series that have neither.
   */
  readonly group: string;
  readonly driverId?: string | null;
  readonly vehicleId?: string | null;
  /** Cycle name, road type, kernel formula, … */
  readonly scenario?: string | null;
  /** Sampling step in seconds (NaN when the series has no physical time base, e.g. synthetic). */
  readonly freqS: number;
  /** Signal name (`speed_mps`, …) or `value` for synthetic series. */
  readonly channel: string;
  readonly values: Float32Array;
}

/** A series as stored and read back, with its split. */
export interface CorpusRecord extends CorpusSeriesInput {
  readonly driverId: string | null;
  readonly vehicleId: string | null;
  readonly scenario: string | null;
  readonly split: Split;
}
