import { InvalidRequestError } from '@fleetfm/domain';
import { signalIdOf, type ForecastModelPort } from '@fleetfm/forecasting';
import { forecastSurprise, SurpriseCalibrator, type CalibratorState } from '@fleetfm/model';

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
  readonly onProgress?: (done: number, total: number) => void;
}

/** Scores of one series, aligned with its rows. */
export interface SeriesScores {
  readonly name: string;
  /** Forecast surprise (pinball loss over band width); NaN where unscored. */
  readonly raw: Float32Array;
  /** Calibrated score in [0, 1]: the share of normal rows that were less surprising. */
  readonly scores: Float32Array;
  readonly flags: Uint8Array;
}

export interface DetectResult {
  readonly series: readonly SeriesScores[];
  /** Where the calibration came from: the checkpoint's normal data, or this input itself. */
  readonly calibration: 'checkpoint' | 'input';
  readonly threshold: number;
}

interface Task {
  readonly series: number;
  readonly origin: number;
  readonly steps: number;
}

/**
 * Anomaly scores from forecast surprise: each row is compared with the model's quantile forecast
 * made from the rows before it, and the raw surprise is mapped to [0, 1] by the calibrator stored
 * in the checkpoint (the empirical CDF of surprise on normal data). Without one, the input calibrates
 * itself: a score then ranks a row among the input's own rows, which assumes anomalies are rare.
 * Rows with fewer than `minContext` rows of history get no score (NaN, never flagged); rows
 * between `minContext` and `context` are scored from the shorter history they have (the tokenizer
 * pads and masks the missing part). Missing values (NaN) get no score either.
 */
export class AnomalyDetectionService {
  constructor(
    private readonly model: ForecastModelPort,
    private readonly calibrator?: CalibratorState,
  ) {}

  async detect(
    series: ReadonlyArray<{ readonly name: string; readonly values: ArrayLike<number> }>,
    options: DetectOptions = {},
  ): Promise<DetectResult> {
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
    const fitted = this.calibrator
      ? SurpriseCalibrator.fromState(this.calibrator)
      : SurpriseCalibrator.fit(allFinite(raw));
    const threshold = options.threshold ?? fitted.threshold;
    if (!(threshold > 0 && threshold <= 1)) {
      throw new InvalidRequestError(`threshold must be in (0, 1], got ${threshold}`);
    }
    return {
      calibration: this.calibrator ? 'checkpoint' : 'input',
      series: series.map((s, i) => {
        const { scores } = fitted.scoreAll(raw[i]);
        const flags = new Uint8Array(scores.length);
        for (let t = 0; t < scores.length; t++) flags[t] = scores[t] >= threshold ? 1 : 0;
        return { flags, name: s.name, raw: raw[i], scores };
      }),
      threshold,
    };
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
