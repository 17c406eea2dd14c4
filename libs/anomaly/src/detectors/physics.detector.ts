import { residual } from './drift.detector';
import { forceBalanceBreak, RELATION_FIT } from './force-balance';
import {
  bothPressedBlind,
  lightBrake,
  neitherPressedBlind,
  pedalBreak,
  pedalsBreak,
  regenWithoutBrake,
} from './pedal-relations';
import { inRobustScales, quantileOf } from './robust-stats';

/** Columns of one vehicle by signal name (telemetry schema names), aligned rows. */
export type VehicleColumns = Readonly<Record<string, ArrayLike<number>>>;

/**
 * One physical relation between a vehicle's signals, linear in its unknown coefficients:
 * `target = Σ βᵢ·featureᵢ + β₀` on the rows where `applies`. The coefficients (mass, gear ratio,
 * pack resistance, capacity, OCV curve...) differ between vehicles and are fitted on the vehicle's
 * own rows by robust least squares, so no vehicle parameter is assumed.
 */
export interface PhysicsRelation {
  readonly name: string;
  /** Signals whose value at row t enters the relation at row t. */
  readonly members: readonly string[];
  /** Signals whose value at row t - 1 enters it too (differences, mean speed over the step). */
  readonly lagged: readonly string[];
  /**
   * Other signals the relation uses, which a fault may or may not break it by (speed in aero
   * drag): not members, but a break of the relation says nothing against them either. A relation
   * is checked only when the vehicle has every signal it names.
   */
  readonly weak?: readonly string[];
  /** Signals it reads only to know where it applies (brake for the pedal's torque). */
  readonly reads?: readonly string[];
  /**
   * Rows where the relation cannot see a member being off (a one-sided check that passes
   * whatever the member's value): there its break says nothing for or against that signal.
   */
  blind?(c: VehicleColumns, t: number, member: string): boolean;
  /**
   * Rows where the relation has no break to measure (NaN) but vouches for a member's value
   * (accelerating, the brake must read 0, and it does): there that member's break is 0.
   */
  confirms?(c: VehicleColumns, t: number, member: string): boolean;
  /**
   * Another relation this one restates (the same force balance for Δspeed instead of the
   * accelerometer): for the signals in both, the two are one check, not two (see `broken`).
   */
  readonly twinOf?: string;
  target(c: VehicleColumns, t: number): number;
  features(c: VehicleColumns, t: number): readonly number[];
  applies?(c: VehicleColumns, t: number): boolean;
  /** A relation that is not linear in its coefficients computes its own break (see below). */
  breaks?(c: VehicleColumns, n: number, floorShare: number): Float64Array;
}

const pos = (x: number): number => (x > 0 ? x : x <= 0 ? 0 : Number.NaN);
const neg = (x: number): number => (x < 0 ? x : x >= 0 ? 0 : Number.NaN);
const at = (c: VehicleColumns, name: string, t: number): number =>
  t >= 0 ? c[name][t] : Number.NaN;

/** Knots of a piecewise-linear open-circuit-voltage curve over state of charge, %. */
const SOC_KNOTS = [5, 10, 20, 30, 40, 50, 60, 70, 80, 90];

/**
 * The relations an electric vehicle's longitudinal telemetry obeys (rows of a fixed rate):
 * - kinematics: Δspeed ∝ acceleration;
 * - charge: ΔSoC ∝ battery current (coulomb counting);
 * - voltage: V = OCV(SoC) − R·I, OCV piecewise linear in SoC;
 * - power: V·I = aux + (torque·mean speed)/η when driving, ·η when regenerating;
 * - force: m·a = k·torque (pedal only) − brake force − aero·v² − m·g·(grade, rolling), gravity's
 *   coefficient known (see `forceBalanceBreak`);
 * - dynamics: the same balance for Δspeed, without the accelerometer (it tells a speed fault,
 *   which breaks the force balance through the drag, from an accelerometer fault);
 * - pedal: torque = pedal × limit, the limit constant below base speed, ∝ 1/speed above it
 *   (see `pedalBreak`);
 * - pedals: accelerator and brake are never pressed together, the motor idles with neither, and
 *   regeneration never brakes harder than the brake pedal asks (see `pedalsBreak`).
 */
