import { Prng } from '../random/prng';
import type { BatteryParams } from './battery.model';

/** Physical description of one EV, all SI. */
export interface VehicleParams {
  readonly preset: VehiclePresetName;
  /** Test mass including driver and typical payload, kg. */
  readonly massKg: number;
  /** Equivalent mass of the rotating parts (wheels, motor) as a fraction of the mass. */
  readonly rotatingMassFactor: number;
  /** Drag coefficient times frontal area, m². */
  readonly cdA: number;
  /** Rolling-resistance coefficient. */
  readonly crr: number;
  readonly wheelRadiusM: number;
  /** Single-speed reduction: motor speed / wheel speed. */
  readonly gearRatio: number;
  readonly motorMaxTorqueNm: number;
  readonly motorMaxPowerW: number;
  /** Motor + inverter + gearbox, battery terminals to wheel, the same both ways. */
  readonly drivetrainEfficiency: number;
  /** Regeneration limits at the motor shaft. */
  readonly regenMaxTorqueNm: number;
  readonly regenMaxPowerW: number;
  /** Below this speed there is no regeneration (m/s) ... */
  readonly regenFadeLowMps: number;
  /** ... above this speed full regeneration; linear in between. Friction brakes take the rest. */
  readonly regenFadeHighMps: number;
  /** Deceleration the friction brakes give at 100 % pedal on a flat road, m/s². */
  readonly maxBrakeDecelMps2: number;
  /** Heating, cooling, 12 V loads, W: drawn from the battery whenever the vehicle is on. */
  readonly auxPowerW: number;
  readonly battery: BatteryParams;
  /** State of charge at the start of the first trip, 0..1. */
  readonly initialSoc: number;
}

export type VehiclePresetName = 'compact' | 'midsize' | 'suv' | 'van';

export const VEHICLE_PRESET_NAMES: readonly VehiclePresetName[] = [
  'compact',
  'midsize',
  'suv',
  'van',
];

/**
 * Nominal vehicles, loosely a small hatchback (40 kWh), a mid-size sedan (64 kWh), a large SUV
 * (85 kWh) and a delivery van (75 kWh). Figures are typical published values; the simulator
 * varies them per vehicle (`sampleVehicle`).
 */
export const VEHICLE_PRESETS: Readonly<Record<VehiclePresetName, VehicleParams>> = {
  compact: {
    preset: 'compact',
    massKg: 1550,
    rotatingMassFactor: 0.04,
    cdA: 0.6,
    crr: 0.0095,
    wheelRadiusM: 0.31,
    gearRatio: 8.2,
    motorMaxTorqueNm: 250,
    motorMaxPowerW: 100_000,
    drivetrainEfficiency: 0.85,
    regenMaxTorqueNm: 170,
    regenMaxPowerW: 50_000,
    regenFadeLowMps: 1.5,
    regenFadeHighMps: 4,
    maxBrakeDecelMps2: 9,
    auxPowerW: 500,
    battery: {
      seriesCells: 96,
      capacityAh: 112,
      resistanceOhm: 0.12,
      maxDischargeA: 400,
      maxChargeA: 180,
    },
    initialSoc: 0.85,
  },
  midsize: {
    preset: 'midsize',
    massKg: 1900,
    rotatingMassFactor: 0.04,
    cdA: 0.58,
    crr: 0.0095,
    wheelRadiusM: 0.334,
    gearRatio: 9,
    motorMaxTorqueNm: 350,
    motorMaxPowerW: 150_000,
    drivetrainEfficiency: 0.85,
    regenMaxTorqueNm: 240,
    regenMaxPowerW: 70_000,
    regenFadeLowMps: 1.5,
    regenFadeHighMps: 4,
    maxBrakeDecelMps2: 9.5,
    auxPowerW: 600,
    battery: {
      seriesCells: 96,
      capacityAh: 180,
      resistanceOhm: 0.09,
      maxDischargeA: 550,
      maxChargeA: 250,
    },
    initialSoc: 0.85,
  },
  suv: {
    preset: 'suv',
    massKg: 2400,
    rotatingMassFactor: 0.05,
    cdA: 0.85,
    crr: 0.0105,
    wheelRadiusM: 0.36,
    gearRatio: 9,
    motorMaxTorqueNm: 450,
    motorMaxPowerW: 220_000,
    drivetrainEfficiency: 0.84,
    regenMaxTorqueNm: 300,
    regenMaxPowerW: 90_000,
    regenFadeLowMps: 1.5,
    regenFadeHighMps: 4,
    maxBrakeDecelMps2: 9,
    auxPowerW: 700,
    battery: {
      seriesCells: 108,
      capacityAh: 210,
      resistanceOhm: 0.08,
      maxDischargeA: 650,
      maxChargeA: 300,
    },
    initialSoc: 0.85,
  },
  van: {
    preset: 'van',
    massKg: 2900,
    rotatingMassFactor: 0.05,
    cdA: 1.15,
    crr: 0.011,
    wheelRadiusM: 0.35,
    gearRatio: 10,
    motorMaxTorqueNm: 330,
    motorMaxPowerW: 120_000,
    drivetrainEfficiency: 0.84,
    regenMaxTorqueNm: 230,
    regenMaxPowerW: 60_000,
    regenFadeLowMps: 1.5,
    regenFadeHighMps: 4,
    maxBrakeDecelMps2: 8,
    auxPowerW: 650,
    battery: {
      seriesCells: 96,
      capacityAh: 210,
      resistanceOhm: 0.1,
      maxDischargeA: 500,
      maxChargeA: 220,
    },
    initialSoc: 0.85,
  },
};

/** Multiplies by (1 + N(0, sd)) clipped to ±3 sd: small, bounded unit-to-unit variation. */
function vary(rng: Prng, value: number, sd: number): number {
  const z = Math.max(-3, Math.min(3, rng.normal()));
  return value * (1 + sd * z);
}

/**
 * One vehicle of a preset with seeded unit-to-unit variation: payload (mass), tyres (Crr),
 * roof boxes and mirrors (CdA), cell ageing (resistance, capacity), cabin climate (aux load),
 * and where its battery starts.
 */
export function sampleVehicle(preset: VehiclePresetName, rng: Prng): VehicleParams {
  const p = VEHICLE_PRESETS[preset];
  return {
    ...p,
    massKg: vary(rng, p.massKg, 0.04),
    cdA: vary(rng, p.cdA, 0.03),
    crr: vary(rng, p.crr, 0.07),
    drivetrainEfficiency: Math.min(0.95, vary(rng, p.drivetrainEfficiency, 0.01)),
    auxPowerW: vary(rng, p.auxPowerW, 0.25),
    battery: {
      ...p.battery,
      capacityAh: vary(rng, p.battery.capacityAh, 0.02),
      resistanceOhm: vary(rng, p.battery.resistanceOhm, 0.08),
    },
    initialSoc: rng.uniform(0.55, 0.95),
  };
}
