import { InvalidRequestError } from '@fleetfm/domain';
import { signalIdOf, type ForecastModelPort } from '@fleetfm/forecasting';
import { forecastSurprise, SurpriseCalibrator, type CalibratorState } from '@fleetfm/model';
import { TailCalibrator } from './tail-calibrator';
import { explainAwayPhysics } from './explain-away';
import { combineCalibrated, type DetectorCalibrationState } from './detector-calibration';
import {
  DEFAULT_COMPONENTS,
  isBrakingSignal,
  rawComponents,
  type ComponentName,
  type GroupedSeries,
} from './detector-components';

export interface DetectOptions {
  /** Rows of history each forecast conditions on. Default the model's context length. */
  readonly context?: number;
  /**
   * Rows scored per forecast: 1 = one-step-ahead surprise for every row (the sharpest, one model
   * call per row); S > 1 scores S rows from one forecast (S× faster, slightly blunter). Default 1.
   */
  readonly stride?: number;
  /** Rows before this have too little history and are left unscored (NaN). Default 16. */
  readonly minContext?: number;
  /** Calibrated score at or above which a row is flagged. Default the calibrator's (0.99). */
  readonly threshold?: number;
  /** Contexts per model call. Default 64. */
  readonly batchSize?: number;
  /**
   * Evidence combined into the score. Default `DEFAULT_COMPONENTS`: the model's forecast
   * surprise, stuck runs, spikes, (on acceleration, brake, speed) braking and physics
   * consistency. Without `surprise` the model is not called.
   */
  readonly components?: readonly ComponentName[];
  readonly onProgress?: (done: number, total: number) => void;
}

/** Scores of one series, aligned with its rows. */
export interface SeriesScores {
  readonly name: string;
  /** Forecast surprise (pinball loss over band width); NaN where unscored or not computed. */
  readonly raw: Float32Array;
  /**
   * Calibrated score in [0, 1]: 1 − the combined p-value of the two strongest calibrated
   * components (see `combineCalibrated`), about the share of normal rows with weaker evidence.
   */
  readonly scores: Float64Array;
  /** Each component's calibrated score (share of normal rows with less of that evidence). */
  readonly components: Readonly<Partial<Record<ComponentName, Float64Array>>>;
  readonly flags: Uint8Array;
}

export interface DetectResult {
  readonly series: readonly SeriesScores[];
  /** Where the calibration came from: the checkpoint's normal data, or this input itself. */
  readonly calibration: 'checkpoint' | 'input';
  readonly threshold: number;
}

/**
 * Highest calibrated score a component can give when it is combined with others (alone it keeps
 * its own scale). Drift evidence (a regression residual) is heavy-tailed in a way that varies
 * between vehicles, so its far tail is not trusted: capped at 0.999 it still lifts a row above
 * ordinary ones but never above a saturated stuck, spike or braking row. Measured on the eval
 * fleet (bench/anomaly): model-free AUC-PR 0.25 uncapped. The forecast surprise's far tail is not
 * trusted either (a vehicle pulling away after a stop surprises the model as much as a fault): at
 * most 0.999 it corroborates the other detectors but does not lead them. Measured with
 * models/default (eval task, seeds 20250917 / 1234 / 4242): AUC-PR 0.883 / 0.703 / 0.606
 * uncapped, 0.886 / 0.718 / 0.610 capped (the model-free components alone: 0.889 / 0.751 / 0.622).
 */
const COMPONENT_CEILING: Readonly<Partial<Record<ComponentName, number>>> = {
  drift: 0.999,
  surprise: 0.999,
};

interface Task {
  readonly series: number;
  readonly origin: number;
  readonly steps: number;
}

/**
 * Per-row anomaly scores that combine several kinds of evidence, each calibrated to [0, 1] by the
 * empirical CDF of that evidence on normal data, then combined by the two strongest
 * (see `combineCalibrated`): the model's forecast surprise (each row against the quantile forecast made
 * from the rows before it), stuck runs (exact repeats of a value the signal does not rest at),
 * spikes (distance from the recent median in typical one-row changes), drift (the EWMA of the
 * residual of each signal regressed on the other signals of its vehicle) and, on acceleration,
 * brake and speed, the vehicle's deceleration. Series that share a `group` are one vehicle's
 * signals; a lone series (single-column CSV) gets no cross-signal evidence.
 * Calibrators come from the checkpoint (the manifest's surprise calibrator and the detector
 * calibration sidecar); without them the input calibrates itself: a score then ranks a row among
 * the input's own rows, which assumes anomalies are rare.
 * Rows with fewer than `minContext` rows of history get no score (NaN, never flagged); rows
 * between `minContext` and `context` are forecast from the shorter history they have (the
 * tokenizer pads and masks the missing part). Missing values (NaN) get no score either.
 */
