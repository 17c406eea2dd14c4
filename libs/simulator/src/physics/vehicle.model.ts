import { batteryCurrent, maxChargePowerW, maxDischargePowerW, packOcv } from './battery.model';
import { AIR_DENSITY, GRAVITY } from './constants';
import { EnergyLedger } from './energy-ledger';
import type { VehicleParams } from './vehicle-params';

/**
 * Longitudinal dynamics of one EV, integrated with explicit Euler over a step of constant
 * controls. Mutable fields instead of returned objects: the corpus generator calls `step`
 * millions of times per second and must not allocate.
 *
 *   m_eff·dv/dt = F_motor − ½ρ·CdA·v² − m·g·sinθ − sgn(v)·(Crr·m·g·cosθ + F_friction)
 *
 * The vehicle never reverses: resistive forces only stop it, and a stationary vehicle is held
 * (hill-hold) unless the net drive force beats rolling resistance and brakes.
 */
export class VehicleModel {
  speedMps = 0;
  /** Mean acceleration over the last step, m/s². */
  accelMps2 = 0;
  soc: number;
  /** Motor shaft torque over the last step (negative while regenerating), N·m. */
  motorTorqueNm = 0;
  /** Mean motor shaft power over the last step, W. */
  shaftPowerW = 0;
  batteryCurrentA = 0;
  batteryVoltageV: number;
  /** Open-circuit voltage at the current SOC (cached: the driver asks for limits every step). */
  ocvV: number;
  /** Friction-brake force over the last step, N. */
  frictionForceN = 0;
  readonly ledger = new EnergyLedger();

  private readonly massEff: number;
  private readonly aeroK: number;
  private readonly gearPerRadius: number;
  private readonly eta: number;

  constructor(
    readonly params: VehicleParams,
    soc: number = params.initialSoc,
  ) {
    this.soc = soc;
    this.massEff = params.massKg * (1 + params.rotatingMassFactor);
    this.aeroK = 0.5 * AIR_DENSITY * params.cdA;
    this.gearPerRadius = params.gearRatio / params.wheelRadiusM;
    this.eta = params.drivetrainEfficiency;
    this.ocvV = packOcv(params.battery, soc);
    this.batteryVoltageV = this.ocvV;
  }

  /** Sets the state of charge (e.g. after charging between trips). */
  setSoc(soc: number): void {
    this.soc = soc;
    this.ocvV = packOcv(this.params.battery, soc);
  }

  /** Effective (translational + rotational) mass, kg. */
  get effectiveMassKg(): number {
    return this.massEff;
  }

  /**
   * Largest motor torque available now (N·m): the torque limit, the power limit above base
   * speed, and what the battery can deliver after the auxiliary loads.
   */
  driveTorqueLimitNm(voc: number = this.ocvV): number {
    const p = this.params;
    if (this.soc <= 0) return 0;
    const omega = this.speedMps * this.gearPerRadius;
    const batteryShaftW = (maxDischargePowerW(p.battery, voc) - p.auxPowerW) * this.eta;
    const powerW = Math.max(0, Math.min(p.motorMaxPowerW, batteryShaftW));
    return omega * p.motorMaxTorqueNm > powerW ? powerW / omega : p.motorMaxTorqueNm;
  }

  /**
   * Largest regenerative braking force at the wheels now (N): torque and power limits of the
   * motor, the pack's charge limit (after the auxiliary loads take their share), faded linearly
   * to zero between `regenFadeHighMps` and `regenFadeLowMps`.
   */
  regenForceLimitN(voc: number = this.ocvV): number {
    const p = this.params;
    const v = this.speedMps;
    if (v <= p.regenFadeLowMps) return 0;
    const fade = Math.min(1, (v - p.regenFadeLowMps) / (p.regenFadeHighMps - p.regenFadeLowMps));
    const omega = v * this.gearPerRadius;
    const chargeShaftW = (maxChargePowerW(p.battery, voc, this.soc) + p.auxPowerW) / this.eta;
    const powerW = Math.max(0, Math.min(p.regenMaxPowerW, chargeShaftW));
    const torque = Math.min(p.regenMaxTorqueNm, powerW / omega);
    return fade * torque * this.gearPerRadius;
  }

  /**
   * Advances dt seconds. pedal, brake in 0..1 (accelerator share of the available torque; brake
   * share of `maxBrakeDecelMps2`·m, served by regeneration first, friction for the rest);
   * grade is rise/run.
   */
  step(pedal: number, brake: number, grade: number, dt: number): void {
    const p = this.params;
    const battery = p.battery;
    const v = this.speedMps;
    const voc = this.ocvV;

    const driveTorque = pedal > 0 ? pedal * this.driveTorqueLimitNm(voc) : 0;
    let regenForce = 0;
    let frictionForce = 0;
    if (brake > 0) {
      const demand = brake * p.massKg * p.maxBrakeDecelMps2;
      regenForce = Math.min(demand, this.regenForceLimitN(voc));
      frictionForce = demand - regenForce;
    }
    const torque = driveTorque - regenForce / this.gearPerRadius;
    const motorForce = torque * this.gearPerRadius;

    // Grade as rise/run: sinθ = g/√(1+g²), cosθ = 1/√(1+g²) without trigonometry.
    const inv = 1 / Math.sqrt(1 + grade * grade);
    const weight = p.massKg * GRAVITY;
    const drive = motorForce - this.aeroK * v * v - weight * grade * inv;
    const resist = p.crr * weight * inv + frictionForce;
    let vNew: number;
    if (v > 0) {
      vNew = v + ((drive - resist) / this.massEff) * dt;
      if (vNew < 0) vNew = 0;
    } else {
      vNew = drive > resist ? ((drive - resist) / this.massEff) * dt : 0;
    }

    // Shaft power over the step at the mean speed: F·Δx exactly for a constant force.
    const vMean = 0.5 * (v + vNew);
    const shaftW = torque * vMean * this.gearPerRadius;
    const elecW = shaftW >= 0 ? shaftW / this.eta : shaftW * this.eta;
    const terminalW = elecW + p.auxPowerW;
    const current = batteryCurrent(voc, battery.resistanceOhm, terminalW);
    const voltage = voc - battery.resistanceOhm * current;

    this.speedMps = vNew;
    this.accelMps2 = (vNew - v) / dt;
    this.motorTorqueNm = torque;
    this.shaftPowerW = shaftW;
    this.frictionForceN = frictionForce;
    this.batteryCurrentA = current;
    this.batteryVoltageV = voltage;
    const soc = this.soc - (current * dt) / (battery.capacityAh * 3600);
    this.soc = soc < 0 ? 0 : soc > 1 ? 1 : soc;
    this.ocvV = packOcv(battery, this.soc);

    const l = this.ledger;
    if (shaftW >= 0) {
      l.tractionJ += shaftW * dt;
      l.driveElecJ += elecW * dt;
    } else {
      l.regenJ -= shaftW * dt;
      l.regenElecJ -= elecW * dt;
    }
    l.auxJ += p.auxPowerW * dt;
    l.terminalJ += voltage * current * dt;
    l.lossJ += battery.resistanceOhm * current * current * dt;
    l.chemicalJ += voc * current * dt;
    l.frictionBrakeJ += frictionForce * vMean * dt;
    l.chargeAh += (current * dt) / 3600;
    l.distanceM += vMean * dt;
  }
}
