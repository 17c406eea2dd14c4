import { residual } from './drift.detector';
import { pedalsBreak } from './pedal-relations';
import { physicsScores } from './physics.detector';
import { stuckRunLength } from './stuck.detector';

/** Deterministic pseudo-random numbers in [0, 1) (LCG), so the tests are seeded. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

type Columns = Record<string, Float64Array>;

/**
 * A small EV that obeys the detector's relations exactly (1 row = 1 s): torque from the pedal
 * (torque limit 3 N·m per %, power limit 60 N·m·m/s per %) or regeneration (5 N·m per % brake),
 * m·a from torque, brake, aero, grade and rolling (the weight's components along the road, seen
 * through a 5 % rotating-mass share: m / m_eff = 1 / 1.05); V·I from torque × mean speed;
 * V = OCV(SoC) − R·I; ΔSoC ∝ −I. The driver alternates accelerating, cruising, coasting and
 * braking. The road's grade (%) is `gradeAt` of the row, by default flat and hilly by turns.
 */
/** Every signal `drive` writes, sorted: physics scores each of them. */
const DRIVEN = [
  'accel_mps2',
  'battery_current_a',
  'battery_voltage_v',
  'brake_pct',
  'grade_pct',
  'motor_torque_nm',
  'pedal_pct',
  'soc_pct',
  'speed_mps',
];

const hilly = (t: number): number => (t % 300 < 150 ? 0 : 2 * Math.sin(t / 40));

function drive(
  n: number,
  seed = 7,
  hold?: readonly [number, number],
  gradeAt: (t: number) => number = hilly,
): Columns {
  const rnd = lcg(seed);
  const c: Columns = Object.fromEntries(DRIVEN.map((k) => [k, new Float64Array(n)]));
  let v = 0;
  let soc = 80;
  let phase = 0;
  for (let t = 0; t < n; t++) {
    if (t % 20 === 0) phase = Math.floor(rnd() * 4);
    const grade = gradeAt(t);
    const cos = 1 / Math.sqrt(1 + (grade / 100) ** 2);
    let pedal = 0;
    let brake = 0;
    if (phase <= 1 || v < 1) pedal = 10 + 30 * rnd();
    else if (phase === 3) brake = 2 + 20 * rnd();
    // Held at a stop (optional): the driver stops on the first row and keeps the brake at 30 %.
    const held = hold !== undefined && t >= hold[0] && t < hold[1];
    if (held) [pedal, brake] = [0, 30];
    let torque = pedal > 0 ? pedal * Math.min(3, 60 / Math.max(v, 1e-9)) : -5 * brake;
    let a =
      (pedal > 0 ? 0.02 * torque : 0) -
      0.09 * brake -
      3e-4 * v * v -
      (9.80665 / 1.05) * (grade / 100) * cos -
      0.1 * cos;
    if (held && t === hold[0]) a = -v;
    if (held && v === 0) [a, torque] = [0, 0];
    if (v + a < 0) a = -v;
    if (v === 0 && a < 0) [a, torque, pedal] = [0, 0, 0];
    const vNew = v + a;
    const m = torque * (v + vNew);
    const power = 300 + (m > 0 ? 0.6 * m : 0.4 * m);
    const ocv = 340 + 0.6 * soc;
    const r = 0.1;
    const current = (2 * power) / (ocv + Math.sqrt(ocv * ocv - 4 * r * power));
    soc -= 1e-4 * current;
    c.pedal_pct[t] = pedal;
    c.brake_pct[t] = brake;
    c.motor_torque_nm[t] = torque;
    c.accel_mps2[t] = a;
    c.speed_mps[t] = vNew;
    c.grade_pct[t] = grade;
    c.battery_current_a[t] = current;
    c.battery_voltage_v[t] = ocv - r * current;
    c.soc_pct[t] = soc;
    v = vNew;
  }
  return c;
}

/** The break behind an evidence value (evidence = log(1 + log(1 + break))). */
function breakOf(e: ArrayLike<number>): Float64Array {
  return Float64Array.from(e, (x) => Math.expm1(Math.expm1(x)));
}

