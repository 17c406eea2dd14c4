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
 * Šidák combination of calibrated components: with m components whose calibrated scores are
 * uniform on normal rows, max^m is uniform too, so the combined score keeps its meaning (the share
 * of normal rows scoring lower) and the default threshold flags the same share of normal rows.
 */
export function combineCalibrated(scores: readonly number[]): number {
  let max = Number.NaN;
  let m = 0;
  for (const s of scores) {
    if (!Number.isFinite(s)) continue;
    m++;
    max = Number.isNaN(max) || s > max ? s : max;
  }
  return m === 0 ? Number.NaN : max ** m;
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
