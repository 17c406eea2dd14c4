import { ValidationError } from '@fleetfm/domain';
import { interpolateQuantile } from './forecaster';
import {
  DEFAULT_ROUGHNESS_BOUNDS,
  contextRoughness,
  recentMedian,
  roughnessClass,
  type LevelBlendState,
  type SignalLevelBlend,
} from './level-blend';

/** One held-out window with the network's forecast of it, in the series' own units. */
export interface BlendSample {
  readonly signalId: number;
  /** The context the network saw (NaN = gap). */
  readonly context: Float32Array;
  /** The values that followed, one per forecast step (NaN = not observed). */
  readonly actual: Float32Array;
  /** The network's quantiles, one array per level (ascending levels), one value per step. */
  readonly quantiles: readonly Float32Array[];
}

export interface LevelBlendFitOptions {
  /** The quantile levels of `BlendSample.quantiles` (must include or bracket 0.5). */
  readonly levels: readonly number[];
  readonly horizon: number;
  /** Roughness class bounds (see `LevelBlendState`). Default `DEFAULT_ROUGHNESS_BOUNDS`. */
  readonly roughnessBounds?: readonly number[];
  /**
   * Candidate level windows (steps of context). Default 1 (the last value: leaning toward
   * persistence, i.e. damping the forecast's predicted change), 16, 32, 64, 128.
   */
  readonly windows?: readonly number[];
  /** Weight grid step. Default 0.1. */
  readonly step?: number;
  /** Fewer scored windows than this leave a signal unblended. Default 50. */
  readonly minSamples?: number;
  /**
   * A blend is kept only if it lowers the objective (mean log MAE + mean log quantile loss) by at
   * least this much. Default 0.01 (about 0.5 % on each geometric mean).
   */
  readonly minGain?: number;
}

/** The default candidate level windows (see `LevelBlendFitOptions.windows`). */
export const DEFAULT_LEVEL_WINDOWS: readonly number[] = [1, 16, 32, 64, 128];

/** What the fit found for one signal id and roughness class. */
export interface SignalBlendFit {
  readonly signalId: number;
  /** Index of the roughness class; its range is [from, to). */
  readonly roughnessClass: number;
  readonly roughness: { readonly from: number; readonly to: number };
  readonly samples: number;
  /** The chosen level window, or undefined when the network alone was kept. */
  readonly window?: number;
  /** Weight per horizon bucket `[from, to)` (all 0 when the network alone was kept). */
  readonly buckets: readonly {
    readonly from: number;
    readonly to: number;
    readonly weight: number;
  }[];
  /** Geometric mean over windows of MAE(median) / MAE(last value), network alone and blended. */
  readonly relativeMae: { readonly network: number; readonly blended: number };
  /** Geometric mean over windows of the blended quantile loss over the network's. */
  readonly qualityLossRatio: number;
}

export interface LevelBlendFit {
  readonly state: LevelBlendState;
  readonly fits: readonly SignalBlendFit[];
}

/** Horizon buckets [0, 4), [4, 8), [8, 16), … doubling up to the horizon. */
export function blendBuckets(horizon: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let from = 0;
  let to = Math.min(4, horizon);
  while (from < horizon) {
    out.push([from, to]);
    from = to;
    to = Math.min(horizon, to * 2);
  }
  return out;
}

/**
 * Fits, per signal id and class of context roughness, the level window and the bucket weights
 * that minimise the mean over windows of log MAE(median) + log mean pinball loss (both
 * scale-free in the geometric mean: the aggregation the benchmarks score with), by coordinate
 * descent over a weight grid starting from the network alone (all weights 0). Windows whose
 * last-value forecast is exact, or that have no observed step, are left out.
 */
export function fitLevelBlend(
  samples: readonly BlendSample[],
  o: LevelBlendFitOptions,
): LevelBlendFit {
  const windows = o.windows ?? DEFAULT_LEVEL_WINDOWS;
  const step = o.step ?? 0.1;
  if (!(step > 0 && step <= 1))
    throw new ValidationError(`weight step must be in (0, 1], got ${step}`);
  if (windows.length === 0 || !windows.every((w) => Number.isInteger(w) && w >= 1)) {
    throw new ValidationError('level windows must be positive integers');
  }
  // Rounded so that the sidecar stores 0.3, not 0.30000000000000004.
  const grid = Array.from({ length: Math.round(1 / step) + 1 }, (_, i) =>
    Math.min(1, Math.round(i * step * 1e6) / 1e6),
  );
  const buckets = blendBuckets(o.horizon);
  const bounds = o.roughnessBounds ?? DEFAULT_ROUGHNESS_BOUNDS;
  const groups = new Map<string, { id: number; cls: number; list: BlendSample[] }>();
  for (const s of samples) {
    const cls = roughnessClass(contextRoughness(s.context), bounds);
    const key = `${s.signalId}/${cls}`;
    const group = groups.get(key) ?? { cls, id: s.signalId, list: [] };
    group.list.push(s);
    groups.set(key, group);
  }
  const fits: SignalBlendFit[] = [];
  const signals: Record<string, (SignalLevelBlend | null)[]> = {};
  const ordered = [...groups.values()].sort((a, b) => a.id - b.id || a.cls - b.cls);
  for (const { id, cls, list } of ordered) {
    const range = { from: cls === 0 ? 0 : bounds[cls - 1], to: bounds[cls] ?? Infinity };
    const fit = {
      ...fitSignal(id, list, windows, grid, buckets, o),
      roughness: range,
      roughnessClass: cls,
    };
    fits.push(fit);
    if (fit.window !== undefined) {
      const weights = new Array<number>(o.horizon).fill(0);
      for (const b of fit.buckets) for (let t = b.from; t < b.to; t++) weights[t] = b.weight;
      signals[String(id)] ??= new Array<SignalLevelBlend | null>(bounds.length + 1).fill(null);
      signals[String(id)][cls] = { weights, window: fit.window };
    }
  }
  return { fits, state: { roughnessBounds: [...bounds], signals, version: 1 } };
}

