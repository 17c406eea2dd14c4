import { deriveSeed } from '@fleetfm/simulator';
import { InvalidRequestError } from '@fleetfm/domain';
import { SPLITS, type Split } from './corpus-record';

/** Fractions of held-out entities; train gets the rest. */
export interface SplitFractions {
  readonly validation: number;
  readonly test: number;
}

export const DEFAULT_SPLIT_FRACTIONS: SplitFractions = { test: 0.1, validation: 0.1 };

const RANK: Record<Split, number> = { test: 2, train: 0, validation: 1 };

/** The keys a series is split by: its vehicle and driver, or its group when it has neither. */
export function splitKeys(series: {
  readonly group: string;
  readonly vehicleId?: string | null;
  readonly driverId?: string | null;
}): string[] {
  const keys: string[] = [];
  if (series.vehicleId) keys.push(`vehicle:${series.vehicleId}`);
  if (series.driverId) keys.push(`driver:${series.driverId}`);
  if (keys.length === 0) keys.push(`group:${series.group}`);
  return keys;
}

/**
 * Deterministic train/validation/test assignment. Each entity (vehicle, driver, or group) gets a
 * split from a seeded hash of its key, independent of what else is in the corpus, so adding data
 * never moves an entity; `pinned` entities get the split named for them instead. A series goes
 * to the most held-out split of its entities (test over validation over train): a held-out
 * vehicle or driver therefore never appears in train, and a test one never in validation, even
 * when vehicles and drivers are crossed. The price is that crossed series are held out a little
 * more often than the fractions say.
 */
export class SplitAssigner {
  constructor(
    readonly seed: number,
    readonly fractions: SplitFractions = DEFAULT_SPLIT_FRACTIONS,
    /** Entity key (`vehicle:<id>`, …) → the split it goes to whatever its hash says. */
    readonly pinned: Readonly<Record<string, Split>> = {},
  ) {
    const { test, validation } = fractions;
    if (!(test >= 0 && validation >= 0 && test + validation < 1)) {
      throw new InvalidRequestError(
        `split fractions must be ≥ 0 and leave room for train: ${JSON.stringify(fractions)}`,
      );
    }
    for (const [key, split] of Object.entries(pinned)) {
      if (!SPLITS.includes(split)) {
        throw new InvalidRequestError(
          `${key} is pinned to '${split}', not one of ${SPLITS.join(', ')}`,
        );
      }
    }
  }

  /** The split of one entity key such as `vehicle:v7`. */
  entitySplit(key: string): Split {
    return Object.prototype.hasOwnProperty.call(this.pinned, key)
      ? this.pinned[key]
      : this.hashedSplit(key);
  }

  /** The split the seeded hash gives an entity key. */
  private hashedSplit(key: string): Split {
    const u = deriveSeed(this.seed, 'split', key) / 4294967296;
    if (u < this.fractions.test) return 'test';
    if (u < this.fractions.test + this.fractions.validation) return 'validation';
    return 'train';
  }

  /** The split of a series: the most held-out split among its keys. */
  assign(series: Parameters<typeof splitKeys>[0]): Split {
    let rank = 0;
    for (const key of splitKeys(series)) rank = Math.max(rank, RANK[this.entitySplit(key)]);
    return SPLITS[rank];
  }
}