function maxOf(x: ArrayLike<number>, from = 0, to = x.length): number {
  let m = Number.NEGATIVE_INFINITY;
  for (let t = from; t < to; t++) if (Number.isFinite(x[t]) && x[t] > m) m = x[t];
  return m;
}

function medianOf(x: ArrayLike<number>, from: number, to: number): number {
  const s = Array.from(x)
    .slice(from, to)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  return s[s.length >> 1];
}

describe('physicsScores', () => {
  const n = 1500;

  it('does not flag data that obeys the physics', () => {
    const scores = physicsScores(drive(n));
    expect(Object.keys(scores).sort()).toEqual(DRIVEN);
    // Breaks are in units of each relation's own 90th percentile: an exact fit leaves only float
    // rounding, a few units at most; a real fault breaks a relation by orders of magnitude.
    for (const e of Object.values(scores)) expect(maxOf(breakOf(e))).toBeLessThan(100);
  });

  it('detects a drift of known slope on the state of charge and blames SoC, not the current', () => {
    const clean = physicsScores(drive(n));
    const c = drive(n);
    // 0.01 %/row: half the normal per-row change of SoC at cruise, invisible in SoC's own history.
    for (let t = 600; t < 700; t++) c.soc_pct[t] += 0.01 * (t - 599);
    const s = physicsScores(c);
    const normalMax = maxOf(breakOf(clean.soc_pct));
    expect(medianOf(breakOf(s.soc_pct), 605, 700)).toBeGreaterThan(10 * normalMax);
    expect(medianOf(breakOf(s.battery_current_a), 605, 700)).toBeLessThan(2);
    expect(medianOf(breakOf(s.motor_torque_nm), 605, 700)).toBeLessThan(2);
  });

  it('blames a long current drift on the current, not on SoC (power breaks too, SoC is not in it)', () => {
    const c = drive(n);
    // 400 rows (27%): the fault is the bulk of each broken relation, so its breaks are at most
    // about 1.5 units (of their 90th percentile), below `broken`: only their pattern tells the
    // signals apart. Charge, voltage and power break alike; SoC is in two of them.
    for (let t = 900; t < 1300; t++) c.battery_current_a[t] += 0.05 * (t - 899);
    const s = physicsScores(c);
    const soc = medianOf(s.soc_pct, 1200, 1300);
    const current = medianOf(s.battery_current_a, 1200, 1300);
    expect(current).toBeGreaterThan(soc + 0.05);
  });

  it('detects a torque drift while the driver accelerates and blames the torque', () => {
    const c = drive(n);
    for (let t = 600; t < 700; t++) c.motor_torque_nm[t] -= 0.5 * (t - 599);
    const s = physicsScores(c);
    const b = breakOf(s.motor_torque_nm);
    let driving = 0;
    let flagged = 0;
    for (let t = 620; t < 700; t++) {
      if (!(c.pedal_pct[t] > 0)) continue;
      driving++;
      if (b[t] > 100) flagged++;
    }
    expect(driving).toBeGreaterThanOrEqual(20);
    expect(flagged / driving).toBeGreaterThan(0.8);
    expect(medianOf(breakOf(s.pedal_pct), 620, 700)).toBeLessThan(2);
  });

  it('detects a brake pedal reading too high while braking (the pedals check cannot see it)', () => {
    const c = drive(n);
    for (let t = 600; t < 700; t++) if (c.brake_pct[t] > 0) c.brake_pct[t] += 0.1 * (t - 599);
    const s = physicsScores(c);
    const b = breakOf(s.brake_pct);
    const braking: number[] = [];
    for (let t = 620; t < 700; t++) if (c.brake_pct[t] > 0) braking.push(b[t]);
    expect(braking.length).toBeGreaterThan(10);
    // Regeneration never brakes harder than asked, so a brake reading above the regenerative
    // torque passes the pedals relation: only the force balance sees it, which grade shares, so
    // the evidence stops at `broken` (50). The pedals relation's 0 there had cleared it.
    expect(medianOf(braking, 0, braking.length)).toBeGreaterThan(10);
  });

  it('blames an accelerator reading off 0 at a stop with the brake held on the accelerator only', () => {
    const c = drive(n, 7, [600, 660]);
    expect(c.speed_mps[605]).toBe(0);
    expect(c.motor_torque_nm[605]).toBe(0);
    for (let t = 610; t < 660; t++) c.pedal_pct[t] = 0.1 * (t - 609);
    const s = physicsScores(c);
    // Both pedals read pressed and the motor does not drive: the brake is the pedal pressed, so
    // the break says nothing against it (the force balance does not apply at a stop either).
    expect(medianOf(breakOf(s.pedal_pct), 615, 660)).toBeGreaterThan(10);
    expect(maxOf(breakOf(s.brake_pct), 615, 660)).toBeLessThan(2);
  });

  it('blames a brake reading while the driver accelerates on the brake, not the accelerator', () => {
    const c = drive(n);
    const rows: number[] = [];
    for (let t = 600; t < 700; t++) {
      if (c.pedal_pct[t] > 0 && c.motor_torque_nm[t] > 0) {
        c.brake_pct[t] = 20;
        rows.push(t);
      }
    }
    expect(rows.length).toBeGreaterThanOrEqual(20);
    const s = physicsScores(c);
    const brake = breakOf(s.brake_pct);
    const pedal = breakOf(s.pedal_pct);
    expect(
      medianOf(
        rows.map((t) => brake[t]),
        0,
        rows.length,
      ),
    ).toBeGreaterThan(10);
    expect(maxOf(rows.map((t) => pedal[t]))).toBeLessThan(2);
  });

  it('blames a speed drift on the speed, not the accelerometer (whose force balance it breaks)', () => {
    const c = drive(n);
    // 0.05 m/s per row: Δspeed no longer matches the acceleration (kinematics), and the drag of
    // the drifted speed no longer matches the acceleration either (force balance, speed weak).
    for (let t = 600; t < 700; t++) c.speed_mps[t] += 0.05 * (t - 599);
    const s = physicsScores(c);
    const speed = breakOf(s.speed_mps);
    // Coasting (no torque) only the kinematics and the accelerometer-free force balance see the
    // speed, and they cannot tell it from the accelerometer: both are cleared there.
    const driven: number[] = [];
    for (let t = 610; t < 700; t++) if (c.motor_torque_nm[t] !== 0) driven.push(speed[t]);
    expect(driven.length).toBeGreaterThan(30);
    expect(medianOf(driven, 0, driven.length)).toBeGreaterThan(10);
    expect(medianOf(breakOf(s.accel_mps2), 610, 700)).toBeLessThan(2);
  });

  it('clears a brake at 0 while the driver accelerates when the grade drifts', () => {
    const c = drive(n);
    for (let t = 600; t < 700; t++) c.grade_pct[t] += 0.05 * (t - 599);
    const s = physicsScores(c);
    const brake = breakOf(s.brake_pct);
    const rows: number[] = [];
    for (let t = 620; t < 700; t++)
      if (c.pedal_pct[t] > 0 && c.motor_torque_nm[t] > 0) rows.push(t);
    expect(rows.length).toBeGreaterThan(10);
    // The force balance (and its accelerometer-free twin) break, and the brake is in both; but
    // accelerating, the brake must read 0, and it does.
    expect(maxOf(rows.map((t) => brake[t]))).toBeLessThan(2);
    expect(medianOf(breakOf(s.grade_pct), 620, 700)).toBeGreaterThan(10);
  });

  it('blames a brake frozen at 0 while the driver brakes on the brake, not the accelerator', () => {
    const c = drive(n);
    const rows: number[] = [];
    for (let t = 600; t < 700; t++) {
      if (c.brake_pct[t] > 0) rows.push(t);
      c.brake_pct[t] = 0;
    }
    expect(rows.length).toBeGreaterThan(10);
    const s = physicsScores(c);
    // The motor regenerates with neither pedal pressed: only the brake can be missing (no
    // accelerator position gives a negative torque), and the force balance, which then takes
    // the regenerative torque as the driving one, cannot see the brake reading.
    const brake = breakOf(s.brake_pct);
    const pedal = breakOf(s.pedal_pct);
    expect(
      medianOf(
        rows.map((t) => brake[t]),
        0,
        rows.length,
      ),
    ).toBeGreaterThan(10);
    expect(maxOf(rows.map((t) => pedal[t]))).toBeLessThan(2);
  });

  it('stops a grade fault at `broken`: the force balance and its Δspeed twin are one check', () => {
    const c = drive(n);
    for (let t = 600; t < 700; t++) c.grade_pct[t] += 2;
    const s = physicsScores(c);
    // Grade is in the force balance and in its twin for Δspeed only, with brake and torque in
    // both: a misfit of the force model breaks the two alike, so they cannot tell the grade from
    // its partners any better than one relation (the evidence stops at 50 units).
    const grade = breakOf(s.grade_pct);
    expect(medianOf(grade, 600, 700)).toBeGreaterThan(10);
    expect(maxOf(grade, 600, 700)).toBeLessThanOrEqual(50 * (1 + 1e-9));
  });

  it('does not blame grade or brake on the one short climb of a vehicle on flat roads', () => {
    // 6 graded rows in 1,500: too few for a free grade coefficient (the robust fit leaves rows
    // beyond the 0.5-99.5 % range out), which broke the force balance there by the whole weight
    // component. Gravity's coefficient is known up to the rotating-mass share, which they pin.
    const climb = (t: number): number => (t >= 1000 && t < 1006 ? 3 : 0);
    const c = drive(n, 7, undefined, climb);
    const moving: number[] = [];
    for (let t = 1000; t < 1006; t++)
      if (c.speed_mps[t] > 0 && c.speed_mps[t - 1] > 0) moving.push(t);
    expect(moving.length).toBeGreaterThan(3);
    const s = physicsScores(c);
    for (const signal of ['grade_pct', 'brake_pct', 'accel_mps2', 'motor_torque_nm']) {
      expect(maxOf(moving.map((t) => breakOf(s[signal])[t]))).toBeLessThan(5);
    }
  });

  it('still sees a grade reading 3 % on a flat road: the weight component cannot be fitted away', () => {
    const c = drive(n, 7, undefined, () => 0);
    for (let t = 1000; t < 1012; t++) c.grade_pct[t] = 3;
    const s = physicsScores(c);
    const grade = breakOf(s.grade_pct);
    const moving: number[] = [];
    for (let t = 1000; t < 1012; t++)
      if (c.speed_mps[t] > 0 && c.speed_mps[t - 1] > 0) moving.push(t);
    expect(
      medianOf(
        moving.map((t) => grade[t]),
        0,
        moving.length,
      ),
    ).toBeGreaterThan(10);
  });

  it('detects a frozen speed sensor while the vehicle accelerates', () => {
    const c = drive(n);
    const from = 400;
    for (let t = from; t < from + 30; t++) c.speed_mps[t] = c.speed_mps[from - 1];
    const s = physicsScores(c);
    const b = breakOf(s.speed_mps);
    let moving = 0;
    let flagged = 0;
    for (let t = from; t < from + 30; t++) {
      if (Math.abs(c.accel_mps2[t]) < 0.05) continue;
      moving++;
      if (b[t] > 100) flagged++;
    }
    expect(moving).toBeGreaterThan(5);
    expect(flagged / moving).toBeGreaterThan(0.8);
    expect(medianOf(breakOf(s.accel_mps2), from, from + 30)).toBeLessThan(2);
  });

  it('checks only the relations whose signals are all present (no speed: no force balance)', () => {
    const c = drive(300);
    const partial = Object.fromEntries(Object.entries(c).filter(([k]) => k !== 'speed_mps'));
    const s = physicsScores(partial);
    // Kinematics, power, force, pedals and pedal all use speed and go; charge and voltage remain.
    expect(Object.keys(s).sort()).toEqual(['battery_current_a', 'battery_voltage_v', 'soc_pct']);
  });

  it('has nothing to say about a vehicle without the signals of two relations', () => {
    expect(physicsScores({ speed_mps: [1, 2, 3], accel_mps2: [1, 1, 1] })).toEqual({});
  });
});

