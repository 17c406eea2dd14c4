import type { SignalName } from '@fleetfm/domain';
import type { Prng } from '@fleetfm/simulator';
import type { PatchTokenizer } from '@fleetfm/tokenizer';
import type { ContextBatch } from '../contrastive-step';
import { signalIdOf } from '../pretrain/signal-ids';
import type { StyleFleet, StyleTrip } from './style-fleet';

export interface StyleBatchArgs {
  /** Drivers per batch (P). */
  readonly drivers: number;
  /** Windows per driver, each from a different trip when the driver has enough (K). */
  readonly windowsPerDriver: number;
  readonly channels: readonly SignalName[];
  /** Largest shift of the second view's crop against the first, rows. */
  readonly maxShift: number;
  /** Standard deviation of the noise added to the second view, in normalised units. */
  readonly noise: number;
  /** The model's signal vocabulary: ids at or above it become 0 (as the embedding adapter does). */
  readonly numSignals: number;
}

/**
 * Two views of P · K · C single-channel windows. Row order: driver, window, channel. Labels pair
 * the driver (or scenario) with the channel, because the evaluation compares a channel's
 * embeddings only with the same channel's (it concatenates channels).
 */
export interface StyleBatch {
  readonly viewA: ContextBatch;
  readonly viewB: ContextBatch;
  /** driver · C + channel. */
  readonly driverLabels: Int32Array;
  /** scenario · C + channel. */
  readonly scenarioLabels: Int32Array;
}

/** Picks `count` distinct items (partial Fisher–Yates). */
function sampleDistinct<T>(items: readonly T[], count: number, prng: Prng): T[] {
  const pool = [...items];
  const n = Math.min(count, pool.length);
  for (let i = 0; i < n; i++) {
    const j = i + prng.int(pool.length - i);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, n);
}

/** Groups a fleet's trips by driver, keeping only trips long enough for a window. */
export function tripsByDriver(fleet: StyleFleet, rows: number): StyleTrip[][] {
  const by: StyleTrip[][] = Array.from({ length: fleet.drivers }, () => []);
  for (const t of fleet.trips) {
    if (t.signals.speed_mps.length >= rows) by[t.driver].push(t);
  }
  return by;
}

/** Samples one labelled two-view batch; deterministic given the PRNG state. */
export function sampleStyleBatch(
  byDriver: readonly (readonly StyleTrip[])[],
  tokenizer: PatchTokenizer,
  args: StyleBatchArgs,
  prng: Prng,
): StyleBatch {
  const l = tokenizer.config.contextLength;
  const c = args.channels.length;
  const eligible = byDriver.map((_, d) => d).filter((d) => byDriver[d].length > 0);
  if (eligible.length < 2) throw new Error('style batch: need at least two drivers with trips');
  const drivers = sampleDistinct(eligible, args.drivers, prng);
  const rows = drivers.length * args.windowsPerDriver * c;
  const a = { mask: new Float32Array(rows * l), values: new Float32Array(rows * l) };
  const b = { mask: new Float32Array(rows * l), values: new Float32Array(rows * l) };
  const signalIds = new Int32Array(rows);
  const driverLabels = new Int32Array(rows);
  const scenarioLabels = new Int32Array(rows);
  let r = 0;
  for (const d of drivers) {
    const trips = byDriver[d];
    const chosen = sampleDistinct(trips, args.windowsPerDriver, prng);
    while (chosen.length < args.windowsPerDriver) chosen.push(prng.pick(trips));
    for (const trip of chosen) {
      const n = trip.signals[args.channels[0]].length;
      const start = prng.int(n - l + 1);
      const shifted = Math.min(
        n - l,
        Math.max(0, start + Math.round((2 * prng.next() - 1) * args.maxShift)),
      );
      for (let ch = 0; ch < c; ch++) {
        const series = trip.signals[args.channels[ch]];
        const ta = tokenizer.encode(series.subarray(start, start + l));
        const tb = tokenizer.encode(series.subarray(shifted, shifted + l));
        a.values.set(ta.values, r * l);
        a.mask.set(ta.mask, r * l);
        for (let i = 0; i < l; i++) {
          if (tb.mask[i] === 1) tb.values[i] += args.noise * prng.normal();
        }
        b.values.set(tb.values, r * l);
        b.mask.set(tb.mask, r * l);
        const id = signalIdOf(args.channels[ch]);
        signalIds[r] = id < args.numSignals ? id : 0;
        driverLabels[r] = d * c + ch;
        scenarioLabels[r] = trip.scenario * c + ch;
        r++;
      }
    }
  }
  return {
    driverLabels,
    scenarioLabels,
    viewA: { batch: rows, mask: a.mask, signalIds, values: a.values },
    viewB: { batch: rows, mask: b.mask, signalIds, values: b.values },
  };
}
