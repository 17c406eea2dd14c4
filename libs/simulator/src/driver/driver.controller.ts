import { AIR_DENSITY, GRAVITY } from '../physics/constants';
import type { VehicleModel } from '../physics/vehicle.model';
import type { DriverStyle } from './driver-style';

/**
 * A human driver as a controller: looks `anticipationS` ahead on the speed target, asks for the
 * acceleration that closes the gap over that horizon (plus an integral correction), bounded by
 * what their aggressiveness accepts (acceleration, deceleration, jerk); turns it into pedal or
 * brake through their learned model of the car (feedforward on drag, rolling resistance, grade
 * and mass); and acts after their reaction time, with a foot that has its own smoothing and
 * pedal-position habits. Coasts rather than brakes for small decelerations; holds the brake
 * when stopped.
 */
export class DriverController {
  /** Accelerator position now, 0..1. */
  pedal = 0;
  /** Brake pedal position now, 0..1. */
  brake = 0;

  private readonly delayLine: Float64Array;
  private delayIndex = 0;
  private integral = 0;
  private lastAccel = 0;
  private pedalState = 0;
  private brakeState = 0;
  private overrideUntilS = -1;
  private overrideBrake = 0;

  private readonly maxAccel: number;
  private readonly maxDecel: number;
  private readonly maxJerk: number;
  private readonly horizonS: number;
  private readonly footAlpha: number;
  private readonly pedalStep: number;
  private readonly integralLimit: number;
  private readonly aeroK: number;
  private readonly rollN: number;
  private readonly weightN: number;
  private readonly gearPerRadius: number;

  constructor(
    readonly style: DriverStyle,
    private readonly vehicle: VehicleModel,
    private readonly dt: number,
  ) {
    const p = vehicle.params;
    const a = style.aggressiveness;
    this.maxAccel = 0.9 + 2.6 * a;
    this.maxDecel = 1.3 + 4.2 * a;
    this.maxJerk = 0.8 + 9 * a;
    // Nobody steers faster than they react: a horizon shorter than the delay would oscillate.
    this.horizonS = Math.max(style.anticipationS, 1.5 * style.reactionTimeS + 0.4);
    this.footAlpha = dt / (style.pedalSmoothingS + dt);
    this.pedalStep = style.pedalStepPct / 100;
    this.integralLimit = 0.6 / Math.max(1e-3, style.integralGain);
    this.delayLine = new Float64Array(Math.max(1, Math.round(style.reactionTimeS / dt)));
    this.aeroK = 0.5 * AIR_DENSITY * p.cdA;
    this.rollN = p.crr * p.massKg * GRAVITY;
    this.weightN = p.massKg * GRAVITY;
    this.gearPerRadius = p.gearRatio / p.wheelRadiusM;
  }

  /** An emergency stop until trip time `untilS`: brake at `brake` (0..1), no reaction delay. */
  emergencyBrake(untilS: number, brake: number): void {
    this.overrideUntilS = untilS;
    this.overrideBrake = brake;
  }

  get braking(): boolean {
    return this.overrideUntilS >= 0;
  }

  /**
   * One control step at trip time t. targetNow / targetAhead are the trace's speeds now and
   * `anticipationS` ahead (m/s, before the driver's speed factor); grade is rise/run.
   */
  update(t: number, targetNow: number, targetAhead: number, grade: number): void {
    const v = this.vehicle.speedMps;
    if (this.overrideUntilS >= 0) {
      if (t < this.overrideUntilS) {
        // Slam: the foot moves in ~0.15 s, far faster than the driver's normal habits.
        this.pedal = this.pedalState = 0;
        this.brakeState += (this.overrideBrake - this.brakeState) * Math.min(1, this.dt / 0.15);
        this.brake = this.brakeState;
        return;
      }
      this.overrideUntilS = -1;
      this.integral = 0;
      this.lastAccel = this.vehicle.accelMps2;
      this.delayLine.fill(-this.brakeState);
    }
    const command = this.command(
      targetNow * this.style.speedFactor,
      targetAhead * this.style.speedFactor,
      v,
      grade,
    );
    // Reaction time: act on the command decided delayLine.length steps ago.
    const acted = this.delayLine[this.delayIndex];
    this.delayLine[this.delayIndex] = command;
    this.delayIndex = (this.delayIndex + 1) % this.delayLine.length;

    // One foot: the other pedal is released (three times faster than pressing) before this one
    // is pressed, so accelerator and brake are never down together.
    const wantPedal = acted > 0 && this.brakeState === 0 ? acted : 0;
    const wantBrake = acted < 0 && this.pedalState === 0 ? -acted : 0;
    this.pedalState = this.follow(this.pedalState, wantPedal);
    this.brakeState = this.follow(this.brakeState, wantBrake);
    this.pedal = this.quantise(this.pedalState);
    this.brake = this.quantise(this.brakeState);
  }

  /** Signed pedal command: positive accelerator, negative brake, both 0..1 in magnitude. */
  private command(vNow: number, vAhead: number, vMeasured: number, grade: number): number {
    // Drivers anticipate their own motion over their reaction time (else the delay makes them
    // overshoot): act on the speed they will have when the pedal moves.
    const v = Math.max(0, vMeasured + this.vehicle.accelMps2 * this.style.reactionTimeS);
    if (vNow < 0.05 && vAhead < 0.3 && vMeasured < 0.3) {
      this.integral = 0;
      this.lastAccel = 0;
      return -this.style.holdBrakePct / 100;
    }
    this.integral += (vNow - vMeasured) * this.dt;
    if (this.integral > this.integralLimit) this.integral = this.integralLimit;
    else if (this.integral < -this.integralLimit) this.integral = -this.integralLimit;
    let accel = (vAhead - v) / this.horizonS + this.style.integralGain * this.integral;
    if (accel > this.maxAccel) accel = this.maxAccel;
    else if (accel < -this.maxDecel) accel = -this.maxDecel;
    const dA = this.maxJerk * this.dt;
    if (accel > this.lastAccel + dA) accel = this.lastAccel + dA;
    else if (accel < this.lastAccel - dA) accel = this.lastAccel - dA;
    this.lastAccel = accel;

    const p = this.vehicle.params;
    const force =
      this.vehicle.effectiveMassKg * accel + this.aeroK * v * v + this.rollN + this.weightN * grade;
    if (force > 0) {
      const available = this.vehicle.driveTorqueLimitNm() * this.gearPerRadius;
      return available > 0 ? Math.min(1, force / available) : 0;
    }
    if (-accel < this.style.coastDecelMps2) return 0;
    return -Math.min(1, -force / (p.massKg * p.maxBrakeDecelMps2));
  }

  private follow(state: number, want: number): number {
    const alpha = want < state ? Math.min(1, 3 * this.footAlpha) : this.footAlpha;
    const next = state + (want - state) * alpha;
    return next < 0.002 ? 0 : next;
  }

  private quantise(x: number): number {
    if (x < 0.002) return 0;
    if (this.pedalStep <= 0) return x;
    return Math.round(x / this.pedalStep) * this.pedalStep;
  }
}
