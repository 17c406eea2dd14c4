import { ValidationError } from '@fleetfm/domain';
import { quantileSorted } from '@fleetfm/tokenizer';

/**
 * The level blend: per signal id and class of context roughness, how far the forecast
 * distribution is shifted, step by step, from the network's median toward the median of the
 * series' last `window` observed values.
 *
 * Why: the network embeds each patch with a small MLP, from which it averages well but cannot
 * take a median. On rough, spiky contexts (battery current or torque sampled at 1 Hz) its median
 * drifts toward the context's mean at longer horizons, where the recent median is the better
 * level; on smooth ones (the same signals at 10 Hz, or speed) its own dynamics are better. A
 * window of 1 makes the level the last value: the blend then damps the network's predicted
 * change toward persistence (the fit picks it for speed whose context is neither smooth nor
 * rough). The weights are fitted per checkpoint on held-out windows of its corpus
 * (`fitLevelBlend`), never by hand; a signal or class without a fit is forecast by the network
 * alone.
 */
export interface LevelBlendState {
  readonly version: 1;
  /**
   * Upper bounds (exclusive, ascending) of the roughness classes (see `contextRoughness`): k
   * bounds make k + 1 classes.
   */
  readonly roughnessBounds: readonly number[];
  /** By signal id (as a decimal string): one entry per roughness class, null for the network alone. */
  readonly signals: Readonly<Record<string, readonly (SignalLevelBlend | null)[]>>;
  /** What the weights were fitted on, for the record (free-form). */
  readonly fittedOn?: Readonly<Record<string, unknown>>;
}

export interface SignalLevelBlend {
  /** Steps of context whose median is the level (observed values only; 1: the last value). */
  readonly window: number;
  /** Weight in [0, 1] per forecast step (length = the model's horizon). */
  readonly weights: readonly number[];
}

/** The sidecar a checkpoint folder keeps its level blend in. */
export const LEVEL_BLEND_FILE = 'forecast-blend.json';

/** Roughness is measured over this many last observed context values. */
export const ROUGHNESS_WINDOW = 64;

/**
 * Default class bounds: below 0.2 the context is smooth (steps are small against its swings: a
 * finely sampled signal), from 0.5 it is rough (steps as large as the swings: noise around a
 * level); white noise scores about 1.4.
 */
export const DEFAULT_ROUGHNESS_BOUNDS: readonly number[] = [0.2, 0.5];

/** Checks a stored level blend (e.g. the parsed sidecar) against the model's horizon. */
export function parseLevelBlend(json: unknown, horizon: number): LevelBlendState {
  const o = json as Partial<LevelBlendState> | null;
  if (!o || o.version !== 1 || typeof o.signals !== 'object' || o.signals === null) {
    throw new ValidationError('level blend: expected { version: 1, roughnessBounds, signals }');
  }
  const bounds = o.roughnessBounds;
  if (
    !Array.isArray(bounds) ||
    !bounds.every((b, i) => typeof b === 'number' && b > 0 && (i === 0 || b > bounds[i - 1]))
  ) {
    throw new ValidationError('level blend: roughnessBounds must be ascending positive numbers');
  }
  for (const [id, classes] of Object.entries(o.signals)) {
    if (!/^\d+$/.test(id)) {
      throw new ValidationError(`level blend: signal id "${id}" is not an integer`);
    }
    if (!Array.isArray(classes) || classes.length !== bounds.length + 1) {
      throw new ValidationError(
        `level blend: signal ${id} needs ${bounds.length + 1} roughness classes`,
      );
    }
    for (const s of classes) if (s !== null) checkSignalBlend(id, s, horizon);
  }
  return o as LevelBlendState;
}

function checkSignalBlend(id: string, s: SignalLevelBlend, horizon: number): void {
  if (!(Number.isInteger(s?.window) && s.window >= 1)) {
    throw new ValidationError(`level blend: signal ${id} needs a positive integer window`);
  }
  if (!Array.isArray(s.weights) || s.weights.length !== horizon) {
    throw new ValidationError(
      `level blend: signal ${id} has ${s.weights?.length ?? 0} weights, the model's horizon is ${horizon}`,
    );
  }
  if (!s.weights.every((w) => typeof w === 'number' && w >= 0 && w <= 1)) {
    throw new ValidationError(`level blend: signal ${id} has a weight outside [0, 1]`);
  }
}

/**
 * The blend for one series: its signal's entry for the roughness class of its context (values
 * from `start` to `end`, observed where mask is 1, or finite without a mask); undefined for the
 * network alone.
 */
export function blendFor(
  state: LevelBlendState,
  signalId: number,
  values: ArrayLike<number>,
  mask?: ArrayLike<number>,
  start = 0,
  end = values.length,
): SignalLevelBlend | undefined {
  const classes = state.signals[String(signalId)];
  if (!classes) return undefined;
  const r = contextRoughness(values, mask, start, end);
  return classes[roughnessClass(r, state.roughnessBounds)] ?? undefined;
}

/** Index of the class `r` falls in: the first bound above it, or the last class. */
export function roughnessClass(r: number, bounds: readonly number[]): number {
  let k = 0;
  while (k < bounds.length && r >= bounds[k]) k++;
  return k;
}

/**
 * Over the last `ROUGHNESS_WINDOW` observed values: the mean absolute step between consecutive
 * observed values over their mean absolute deviation from their median. Scale-free; 0 for a flat
 * context or one with fewer than 3 observed values.
 */
export function contextRoughness(
  values: ArrayLike<number>,
  mask?: ArrayLike<number>,
  start = 0,
  end = values.length,
): number {
  const picked: number[] = [];
  for (let i = end - 1; i >= start && picked.length < ROUGHNESS_WINDOW; i--) {
    const v = values[i];
    if ((mask ? mask[i] > 0 : true) && Number.isFinite(v)) picked.push(v);
  }
  if (picked.length < 3) return 0;
  let steps = 0;
  for (let i = 1; i < picked.length; i++) steps += Math.abs(picked[i] - picked[i - 1]);
  const median = medianOf(picked);
  let spread = 0;
  for (const v of picked) spread += Math.abs(v - median);
  if (!(spread > 0)) return 0;
  return steps / (picked.length - 1) / (spread / picked.length);
}

/**
 * Median of the last `window` positions of `values` that are observed (mask 1, or finite when
 * no mask is given); NaN when none is.
 */
export function recentMedian(
  values: ArrayLike<number>,
  window: number,
  mask?: ArrayLike<number>,
  start = 0,
  end = values.length,
): number {
  const picked: number[] = [];
  for (let i = Math.max(start, end - window); i < end; i++) {
    const v = values[i];
    if ((mask ? mask[i] > 0 : true) && Number.isFinite(v)) picked.push(v);
  }
  return picked.length === 0 ? Number.NaN : medianOf(picked);
}

/** Median of a non-empty list (sorts it). */
function medianOf(values: number[]): number {
  return quantileSorted(
    values.sort((a, b) => a - b),
    0.5,
  );
}

/**
 * Shifts one step's quantiles (ascending, any units) by weight × (level − their median): the
 * spread is kept, the median moves that share of the way to the level.
 */
export function blendRow(row: Float32Array, median: number, level: number, weight: number): void {
  if (!(weight > 0) || !Number.isFinite(level)) return;
  const shift = weight * (level - median);
  for (let k = 0; k < row.length; k++) row[k] += shift;
}
