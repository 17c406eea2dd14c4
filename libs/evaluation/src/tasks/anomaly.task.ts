import type { AnomalyDetectionService, ComponentName } from '@fleetfm/anomaly';
import { SIGNAL_NAMES, type SignalName } from '@fleetfm/domain';
import {
  FleetSimulator,
  InMemoryLabelSink,
  type AnomalyKind,
  type AnomalyLabel,
  type TraceLibrary,
} from '@fleetfm/simulator';
import { averagePrecision, bestF1 } from '../metrics/ranking-metrics';
import { EVAL_FLEET_SEED } from '../heldout/held-out-fleet';

export interface AnomalyTaskOptions {
  readonly vehicles: number;
  readonly durationS: number;
  readonly rateHz: number;
  /** Mean anomalies per vehicle per second. */
  readonly anomalyRate: number;
  /** Rows scored per forecast (see `DetectOptions.stride`). */
  readonly stride: number;
  /** Evidence the detector combines (see `DetectOptions.components`). Default all. */
  readonly components?: readonly ComponentName[];
  readonly seed?: number;
  readonly library?: TraceLibrary;
  readonly dataDir?: string;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface AnomalyTaskResult {
  readonly rows: number;
  readonly positives: number;
  readonly labels: Readonly<Partial<Record<AnomalyKind, number>>>;
  readonly aucPr: number;
  readonly bestF1: {
    readonly f1: number;
    readonly precision: number;
    readonly recall: number;
    readonly threshold: number;
  };
  /** AUC-PR of each kind's rows against all normal rows. */
  readonly aucPrByKind: Readonly<Partial<Record<AnomalyKind, number>>>;
  /** Positive rate: AUC-PR of a random scorer. */
  readonly chanceAucPr: number;
  readonly calibration: 'checkpoint' | 'input';
  readonly notes: readonly string[];
}

/** Signals a harsh-braking manoeuvre shows in (it corrupts no sensor: the physics follows). */
const HARSH_SIGNALS: readonly SignalName[] = ['accel_mps2', 'brake_pct', 'speed_mps'];

/**
 * Runs a seeded evaluation fleet with labelled anomaly injection, scores every signal of every
 * vehicle, and measures point-wise AUC-PR (average precision) and the best F1 of the scores
 * against the labels: a row of (vehicle, signal) is positive when it lies in an anomaly on that
 * signal (harsh braking: on acceleration, brake and speed). Dropouts are missing values, which
 * `detect` leaves unscored, so they are not part of the ranking.
 */
export async function evaluateAnomalies(
  service: AnomalyDetectionService,
  o: AnomalyTaskOptions,
): Promise<AnomalyTaskResult> {
  const sink = new InMemoryLabelSink();
  const sim = new FleetSimulator({
    anomalyRate: o.anomalyRate,
    dataDir: o.dataDir,
    labelSink: sink,
    library: o.library,
    rateHz: o.rateHz,
    seed: o.seed ?? EVAL_FLEET_SEED,
    vehicles: o.vehicles,
  });
  const ticks = Math.round(o.durationS * o.rateHz);
  const ts = new Float64Array(ticks);
  const columns = sim.vehicles.map(
    () =>
      Object.fromEntries(SIGNAL_NAMES.map((n) => [n, new Float32Array(ticks)])) as Record<
        SignalName,
        Float32Array
      >,
  );
  for (let t = 0; t < ticks; t++) {
    const samples = sim.step();
    ts[t] = samples[0].ts;
    samples.forEach((s, v) => {
      for (const n of SIGNAL_NAMES) columns[v][n][t] = s.signals[n] ?? Number.NaN;
    });
  }
  await sim.close();
  const series = sim.vehicles.flatMap((veh, v) =>
    SIGNAL_NAMES.map((n) => ({
      group: veh.vehicleId,
      name: n,
      values: columns[v][n],
      vehicleId: veh.vehicleId,
    })),
  );
  const result = await service.detect(series, {
    components: o.components,
    onProgress: o.onProgress,
    stride: o.stride,
  });
  const labelOf = (vehicleId: string, signal: SignalName): Array<AnomalyLabel | undefined> => {
    const out = new Array<AnomalyLabel | undefined>(ticks);
    for (const a of sink.anomalies) {
      if (a.vehicleId !== vehicleId) continue;
      const hit = a.signal ? a.signal === signal : HARSH_SIGNALS.includes(signal);
      if (!hit) continue;
      for (let t = 0; t < ticks; t++) if (ts[t] >= a.startTs && ts[t] <= a.endTs) out[t] = a;
    }
    return out;
  };
  const scores: number[] = [];
  const labels: number[] = [];
  const kinds: Array<AnomalyKind | undefined> = [];
  series.forEach((s, i) => {
    const truth = labelOf(s.vehicleId, s.name);
    const sc = result.series[i].scores;
    for (let t = 0; t < ticks; t++) {
      if (!Number.isFinite(sc[t])) continue;
      scores.push(sc[t]);
      labels.push(truth[t] ? 1 : 0);
      kinds.push(truth[t]?.kind);
    }
  });
  const counts: Partial<Record<AnomalyKind, number>> = {};
  for (const a of sink.anomalies) counts[a.kind] = (counts[a.kind] ?? 0) + 1;
  const byKind: Partial<Record<AnomalyKind, number>> = {};
  for (const kind of Object.keys(counts) as AnomalyKind[]) {
    if (kind === 'dropout') continue;
    const keep = kinds.map((k, i) => k === kind || labels[i] === 0);
    const ap = averagePrecision(
      scores.filter((_, i) => keep[i]),
      labels.filter((_, i) => keep[i]),
    );
    if (Number.isFinite(ap)) byKind[kind] = ap;
  }
  const positives = labels.reduce((a, b) => a + b, 0);
  return {
    aucPr: averagePrecision(scores, labels),
    aucPrByKind: byKind,
    bestF1: bestF1(scores, labels),
    calibration: result.calibration,
    chanceAucPr: positives / Math.max(labels.length, 1),
    labels: counts,
    notes: [
      `${o.vehicles} vehicles × ${o.durationS} s at ${o.rateHz} Hz, seed ${o.seed ?? EVAL_FLEET_SEED}, ${o.anomalyRate} anomalies/vehicle/s`,
      `every signal scored with stride ${o.stride}; dropouts are missing values and are not ranked`,
    ],
    positives,
    rows: scores.length,
  };
}