export const EV_RELATIONS: readonly PhysicsRelation[] = [
  {
    features: (c, t) => [c.accel_mps2[t]],
    lagged: ['speed_mps'],
    members: ['speed_mps', 'accel_mps2'],
    name: 'kinematics',
    target: (c, t) => c.speed_mps[t] - at(c, 'speed_mps', t - 1),
  },
  {
    applies: (c, t) => c.soc_pct[t] > 0 && c.soc_pct[t] < 100,
    features: (c, t) => [c.battery_current_a[t]],
    lagged: ['soc_pct'],
    members: ['soc_pct', 'battery_current_a'],
    name: 'charge',
    target: (c, t) => c.soc_pct[t] - at(c, 'soc_pct', t - 1),
  },
  {
    features: (c: VehicleColumns, t: number): number[] => {
      const s = c.soc_pct[t];
      return [c.battery_current_a[t], s, ...SOC_KNOTS.map((k) => pos(s - k))];
    },
    lagged: [],
    members: ['battery_voltage_v', 'battery_current_a', 'soc_pct'],
    name: 'voltage',
    target: (c, t) => c.battery_voltage_v[t],
  },
  {
    features: (c: VehicleColumns, t: number): number[] => {
      const m = c.motor_torque_nm[t] * (c.speed_mps[t] + at(c, 'speed_mps', t - 1));
      return [pos(m), neg(m)];
    },
    lagged: ['speed_mps'],
    members: ['battery_voltage_v', 'battery_current_a', 'motor_torque_nm', 'speed_mps'],
    name: 'power',
    target: (c, t) => c.battery_voltage_v[t] * c.battery_current_a[t],
  },
  {
    // A moving vehicle only: at a stop the brakes hold it whatever the forces. Blind to a brake
    // reading 0 while regenerating (see `regenWithoutBrake`).
    blind: regenWithoutBrake,
    breaks: (c, n, floorShare) => forceBalanceBreak(c, n, floorShare, 'accel'),
    features: () => [],
    lagged: [],
    members: ['accel_mps2', 'motor_torque_nm', 'brake_pct', 'grade_pct'],
    name: 'force',
    weak: ['speed_mps'],
    target: () => Number.NaN,
  },
  {
    // The force balance over one row without the accelerometer: the speed change from the same
    // forces. A speed fault breaks it (and the kinematics) but not the accelerometer's relations
    // alone, so it clears the accelerometer, whose force balance a drifting speed breaks through
    // the aero drag (v²) and whose kinematics it breaks through Δspeed.
    blind: regenWithoutBrake,
    breaks: (c, n, floorShare) => forceBalanceBreak(c, n, floorShare, 'dspeed'),
    features: () => [],
    lagged: ['speed_mps'],
    members: ['speed_mps', 'motor_torque_nm', 'brake_pct', 'grade_pct'],
    name: 'dynamics',
    target: () => Number.NaN,
    twinOf: 'force',
  },
  {
    // Braking hard, friction takes whatever regeneration does not: a brake reading too high
    // passes the one-sided check (regeneration never brakes harder than asked). Both pedals
    // pressed, the motor says which one the driver presses (see `bothPressedBlind`).
    blind: (c, t, member) =>
      (member === 'brake_pct' && c.pedal_pct[t] === 0 && c.brake_pct[t] > 0 && !lightBrake(c, t)) ||
      bothPressedBlind(c, t, member) ||
      neitherPressedBlind(c, t, member),
    breaks: (c, n, floorShare) => pedalsBreak(c, n, floorShare),
    // Accelerating (accelerator pressed, the motor driving), the brake must read 0: the break is
    // left NaN there (nothing to check for the others), but a brake at 0 is vouched for.
    confirms: (c, t, member) =>
      member === 'brake_pct' &&
      c.brake_pct[t] === 0 &&
      c.pedal_pct[t] > 0 &&
      c.motor_torque_nm[t] > 0,
    features: () => [],
    lagged: [],
    members: ['brake_pct', 'pedal_pct', 'motor_torque_nm'],
    name: 'pedals',
    weak: ['speed_mps'],
    target: () => Number.NaN,
  },
  {
    // No pedal position yields a regenerative torque: there the relation says nothing of the pedal.
    blind: (c, t, member) => member === 'pedal_pct' && c.motor_torque_nm[t] < 0,
    breaks: (c, n, floorShare) => pedalBreak(c, n, floorShare),
    features: () => [],
    lagged: [],
    members: ['pedal_pct', 'motor_torque_nm'],
    name: 'pedal',
    reads: ['brake_pct'],
    weak: ['speed_mps'],
    target: () => Number.NaN,
  },
];

const BULK_QUANTILE = 0.9;
export interface PhysicsOptions {
  /** Relations to check. Default `EV_RELATIONS`. */
  readonly relations?: readonly PhysicsRelation[];
  /**
   * Floor of a relation's residual scale as a share of its target's robust spread: noise-free
   * data (a simulator) fits to float rounding, which must not look like a fault. Default 1e-3.
   */
  readonly floorShare?: number;
  /**
   * A relation is broken beyond this many units (of its 90th percentile). A break in a relation a
   * signal is not part of means another signal is at fault: the signal's evidence is then 0.
   * Default 50.
   */
  readonly broken?: number;
}

/**
 * Physics-consistency evidence for each signal of one vehicle. Each relation is fitted on the
 * vehicle's own rows (least absolute deviations, then a trimmed least-squares refit; rows with a
 * feature far outside its range do not pull the fit) and its residual expressed in robust scales,
 * then in units of that break's own 90th percentile on the vehicle, so that relations that fit to
 * float rounding and relations with real noise are comparable (a fault that lasts more than a
 * tenth of the rows becomes the bulk and is missed). A faulty sensor breaks every relation it is a
 * member of and none of the others, so a signal's evidence at a row is the weakest break among its
 * relations, or 0 when a relation it is not part of (nor a weak user of) is broken beyond `broken`
 * (a fault elsewhere explains both); below that, in units of the strongest such break (when
 * above 1), so that a signal whose relations break no more than one it is not in is not blamed. A signal that enters a relation with its previous row (a
 * difference) breaks it on the row after its fault ends as well; its break there is the smaller
 * of rows t and t + 1, so only rows inside the fault count. Reported as log(1 + log(1 + break)):
 * breaks span ten orders of magnitude on noise-free data, and this keeps them apart after
 * calibration (an exponential tail rounds to 1 beyond a few dozen of its scales), so that a
 * strong break ranks just below a saturated spike or stuck run instead of tying with it. Signals
 * in no relation (or whose relations lack a column) are absent from the result.
 */
