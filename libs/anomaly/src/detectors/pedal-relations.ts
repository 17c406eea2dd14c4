import type { VehicleColumns } from './physics.detector';
import { inRobustScales } from './robust-stats';

const at = (c: VehicleColumns, name: string, t: number): number =>
  t >= 0 ? c[name][t] : Number.NaN;

/**
 * The accelerator pedal commands a share of the motor's available torque: torque = pedal × A below
 * base speed (A the torque limit per % of pedal) and pedal × B / v above it (B the power limit,
 * which varies slowly with the battery's voltage); with neither pedal nor brake the motor is idle.
 * The break is the distance from the pedal to the nearer of the two pedals the torque implies, in
 * robust scales. A is the most frequent torque-per-pedal ratio (the torque-limited rows share it
 * exactly); B the median of torque·v / pedal over the power-limited rows within a minute.
 */
export function pedalBreak(c: VehicleColumns, n: number, floorShare: number): Float64Array {
  const pedal = c.pedal_pct;
  const torque = c.motor_torque_nm;
  const speed = c.speed_mps;
  const brake = c.brake_pct;
  const driving = (t: number): boolean => pedal[t] > 0.5 && !(brake[t] > 0) && speed[t - 1] >= 0;
  const ratios: number[] = [];
  for (let t = 1; t < n; t++) if (driving(t) && torque[t] > 0) ratios.push(torque[t] / pedal[t]);
  const a = modeOf(ratios);
  const powerLimited: number[] = new Array<number>(n).fill(Number.NaN);
  for (let t = 1; t < n; t++) {
    const r = torque[t] / pedal[t];
    if (driving(t) && r > 0 && r < 0.999 * a && speed[t - 1] > 0)
      powerLimited[t] = r * speed[t - 1];
  }
  const localB = rollingMedian(powerLimited, 60);
  const e = new Float64Array(n).fill(Number.NaN);
  for (let t = 1; t < n; t++) {
    if (brake[t] > 0 || !Number.isFinite(pedal[t]) || !Number.isFinite(torque[t])) continue;
    if (!Number.isFinite(speed[t - 1]) || !Number.isFinite(a)) continue;
    const byTorqueLimit = torque[t] / a;
    const b = localB[t];
    const byPowerLimit = Number.isFinite(b)
      ? (torque[t] * Math.max(speed[t - 1], 0)) / b
      : Number.NaN;
    const d1 = Math.abs(pedal[t] - byTorqueLimit);
    const d2 = Math.abs(pedal[t] - byPowerLimit);
    e[t] = Number.isFinite(d2) ? Math.min(d1, d2) : d1;
  }
  return inRobustScales(e, pedal, floorShare, PEDAL_TOLERANCE);
}

/** Median of the finite values within `half` rows either side; NaN where there are none. */
function rollingMedian(values: ArrayLike<number>, half: number): Float64Array {
  const n = values.length;
  const out = new Float64Array(n).fill(Number.NaN);
  const idx: number[] = [];
  for (let t = 0; t < n; t++) if (Number.isFinite(values[t])) idx.push(t);
  let lo = 0;
  let hi = 0;
  for (let t = 0; t < n; t++) {
    while (lo < idx.length && idx[lo] < t - half) lo++;
    while (hi < idx.length && idx[hi] <= t + half) hi++;
    if (hi > lo) {
      const w = idx
        .slice(lo, hi)
        .map((i) => values[i])
        .sort((x, y) => x - y);
      const m = w.length >> 1;
      out[t] = w.length % 2 === 1 ? w[m] : (w[m - 1] + w[m]) / 2;
    }
  }
  return out;
}

/** Pedal positions closer than this are the same (a pedal sensor's resolution), %. */
const PEDAL_TOLERANCE = 0.01;
/** Above this speed a light brake demand is served by regeneration alone, m/s. */
const REGEN_SPEED = 8;
/** A brake demand below this share is light enough for regeneration alone, %. */
const LIGHT_BRAKE = 5;

/**
 * How far the two pedals and the motor torque are from what a driver and an EV drivetrain do, in
 * % of brake pedal: both pedals pressed (the smaller of the two), the motor producing torque with
 * neither pressed (|torque| / k), or regenerating more than the brake asks (−torque / k − brake;
 * at speed, a light brake demand is met by regeneration alone, so there it is two-sided). k, the
 * regenerative torque per % of brake, is the most frequent −torque / brake ratio (rows where
 * regeneration serves the whole demand share it exactly).
 */
