/**
 * The telemetry signals FleetFM understands, defined once: SI units, plausible physical ranges
 * (anything outside is a sensor or transport fault, not a driving event) and whether a sample
 * must carry the signal. Every other lib reads signal metadata from here.
 */
export interface SignalSpec {
  /** Unit symbol, SI. */
  readonly unit: string;
  /** Inclusive lower bound of a plausible value. */
  readonly min: number;
  /** Inclusive upper bound of a plausible value. */
  readonly max: number;
  /**
   * A sample without this signal is invalid. None is today: a sensor dropout removes one signal
   * and the rest of the sample is still worth keeping; a sample needs at least one signal.
   */
  readonly required: boolean;
  readonly description: string;
}

export const SIGNALS = {
  accel_mps2: {
    unit: 'm/s^2',
    min: -15,
    max: 15,
    required: false,
    description: 'Longitudinal acceleration',
  },
  battery_current_a: {
    unit: 'A',
    min: -1500,
    max: 1500,
    required: false,
    description: 'Battery current, positive when discharging',
  },
  battery_voltage_v: {
    unit: 'V',
    min: 0,
    max: 1000,
    required: false,
    description: 'Battery terminal voltage',
  },
  brake_pct: { unit: '%', min: 0, max: 100, required: false, description: 'Brake pedal position' },
  grade_pct: { unit: '%', min: -35, max: 35, required: false, description: 'Road grade' },
  motor_torque_nm: {
    unit: 'N*m',
    min: -2000,
    max: 2000,
    required: false,
    description: 'Motor shaft torque, negative when regenerating',
  },
  pedal_pct: {
    unit: '%',
    min: 0,
    max: 100,
    required: false,
    description: 'Accelerator pedal position',
  },
  soc_pct: { unit: '%', min: 0, max: 100, required: false, description: 'Battery state of charge' },
  speed_mps: { unit: 'm/s', min: 0, max: 90, required: false, description: 'Vehicle speed' },
} as const satisfies Record<string, SignalSpec>;

export type SignalName = keyof typeof SIGNALS;

/** Signal names in a fixed (sorted) order: the column order of every columnar layout. */
export const SIGNAL_NAMES: readonly SignalName[] = Object.freeze(
  (Object.keys(SIGNALS) as SignalName[]).sort(),
);

export function isSignalName(name: string): name is SignalName {
  return Object.prototype.hasOwnProperty.call(SIGNALS, name);
}
