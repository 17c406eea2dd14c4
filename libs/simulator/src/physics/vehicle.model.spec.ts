import { packOcv } from './battery.model';
import { AIR_DENSITY, GRAVITY } from './constants';
import { VehicleModel } from './vehicle.model';
import { VEHICLE_PRESETS, type VehicleParams } from './vehicle-params';

const params: VehicleParams = { ...VEHICLE_PRESETS.midsize, initialSoc: 0.8 };
const A = 0.5 * AIR_DENSITY * params.cdA;
const B = params.crr * params.massKg * GRAVITY;
const mEff = params.massKg * (1 + params.rotatingMassFactor);
const gearPerR = params.gearRatio / params.wheelRadiusM;

function at(speed: number, soc = 0.8): VehicleModel {
  const sut = new VehicleModel(params, soc);
  sut.speedMps = speed;
  return sut;
}

describe('VehicleModel: coast-down', () => {
  // m·dv/dt = −(A·v² + B) has v(t) = √(B/A)·tan(atan(v0·√(A/B)) − t·√(AB)/m).
  const exact = (v0: number, t: number): number =>
    Math.sqrt(B / A) * Math.tan(Math.atan(v0 * Math.sqrt(A / B)) - (t * Math.sqrt(A * B)) / mEff);
  const stopTime = (v0: number): number =>
    (mEff / Math.sqrt(A * B)) * Math.atan(v0 * Math.sqrt(A / B));

  it.each([5, 15, 30])('decelerates at −(F_aero + F_roll)/m_eff from %d m/s', (v0) => {
    const sut = at(v0);
    sut.step(0, 0, 0, 0.001);
    expect(sut.accelMps2).toBeCloseTo(-(A * v0 * v0 + B) / mEff, 3);
    expect(sut.motorTorqueNm).toBe(0);
  });

  it('follows the exact solution of the ODE at the 10 Hz step and stops on time', () => {
    const dt = 0.1;
    const sut = at(30);
    let t = 0;
    const checks = new Map([
      [100, 0],
      [300, 0],
      [600, 0],
    ]);
    while (sut.speedMps > 0 && t < 2000) {
      sut.step(0, 0, 0, dt);
      t = Math.round((t + dt) * 10) / 10;
      const step = Math.round(t / dt);
      if (checks.has(step)) checks.set(step, sut.speedMps);
    }
    for (const [step, v] of checks) expect(v / exact(30, step * dt)).toBeCloseTo(1, 2);
    expect(t / stopTime(30)).toBeCloseTo(1, 2);
  });
});