export function pedalsBreak(c: VehicleColumns, n: number, floorShare: number): Float64Array {
  const pedal = c.pedal_pct;
  const brake = c.brake_pct;
  const torque = c.motor_torque_nm;
  const ratios: number[] = [];
  for (let t = 0; t < n; t++) {
    if (brake[t] > 0 && pedal[t] === 0 && torque[t] < 0) ratios.push(-torque[t] / brake[t]);
  }
  const k = modeOf(ratios);
  const e = new Float64Array(n).fill(Number.NaN);
  for (let t = 1; t < n; t++) {
    const p = pedal[t];
    const b = brake[t];
    const q = torque[t];
    if (!Number.isFinite(p) || !Number.isFinite(b) || !Number.isFinite(q)) continue;
    if (p > 0 && b > 0) e[t] = Math.min(p, b);
    // Accelerating: the pedal alone sets the torque (the pedal relation), so this one has
    // nothing to check (NaN, not 0: a 0 would clear a drifting torque's other breaks).
    else if (p > 0) e[t] = Number.NaN;
    else if (!(k > 0)) e[t] = 0;
    else if (b === 0) e[t] = Math.abs(q) / k;
    else {
      const regen = -q / k;
      const light = lightBrake(c, t);
      e[t] = light ? Math.abs(regen - b) : Math.max(0, regen - b);
    }
  }
  return inRobustScales(e, brake, floorShare, PEDAL_TOLERANCE);
}

/**
 * Both pedals read pressed (the pedals relation breaks by the smaller of the two): the motor
 * torque tells which pedal the driver presses, so the break says nothing against the other one.
 * Driving torque: the accelerator is pressed and the brake reading is off; no driving torque
 * (regenerating, or idle at a stop): the brake is pressed and the accelerator reading is off.
 * Without this, a drifting accelerator at a stop with the brake held blamed the brake as much.
 */
export function bothPressedBlind(c: VehicleColumns, t: number, member: string): boolean {
  if (!(c.pedal_pct[t] > 0 && c.brake_pct[t] > 0)) return false;
  const q = c.motor_torque_nm[t];
  if (!Number.isFinite(q)) return false;
  return member === (q > 0 ? 'pedal_pct' : 'brake_pct');
}

/**
 * Neither pedal reads pressed while the motor turns (the pedals relation breaks by |torque|): the
 * torque's sign tells which pedal reading is missing. Regenerating, the brake is pressed and
 * reads 0 (a brake frozen at 0, or drifted below it): the break says nothing against the
 * accelerator. Driving, the accelerator is pressed: nothing against the brake.
 */
export function neitherPressedBlind(c: VehicleColumns, t: number, member: string): boolean {
  if (!(c.pedal_pct[t] === 0 && c.brake_pct[t] === 0)) return false;
  const q = c.motor_torque_nm[t];
  if (q < 0) return member === 'pedal_pct';
  if (q > 0) return member === 'brake_pct';
  return false;
}

/**
 * A brake reading 0 while the motor regenerates: relations that take the torque as the driving
 * force when the brake reads 0 (force balance) absorb the braking into the regenerative torque,
 * so they cannot see that brake reading.
 */
export function regenWithoutBrake(c: VehicleColumns, t: number, member: string): boolean {
  return member === 'brake_pct' && c.brake_pct[t] === 0 && c.motor_torque_nm[t] < 0;
}

/** At speed, a light brake demand is met by regeneration alone (see `pedalsBreak`). */
export function lightBrake(c: VehicleColumns, t: number): boolean {
  return at(c, 'speed_mps', t - 1) > REGEN_SPEED && c.brake_pct[t] < LIGHT_BRAKE;
}

/** The most frequent value (to 4 significant digits), refined as the mean of its bin; NaN for none. */
function modeOf(values: readonly number[]): number {
  const bins = new Map<number, { count: number; sum: number }>();
  for (const v of values) {
    const key = Number(v.toPrecision(4));
    const bin = bins.get(key) ?? { count: 0, sum: 0 };
    bin.count++;
    bin.sum += v;
    bins.set(key, bin);
  }
  let mode = Number.NaN;
  let best = 0;
  for (const bin of bins.values()) {
    if (bin.count > best) [mode, best] = [bin.sum / bin.count, bin.count];
  }
  return mode;
}