export class AnomalyDetectionService {
  constructor(
    private readonly model: ForecastModelPort,
    private readonly calibrator?: CalibratorState,
    private readonly detectorCalibration?: DetectorCalibrationState,
  ) {}

  async detect(
    series: readonly GroupedSeries[],
    options: DetectOptions = {},
  ): Promise<DetectResult> {
    const components = options.components ?? DEFAULT_COMPONENTS;
    const raw = components.includes('surprise')
      ? await this.surprise(series, options)
      : series.map((s) => new Float32Array(s.values.length).fill(Number.NaN));
    const minContext = options.minContext ?? 16;
    const others = rawComponents(series, components);
    const calibrated = series.map(() => ({}) as Partial<Record<ComponentName, Float64Array>>);
    for (const c of components) {
      const names = new Set(series.map((s) => s.name));
      for (const name of names) {
        const members = series.flatMap((s, i) => (s.name === name ? [i] : []));
        const rawOf = (i: number): ArrayLike<number> | undefined =>
          c === 'surprise' ? raw[i] : others[i][c];
        const present = members.filter((i) => rawOf(i) !== undefined);
        if (present.length === 0) continue;
        const fitted = this.calibratorFor(c, name, () =>
          present.flatMap((i) => Array.from(rawOf(i) as ArrayLike<number>).slice(minContext)),
        );
        if (!fitted) continue;
        for (const i of present) calibrated[i][c] = scoreAll(fitted, rawOf(i) as ArrayLike<number>);
      }
    }
    combineBraking(series, calibrated);
    explainAwayPhysics(series, calibrated);
    const threshold =
      options.threshold ??
      this.detectorCalibration?.threshold ??
      this.calibrator?.threshold ??
      SurpriseCalibrator.DEFAULT_THRESHOLD;
    if (!(threshold > 0 && threshold <= 1)) {
      throw new InvalidRequestError(`threshold must be in (0, 1], got ${threshold}`);
    }
    const checkpoint =
      (!components.includes('surprise') || this.calibrator !== undefined) &&
      (components.every((c) => c === 'surprise') || this.detectorCalibration !== undefined);
    return {
      calibration: checkpoint ? 'checkpoint' : 'input',
      series: series.map((s, i) => {
        const n = s.values.length;
        const scores = new Float64Array(n).fill(Number.NaN);
        const flags = new Uint8Array(n);
        const entries = Object.entries(calibrated[i]);
        const parts = entries.map(([c, p]) => {
          const ceiling = entries.length > 1 ? (COMPONENT_CEILING[c as ComponentName] ?? 1) : 1;
          return ceiling < 1 ? p.map((v) => v * ceiling) : p;
        });
        for (let t = minContext; t < n; t++) {
          if (!Number.isFinite(s.values[t])) continue;
          scores[t] = combineCalibrated(parts.map((p) => p[t]));
          flags[t] = scores[t] >= threshold ? 1 : 0;
        }
        return { components: calibrated[i], flags, name: s.name, raw: raw[i], scores };
      }),
      threshold,
    };
  }

  /** The stored calibrator of a component and signal, else one fitted on the input's rows. */
  private calibratorFor(
    c: ComponentName,
    name: string,
    inputRows: () => number[],
  ): TailCalibrator | undefined {
    const stored =
      this.detectorCalibration?.components[c]?.[name] ??
      (c === 'surprise' ? this.calibrator : undefined);
    if (stored) return TailCalibrator.fromState(stored);
    const rows = inputRows().filter((v) => Number.isFinite(v));
    return rows.length > 0 ? TailCalibrator.fit(rows) : undefined;
  }