describe('pedalsBreak', () => {
  it('breaks where both pedals are pressed, or the motor turns with neither', () => {
    const c = {
      brake_pct: Float64Array.from([0, 10, 10, 0, 0, 20, 0, 0]),
      motor_torque_nm: Float64Array.from([50, -50, -50, 0, 0, -100, 30, 0]),
      pedal_pct: Float64Array.from([10, 0, 0, 0, 0, 0, 0, 10]),
      speed_mps: Float64Array.from([5, 5, 5, 5, 5, 5, 5, 5]),
    };
    c.brake_pct[7] = 4; // both pedals at row 7
    const e = pedalsBreak(c, 8, 0);
    // Rows 1-5 obey (regen 5 N·m per % brake, idle motor with neither pedal); the tolerance
    // (0.01 %) is the unit: torque 30 N·m with no pedal is 6 % of brake, both pedals min(10, 4).
    expect(Array.from(e.slice(1, 6))).toEqual([0, 0, 0, 0, 0]);
    // Row 0 accelerates: the pedal relation checks the torque there, this one has nothing to say.
    expect(e[0]).toBeNaN();
    expect(e[6]).toBeCloseTo(600, 6);
    expect(e[7]).toBeCloseTo(400, 6);
  });
});

describe('residual with least absolute deviations', () => {
  it('fits the rows that obey a line exactly despite 10% gross outliers', () => {
    const n = 200;
    const x = Float64Array.from({ length: n }, (_, t) => t / 10);
    const y = x.map((v, t) => (t % 10 === 3 ? 1000 + v : 2 * v + 1));
    const r = residual(y, [x], { l1: 30, refits: 2, ridge: 1e-12, trim: 4 });
    for (let t = 0; t < n; t++) {
      if (t % 10 === 3) expect(r[t]).toBeGreaterThan(900);
      else expect(Math.abs(r[t])).toBeLessThan(1e-4);
    }
  });
});