/** Per window: its error sums for each (level window, bucket, grid weight). */
interface Scored {
  /** abs[w][b][g], pin[w][b][g]: sums over the bucket's observed steps. */
  readonly abs: Float64Array;
  readonly pin: Float64Array;
  readonly steps: number;
  readonly naiveMae: number;
}

function fitSignal(
  signalId: number,
  list: readonly BlendSample[],
  windows: readonly number[],
  grid: readonly number[],
  buckets: ReadonlyArray<[number, number]>,
  o: LevelBlendFitOptions,
): Omit<SignalBlendFit, 'roughness' | 'roughnessClass'> {
  const nb = buckets.length;
  const ng = grid.length;
  const scored = list.map((s) => scoreSample(s, windows, grid, buckets, o)).filter(isScored);
  const objective = (wi: number, pick: readonly number[]): [number, number] => {
    let logMae = 0;
    let logPin = 0;
    for (const s of scored) {
      let a = 0;
      let p = 0;
      for (let b = 0; b < nb; b++) {
        const at = (wi * nb + b) * ng + pick[b];
        a += s.abs[at];
        p += s.pin[at];
      }
      logMae += Math.log(Math.max(a / s.steps, 1e-12) / s.naiveMae);
      logPin += Math.log(Math.max(p, 1e-12));
    }
    return [logMae / scored.length, logPin / scored.length];
  };
  const none = new Array<number>(nb).fill(0);
  const [mae0, pin0] = scored.length > 0 ? objective(0, none) : [Number.NaN, Number.NaN];
  const minSamples = o.minSamples ?? 50;
  let best = { pick: none, total: mae0 + pin0, wi: -1 };
  if (scored.length >= minSamples) {
    for (let wi = 0; wi < windows.length; wi++) {
      const pick = [...none];
      let total = mae0 + pin0;
      for (let sweep = 0; sweep < 2; sweep++) {
        for (let b = 0; b < nb; b++) {
          for (let g = 0; g < ng; g++) {
            const trial = [...pick];
            trial[b] = g;
            const [m, p] = objective(wi, trial);
            if (m + p < total - 1e-12) {
              total = m + p;
              pick[b] = g;
            }
          }
        }
      }
      if (total < best.total) best = { pick, total, wi };
    }
  }
  const kept = best.wi >= 0 && mae0 + pin0 - best.total >= (o.minGain ?? 0.01);
  const [mae1, pin1] = kept ? objective(best.wi, best.pick) : [mae0, pin0];
  return {
    buckets: buckets.map(([from, to], b) => ({ from, to, weight: kept ? grid[best.pick[b]] : 0 })),
    qualityLossRatio: Math.exp(pin1 - pin0),
    relativeMae: { blended: Math.exp(mae1), network: Math.exp(mae0) },
    samples: scored.length,
    signalId,
    window: kept ? windows[best.wi] : undefined,
  };
}

function isScored(s: Scored | undefined): s is Scored {
  return s !== undefined;
}

function scoreSample(
  s: BlendSample,
  windows: readonly number[],
  grid: readonly number[],
  buckets: ReadonlyArray<[number, number]>,
  o: LevelBlendFitOptions,
): Scored | undefined {
  const last = lastObserved(s.context);
  let naive = 0;
  let steps = 0;
  for (let t = 0; t < o.horizon; t++) {
    if (!Number.isFinite(s.actual[t])) continue;
    naive += Math.abs(s.actual[t] - last);
    steps++;
  }
  if (steps === 0 || !(naive > 0)) return undefined;
  const nb = buckets.length;
  const ng = grid.length;
  const abs = new Float64Array(windows.length * nb * ng);
  const pin = new Float64Array(windows.length * nb * ng);
  const q = o.levels.length;
  const row = new Float64Array(q);
  windows.forEach((w, wi) => {
    const level = recentMedian(s.context, w);
    buckets.forEach(([from, to], b) => {
      for (let t = from; t < to; t++) {
        const y = s.actual[t];
        if (!Number.isFinite(y)) continue;
        for (let k = 0; k < q; k++) row[k] = s.quantiles[k][t];
        const median = interpolateQuantile(o.levels, row, 0.5);
        grid.forEach((weight, g) => {
          const shift = Number.isFinite(level) ? weight * (level - median) : 0;
          const at = (wi * nb + b) * ng + g;
          abs[at] += Math.abs(y - median - shift);
          let p = 0;
          for (let k = 0; k < q; k++) {
            const e = y - row[k] - shift;
            p += e >= 0 ? o.levels[k] * e : (o.levels[k] - 1) * e;
          }
          pin[at] += p / q;
        });
      }
    });
  });
  return { abs, naiveMae: naive / steps, pin, steps };
}

function lastObserved(values: Float32Array): number {
  for (let i = values.length - 1; i >= 0; i--) if (Number.isFinite(values[i])) return values[i];
  return Number.NaN;
}
