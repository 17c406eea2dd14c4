import type { SignalName, TelemetrySample } from '@fleetfm/domain';
import { SIGNAL_COLUMN as C } from '../trip/read-signals';

/** A sample whose signals the anomaly injector may still change (before it is published). */
export interface MutableSample extends TelemetrySample {
  readonly signals: Partial<Record<SignalName, number>>;
}

/**
 * One telemetry sample from the signal buffer. Literal keys (not a loop) so that every sample
 * shares one hidden class.
 */
export function buildSample(
  vehicleId: string,
  driverId: string,
  ts: number,
  v: Float64Array,
): MutableSample {
  return {
    vehicleId,
    driverId,
    ts,
    signals: {
      accel_mps2: v[C.accel_mps2],
      battery_current_a: v[C.battery_current_a],
      battery_voltage_v: v[C.battery_voltage_v],
      brake_pct: v[C.brake_pct],
      grade_pct: v[C.grade_pct],
      motor_torque_nm: v[C.motor_torque_nm],
      pedal_pct: v[C.pedal_pct],
      soc_pct: v[C.soc_pct],
      speed_mps: v[C.speed_mps],
    },
  };
}
