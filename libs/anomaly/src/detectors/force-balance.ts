import { residual, type DriftOptions } from './drift.detector';
import { inRobustScales, medianOf } from './robust-stats';
import type { VehicleColumns } from './physics.detector';

/** Standard gravity, m/s². */
export const GRAVITY_MPS2 = 9.80665;

/**
 * Smallest share of the weight's grade component that the acceleration sees: m / m_eff, the
 * rotating inertia of wheels, gearbox and motor adding a few per cent (up to about 15 %) to the
 * translational mass. The grade coefficient is known up to this factor.
 */
export const MIN_MASS_RATIO = 0.85;

/** How the physics relations fit their coefficients (see `residual`). */
export const RELATION_FIT: DriftOptions = {
  l1: 20,
  leverage: 1,
  mallows: 0.1,
  refits: 2,
  ridge: 1e-9,
  trim: 4,
};

/** Rounds of the grade coefficient's estimate (each a fit of the other coefficients). */
const ROUNDS = 2;

const at = (c: VehicleColumns, name: string, t: number): number =>
  t >= 0 ? c[name][t] : Number.NaN;

/**
 * |residual| in robust scales of the force balance along the road, for the accelerometer
 * (`accel`) or for the speed change over one row (`dspeed`, the same balance times the row's
 * duration):
 *
 *   m_eff·a = k·torque (pedal only) − b·brake − c·v² − m·g·(sinθ + Crr·cosθ).
 *
 * Divided by cosθ (grade G = tanθ = rise/run): a·√(1+G²) = (k·torque − b·brake − c·v²)·√(1+G²)
 * − ρ·g·G − ρ·g·Crr, with ρ = m / m_eff. Rolling is then the intercept, exact on any grade, and
 * gravity's coefficient is known up to ρ ∈ [`MIN_MASS_RATIO`, 1]: the grade term is not a free
 * coefficient that a vehicle on flat routes leaves unfitted (its graded rows were then broken by
 * the whole weight component, blamed on grade and brake). ρ·g is estimated from the graded rows
 * (the least-absolute-deviations slope of what the other forces leave unexplained on the grade,
 * i.e. its |grade|-weighted median per unit of grade; a few rounds) and
 * clamped to its physical range, so that a grade fault on a flat vehicle is not fitted away (a
 * free grade coefficient in the last fit would fit 12 rows of a grade reading 3 % on a flat
 * road). On noise-free data the rounds converge to the exact fit (the other coefficients are
 * fitted on the flat rows, ρ·g from the graded ones).
 */
export function forceBalanceBreak(
  c: VehicleColumns,
  n: number,
  floorShare: number,
  target: 'accel' | 'dspeed',
): Float64Array {
  const y = new Float64Array(n).fill(Number.NaN);
  const grade = new Float64Array(n).fill(Number.NaN);
  const forces = [0, 1, 2].map(() => new Float64Array(n).fill(Number.NaN));
  for (let t = 0; t < n; t++) {
    const v = at(c, 'speed_mps', t - 1);
    if (!(c.speed_mps[t] > 0 && v > 0)) continue;
    const g = c.grade_pct[t] / 100;
    const sec = Math.sqrt(1 + g * g);
    y[t] = (target === 'accel' ? c.accel_mps2[t] : c.speed_mps[t] - v) * sec;
    grade[t] = g;
    forces[0][t] = (c.brake_pct[t] > 0 ? 0 : c.motor_torque_nm[t]) * sec;
    forces[1][t] = c.brake_pct[t] * sec;
    forces[2][t] = v * v * sec;
  }
  const dt = target === 'accel' ? 1 : rowDuration(c, n);
  const hi = GRAVITY_MPS2 * dt;
  const lo = MIN_MASS_RATIO * hi;
  // Gravity's coefficient ρ·g (times the row's duration for Δspeed), from ρ = 1 down.
  let weight = hi;
  const shifted = (): Float64Array => y.map((yt, t) => yt + weight * grade[t]);
  for (let k = 0; k < ROUNDS; k++) {
    const r = residual(shifted(), forces, RELATION_FIT);
    const ratios: number[] = [];
    const weights: number[] = [];
    for (let t = 0; t < n; t++) {
      if (grade[t] === 0 || !Number.isFinite(r[t] / grade[t])) continue;
      ratios.push(r[t] / grade[t]);
      weights.push(Math.abs(grade[t]));
    }
    if (ratios.length === 0) break;
    weight = Math.min(hi, Math.max(lo, weight - weightedMedian(ratios, weights)));
  }
  return inRobustScales(residual(shifted(), forces, RELATION_FIT), y, floorShare);
}

/**
 * The row's duration, s, from the kinematics (Δspeed = a·Δt): the median ratio over rows that
 * accelerate or brake noticeably. 1 when there are none.
 */
function rowDuration(c: VehicleColumns, n: number): number {
  const ratios: number[] = [];
  for (let t = 1; t < n; t++) {
    const a = c.accel_mps2[t];
    const dv = c.speed_mps[t] - c.speed_mps[t - 1];
    if (Math.abs(a) > 0.2 && c.speed_mps[t] > 0 && Number.isFinite(dv)) ratios.push(dv / a);
  }
  const d = ratios.length > 0 ? medianOf(ratios) : Number.NaN;
  return d > 0 ? d : 1;
}

/** The weighted median: the least-absolute-deviations estimate of a slope through 0. */
function weightedMedian(values: readonly number[], weights: readonly number[]): number {
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  const half = weights.reduce((a, b) => a + b, 0) / 2;
  let sum = 0;
  for (const i of order) {
    sum += weights[i];
    if (sum >= half) return values[i];
  }
  return Number.NaN;
}
