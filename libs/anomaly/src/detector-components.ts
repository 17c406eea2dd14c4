import { fitDetectorCalibration, type DetectorCalibrationState } from './detector-calibration';
import { decelerationEvidence, BRAKING_SIGNALS } from './detectors/harsh-braking.detector';
import { driftScores } from './detectors/drift.detector';
import { physicsScores } from './detectors/physics.detector';
import { spikeScore } from './detectors/spike.detector';
import { stuckRunLength } from './detectors/stuck.detector';

/** The evidence a row's anomaly score combines; `surprise` is the model's forecast surprise. */
export type ComponentName = 'surprise' | 'stuck' | 'spike' | 'drift' | 'braking' | 'physics';

/** Every component; `drift` (a generic cross-signal regression) is opt-in, see DEFAULT_COMPONENTS. */
export const COMPONENT_NAMES: readonly ComponentName[] = [
  'surprise',
  'stuck',
  'spike',
  'drift',
  'braking',
  'physics',
];

/**
 * What `detect` combines unless told otherwise. `physics` replaced `drift` (a regression of each
 * signal's change on all the others): on the eval fleet the physics relations find drifts the
 * regression missed, and the regression adds only false alarms once they are in.
 */
export const DEFAULT_COMPONENTS: readonly ComponentName[] = [
  'surprise',
  'stuck',
  'spike',
  'braking',
  'physics',
];

export interface GroupedSeries {
  readonly name: string;
  readonly values: ArrayLike<number>;
  /** Series of one vehicle share a group: cross-signal components compare them. */
  readonly group?: string;
}

/**
 * Raw (uncalibrated) evidence of the model-free components for every series, aligned with its
 * rows; NaN where a component has nothing to say. Larger is more anomalous. Cross-signal
 * components (drift, and the vehicle context of stuck) use the other series of the same group;
 * a series alone in its group gets only the single-signal ones.
 */
export function rawComponents(
  series: readonly GroupedSeries[],
  components: readonly ComponentName[],
): Array<Partial<Record<ComponentName, Float64Array>>> {
  const out = series.map(() => ({}) as Partial<Record<ComponentName, Float64Array>>);
  const groups = new Map<string, number[]>();
  series.forEach((s, i) => {
    const key = s.group ?? '';
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  for (const members of groups.values()) {
    const unique = uniqueByName(series, members);
    if (components.includes('stuck')) {
      for (const i of members) {
        const moving = movingContext(series, unique, i);
        out[i].stuck = stuckRunLength(series[i].values, { moving });
      }
    }
    if (components.includes('spike')) {
      for (const i of members) out[i].spike = spikeScore(series[i].values);
    }
    if (components.includes('braking')) {
      for (const i of members) {
        const e = decelerationEvidence(series[i].name, series[i].values);
        if (e) out[i].braking = e;
      }
    }
    if (components.includes('physics') && unique.size >= 2) {
      const length = series[members[0]].values.length;
      if ([...unique.values()].every((i) => series[i].values.length === length)) {
        const cols = Object.fromEntries([...unique].map(([n, i]) => [n, series[i].values]));
        const physics = physicsScores(cols);
        for (const [n, i] of unique) if (physics[n]) out[i].physics = physics[n];
      }
    }
    if (components.includes('drift') && unique.size >= 2) {
      const length = series[members[0]].values.length;
      const same = [...unique.values()].every((i) => series[i].values.length === length);
      if (same) {
        const cols = Object.fromEntries([...unique].map(([n, i]) => [n, series[i].values]));
        const drift = driftScores(cols);
        for (const [n, i] of unique) if (drift[n]) out[i].drift = drift[n];
      }
    }
  }
  return out;
}

/** Braking evidence is a vehicle-level event: rows of these signals combine it (see service). */
export function isBrakingSignal(name: string): boolean {
  return BRAKING_SIGNALS.includes(name);
}

function uniqueByName(series: readonly GroupedSeries[], members: number[]): Map<string, number> {
  const byName = new Map<string, number>();
  for (const i of members) if (!byName.has(series[i].name)) byName.set(series[i].name, i);
  return byName;
}

/**
 * 1 where the vehicle is live, so that a frozen value is suspicious: its speed (another series
 * of the group named `speed_mps`) is above 0.5 m/s, or, without one, at least one other signal
 * changed since the previous row. Undefined when the series has no companions.
 */
function movingContext(
  series: readonly GroupedSeries[],
  unique: Map<string, number>,
  self: number,
): Float64Array | undefined {
  const n = series[self].values.length;
  const speed = unique.get('speed_mps');
  if (speed !== undefined && speed !== self && series[speed].values.length === n) {
    const v = series[speed].values;
    return Float64Array.from({ length: n }, (_, t) => (v[t] > 0.5 ? 1 : 0));
  }
  const others = [...unique.values()].filter((i) => i !== self && series[i].values.length === n);
  if (others.length === 0) return undefined;
  const out = new Float64Array(n);
  for (let t = 1; t < n; t++) {
    for (const i of others) {
      const v = series[i].values;
      if (Number.isFinite(v[t]) && Number.isFinite(v[t - 1]) && v[t] !== v[t - 1]) {
        out[t] = 1;
        break;
      }
    }
  }
  return out;
}

/**
 * Fits the model-free components' calibrators on normal (anomaly-free) series, e.g. a simulated
 * fleet without injection: the raw evidence of every row, pooled by signal name.
 */
export function fitModelFreeCalibration(
  series: readonly GroupedSeries[],
  threshold?: number,
): DetectorCalibrationState {
  const components = COMPONENT_NAMES.filter((c) => c !== 'surprise');
  const raw = rawComponents(series, components);
  return fitDetectorCalibration(
    series.map((s, i) => ({ components: raw[i], name: s.name })),
    threshold,
  );
}
