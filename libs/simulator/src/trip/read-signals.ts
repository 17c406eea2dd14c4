import { SIGNAL_NAMES, type SignalName } from '@fleetfm/domain';
import type { TripRunner } from './trip-runner';

/** Column of each signal in SIGNAL_NAMES order, resolved once. */
const COL: Readonly<Record<SignalName, number>> = Object.fromEntries(
  SIGNAL_NAMES.map((name, i) => [name, i]),
) as Record<SignalName, number>;

/**
 * The signals the vehicle's sensors report after the last tick, in SIGNAL_NAMES order, into a
 * reused buffer (no allocation on the hot path).
 */
export function readSignals(runner: TripRunner, out: Float64Array): void {
  const v = runner.vehicle;
  const d = runner.driver;
  out[COL.speed_mps] = v.speedMps;
  out[COL.accel_mps2] = v.accelMps2;
  out[COL.pedal_pct] = d.pedal * 100;
  out[COL.brake_pct] = d.brake * 100;
  out[COL.motor_torque_nm] = v.motorTorqueNm;
  out[COL.battery_current_a] = v.batteryCurrentA;
  out[COL.battery_voltage_v] = v.batteryVoltageV;
  out[COL.soc_pct] = v.soc * 100;
  out[COL.grade_pct] = runner.grade * 100;
}

export { COL as SIGNAL_COLUMN };
