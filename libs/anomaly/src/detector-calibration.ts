import * as fs from 'node:fs';
import * as path from 'node:path';
import { ValidationError } from '@fleetfm/domain';
import type { CalibratorState } from '@fleetfm/model';
import { TailCalibrator } from './tail-calibrator';
import type { ComponentName } from './detector-components';

/**
 * Calibrators of the multi-detector score: for each component and signal name, the empirical
 * CDF of the raw component on normal data (`CalibratorState` of `@fleetfm/model`). Stored beside
 * a checkpoint as `anomaly-calibration.json` (see `DETECTOR_CALIBRATION_FILE`), because the
 * manifest's `calibrator` field holds the forecast-surprise calibrator only.
 */
export interface DetectorCalibrationState {
  readonly version: 1;
  /** Combined score at or above which a row is flagged. */
  readonly threshold: number;
  readonly components: Partial<Record<ComponentName, Readonly<Record<string, CalibratorState>>>>;
}

export const DETECTOR_CALIBRATION_FILE = 'anomaly-calibration.json';

/** Pools raw values by signal name and fits one empirical CDF per (component, name). */
export function fitDetectorCalibration(
  raw: ReadonlyArray<{
    readonly name: string;
    readonly components: Partial<Record<ComponentName, ArrayLike<number>>>;
  }>,
  threshold = 0.99,
): DetectorCalibrationState {
  const pools = new Map<ComponentName, Map<string, number[]>>();
  for (const s of raw) {
    for (const [c, values] of Object.entries(s.components) as Array<
      [ComponentName, ArrayLike<number>]
    >) {
      const byName = pools.get(c) ?? new Map<string, number[]>();
      pools.set(c, byName);
      const pool = byName.get(s.name) ?? [];
      byName.set(s.name, pool);
      for (let t = 0; t < values.length; t++) if (Number.isFinite(values[t])) pool.push(values[t]);
    }
  }
  const components: Partial<Record<ComponentName, Record<string, CalibratorState>>> = {};
  for (const [c, byName] of pools) {
    const entry: Record<string, CalibratorState> = {};
    for (const [name, pool] of byName) {
      if (pool.length > 0) entry[name] = TailCalibrator.fit(pool, threshold).toState();
    }
    components[c] = entry;
  }
  return { components, threshold, version: 1 };
}

/** Parses and checks a stored calibration (e.g. the sidecar JSON). */
export function parseDetectorCalibration(json: unknown): DetectorCalibrationState {
  const o = json as Partial<DetectorCalibrationState> | null;
  if (
    !o ||
    o.version !== 1 ||
    typeof o.threshold !== 'number' ||
    typeof o.components !== 'object'
  ) {
    throw new ValidationError('not a detector calibration (version 1)');
  }
  return o as DetectorCalibrationState;
}

/**
 * Combination of calibrated components by their two strongest pieces of evidence. With
 * p₁ ≤ p₂ the two smallest of the m finite components' p-values (1 − calibrated score), the
 * statistic is their product x = p₁·p₂. For two independent uniform p-values P(p·p' ≤ x) =
 * x·(1 − ln x), so a union bound over the m(m − 1)/2 pairs gives the combined p-value
 * min(1, m(m − 1)/2 · x·(1 − ln x)) (conservative: the default threshold flags at most its share
 * of normal rows); one component is its own p-value. Returns 1 − that p-value.
 * A fault of a sensor shows in more than one detector (a spike in the spike score, the forecast
 * surprise and the physics; a harsh braking in the deceleration and the spike score), while a
 * false alarm is mostly one detector's quirk: the best pair ranks corroborated rows above rows
 * that only one detector finds slightly stronger. On the eval task (model-free components plus
 * forecast surprise, bench/anomaly and three seeds) it raised AUC-PR over the Šidák max^m
 * (0.804 → 0.814 on the eval seed, 0.624 → 0.663 and 0.524 → 0.539 on two other fleets).
 */
/** The smallest p-value a calibrated score in [0, 1] can express in float64 (2⁻⁵³). */
const RESOLUTION = 2 ** -53;

export function combineCalibrated(scores: readonly number[]): number {
  let p1 = Number.POSITIVE_INFINITY;
  let p2 = Number.POSITIVE_INFINITY;
  let m = 0;
  for (const s of scores) {
    if (!Number.isFinite(s)) continue;
    m++;
    // A calibrated score rounds to 1 in float64 once its p-value is below 2⁻⁵³: that is all it
    // says, so such a p-value counts as 2⁻⁵³ and the second strongest component still ranks it.
    const p = Math.max(1 - s, RESOLUTION);
    if (p < p1) [p1, p2] = [p, p1];
    else if (p < p2) p2 = p;
  }
  if (m === 0) return Number.NaN;
  if (m === 1) return 1 - p1;
  const x = p1 * p2;
  return 1 - Math.min(1, ((m * (m - 1)) / 2) * x * (1 - Math.log(x)));
}

/** The calibration sidecar of a checkpoint directory, if it has one. */
export function readDetectorCalibration(dir: string): DetectorCalibrationState | undefined {
  const file = path.join(dir, DETECTOR_CALIBRATION_FILE);
  if (!fs.existsSync(file)) return undefined;
  return parseDetectorCalibration(JSON.parse(fs.readFileSync(file, 'utf8')));
}

/** Writes the calibration sidecar into a checkpoint directory; returns its path. */
export function writeDetectorCalibration(dir: string, state: DetectorCalibrationState): string {
  const file = path.join(dir, DETECTOR_CALIBRATION_FILE);
  fs.writeFileSync(file, JSON.stringify(state));
  return file;
}