export function physicsScores(
  columns: VehicleColumns,
  o: PhysicsOptions = {},
): Record<string, Float64Array> {
  const relations = (o.relations ?? EV_RELATIONS).filter((r) =>
    [...r.members, ...r.lagged, ...(r.weak ?? []), ...(r.reads ?? [])].every(
      (m) => columns[m] !== undefined,
    ),
  );
  const out: Record<string, Float64Array> = {};
  if (relations.length < 2) return out;
  const n = columns[relations[0].members[0]].length;
  // Each relation in units of its own bulk on this vehicle (its 90th percentile): relations fit
  // to float rounding and relations with real noise become comparable before they are combined.
  const z = relations.map((r) => {
    const b = relationBreak(columns, r, n, o.floorShare ?? 1e-9);
    const bulk = Math.max(quantileOf(b, BULK_QUANTILE), 1e-6);
    return b.map((v) => v / bulk);
  });
  const broken = o.broken ?? 50;
  const signals = [...new Set(relations.flatMap((r) => r.members))];
  for (const s of signals) {
    const own = relations.flatMap((r, k) => (r.members.includes(s) ? [k] : []));
    // A relation that reads the signal to know where it applies (the pedal relation reads the
    // brake) breaks where that signal is off as well: its break is not another signal's fault.
    const rest = relations.flatMap((r, k) =>
      r.members.includes(s) || r.weak?.includes(s) || r.reads?.includes(s) ? [] : [k],
    );
    const e = new Float64Array(n).fill(Number.NaN);
    for (let t = 0; t < n; t++) {
      let weakest = Number.POSITIVE_INFINITY;
      const seen: number[] = [];
      for (const k of own) {
        if (relations[k].blind?.(columns, t, s)) continue;
        seen.push(k);
        const zt = relations[k].confirms?.(columns, t, s) ? 0 : z[k][t];
        const v = relations[k].lagged.includes(s) ? Math.min(zt, z[k][t + 1] ?? zt) : zt;
        if (Number.isFinite(v) && v < weakest) weakest = v;
      }
      if (weakest === Number.POSITIVE_INFINITY) continue;
      let strongest = 0;
      for (const k of rest) if (z[k][t] > strongest) strongest = z[k][t];
      // Relations (checked at this row) that another signal is a member of too cannot tell the
      // signal from it (grade from brake in the force balance and in its accelerometer-free
      // twin): such a signal's evidence stops at `broken`.
      const capped = distinctChecks(relations, seen) === 1 ? Math.min(weakest, broken) : weakest;
      // A relation the signal is not part of, broken as well, is evidence for another signal: the
      // signal's own break counts in units of it (a drifting current breaks the charge, voltage
      // and power relations alike, SoC's two of them no more than the power one it is not in).
      const unexplained = Math.max(1, strongest);
      e[t] = strongest > broken ? 0 : Math.log1p(Math.log1p(capped / unexplained));
    }
    out[s] = e;
  }
  return out;
}

/**
 * How many independent checks the relations `seen` are: a relation whose twin (`twinOf`) is seen
 * too restates it. A model misfit breaks a relation and its twin alike, so a signal in both (grade,
 * in the force balance and its Δspeed twin) is no more told apart from its partners than by one.
 */
function distinctChecks(relations: readonly PhysicsRelation[], seen: readonly number[]): number {
  const names = new Set(seen.map((k) => relations[k].name));
  return seen.filter((k) => !names.has(relations[k].twinOf ?? '')).length;
}

/** |residual| of one relation in robust scales; NaN where it does not apply or lacks a value. */
export function relationBreak(
  columns: VehicleColumns,
  r: PhysicsRelation,
  n: number,
  floorShare: number,
): Float64Array {
  if (r.breaks) return r.breaks(columns, n, floorShare);
  const y = new Float64Array(n).fill(Number.NaN);
  const rows: Array<readonly number[]> = [];
  for (let t = 0; t < n; t++) {
    if (r.applies && !r.applies(columns, t)) {
      rows.push([]);
      continue;
    }
    y[t] = r.target(columns, t);
    rows.push(r.features(columns, t));
  }
  const p = rows.find((x) => x.length > 0)?.length ?? 0;
  const features = Array.from({ length: p }, (_, j) =>
    Float64Array.from({ length: n }, (_, t) => (rows[t].length > 0 ? rows[t][j] : Number.NaN)),
  );
  return inRobustScales(residual(y, features, RELATION_FIT), y, floorShare);
}