describe('residual with bounded influence (Mallows weights)', () => {
  it('keeps a branch fitted when a fault of the feature outweighs it in plain LAD', () => {
    // y = 300 + 0.6·m when driving (m > 0), 300 + 0.4·m when regenerating (m < 0), exactly, as
    // in the power relation. 20 of the 250 regenerating rows read m = -40000 (a drifted torque,
    // 13× the largest true |m|) while y keeps its true value.
    const n = 1000;
    const rnd = lcg(1);
    const up = new Float64Array(n);
    const down = new Float64Array(n);
    const y = new Float64Array(n);
    const fault = (t: number): boolean => t >= 600 && t < 920 && t % 16 === 3;
    for (let t = 0; t < n; t++) {
      const phase = t % 4;
      const m = phase <= 1 ? 3000 * rnd() : phase === 3 ? -3000 * rnd() : 0;
      y[t] = 300 + (m > 0 ? 0.6 * m : 0.4 * m);
      const read = fault(t) ? -40000 : m;
      up[t] = read > 0 ? read : 0;
      down[t] = read < 0 ? read : 0;
    }
    const o = { l1: 20, leverage: 1, refits: 2, ridge: 1e-9, trim: 4 };
    const plain = residual(y, [up, down], o);
    const bounded = residual(y, [up, down], { ...o, mallows: 0.1 });
    const regen = (r: Float64Array): number[] =>
      Array.from(r).filter((_, t) => t % 4 === 3 && !fault(t));
    // Plain LAD lets the 20 leveraged rows set the regenerative slope (residuals of hundreds).
    expect(medianOf(regen(plain).map(Math.abs), 0, 230)).toBeGreaterThan(100);
    const fitted = regen(bounded).filter((r) => Math.abs(r) < 1);
    expect(fitted.length).toBeGreaterThan(0.95 * regen(bounded).length);
    for (let t = 0; t < n; t++) if (fault(t)) expect(Math.abs(bounded[t])).toBeGreaterThan(1000);
  });
});

describe('stuckRunLength at 0', () => {
  it('gives a run of exactly 0 no evidence (rest, not a frozen sensor)', () => {
    const out = stuckRunLength([3, 2, 0, 0, 0, 0, 1, 2, 2], { restingShare: 2 });
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1]);
  });
});