describe('VehicleModel: steady state and limits', () => {
  it('needs F = aero + roll + grade to hold speed; shaft power is F·v', () => {
    const v = 20;
    const grade = 0.03;
    const c = 1 / Math.sqrt(1 + grade * grade);
    const force = A * v * v + B * c + params.massKg * GRAVITY * grade * c;
    const sut = at(v);
    const omega = v * gearPerR;
    // Torque limit above base speed is the power limit: 150 kW / ω.
    expect(sut.driveTorqueLimitNm()).toBeCloseTo(Math.min(350, 150_000 / omega), 6);
    const pedal = force / gearPerR / sut.driveTorqueLimitNm();
    sut.step(pedal, 0, grade, 0.1);
    expect(Math.abs(sut.accelMps2)).toBeLessThan(1e-9);
    expect(sut.shaftPowerW).toBeCloseTo(force * v, 6);
    // Terminal power = F·v / η + aux, delivered by a positive (discharging) current.
    const terminal = (force * v) / params.drivetrainEfficiency + params.auxPowerW;
    expect(sut.batteryVoltageV * sut.batteryCurrentA).toBeCloseTo(terminal, 4);
    expect(sut.batteryCurrentA).toBeGreaterThan(0);
    expect(sut.batteryVoltageV).toBeLessThan(packOcv(params.battery, 0.8));
  });

  it('never regenerates more than the power limit; friction brakes take the rest', () => {
    const sut = at(30);
    const demand = params.massKg * params.maxBrakeDecelMps2;
    sut.step(0, 1, 0, 0.01);
    expect(-sut.shaftPowerW).toBeLessThanOrEqual(params.regenMaxPowerW * (1 + 1e-9));
    expect(-sut.shaftPowerW).toBeGreaterThan(params.regenMaxPowerW * 0.95);
    const regenForce = -sut.motorTorqueNm * gearPerR;
    expect(regenForce + sut.frictionForceN).toBeCloseTo(demand, 6);
    expect(sut.batteryCurrentA).toBeLessThan(0);
    expect(sut.batteryVoltageV).toBeGreaterThan(packOcv(params.battery, 0.8));
  });

  it('fades regeneration linearly below 4 m/s and hands over to friction below 1.5 m/s', () => {
    const mid = at(2.75);
    // Half-way through the fade the torque limit binds: 0.5 · 240 N·m at the shaft.
    mid.step(0, 1, 0, 1e-4);
    expect(mid.motorTorqueNm).toBeCloseTo(-0.5 * params.regenMaxTorqueNm, 1);
    const slow = at(1.2);
    slow.step(0, 0.3, 0, 0.01);
    expect(slow.motorTorqueNm).toBe(0);
    expect(slow.frictionForceN).toBeCloseTo(0.3 * params.massKg * params.maxBrakeDecelMps2, 6);
  });

  it('respects the regen torque limit and refuses regeneration with a full battery', () => {
    const sut = at(8);
    sut.step(0, 0.1, 0, 0.01);
    expect(sut.motorTorqueNm).toBeGreaterThanOrEqual(-params.regenMaxTorqueNm - 1e-9);
    const full = at(20, 1);
    full.step(0, 0.5, 0, 0.01);
    // Only the auxiliary load can be fed by regeneration when the pack accepts no charge.
    expect(-full.shaftPowerW * params.drivetrainEfficiency).toBeLessThanOrEqual(
      params.auxPowerW + 1e-6,
    );
  });

  it('holds a stationary vehicle on a hill and never reverses', () => {
    const sut = at(0);
    sut.step(0, 0, 0.1, 0.1);
    expect(sut.speedMps).toBe(0);
    const rolling = at(0.05);
    rolling.step(0, 1, 0, 0.1);
    expect(rolling.speedMps).toBe(0);
  });
});

describe('VehicleModel: battery bookkeeping', () => {
  it('lowers SOC by ∫I dt / capacity', () => {
    const sut = at(0, 0.7);
    let ampSeconds = 0;
    for (let k = 0; k < 600; k++) {
      sut.step(k < 300 ? 0.6 : 0, k < 300 ? 0 : 0.4, 0, 0.1);
      ampSeconds += sut.batteryCurrentA * 0.1;
    }
    expect(0.7 - sut.soc).toBeCloseTo(ampSeconds / (params.battery.capacityAh * 3600), 12);
    expect(sut.ledger.chargeAh).toBeCloseTo(ampSeconds / 3600, 9);
  });

  it('closes the books: terminal = drive/η − regen·η + aux, chemical = terminal + R·I² losses', () => {
    const sut = at(0);
    for (let k = 0; k < 1200; k++) {
      const phase = Math.floor(k / 150) % 2;
      sut.step(phase === 0 ? 0.5 : 0, phase === 1 ? 0.35 : 0, 0.02 * Math.sin(k / 100), 0.1);
    }
    const l = sut.ledger;
    expect(l.regenJ).toBeGreaterThan(0);
    expect(l.driveElecJ).toBeCloseTo(l.tractionJ / params.drivetrainEfficiency, 3);
    expect(l.regenElecJ).toBeCloseTo(l.regenJ * params.drivetrainEfficiency, 3);
    expect(l.terminalJ / (l.driveElecJ - l.regenElecJ + l.auxJ)).toBeCloseTo(1, 9);
    expect(l.chemicalJ / (l.terminalJ + l.lossJ)).toBeCloseTo(1, 9);
  });
});