  private async surprise(
    series: readonly GroupedSeries[],
    options: DetectOptions,
  ): Promise<Float32Array[]> {
    const context = options.context ?? this.model.contextLength;
    const stride = options.stride ?? 1;
    const minContext = options.minContext ?? 16;
    for (const [name, v] of Object.entries({ context, minContext, stride })) {
      if (!Number.isInteger(v) || v < 1) {
        throw new InvalidRequestError(`${name} must be a positive integer, got ${v}`);
      }
    }
    const levels = this.model.quantiles;
    if (levels.length < 2) throw new InvalidRequestError('the model has fewer than 2 quantiles');
    const raw = series.map((s) => new Float32Array(s.values.length).fill(Number.NaN));
    const tasks: Task[] = [];
    series.forEach((s, i) => {
      const n = s.values.length;
      for (let o = minContext; o < n; o += stride) {
        tasks.push({ origin: o, series: i, steps: Math.min(stride, n - o) });
      }
    });
    const batchSize = options.batchSize ?? 64;
    for (let start = 0; start < tasks.length; start += batchSize) {
      const batch = tasks
        .slice(start, start + batchSize)
        .filter((t) => hasObservation(series[t.series].values, t.origin - context, t.origin));
      if (batch.length > 0) {
        const contexts = batch.map((t) =>
          Float32Array.from(
            sliceOf(series[t.series].values, Math.max(0, t.origin - context), t.origin),
          ),
        );
        const out = await this.model.forecast(contexts, {
          horizon: stride,
          quantiles: levels,
          signalIds: batch.map((t) => signalIdOf(series[t.series].name)),
        });
        batch.forEach((t, b) => {
          const observed = Float32Array.from(
            sliceOf(series[t.series].values, t.origin, t.origin + t.steps),
          );
          const quantiles = out[b].quantiles.map((q) => q.subarray(0, t.steps));
          raw[t.series].set(forecastSurprise(observed, quantiles, levels), t.origin);
        });
      }
      options.onProgress?.(Math.min(start + batchSize, tasks.length), tasks.length);
    }
    allFinite(raw);
    return raw;
  }
}

/** Calibrated scores of one raw series (NaN stays NaN). */
function scoreAll(fitted: TailCalibrator, raw: ArrayLike<number>): Float64Array {
  const out = new Float64Array(raw.length);
  for (let t = 0; t < raw.length; t++) out[t] = fitted.score(raw[t]);
  return out;
}

/**
 * Harsh braking is one event of the vehicle: a row of acceleration, brake or speed gets the
 * weakest of the group's calibrated braking evidence at that row, so that a fault on one of them
 * (a brake spike) is not mistaken for a manoeuvre that the other two would show. Except on the
 * row where the vehicle comes to a stop: there the deceleration the accelerometer and the speed
 * show is only the speed that was left (v/Δt, the vehicle stood for the rest of the row), a lower
 * bound that cannot say the braking was mild. There the braking that ends in the stop counts: the
 * weaker of the brake's evidence and the row before's joint evidence (the last deceleration seen
 * whole). On the dev fleets the stopping rows of a harsh braking ranked in the hundreds to
 * thousands; the brake's evidence alone there raised the ordinary stops above spike faults.
 */
function combineBraking(
  series: readonly GroupedSeries[],
  calibrated: Array<Partial<Record<ComponentName, Float64Array>>>,
): void {
  const groups = new Map<string, number[]>();
  series.forEach((s, i) => {
    if (!calibrated[i].braking || !isBrakingSignal(s.name)) return;
    const key = s.group ?? '';
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  for (const members of groups.values()) {
    const n = series[members[0]].values.length;
    if (members.length < 2 || members.some((i) => series[i].values.length !== n)) continue;
    const speed = members.find((i) => series[i].name === 'speed_mps');
    const brake = members.find((i) => series[i].name === 'brake_pct');
    const joint = new Float64Array(n);
    for (let t = 0; t < n; t++) {
      let min = Number.NaN;
      for (const i of members) {
        const v = (calibrated[i].braking as Float64Array)[t];
        if (Number.isFinite(v) && !(v >= min)) min = v;
      }
      const b = brake === undefined ? Number.NaN : (calibrated[brake].braking as Float64Array)[t];
      const v = speed === undefined ? undefined : series[speed].values;
      const stops = v !== undefined && t > 0 && v[t] === 0 && v[t - 1] > 0;
      joint[t] =
        stops && Number.isFinite(b) && joint[t - 1] > min ? Math.min(b, joint[t - 1]) : min;
    }
    for (const i of members) calibrated[i].braking = joint;
  }
}

function sliceOf(values: ArrayLike<number>, from: number, to: number): ArrayLike<number> {
  return ArrayBuffer.isView(values)
    ? (values as unknown as Float32Array).subarray(from, to)
    : Array.prototype.slice.call(values, from, to);
}

function hasObservation(values: ArrayLike<number>, from: number, to: number): boolean {
  for (let i = Math.max(0, from); i < to; i++) if (!Number.isNaN(values[i])) return true;
  return false;
}

function allFinite(raw: readonly Float32Array[]): number[] {
  const out: number[] = [];
  for (const r of raw) for (const v of r) if (Number.isFinite(v)) out.push(v);
  if (out.length === 0) {
    throw new InvalidRequestError('nothing to score: every row lacks history or a value');
  }
  return out;
}
