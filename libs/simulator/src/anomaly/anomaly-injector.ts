import { SIGNALS, SIGNAL_NAMES, type SignalName } from '@fleetfm/domain';
import type { Prng } from '../random/prng';
import type { TripRunner } from '../trip/trip-runner';
import type { AnomalyKind, AnomalyLabel } from './anomaly-label';

/** Relative frequency of each kind when an anomaly starts. */
const KIND_WEIGHTS: readonly (readonly [AnomalyKind, number])[] = [
  ['spike', 0.25],
  ['stuck', 0.2],
  ['dropout', 0.2],
  ['drift', 0.15],
  ['harsh_braking', 0.2],
];

/** Harsh braking needs speed to be a manoeuvre rather than a stop, m/s. */
const HARSH_MIN_SPEED = 8;

/** Signals a sample may lack: dropping a required one would make the sample invalid. */
const OPTIONAL_SIGNALS = SIGNAL_NAMES.filter((n) => !SIGNALS[n].required);

interface Active {
  readonly kind: AnomalyKind;
  readonly signal?: SignalName;
  readonly startTs: number;
  readonly endTick: number;
  /** Stuck: the held value. Spike: the offset. Drift: offset reached at the end. */
  readonly value: number;
  readonly startTick: number;
  lastTs: number;
}

export type Signals = Partial<Record<SignalName, number>>;

/**
 * Injects labelled anomalies into one vehicle's telemetry. At most one is active at a time, so
 * labels never overlap. Sensor faults (spike, stuck, dropout, drift) corrupt the emitted sample
 * only; harsh braking is a real manoeuvre: the driver slams the brake and the physics follows.
 */
export class AnomalyInjector {
  private active: Active | null = null;
  /** Driver and trip of the last sample the active anomaly touched (for `flush`). */
  private activeIn: { driverId: string; tripId: string } | null = null;
  private harshPending = false;
  private readonly startProbability: number;

  constructor(
    private readonly vehicleId: string,
    private readonly rng: Prng,
    /** Mean anomalies per second per vehicle. */
    ratePerS: number,
    private readonly dtTick: number,
    private readonly emit: (label: AnomalyLabel) => void,
  ) {
    this.startProbability = 1 - Math.exp(-ratePerS * dtTick);
  }

  /** Before the physics tick: may start an anomaly; starts pending harsh braking at speed. */
  beforeTick(tick: number, ts: number, runner: TripRunner): void {
    if (this.active || this.startProbability <= 0) return;
    if (!this.harshPending && this.rng.chance(this.startProbability)) {
      const kind = this.pickKind();
      if (kind === 'harsh_braking') this.harshPending = true;
      else this.active = this.startSensorFault(kind, tick, ts, runner);
    }
    if (this.harshPending && runner.vehicle.speedMps > HARSH_MIN_SPEED && !runner.done) {
      this.harshPending = false;
      const durationS = this.rng.uniform(1.5, 4);
      runner.driver.emergencyBrake(runner.t + durationS, this.rng.uniform(0.75, 1));
      // The brake acts on every tick that starts before runner.t + durationS: ceil, not round
      // (round left the last braked row, still at full deceleration, labelled normal).
      const ticks = Math.max(1, Math.ceil(durationS / this.dtTick - 1e-9));
      this.active = {
        kind: 'harsh_braking',
        startTs: ts,
        startTick: tick,
        endTick: tick + ticks - 1,
        value: 0,
        lastTs: ts,
      };
    }
  }

  /** After the physics tick: corrupts this sample's signals; closes the label at the end. */
  apply(tick: number, ts: number, signals: Signals, driverId: string, tripId: string): void {
    const a = this.active;
    if (!a || tick < a.startTick) return;
    if (a.signal) corrupt(a, tick, signals, a.signal);
    a.lastTs = ts;
    this.activeIn = { driverId, tripId };
    if (tick >= a.endTick) this.flush();
  }

  /**
   * Labels the active anomaly up to the last sample it touched and ends it: at its last tick, and
   * when the run stops before that (the simulator's `close`), so that rows already corrupted are
   * never left labelled normal.
   */
  flush(): void {
    const a = this.active;
    if (!a || !this.activeIn) return;
    this.emit({
      vehicleId: this.vehicleId,
      driverId: this.activeIn.driverId,
      tripId: this.activeIn.tripId,
      kind: a.kind,
      signal: a.signal,
      startTs: a.startTs,
      endTs: a.lastTs,
    });
    this.active = null;
    this.activeIn = null;
  }

  private pickKind(): AnomalyKind {
    let u = this.rng.next();
    for (const [kind, w] of KIND_WEIGHTS) {
      if ((u -= w) < 0) return kind;
    }
    return 'spike';
  }

  private startSensorFault(
    kind: AnomalyKind,
    tick: number,
    ts: number,
    runner: TripRunner,
  ): Active {
    const signal = this.rng.pick(kind === 'dropout' ? OPTIONAL_SIGNALS : SIGNAL_NAMES);
    const spec = SIGNALS[signal];
    const width = spec.max - spec.min;
    const sign = this.rng.chance(0.5) ? 1 : -1;
    const rate = 1 / this.dtTick;
    const base = { kind, signal, startTs: ts, startTick: tick, lastTs: ts };
    switch (kind) {
      case 'spike':
        return {
          ...base,
          endTick: tick + this.rng.int(3),
          value: sign * this.rng.uniform(0.25, 0.6) * width,
        };
      case 'stuck':
        // Held at the value the sensor reports when it freezes (this tick, before the step).
        return {
          ...base,
          endTick: tick + Math.round(this.rng.uniform(5, 60) * rate),
          value: currentValue(runner, signal),
        };
      case 'dropout':
        return { ...base, endTick: tick + Math.round(this.rng.uniform(2, 30) * rate), value: 0 };
      default:
        return {
          ...base,
          endTick: tick + Math.round(this.rng.uniform(30, 300) * rate),
          value: sign * this.rng.uniform(0.05, 0.2) * width,
        };
    }
  }
}

function corrupt(a: Active, tick: number, signals: Signals, signal: SignalName): void {
  const spec = SIGNALS[signal];
  const clamp = (x: number): number => (x < spec.min ? spec.min : x > spec.max ? spec.max : x);
  const v = signals[signal] ?? 0;
  switch (a.kind) {
    case 'spike': {
      // Push away from the value; if the range clamps the push flat, push the other way.
      const up = clamp(v + a.value);
      signals[signal] = Math.abs(up - v) >= 0.1 * Math.abs(a.value) ? up : clamp(v - a.value);
      break;
    }
    case 'stuck':
      signals[signal] = a.value;
      break;
    case 'dropout':
      delete signals[signal];
      break;
    case 'drift': {
      const f = (tick - a.startTick + 1) / (a.endTick - a.startTick + 1);
      signals[signal] = clamp(v + f * a.value);
      break;
    }
    default:
      break;
  }
}

function currentValue(runner: TripRunner, signal: SignalName): number {
  const v = runner.vehicle;
  const d = runner.driver;
  const values: Record<SignalName, number> = {
    accel_mps2: v.accelMps2,
    battery_current_a: v.batteryCurrentA,
    battery_voltage_v: v.batteryVoltageV,
    brake_pct: d.brake * 100,
    grade_pct: runner.grade * 100,
    motor_torque_nm: v.motorTorqueNm,
    pedal_pct: d.pedal * 100,
    soc_pct: v.soc * 100,
    speed_mps: v.speedMps,
  };
  return values[signal];
}
