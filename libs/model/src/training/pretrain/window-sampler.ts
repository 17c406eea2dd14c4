import { ValidationError } from '@fleetfm/domain';
import type { CorpusReader, CorpusSource, Split } from '@fleetfm/datasets';
import { Prng } from '@fleetfm/simulator';
import type { TrainingWindow } from '../forecast-batch';
import { signalIdOf } from './signal-ids';
import {
  mixWindows,
  resolveAugmentation,
  simplexWeights,
  shortenContext,
  stridedCrop,
  type ResolvedAugmentation,
  type WindowAugmentation,
} from './window-augment';

export interface WindowSamplerArgs {
  readonly contextLength: number;
  readonly horizon: number;
  /** Shortest context a window may have (the rest is left padding). Default contextLength / 4. */
  readonly minContext?: number;
  /** Relative share of windows per source; sources absent from the split are dropped. */
  readonly sourceWeights?: Partial<Record<CorpusSource, number>>;
  /**
   * A series is picked in proportion to (its number of crop positions)^lengthPower: 1 weighs
   * every crop position alike (long, high-rate series dominate), 0 every series alike.
   * Default 1.
   */
  readonly lengthPower?: number;
  /** Augmentations of the drawn windows. Default none. */
  readonly augment?: WindowAugmentation;
}

interface Series {
  readonly values: Float32Array;
  readonly signalId: number;
}

interface SourcePool {
  readonly source: CorpusSource;
  readonly series: Series[];
  /** Cumulative count of crop positions, for picking a series in proportion to its length. */
  readonly cumulative: number[];
  weight: number;
}

/** A corpus split without a series long enough for one window. */
export class EmptySplitError extends ValidationError {}

export const DEFAULT_SOURCE_WEIGHTS: Readonly<Record<CorpusSource, number>> = {
  gps: 0.3,
  sim: 0.4,
  synthetic: 0.3,
};

/**
 * Random crops of context + horizon steps from one split of a corpus, held in memory. A source
 * is drawn by weight, then a series in proportion to its number of crop positions, then a crop
 * uniformly; series shorter than a full window give a window with a shorter (left-padded)
 * context. Each channel is its own univariate series, tagged with its signal id.
 */
export class WindowSampler {
  private constructor(
    private readonly pools: SourcePool[],
    readonly args: Required<Omit<WindowSamplerArgs, 'sourceWeights' | 'augment'>>,
    readonly augment: ResolvedAugmentation,
    readonly seriesCount: number,
    readonly timeSteps: number,
  ) {}

  static async load(
    reader: CorpusReader,
    split: Split,
    args: WindowSamplerArgs,
  ): Promise<WindowSampler> {
    const minContext = args.minContext ?? Math.max(1, Math.floor(args.contextLength / 4));
    const lengthPower = args.lengthPower ?? 1;
    if (!(lengthPower >= 0 && lengthPower <= 1)) {
      throw new ValidationError(`lengthPower must be in [0, 1], got ${args.lengthPower}`);
    }
    const augment = resolveAugmentation(args.augment);
    const full = {
      contextLength: args.contextLength,
      horizon: args.horizon,
      lengthPower,
      minContext,
    };
    const bySource = new Map<CorpusSource, Series[]>();
    let steps = 0;
    let count = 0;
    for await (const r of reader.series({ split })) {
      if (r.values.length < minContext + args.horizon) continue;
      const list = bySource.get(r.source) ?? [];
      list.push({ signalId: signalIdOf(r.channel), values: r.values });
      bySource.set(r.source, list);
      steps += r.values.length;
      count++;
    }
    if (count === 0) {
      throw new EmptySplitError(
        `corpus at ${reader.dir} has no ${split} series of at least ${minContext + args.horizon} steps`,
      );
    }
    const weights = { ...DEFAULT_SOURCE_WEIGHTS, ...args.sourceWeights };
    const pools: SourcePool[] = [];
    for (const [source, series] of [...bySource].sort(([a], [b]) => a.localeCompare(b))) {
      if (!(weights[source] > 0)) continue;
      let total = 0;
      const cumulative = series.map(
        (s) => (total += WindowSampler.positions(s, full) ** lengthPower),
      );
      pools.push({ cumulative, series, source, weight: weights[source] });
    }
    if (pools.length === 0) {
      throw new ValidationError(
        `no ${split} windows: the source weights ${JSON.stringify(weights)} leave out every source the split has (${[...bySource.keys()].join(', ')})`,
      );
    }
    const sum = pools.reduce((s, p) => s + p.weight, 0);
    for (const p of pools) p.weight /= sum;
    return new WindowSampler(pools, full, augment, count, steps);
  }

  private static positions(s: Series, a: { contextLength: number; horizon: number }): number {
    return Math.max(1, s.values.length - (a.contextLength + a.horizon) + 1);
  }

  /** Sources in the sampler and their normalised weights. */
  get sources(): Record<string, number> {
    return Object.fromEntries(this.pools.map((p) => [p.source, p.weight]));
  }

  sample(count: number, prng: Prng): TrainingWindow[] {
    const out: TrainingWindow[] = [];
    const { mixup, maxMixup, shortContext } = this.augment;
    const { contextLength, horizon, minContext } = this.args;
    for (let i = 0; i < count; i++) {
      let w: TrainingWindow;
      if (mixup > 0 && prng.next() < mixup) {
        const k = 2 + prng.int(maxMixup - 1);
        const parts = Array.from({ length: k }, () => this.draw(prng).series);
        const series = mixWindows(parts, simplexWeights(k, prng), horizon);
        w = { series, signalId: 0 };
      } else {
        w = this.draw(prng);
      }
      if (shortContext > 0 && prng.next() < shortContext && minContext < contextLength) {
        const context = minContext + prng.int(contextLength - minContext);
        w = { ...w, series: shortenContext(w.series, context, horizon) };
      }
      out.push(w);
    }
    return out;
  }

  /** One crop: source by weight, series by crop positions^lengthPower, maybe downsampled. */
  private draw(prng: Prng): TrainingWindow {
    const { contextLength, horizon, minContext } = this.args;
    const pool = this.pickPool(prng.next());
    const total = pool.cumulative[pool.cumulative.length - 1];
    const s = pool.series[upperBound(pool.cumulative, prng.next() * total)];
    const length = contextLength + horizon;
    const { downsample, maxStride } = this.augment;
    if (downsample > 0 && prng.next() < downsample) {
      const stride = 2 + prng.int(maxStride - 1);
      const crop = stridedCrop(s.values, length, stride, minContext + horizon, prng);
      if (crop) return { series: crop, signalId: s.signalId };
    }
    const start = s.values.length > length ? prng.int(WindowSampler.positions(s, this.args)) : 0;
    return {
      series: s.values.subarray(start, Math.min(s.values.length, start + length)),
      signalId: s.signalId,
    };
  }

  private pickPool(u: number): SourcePool {
    let acc = 0;
    for (const p of this.pools) {
      acc += p.weight;
      if (u < acc) return p;
    }
    return this.pools[this.pools.length - 1];
  }
}

/** First index whose cumulative count exceeds x. */
function upperBound(cumulative: readonly number[], x: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
